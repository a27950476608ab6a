"""A whole VirtualBox stand-in: make it, hand vagrant its environment, remove every trace.

    python -m pytest_hacluster.vbox.standin up --prefix hacl-vb [--box debian/bookworm64] \
        [--allow 192.168.1.0/24 --allow 192.168.9.0/24]
    python -m pytest_hacluster.vbox.standin down --prefix hacl-vb

``up`` prints the environment vagrant needs (``PATH`` with the stand-in's ``VBoxManage`` and
``vagrant`` first, ``VAGRANT_HOME`` with the box added, ``HACLUSTER_VBOX_ETC``) as shell
``export`` lines, and the namespace from which the VMs' host-only networks are reachable.

It models a runner with a current VirtualBox (7.0): its own ``/etc/vbox`` lives in the state
dir (``etc/vbox``; ``--allow`` writes the ``networks.conf`` line a runner's admin would, without
it there is none, as after a fresh install). The stand-in's ``VBoxManage`` applies its ranges to
host-only adapters as VirtualBox does, and its ``vagrant`` runs the real one seeing that
directory as ``/etc/vbox`` (``runner_etc``), so vagrant applies its own check to the same file.

``down`` (or ``hacluster-lab gc``) removes the VMs'
processes, namespaces and mounts, the forwarders, the box and ``VAGRANT_HOME``.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import shutil
import sys
from pathlib import Path

from pytest_hacluster import hostonly, netns
from pytest_hacluster.backends.lab import remove
from pytest_hacluster.shell import run_local
from pytest_hacluster.statedir import Claim
from pytest_hacluster.vbox.box import BoxError, build_layer, write_box_file
from pytest_hacluster.vbox.state import Place

DEFAULT_BOX = "debian/bookworm64"
# Vagrant phones home (version checks, box updates) unless told not to; a test run must not.
QUIET_VAGRANT = {"VAGRANT_CHECKPOINT_DISABLE": "1", "VAGRANT_BOX_UPDATE_CHECK_DISABLE": "1"}


class StandInError(RuntimeError):
    """The stand-in could not be made; whatever was made is already removed."""


class StandIn:
    """One stand-in, named by a lab prefix (``hacl...``): everything it makes carries it."""

    def __init__(self, prefix: str) -> None:
        self.place = Place(prefix)
        self._claim: Claim | None = None  # keeps `hacluster-lab gc` off it while this runs

    @property
    def prefix(self) -> str:
        return self.place.prefix

    @property
    def netns(self) -> str:
        """Where the host-only networks (and so the cluster's addresses) are reachable."""
        return self.place.host_netns

    def env(self) -> dict[str, str]:
        """The environment variables vagrant needs to use this stand-in (merge into os.environ).

        ``HACLUSTER_VBOX_ETC`` tells the vagrant backend's preflight which ``networks.conf``
        this "runner" has (a real runner: ``/etc/vbox``)."""
        return {
            "PATH": f"{self.place.bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "VAGRANT_HOME": str(self.place.vagrant_home),
            "VAGRANT_DEFAULT_PROVIDER": "virtualbox",
            hostonly.VBOX_ETC_ENV: str(self.place.vbox_etc),
            **QUIET_VAGRANT,
        }

    def allow(self, networks: list[str]) -> Path:
        """Write the runner's ``networks.conf`` allowing ``networks`` (CIDRs) for host-only
        adapters, as an admin does once per runner; an empty list removes the file (a fresh
        install: only 192.168.56.0/21). ValueError names a CIDR that is not one."""
        conf = self.place.vbox_etc / "networks.conf"
        if not networks:
            conf.unlink(missing_ok=True)
            return conf
        parsed = []
        for cidr in networks:
            try:
                parsed.append(ipaddress.ip_network(cidr, strict=False))
            except ValueError:
                raise ValueError(f"--allow {cidr!r}: not an address range such as "
                                 "192.168.1.0/24") from None
        conf.write_text(hostonly.networks_conf_line(parsed) + "\n")
        return conf

    def exists(self) -> bool:
        return self.place.dir.exists() or netns.exists(self.netns)

    def create(self, box: str = DEFAULT_BOX, allow: tuple[str, ...] = ()) -> None:
        """State dir, ``VBoxManage`` and ``vagrant`` scripts, the runner's ``/etc/vbox``, host
        namespace, box layer, box added to vagrant."""
        if self.exists():
            raise StandInError(
                f"a stand-in or lab {self.prefix!r} already exists: remove it with "
                f"`python -m pytest_hacluster.vbox.standin down --prefix {self.prefix}`"
            )
        try:
            self.place.dir.mkdir(parents=True, mode=0o700)
            self._claim = Claim(self.prefix)
            self.place.vms_dir.mkdir()
            self.place.vbox_etc.mkdir(parents=True)
            self.allow(list(allow))
            self._write_vboxmanage()
            self._write_vagrant()
            netns.add(self.netns)
            build_layer(self.place)
            self.add_box(box)
        except BaseException as exc:
            self.destroy()
            if isinstance(exc, (BoxError, OSError, ValueError)):
                raise StandInError(f"the VirtualBox stand-in could not be made: {exc}") from exc
            raise

    def _write_vboxmanage(self) -> None:
        """``VBoxManage`` on vagrant's PATH: this package's CLI, under this very Python."""
        package_parent = Path(__file__).resolve().parents[2]
        script = self.place.bin_dir / "VBoxManage"
        script.parent.mkdir()
        script.write_text(
            "#!/bin/sh\n# pytest-hacluster's VirtualBox stand-in (a test harness)\n"
            f"PYTHONPATH={shlex.quote(str(package_parent))}${{PYTHONPATH:+:$PYTHONPATH}} "
            f"exec {shlex.quote(sys.executable)} -m pytest_hacluster.vbox.manage "
            f"--prefix {shlex.quote(self.prefix)} \"$@\"\n"
        )
        script.chmod(0o755)

    def _write_vagrant(self) -> None:
        """``vagrant`` on the stand-in's PATH: the real one, with this runner's /etc/vbox."""
        real = shutil.which("vagrant")
        if real is None:
            raise StandInError("vagrant is not installed (apt-get install -y "
                               "--no-install-recommends vagrant)")
        package_parent = Path(__file__).resolve().parents[2]
        script = self.place.bin_dir / "vagrant"
        script.write_text(
            "#!/bin/sh\n# pytest-hacluster's VirtualBox stand-in: the real vagrant, seeing this "
            "stand-in's runner configuration as /etc/vbox\n"
            f"PYTHONPATH={shlex.quote(str(package_parent))}${{PYTHONPATH:+:$PYTHONPATH}} "
            f"exec {shlex.quote(sys.executable)} -m pytest_hacluster.vbox.runner_etc "
            f"--prefix {shlex.quote(self.prefix)} --vagrant {shlex.quote(real)} \"$@\"\n"
        )
        script.chmod(0o755)

    def add_box(self, name: str) -> None:
        box_file = write_box_file(self.place.dir / "standin.box")
        result = run_local(["vagrant", "box", "add", "--force", "--name", name, str(box_file)],
                           timeout=120, env={**os.environ, **self.env()},
                           cwd=self.place.dir)  # no Vagrantfile there to load
        if not result.ok:
            raise StandInError(f"vagrant box add {name} failed: {result.describe()}")

    def destroy(self) -> list[str]:
        """Every VM's processes, namespaces and mounts, the forwarders, the box, VAGRANT_HOME."""
        try:
            return remove(self.prefix)
        finally:
            if self._claim is not None:
                self._claim.release()
                self._claim = None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_hacluster.vbox.standin",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=("up", "down"))
    parser.add_argument("--prefix", default="hacl-vb", help="names everything (default hacl-vb)")
    parser.add_argument("--box", default=DEFAULT_BOX, help=f"box name (default {DEFAULT_BOX})")
    parser.add_argument("--allow", action="append", default=[], metavar="CIDR",
                        help="a range the runner's /etc/vbox/networks.conf allows for host-only "
                        "networks (repeat; the seed needs 192.168.1.0/24 and 192.168.9.0/24)")
    args = parser.parse_args(argv)
    standin = StandIn(args.prefix)
    if args.action == "down":
        removed = standin.destroy()
        print(f"# removed {len(removed)} items of stand-in {args.prefix}", file=sys.stderr)
        return 0
    if shutil.which("vagrant") is None:
        print("error: vagrant is not installed (apt-get install -y --no-install-recommends "
              "vagrant)", file=sys.stderr)
        return 2
    try:
        standin.create(args.box, tuple(args.allow))
    except StandInError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for key, value in standin.env().items():
        print(f"export {key}={shlex.quote(value)}")
    print(f"# the VMs' networks are reachable with: ip netns exec {standin.netns} ...")
    return 0


if __name__ == "__main__":
    sys.exit(main())
