"""Tools for tests that drive real labs as a user would: leftovers, subprocesses with deadlines."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from pytest_hacluster import netns
from pytest_hacluster.backends.lab import namespaces_of, state_dir

REPO = Path(__file__).resolve().parents[2]


def prefix_base() -> str:
    """``HACLUSTER_TEST_PREFIX``: a base of one's own when several people test on one machine
    (default ``hacl-it``). Lab names must start with ``hacl``, so a short base such as ``hv``
    becomes ``haclhv``: two people's bases never meet in one name."""
    base = os.environ.get("HACLUSTER_TEST_PREFIX", "hacl-it")
    return base if base.startswith("hacl") else f"hacl{base}"

def leftovers(prefix: str) -> list[str]:
    """Everything of lab ``prefix`` still on the machine, described for an assertion message."""
    found = [f"netns {n}" for n in namespaces_of(prefix)]
    found += [f"process {p} in {n}" for n in namespaces_of(prefix) for p in netns.pids_in(n)]
    if state_dir(prefix).exists():
        found.append(f"dir {state_dir(prefix)}")
    with open("/proc/mounts") as mounts:
        found += [
            f"mount {line.split()[1]}" for line in mounts
            if f"/{prefix}." in line or f"/run/hacluster/{prefix}/" in line + "/"
        ]
    return found




class Spawned:
    """A command under test, its output collected by a thread so waits have deadlines."""

    def __init__(
        self, argv: list[str], env: dict[str, str] | None = None, ignore_sigint: bool = False
    ) -> None:
        # ignore_sigint: start it as a POSIX shell starts a background job (SIGINT ignored,
        # inherited by its children).
        self.proc = subprocess.Popen(
            argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env, start_new_session=True,
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            if ignore_sigint else None,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        self._pump_thread = threading.Thread(target=self._pump, daemon=True)
        self._pump_thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line)

    def wait_for_line(self, needle: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.05)
            except queue.Empty:
                if self.proc.poll() is not None and self._queue.empty():
                    break
                continue
            self.lines.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r} within {timeout}s:\n{self.output}")

    def finish(self, timeout: float) -> int:
        code = self.proc.wait(timeout=timeout)
        self._pump_thread.join(timeout=10)
        while not self._queue.empty():
            self.lines.append(self._queue.get())
        return code

    def session_alive(self) -> bool:
        """Whether any process of its session (it and its children, xdist's workers) lives."""
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    @property
    def output(self) -> str:
        return "".join(self.lines)


def pytest_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest_hacluster.cli", *args]
