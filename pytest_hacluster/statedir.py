"""Where labs and VirtualBox stand-ins keep their state, and the names they may have.

One rule for both, kept in a module light enough for the stand-in's ``VBoxManage`` (a new
Python process per call) to import: a name matching ``PREFIX_RE`` owns the namespaces
``<prefix>.*`` and the directory ``STATE_ROOT/<prefix>``, which is all ``hacluster-lab gc``
needs to find and remove what a crashed run left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from pathlib import Path

STATE_ROOT = Path("/run/hacluster")
PREFIX_RE = re.compile(r"^hacl[a-z0-9-]{0,11}$")
PREFIX_RULE = (
    "it must start with 'hacl' and be at most 15 characters of a-z, 0-9 and '-' (it names "
    "namespaces and interfaces)"
)


def state_dir(prefix: str) -> Path:
    return STATE_ROOT / prefix


LOCK_NAME = ".in-use"


class Claim:
    """An advisory lock on a lab's state dir, held while a process uses the lab.

    ``hacluster-lab gc`` removes what crashed runs left; a lab whose lock is held belongs to a
    run still going (another pytest, a stand-in under test) and is left alone. The kernel
    drops the lock when its holder dies, so a crash never leaves a lab looking busy.
    """

    def __init__(self, prefix: str) -> None:
        path = state_dir(prefix) / LOCK_NAME
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.release()
            raise

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


BY_HAND_NAME = ".by-hand"


def mark_by_hand(prefix: str, how: str) -> None:
    """Record that a person keeps this lab on purpose (``hacluster-lab up``): no process holds
    its claim once ``up`` returns, and an unscoped ``hacluster-lab gc`` must not take it for
    what a crashed run left. ``how`` says who made it, for the message gc prints."""
    (state_dir(prefix) / BY_HAND_NAME).write_text(how + "\n")


def by_hand(prefix: str) -> str | None:
    """Who brought the lab up by hand (``mark_by_hand``), or None for a run's lab."""
    try:
        return (state_dir(prefix) / BY_HAND_NAME).read_text().strip() or "by hand"
    except OSError:
        return None


def in_use(prefix: str) -> bool:
    """Whether a live process holds the lab's claim (see ``Claim``)."""
    try:
        Claim(prefix).release()
    except BlockingIOError:
        return True
    except OSError:  # no state dir or no lock file: nobody claims it
        return False
    return False
