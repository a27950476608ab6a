"""The ``vagrant`` backend: the project's Vagrantfile and provision/ brought up with vagrant.

``up`` exports the rendering (``export.py``) next to the Vagrantfile, runs ``vagrant up`` with
its output streamed as progress, and reaches the nodes with fabric through ``vagrant
ssh-config`` (python-vagrant). ``vagrant up`` and ``destroy`` run through a bounded runner of our
own: python-vagrant can neither put a deadline on them nor stop them on Ctrl-C.
``--hacluster-keep`` reuses running machines; otherwise ``vagrant destroy --force`` at the end.

Faults a VirtualBox machine can suffer are VirtualBox's own: a pulled cable is ``VBoxManage
controlvm <vm> setlinkstateN off``, a power cut ``controlvm <vm> poweroff``.
"""

from __future__ import annotations

import collections
import ipaddress
import os
import queue
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import vagrant as python_vagrant

from pytest_hacluster import cluster_key, export, fencing, hostonly
from pytest_hacluster.backends.base import (
    Backend,
    BackendError,
    FaultNotSupported,
    NodeShell,
    Progress,
    Settings,
)
from pytest_hacluster.backends.sshnode import FabricNode, NodeUnreachable, parse_ssh_config
from pytest_hacluster.backends.vagrant_output import box_has_provider, machine_states
from pytest_hacluster.backends.vantage import Vantage
from pytest_hacluster.config import Description
from pytest_hacluster.http_client import HttpClient, Runner
from pytest_hacluster.render import required_files, stack_for_box
from pytest_hacluster.shell import CommandError, run_local

PROVIDER = "virtualbox"
RENDERED = Path(".hacluster") / "rendered"
# Vagrant phones home (version and box update checks) unless told not to.
QUIET = {"VAGRANT_CHECKPOINT_DISABLE": "1", "VAGRANT_BOX_UPDATE_CHECK_DISABLE": "1"}
TAIL_LINES = 60
_ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# The Vagrantfile defines the service network first, then the interconnect: adapters 2 and 3
# (adapter 1 is VirtualBox's NAT, for vagrant's ssh).
FIRST_PRIVATE_ADAPTER = 2
STACK_START = (
    "if [ -d /run/systemd/system ]; then systemctl start corosync pacemaker; "
    "else service corosync start && service pacemaker start; fi"
)


class VagrantError(BackendError):
    """vagrant could not bring the cluster up; carries vagrant's own words."""


def cluster_networks(description: Description) -> list[hostonly.Network]:
    """The cluster's host-only networks: the service LAN and the interconnect, in that order
    (each one VirtualBox host-only network, as the Vagrantfile makes them)."""
    out: list[hostonly.Network] = []
    for node in description.nodes:
        for ip in (node.service_ip, node.interconnect_ip):
            net = ipaddress.ip_interface(f"{ip}/{description.netmask}").network
            if net not in out:
                out.append(net)
    return out


def vagrant_env(description: Description) -> dict[str, str]:
    """vagrant's environment: ours plus ``[tool.hacluster.vagrant] env`` (the box reaches the
    Vagrantfile through the export's nodes.json, not the environment)."""
    cfg = description.vagrant
    extra = {key: os.path.expandvars(value) for key, value in cfg.env.items()}
    return {**os.environ, **QUIET, **extra}


def _stop(proc: subprocess.Popen[str]) -> None:
    """Stop a vagrant run the way a person would: Ctrl-C, and only then harder.

    On SIGINT vagrant cleans up (it releases its forwarded-port leases, which otherwise block
    those ports for the next 60 s, and recovers a half-made machine); SIGTERM and SIGKILL are
    for a vagrant that does not finish within the bound.
    """
    for sig, grace in ((signal.SIGINT, 120), (signal.SIGTERM, 30), (signal.SIGKILL, 30)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue


class VagrantBackend(Backend):
    """Machines made by vagrant from the project's Vagrantfile."""

    name = "vagrant"

    def __init__(self, description: Description, settings: Settings) -> None:
        super().__init__(description, settings)
        self.root = (Path(settings.rootdir) / description.vagrant.root).resolve()
        self.env = vagrant_env(description)
        self._vantage = Vantage(description.vagrant.http_from)
        self._nodes: dict[str, FabricNode] = {}
        self._made = False  # brought up (or taken over) by this object: down() destroys it

    # -- checks before anything boots ---------------------------------------------------------
    def stack_origin(self) -> dict[str, object]:
        """The stack the box gets (``render.stack_for_box``), its files from the box."""
        box = self.description.vagrant.box
        return {**super().stack_origin(), "name": stack_for_box(box).name,
                "source": f"Vagrant box {box}"}

    def check(self) -> None:
        """Everything a runner commonly gets wrong, before anything boots: one line per problem,
        each naming its fix (all of them at once, so one round of fixes is enough)."""
        fence = fencing.device(self.description)
        if self.description.fencing.enabled and self.name not in fence.backends:
            raise VagrantError(
                f"fence device {fence.name!r} ({fence.agent}) cannot power VirtualBox VMs: set "
                "[tool.hacluster.fencing] device = \"vbox\" and its [tool.hacluster.fencing.vbox] "
                "(README: 'Fencing on VirtualBox runners')"
            )
        path = self.env.get("PATH", "")
        if shutil.which("vagrant", path=path) is None:
            raise VagrantError(
                "vagrant is not installed (not on PATH). Install it: on Debian/Ubuntu "
                "`apt-get install -y --no-install-recommends vagrant`, elsewhere "
                "https://developer.hashicorp.com/vagrant/install"
            )
        if not (self.root / "Vagrantfile").is_file():
            raise VagrantError(
                f"no Vagrantfile in {self.root}: set [tool.hacluster.vagrant] root to the "
                "directory holding the project's Vagrantfile and provision/"
            )
        if shutil.which("VBoxManage", path=path) is None:
            raise VagrantError(
                "VirtualBox's VBoxManage is not on PATH: install VirtualBox, or try the Vagrant "
                "path without it (README: 'Trying it without VirtualBox (the stand-in)')"
            )
        problems = [*self._host_only_problems(), *self._box_problems()]
        if problems:
            raise VagrantError("\n".join(problems))
        self._vantage.check()

    def _box_problems(self) -> list[str]:
        home = Path(self.env.get("VAGRANT_HOME") or Path.home() / ".vagrant.d")
        box = self.description.vagrant.box
        if not box_has_provider(home, box, PROVIDER):
            return [
                f"the box {box!r} is not added for {PROVIDER} in {home}: add it first "
                f"(`vagrant box add {box} --provider {PROVIDER}`) or set [tool.hacluster.vagrant]"
                " box to one you have (`vagrant box list`)"
            ]
        stack = stack_for_box(box)
        missing = [f for f in required_files(stack) if not (self.root / f).is_file()]
        if missing:
            return [
                f"the box {box!r} gets the seed's {stack.name} stack, which needs "
                f"{' and '.join(missing)} next to the Vagrantfile in {self.root}: place them "
                "there (the Linux-HA Japan repository tarball and Tomcat 7's binary tarball)"
            ]
        return []

    def _host_only_problems(self) -> list[str]:
        """VirtualBox's host-only rules against the cluster's networks (``hostonly``): the
        ranges networks.conf allows from 6.1.28 on, and host interfaces already on them."""
        networks = cluster_networks(self.description)
        version_text = self._vboxmanage_output("--version")
        try:
            version = hostonly.parse_version(version_text)
            interfaces = hostonly.parse_bridgedifs(self._vboxmanage_output("list", "bridgedifs"))
        except hostonly.HostOnlyError as exc:
            raise VagrantError(str(exc)) from None
        problems = []
        shown = ".".join(map(str, version))
        if hostonly.validates(version):
            conf = hostonly.vbox_etc(self.env) / "networks.conf"
            try:
                ranges, from_file = hostonly.allowed_ranges(conf)
            except (hostonly.HostOnlyError, OSError) as exc:
                raise VagrantError(f"{exc}: fix or remove {conf}") from None
            refused = hostonly.outside(networks, ranges)
            if refused:
                allowed = ", ".join(map(str, ranges)) or "nothing"
                why = f"{conf} allows {allowed}" if from_file else (
                    f"without {conf} only {allowed}")
                problems.append(
                    f"VirtualBox {shown} takes host-only addresses only from the ranges of "
                    f"networks.conf ({why}); the cluster's {', '.join(map(str, refused))} "
                    f"{'is' if len(refused) == 1 else 'are'} outside, so vagrant would refuse "
                    f"them: as root, add the line `{hostonly.networks_conf_line(refused)}` to "
                    f"{conf}"
                )
        for net, iface in hostonly.collisions(networks, interfaces):
            problems.append(
                f"host interface {iface.name} is on {iface.network} ({iface.network.network}), "
                f"which overlaps the cluster's network {net}: vagrant refuses such a host-only "
                "network (or the host routes the cluster's traffic onto that LAN). Run on a "
                "runner off that network, or give the cluster other addresses in "
                "[tool.hacluster] (nodes, groups' VIPs, gateway)"
            )
        return problems

    def _vboxmanage_output(self, *args: str) -> str:
        result = run_local(["VBoxManage", *args], timeout=60, env=self.env)
        if not result.ok:
            raise VagrantError(f"`VBoxManage {' '.join(args)}` failed: {result.describe()}")
        return result.stdout

    # -- life cycle ---------------------------------------------------------------------------
    def up(self, progress: Progress) -> None:
        self.check()
        stack = stack_for_box(self.description.vagrant.box)
        written = export.export(self.description, stack, self.root / RENDERED)
        progress(f"rendered {len(written)} files into {self.root / RENDERED}")
        cluster_key.ensure(self.root, stack.name)  # the Vagrantfile loads only with a key
        states = self.states()
        wanted = self.description.node_names
        if self.settings.keep and all(states.get(n) == "running" for n in wanted):
            self._connect()
            self.reused = True
            progress(f"reusing the running machines {', '.join(wanted)} (--hacluster-keep)")
            return
        if all(states.get(n, "not_created") == "not_created" for n in wanted):
            # A key left by a crashed run would join this cluster to that one's secret.
            self._forget_secrets()
        _, made = cluster_key.ensure(self.root, stack.name)
        progress(f"the cluster's key: {'made' if made else 'kept'} in "
                 f"{self.root / cluster_key.KEY_DIR} (0600, reaches the nodes by rsync)")
        self._made = True
        try:
            started = time.monotonic()
            self._vagrant(["up", f"--provider={PROVIDER}"], progress)
            progress(f"vagrant up done in {time.monotonic() - started:.0f}s")
            self._connect()
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        for node in self._nodes.values():
            node.close()
        self._nodes.clear()
        self._vantage.close()
        if self._made:
            self._made = False
            result = run_local(["vagrant", "destroy", "--force", "--no-color"], timeout=600,
                               env=self.env, cwd=self.root)
            if result.ok:  # else the Vagrantfile still needs the key to destroy them by hand
                self._forget_secrets()
            if not result.ok:
                raise VagrantError(f"vagrant destroy failed: {result.describe()}")

    def _forget_secrets(self) -> None:
        cluster_key.forget(self.root)

    def nodes(self) -> dict[str, NodeShell]:
        return dict(self._nodes)

    def http(self) -> HttpClient:
        return self._vantage.client()

    def client_runner(self, workers: int) -> Runner:
        return self._vantage.runner(workers)

    def failure_logs(self) -> str:
        out = []
        for name, node in self._nodes.items():
            try:
                tail = node.run(["tail", "-n", "40", "/var/log/pacemaker/pacemaker.log"],
                                timeout=10).stdout
            except NodeUnreachable as exc:
                tail = str(exc)
            out.append(f"--- {name}:/var/log/pacemaker/pacemaker.log\n{tail}")
        return "\n".join(out)

    # -- vagrant ------------------------------------------------------------------------------
    def states(self) -> dict[str, str]:
        """Each machine's state as ``vagrant status`` reports it."""
        result = run_local(["vagrant", "status", "--machine-readable"], timeout=120,
                           env=self.env, cwd=self.root)
        if not result.ok:
            raise VagrantError(f"vagrant status failed: {result.describe()}")
        return machine_states(result.stdout)

    def _vagrant(self, args: list[str], progress: Progress) -> None:
        """Run a long vagrant command, each output line as progress, within up_timeout_s.

        On failure the error carries vagrant's last lines: the provisioner's own output (a
        failed step says why) and vagrant's message.
        """
        timeout = self.description.vagrant.up_timeout_s
        proc = subprocess.Popen(
            ["vagrant", *args, "--no-color"], cwd=self.root, env=self.env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", start_new_session=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)
        deadline = time.monotonic() + timeout
        try:
            while True:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    raise VagrantError(
                        f"`vagrant {' '.join(args)}` did not finish within {timeout}s "
                        f"([tool.hacluster.vagrant] up_timeout_s); its last output:\n"
                        + "".join(tail)
                    ) from None
                if line is None:
                    break
                text = _ANSI_RE.sub("", line).rstrip()
                if text.strip():
                    tail.append(text + "\n")
                    progress(f"vagrant: {text}")
            code = proc.wait(timeout=30)
        finally:
            if proc.poll() is None:  # timeout or Ctrl-C: vagrant and its children go
                _stop(proc)
        if code != 0:
            raise VagrantError(
                f"`vagrant {' '.join(args)}` failed (exit {code}); its last output:\n"
                + "".join(tail)
            )

    def _connect(self) -> None:
        """Fabric nodes from ``vagrant ssh-config`` (logins as vagrant, commands via sudo)."""
        v = python_vagrant.Vagrant(str(self.root), env=self.env, quiet_stderr=True)
        try:
            targets = parse_ssh_config(v.ssh_config())
        except subprocess.CalledProcessError as exc:
            raise VagrantError(f"vagrant ssh-config failed (exit {exc.returncode})") from None
        missing = [n for n in self.description.node_names if n not in targets]
        if missing:
            raise VagrantError(f"vagrant ssh-config knows no machine {', '.join(missing)}")
        self._nodes = {
            name: FabricNode(name, targets[name], sudo=True, trust_new_hosts=True)
            for name in self.description.node_names
        }

    # -- faults -------------------------------------------------------------------------------
    def _vm_id(self, node: str) -> str:
        path = self.root / ".vagrant" / "machines" / node / PROVIDER / "id"
        try:
            return path.read_text().strip()
        except OSError:
            raise BackendError(f"machine {node} has no VirtualBox id ({path})") from None

    def _vboxmanage(self, *args: str) -> None:
        result = run_local(["VBoxManage", *args], timeout=60, env=self.env)
        if not result.ok:
            raise CommandError("VirtualBox", result)

    def set_cable(self, node: str, nic: str, plugged: bool) -> None:
        nics = (self.description.service_nic, self.description.interconnect_nic)
        if nic not in nics:
            raise FaultNotSupported(f"the vagrant backend cables only {' and '.join(nics)}")
        adapter = FIRST_PRIVATE_ADAPTER + nics.index(nic)
        self._vboxmanage("controlvm", self._vm_id(node), f"setlinkstate{adapter}",
                         "on" if plugged else "off")

    def power_off(self, node: str) -> None:
        if node in self._nodes:
            self._nodes[node].close()
        self._vboxmanage("controlvm", self._vm_id(node), "poweroff")

    def power_on(self, node: str, progress: Progress) -> None:
        """Boot it again (networks and /vagrant as at first boot), then its cluster stack."""
        self._vagrant(["up", node, "--no-provision", f"--provider={PROVIDER}"], progress)
        self._nodes[node].close()
        self._nodes[node].run(STACK_START, timeout=120, check=True)


__all__ = ["VagrantBackend", "VagrantError", "vagrant_env"]
