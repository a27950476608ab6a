"""The real ``vagrant``, run with the stand-in's runner configuration as its ``/etc/vbox``.

    python -m pytest_hacluster.vbox.runner_etc --prefix P --vagrant /usr/bin/vagrant ARGS...

(the stand-in's ``bin/vagrant`` runs this). Vagrant itself reads ``/etc/vbox/networks.conf``
(``VBOX_NET_CONF`` in ``plugins/providers/virtualbox/action/network.rb``, checked for every
host-only address once VirtualBox reports 6.1.28 or later; see ``hostonly``), so a stand-in
reporting 7.x must let vagrant read *its* runner's file without touching the host's ``/etc``.
This process enters a mount namespace of its own, lays the stand-in's ``etc/`` (only
``vbox/`` in it) over ``/etc`` there as a read-only overlay, and execs the real vagrant: vagrant
and its children see ``/etc/vbox/networks.conf``, nothing else anywhere sees a change.

Mount propagation: the overlay is made on a mount turned private in the new namespace first,
so it never reaches the host; every other mount keeps its propagation, so ``ip netns add`` by
the stand-in's ``VBoxManage`` (a bind mount in the shared ``/run/netns``) still reaches the
host, where the backend, the tests and ``hacluster-lab gc`` look for it. Mounts below ``/etc``
(a container's ``/etc/hosts``, ``/etc/resolv.conf``) are bound again on top of the overlay, so
vagrant sees the same files there as everyone else.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import subprocess
import sys
from pathlib import Path

from pytest_hacluster.vbox.state import Place

CLONE_NEWNS = 0x00020000
ETC = "/etc"


class RunnerEtcError(RuntimeError):
    """The view could not be made; names the step and its output."""


def _mount(*args: str, pass_fds: tuple[int, ...] = ()) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30,
                          check=False, pass_fds=pass_fds)
    if done.returncode != 0:
        raise RunnerEtcError(f"mount {' '.join(args)} failed: {done.stderr.strip()}")


def _unescape(field: str) -> str:
    """A mountinfo path field: space, tab, newline and backslash are octal escapes."""
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def mount_points(mountinfo: str) -> list[str]:
    """Mount points of a ``/proc/self/mountinfo`` text, in mount order (field 5)."""
    return [_unescape(line.split()[4]) for line in mountinfo.splitlines() if line.strip()]


def holding_mount(points: list[str], path: str) -> str:
    """The mount point ``path`` lives on (the longest one that is a prefix of it)."""
    best = "/"
    for point in points:
        if (path == point or path.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best = point
    return best


def enter(place: Place) -> None:
    """This process into its own mount namespace, with ``place.etc`` laid over ``/etc``."""
    if not place.vbox_etc.is_dir():
        raise RunnerEtcError(f"{place.vbox_etc} is missing: is stand-in {place.prefix} up?")
    points = mount_points(Path("/proc/self/mountinfo").read_text())
    below = [p for p in points if p.startswith(ETC + "/")]
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNS) != 0:
        raise RunnerEtcError(f"unshare(CLONE_NEWNS): {os.strerror(ctypes.get_errno())}")
    # Only the mount /etc sits on becomes private here: the overlay cannot propagate anywhere.
    _mount("--make-private", holding_mount(points, ETC))
    old_etc = os.open(ETC, os.O_PATH | os.O_DIRECTORY)
    try:
        _mount("-t", "overlay", "overlay", "-o", f"ro,lowerdir={place.etc}:{ETC}", ETC)
        for point in below:
            inside = f"/proc/self/fd/{old_etc}/{point[len(ETC) + 1:]}"
            _mount("--bind", inside, point, pass_fds=(old_etc,))
    finally:
        os.close(old_etc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_hacluster.vbox.runner_etc")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--vagrant", required=True, help="the real vagrant executable")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args(argv)
    try:
        enter(Place(opts.prefix))
    except (RunnerEtcError, ValueError, OSError) as exc:
        print(f"VirtualBox stand-in: {exc}", file=sys.stderr)
        return 1
    os.execv(opts.vagrant, [opts.vagrant, *opts.args])
    return 1  # not reached


if __name__ == "__main__":
    sys.exit(main())
