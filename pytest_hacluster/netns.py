"""Named network namespaces and the links between them, with iproute2.

Every address the project uses lives inside namespaces created here; nothing is ever added to
the root namespace (the network-safety rule). Interface creation names the target namespace
explicitly (``ip -n NS``) so that not even a transient veth end appears in the root namespace.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from pytest_hacluster.shell import CommandError, Result, run_local

NETNS_DIR = Path("/run/netns")
T = TypeVar("T")


def ip(*args: str, netns: str | None = None, check: bool = True) -> Result:
    argv = ["ip", *(["-n", netns] if netns else []), *args]
    result = run_local(argv, timeout=15)
    if check and not result.ok:
        raise CommandError(netns or "the host", result)
    return result


def ip_batch(netns: str | None, commands: Iterable[str]) -> None:
    """Several ``ip`` commands in one process (``ip -batch``): bring-up is dominated by forks."""
    argv = ["ip", *(["-n", netns] if netns else []), "-batch", "-"]
    result = run_local(argv, timeout=15, input="\n".join(commands) + "\n")
    if not result.ok:
        raise CommandError(netns or "the host", result)


def exists(name: str) -> bool:
    return (NETNS_DIR / name).exists()


def names() -> list[str]:
    """All named network namespaces on this machine."""
    return sorted(p.name for p in NETNS_DIR.iterdir()) if NETNS_DIR.is_dir() else []


def add(name: str) -> None:
    ip("netns", "add", name)
    ip("link", "set", "lo", "up", netns=name)


def delete(name: str) -> None:
    if exists(name):
        ip("netns", "delete", name, check=False)


def inode(name: str) -> int | None:
    try:
        return os.stat(NETNS_DIR / name).st_ino
    except FileNotFoundError:
        return None


def pids_in(name: str) -> list[int]:
    """Processes whose network namespace is ``name``: what must die before it can go."""
    ino = inode(name)
    if ino is None:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.stat(entry / "ns" / "net").st_ino == ino:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def still_running(pid: int) -> bool:
    """Still running. A zombie has ended: it already let go of its namespaces and mounts, and
    only waits for the host's init to reap it (reaped here when it is a child of this process).
    """
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone between open and read: ENOENT or ESRCH
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


# -- running Python code inside a namespace ----------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_CLONE_NEWNET = 0x40000000


def _enter(name: str) -> None:
    """Move the calling thread (only it) into network namespace ``name``."""
    fd = os.open(NETNS_DIR / name, os.O_RDONLY)
    try:
        if _libc.setns(fd, _CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into network namespace {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


class NetnsExecutor:
    """Threads that live inside one network namespace.

    ``setns(CLONE_NEWNET)`` moves only the calling thread, so a pool whose threads entered the
    namespace once can open sockets there for the life of the pool: HTTP checks and the probe
    then run in-process (real ``requests``, precise timing) without forking ``ip netns exec``.
    """

    def __init__(self, name: str, workers: int = 4) -> None:
        self.name = name
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix=f"netns-{name}", initializer=_enter,
            initargs=(name,),
        )

    def submit(self, fn: Callable[..., T], *args: object, **kwargs: object) -> Future[T]:
        return self._pool.submit(fn, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
