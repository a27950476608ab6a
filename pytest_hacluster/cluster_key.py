"""The cluster's shared secret for the Vagrant path, made on the host, never printed.

Both nodes must hold the same key, and the default box (``debian/bookworm64``) has no VirtualBox
guest additions, so there is no two-way share through which one node could hand a key it made
to the other. The host makes the key once per cluster in ``<root>/.hacluster/`` (git-ignored),
created with mode 0600 from the start; vagrant's rsync synced folder copies it one way to every
node's ``/vagrant/.hacluster/``, where ``provision/cluster.sh`` (or ``centos6/heartbeat.sh``)
installs it. It is deleted with the machines (``forget``).

Which file a stack needs: corosync's ``authkey`` is 256 random bytes (corosync-keygen's default
size, corosync.conf(5) ``totem.crypto_*``); Heartbeat's ``authkeys`` is text, ``auth 1`` and
``1 sha1 <secret>`` (Heartbeat 3 ``authkeys(5)``; the seed shipped a fixed passphrase, here it
is 32 random bytes in hex).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

KEY_DIR = ".hacluster"


def _corosync_authkey() -> bytes:
    return os.urandom(256)


def _heartbeat_authkeys() -> bytes:
    return f"auth 1\n1 sha1 {os.urandom(32).hex()}\n".encode()


# stack name -> (file name under KEY_DIR, maker)
KEYS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "debian12": ("authkey", _corosync_authkey),
    "centos6": ("authkeys", _heartbeat_authkeys),
}


def key_path(root: Path, stack: str) -> Path:
    """Where the key of ``stack`` lives under the Vagrant project ``root``; KeyError names an
    unknown stack."""
    try:
        name = KEYS[stack][0]
    except KeyError:
        raise KeyError(f"no cluster key is known for stack {stack!r} "
                       f"(known: {', '.join(KEYS)})") from None
    return root / KEY_DIR / name


def ensure(root: Path, stack: str) -> tuple[Path, bool]:
    """The key of ``stack`` under ``root``, made if missing: ``(path, made)``.

    Created 0600 with O_EXCL, so it is never readable by others, not even for a moment, and a
    key another process made meanwhile is kept, not replaced.
    """
    path = key_path(root, stack)
    make = KEYS[stack][1]
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path, False
    with os.fdopen(fd, "wb") as f:
        f.write(make())
    return path, True


def forget(root: Path) -> None:
    """Delete every stack's key under ``root`` (the machines that used it are gone)."""
    for name, _ in KEYS.values():
        (root / KEY_DIR / name).unlink(missing_ok=True)


__all__ = ["KEYS", "KEY_DIR", "ensure", "forget", "key_path"]
