"""Stopping a run by signal: SIGINT or SIGTERM ends it within seconds, in every process, and
what the run made is removed.

A CI runner or a process supervisor sends SIGTERM to the one process it started (with
pytest-xdist: the controller, which runs no test); a terminal sends SIGINT to the whole process
group; a script that started pytest in the background has SIGINT ignored (POSIX shells do that
to background jobs, and the children inherit it). Every one of these must end the run and its
labs. So, in every process of a ``--hacluster`` run:

- the first SIGINT or SIGTERM raises ``KeyboardInterrupt`` (pytest's own path to teardown),
  whatever disposition the process inherited; later ones, and any during a teardown already
  under way (``shielded``), are reported and ignored, so no signal cuts a teardown in half;
- the controller of an xdist run passes the signal on to its workers at once, as SIGTERM
  (otherwise each worker learns of the stop only when xdist's shutdown reaches it, 5 s later
  by execnet's clock, and is killed 10 s after the stop, before its teardown ends);
- a worker asks the kernel for SIGTERM when its controller dies (``PR_SET_PDEATHSIG``), so even
  a SIGKILLed controller leaves no worker running a lab nobody watches.

What a worker could not remove, the controller removes after the workers are gone (see the
plugin's ``pytest_unconfigure``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Stopper:
    """The signal handler of one pytest process; ``received`` is the first signal, or None."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.forward_to: set[int] = set()  # pids told SIGTERM when a signal arrives
        self._before: dict[int, object] = {}
        self._shielded = 0

    @property
    def stopping(self) -> bool:
        return self.received is not None

    def install(self) -> None:
        """Handle SIGINT and SIGTERM in this process, unless someone else already does (a
        handler other than Python's defaults is left in place)."""
        for signum in SIGNALS:
            current = signal.getsignal(signum)
            if current in (signal.SIG_DFL, signal.SIG_IGN, None, signal.default_int_handler):
                self._before[signum] = current
                signal.signal(signum, self._handle)

    def uninstall(self) -> None:
        """Put back what ``install`` replaced (a run inside a test process, by pytester)."""
        for signum, before in self._before.items():
            if signal.getsignal(signum) == self._handle:
                signal.signal(signum, before)  # type: ignore[arg-type]
        self._before.clear()

    @contextlib.contextmanager
    def shielded(self) -> Iterator[None]:
        """A teardown under way: a signal now is noted (the run still ends as stopped) but
        raises nothing, so it cannot cut the removal of a lab in half."""
        self._shielded += 1
        try:
            yield
        finally:
            self._shielded -= 1

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        for pid in sorted(self.forward_to):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        name = signal.Signals(signum).name
        if self.received is None and not self._shielded:
            self.received = signum
            raise KeyboardInterrupt(f"{name}: stopping, tearing the cluster down")
        if self.received is None:
            self.received = signum
        sys.stderr.write(
            f"\nhacluster: {name} again: already stopping, the teardown goes on (bounded); "
            "SIGKILL would leave the lab behind for `hacluster-lab gc`\n"
        )


def die_with_parent(signum: int = signal.SIGTERM) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent dies. True if it took;
    False off Linux or when the parent is already gone (then the caller stops by itself)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    return os.getppid() == parent  # the parent did not die before the request took
