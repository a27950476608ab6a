"""One "node": a machine made of namespaces on this host.

A node is a named network namespace plus private mount, UTS, IPC and PID namespaces whose root
is a copy-on-write overlay of a lower dir: the host's ``/``, or a root of another Debian release
(``roots.py``) when the chosen stack is not this machine's (every write lands in the node's
upper dir; the host's files never change), with fresh ``/proc``, ``/sys``, ``/run``, ``/tmp``,
``/dev/shm`` and a reaping PID 1 (``tini``: without a reaper, SIGKILLed daemons stay zombies
and the resource agents' ``kill -0`` still finds them). Killing that PID 1 ends every process of
the node at once, which is what a power-off is. The lab and the VirtualBox stand-in share this
one implementation.

Containment: ``/proc/sysrq-trigger``, ``/proc/sys`` and ``/sys`` are read-only in the node (as
Docker's default ``ReadonlyPaths`` make them), and ``reboot(2)`` inside the node's PID namespace
ends that namespace only (reboot(2), "Behavior inside PID namespaces": RESTART/POWER_OFF/HALT
kill the namespace's init; other commands fail with EINVAL). The node's root still has every
capability on the host's kernel: this guards the cluster's own panic and fencing paths, not
against a node that sets out to remount these paths.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import shlex
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pytest_hacluster.packages import resolve_in
from pytest_hacluster.render import Directory, File
from pytest_hacluster.shell import (
    Command,
    CommandError,
    Result,
    argv_of,
    display,
    run_local,
    write_file,
)
from pytest_hacluster.waiting import WaitTimeout, wait_until

NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Runs as the node's PID 1 before it becomes tini. Arguments, not string pasting: $1.. are
# paths the lab chose, the hostname is checked by config validation.
_INIT = r"""
set -eu
root=$1 upper=$2 work=$3 host=$4 ready=$5 binds=$6 lower=$7
shift 7
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$work" "$root"
mount -t proc proc "$root/proc"
# The node is root on the host's kernel: sysrq, kernel settings and sysfs (power/state) act on
# the whole machine. Read-only as container runtimes make them, so Pacemaker's panic path
# (writes "b" to sysrq-trigger, then reboot()) can only end the node's PID namespace.
# A kernel built without CONFIG_MAGIC_SYSRQ has no sysrq-trigger: nothing to mask there.
for masked in "$root/proc/sysrq-trigger" "$root/proc/sys"; do
    [ -e "$masked" ] || continue
    mount --bind "$masked" "$masked"
    mount -o remount,bind,ro "$masked"
done
mount -t sysfs -o ro sysfs "$root/sys"
mount --rbind /dev "$root/dev"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
mount --bind "$root/dev/pts/ptmx" "$root/dev/ptmx"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
mount -t tmpfs -o mode=0755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root/run/lock" "$root/run/apache2" "$root/run/resource-agents" "$root/run/samba"
chmod 1777 "$root/run/lock"
# Host directories shown inside the node (a VM's shared folders): one "src<TAB>dst" a line.
tab=$(printf '\t')
while IFS=$tab read -r src dst; do
    [ -n "$src" ] || continue
    mkdir -p "$root$dst"
    mount --bind "$src" "$root$dst"
done < "$binds"
hostname "$host"
cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
: > "/.oldroot$ready"
umount -l /.oldroot
exec tini -s -- "$@"
"""


@dataclass
class NodeRecord:
    """What another process needs to find a running node again (``--hacluster-keep``, gc)."""

    name: str
    netns: str
    pid: int
    start_ticks: int  # /proc/PID/stat field 22: tells PID 1 apart from a recycled PID
    lower: str = "/"  # the overlay's lower dir: "/" or a cached root of another release


class NodeError(RuntimeError):
    """A node could not be started or reached; says which and why."""


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


class Node:
    """A running (or startable) node; commands go in through ``nsenter`` into all its namespaces."""

    def __init__(
        self,
        name: str,
        netns_name: str,
        state_dir: Path,
        *,
        binds: Sequence[tuple[str, str]] = (),
        init: Sequence[str] = ("sleep", "infinity"),
        lower: Path = Path("/"),
    ) -> None:
        """``binds``: (host dir, node path) pairs visible inside the node (a VM's shared
        folders); ``init``: what the reaping PID 1 runs (a VM runs ``sshd -D``, the lab sleeps);
        ``lower``: the root the node's overlay shows (it must hold ``tini``).
        """
        self.lower = lower
        self.name = name
        self.netns = netns_name
        self.dir = state_dir / name
        self.binds = tuple(binds)
        self.init = tuple(init)
        self.pid: int | None = None
        self._start_ticks: int | None = None
        self._launcher: subprocess.Popen[bytes] | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def prepare(self, files: Iterable[File | Directory]) -> None:
        """Write the node's own files into its upper dir before it boots."""
        for sub in ("upper", "work", "root"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        upper = self.dir / "upper"
        for item in files:
            place(upper, item, self.lower)

    def boot(self, timeout: float = 10) -> None:
        """Start PID 1 and wait until its root is in place (bounded; says what it waited for)."""
        ready = self.dir / "ready"
        ready.unlink(missing_ok=True)
        binds = self.dir / "binds.tsv"
        binds.write_text("".join(f"{src}\t{dst}\n" for src, dst in self.binds))
        log = open(self.dir / "init.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            self._launcher = subprocess.Popen(
                [
                    "ip", "netns", "exec", self.netns,
                    "unshare", "--mount", "--uts", "--ipc", "--pid", "--fork",
                    "--propagation", "private",
                    "sh", "-c", _INIT, "init",
                    str(self.dir / "root"), str(self.dir / "upper"), str(self.dir / "work"),
                    self.name, str(ready), str(binds), str(self.lower), *self.init,
                ],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            )
        finally:
            log.close()

        def booted() -> bool:
            if self._launcher is not None and self._launcher.poll() is not None:
                raise NodeError(f"node {self.name} did not boot:\n{self._init_log()}")
            return ready.exists() and self._find_pid1()

        try:
            wait_until(booted, timeout=timeout, interval=0.01, what=f"node {self.name}'s PID 1")
        except WaitTimeout as exc:
            raise NodeError(f"{exc}\n{self._init_log()}") from None

    def _find_pid1(self) -> bool:
        assert self._launcher is not None
        pid = self._launcher.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return False
        if not children:
            return False
        self.pid = int(children[0])
        self._start_ticks = _start_ticks(self.pid)
        return True

    def _init_log(self) -> str:
        try:
            return (self.dir / "init.log").read_text()[-2000:]
        except OSError:
            return "(no output)"

    @property
    def record(self) -> NodeRecord:
        if self.pid is None or self._start_ticks is None:
            raise NodeError(f"node {self.name} is not running")
        return NodeRecord(self.name, self.netns, self.pid, self._start_ticks, str(self.lower))

    @classmethod
    def attach(cls, record: NodeRecord, state_dir: Path) -> Node:
        """The node of an earlier process, if it is still the same PID 1."""
        node = cls(record.name, record.netns, state_dir, lower=Path(record.lower))
        node.pid, node._start_ticks = record.pid, record.start_ticks
        return node

    @property
    def alive(self) -> bool:
        return self.pid is not None and _start_ticks(self.pid) == self._start_ticks

    def power_off(self, timeout: float = 10) -> None:
        """Every process of the node gone at once: SIGKILL to PID 1 ends its PID namespace."""
        if self.alive:
            assert self.pid is not None
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        if self._launcher is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._launcher.wait(timeout)
        while self.alive and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.alive:
            raise NodeError(f"node {self.name}: PID 1 ({self.pid}) survived SIGKILL for {timeout}s")
        self.pid = self._start_ticks = None
        self._launcher = None

    # -- commands -----------------------------------------------------------------------------
    def _nsenter(self) -> list[str]:
        if not self.alive:
            raise NodeError(f"node {self.name} is not running")
        return ["nsenter", "-t", str(self.pid), "-m", "-u", "-i", "-n", "-p", "--wdns=/"]

    def run(
        self,
        command: Command,
        *,
        timeout: float = 60,
        check: bool = False,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result:
        """Run a command on the node (a string is a shell line, a list an argv)."""
        full_env = {"PATH": NODE_PATH, "LANG": "C.UTF-8", "HOME": "/root", **(env or {})}
        result = run_local(
            [*self._nsenter(), *argv_of(command)],
            timeout=timeout, input=input, env=full_env, shown=display(command),
        )
        if check and not result.ok:
            raise CommandError(self.name, result)
        return result

    def spawn(self, argv: list[str], log: str, env: Mapping[str, str] | None = None) -> None:
        """Start a daemon detached inside the node, reparented to the node's PID 1."""
        line = f"setsid -f {shlex.join(argv)} </dev/null >>{shlex.quote(log)} 2>&1"
        self.run(line, timeout=15, check=True, env=env)

    def write(self, path: str, content: str | bytes, mode: int = 0o644,
              owner: str = "root:root") -> None:
        """Write a file on the running node (through the overlay, so the host is untouched)."""
        write_file(self, path, content, mode, owner)


def place(upper: Path, item: File | Directory, lower: Path = Path("/")) -> None:
    """Put a file or directory into an overlay upper dir with the owner and mode it needs.

    Parent directories created on the way copy the lower dir's owner and mode: a plain
    ``mkdir -p`` (root 0755) would hide them, and Tomcat then silently lacks its work directory.
    Owner and group names are those of the lower dir's ``/etc/passwd`` and ``/etc/group``
    (another release's ``hacluster`` or ``tomcat`` may have another id); KeyError names one
    that is missing there.
    """
    rel = item.path.lstrip("/")
    target = upper / rel
    _make_parents(upper, Path(rel).parent, lower)
    uid, gid = user_id(lower, item.owner), group_id(lower, item.group)
    if isinstance(item, Directory):
        target.mkdir(exist_ok=True)
    else:
        target.write_text(item.content)
    os.chown(target, uid, gid)
    os.chmod(target, item.mode)


def user_id(lower: Path, name: str) -> int:
    """The uid of user ``name`` on a node whose lower dir is ``lower``."""
    if lower == Path("/"):
        return pwd.getpwnam(name).pw_uid
    return _id_in(lower / "etc" / "passwd", name)


def group_id(lower: Path, name: str) -> int:
    """The gid of group ``name`` on a node whose lower dir is ``lower``."""
    if lower == Path("/"):
        return grp.getgrnam(name).gr_gid
    return _id_in(lower / "etc" / "group", name)


def _id_in(table: Path, name: str) -> int:
    for line in table.read_text().splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[0] == name:
            return int(fields[2])
    raise KeyError(f"{table}: no entry {name!r}")


def id_names(lower: Path, table: str) -> dict[int, str]:
    """{id: name} of ``/etc/passwd`` (``table="passwd"``) or ``/etc/group`` of a node whose
    lower dir is ``lower`` (this machine's own when ``lower`` is ``/``)."""
    if lower == Path("/"):
        if table == "passwd":
            return {e.pw_uid: e.pw_name for e in pwd.getpwall()}
        return {e.gr_gid: e.gr_name for e in grp.getgrall()}
    names: dict[int, str] = {}
    for line in (lower / "etc" / table).read_text().splitlines():
        fields = line.split(":")
        if len(fields) >= 3 and fields[2].isdigit():
            names.setdefault(int(fields[2]), fields[0])
    return names


@dataclass(frozen=True)
class OwnerChange:
    """What ``translate_owners`` did to an upper dir: counts, and names the new root lacks."""

    changed: int  # paths whose uid or gid changed
    examined: int  # paths looked at
    unmapped: tuple[str, ...]  # "user NAME" / "group NAME" of the old root absent from the new
    moves: tuple[tuple[str, int, int], ...]  # (user NAME / group NAME, old id, new id) changed


def translate_owners(upper: Path, old_lower: Path, new_lower: Path) -> OwnerChange:
    """Give every path of an overlay upper dir the owner of the same *name* on ``new_lower``.

    A node's upper dir keeps its state across a swap of its lower dir for another release's
    (its CIB, corosync key, logs, Tomcat's work dir), with the numeric ids of the old root:
    Debian's ``hacluster``, ``haclient`` and ``tomcat`` get whatever ids were free when each
    root was installed (e.g. hacluster 101 on Debian 11, 102 on this machine's Debian 12, 100
    on 13). Read by the new release's daemons, a file owned by the old id belongs to someone
    else or to no one: the CIB manager cannot read its own CIB and the node never rejoins. A
    dist-upgrade keeps the ids; here the new root's names decide, as if its packages had been
    installed on this disk. Ids with no name on the old root, and names the new root lacks,
    are left as they are (names in ``unmapped``). Symlinks are changed themselves, never their
    targets; overlay whiteouts (0:0 devices) stay root's.
    """
    old_users, old_groups = id_names(old_lower, "passwd"), id_names(old_lower, "group")
    new_uid = {n: i for i, n in sorted(id_names(new_lower, "passwd").items(), reverse=True)}
    new_gid = {n: i for i, n in sorted(id_names(new_lower, "group").items(), reverse=True)}
    changed = examined = 0
    unmapped: set[str] = set()
    moves: set[tuple[str, int, int]] = set()

    def target(ids: dict[int, str], new: dict[str, int], kind: str, old: int) -> int:
        name = ids.get(old)
        if name is None:
            return old
        if name not in new:
            unmapped.add(f"{kind} {name}")
            return old
        if new[name] != old:
            moves.add((f"{kind} {name}", old, new[name]))
        return new[name]

    for dirpath, dirs, files in os.walk(upper):
        for entry in (dirpath, *(os.path.join(dirpath, n) for n in (*dirs, *files))):
            if entry == dirpath and dirpath != str(upper):
                continue  # every directory is examined once, as an entry of its parent
            st = os.lstat(entry)
            examined += 1
            uid = target(old_users, new_uid, "user", st.st_uid)
            gid = target(old_groups, new_gid, "group", st.st_gid)
            if (uid, gid) != (st.st_uid, st.st_gid):
                os.lchown(entry, uid, gid)
                if not os.path.islink(entry):
                    os.chmod(entry, st.st_mode & 0o7777)  # chown clears setuid/setgid bits
                changed += 1
    return OwnerChange(changed, examined, tuple(sorted(unmapped)), tuple(sorted(moves)))


def _make_parents(upper: Path, rel: Path, lower: Path = Path("/")) -> None:
    current = Path("/")
    for part in rel.parts:
        current = current / part
        made = upper / current.relative_to("/")
        if made.is_dir():
            continue
        made.mkdir()
        seen = current if lower == Path("/") else resolve_in(lower, str(current))
        if seen is None:
            continue
        try:
            st = os.stat(seen)
        except FileNotFoundError:
            continue
        os.chown(made, st.st_uid, st.st_gid)
        os.chmod(made, st.st_mode & 0o7777)


def save_records(path: Path, records: list[NodeRecord], extra: dict[str, object]) -> None:
    """lab.json: the running nodes and what else the caller wants to find again."""
    path.write_text(json.dumps({"nodes": [r.__dict__ for r in records], **extra}, indent=2))


def load_records(path: Path) -> tuple[list[NodeRecord], dict[str, object]]:
    data = json.loads(path.read_text())
    return [NodeRecord(**n) for n in data.pop("nodes")], data


__all__ = ["Node", "NodeError", "NodeRecord", "OwnerChange", "id_names", "load_records", "place",
           "save_records", "translate_owners"]
