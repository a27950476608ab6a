"""Running a command and getting the same ``Result`` shape whatever transport ran it.

The lab runs commands through ``nsenter``, the ssh and vagrant backends through fabric; callers
only ever see a ``Result`` (the fields mirror invoke's, so fabric results convert one to one).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

Command = str | Sequence[str]


@dataclass(frozen=True)
class Result:
    """What a command did: exit status, output and how long it took."""

    command: str
    exited: int
    stdout: str
    stderr: str
    duration: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.exited == 0 and not self.timed_out

    def describe(self) -> str:
        """A few lines fit for an error message."""
        status = "timed out" if self.timed_out else f"exit {self.exited}"
        out = (self.stderr.strip() or self.stdout.strip())[-1500:]
        head = f"`{self.command}` {status} after {self.duration:.1f}s"
        return f"{head}:\n{out}" if out else head


class CommandError(RuntimeError):
    """A command that had to succeed did not; carries its ``Result``."""

    def __init__(self, where: str, result: Result) -> None:
        super().__init__(f"on {where}: {result.describe()}")
        self.where = where
        self.result = result


def display(command: Command) -> str:
    """The command as a person would type it (quoted once, here)."""
    return command if isinstance(command, str) else shlex.join(command)


def argv_of(command: Command) -> list[str]:
    """A string is a shell command line; a sequence is an argument vector used as is."""
    return ["sh", "-c", command] if isinstance(command, str) else list(command)


def run_local(
    argv: Sequence[str],
    *,
    timeout: float = 60,
    input: str | bytes | None = None,
    env: dict[str, str] | None = None,
    shown: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> Result:
    """Run ``argv`` on this machine; on timeout kill its whole process group, not just the head.

    A command run through ``nsenter -p`` has its real work in a child; killing only nsenter
    would leave that child running inside the node.
    """
    start = time.monotonic()
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    data = input.encode() if isinstance(input, str) else input  # bytes: a key, a binary file
    timed_out = False
    try:
        out, err = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        out, err = proc.communicate()
    except BaseException:
        _kill_group(proc.pid)
        proc.wait()
        raise
    return Result(
        command=shown or shlex.join(argv),
        exited=proc.returncode,
        stdout=out.decode(errors="replace"),
        stderr=err.decode(errors="replace"),
        duration=time.monotonic() - start,
        timed_out=timed_out,
    )


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


class _Runs(Protocol):
    def run(self, command: Command, *, timeout: float = 60, check: bool = False,
            input: str | bytes | None = None, env: Mapping[str, str] | None = None) -> Result: ...


def write_file(node: _Runs, path: str, content: str | bytes, mode: int = 0o644,
               owner: str = "root:root") -> None:
    """Write a file on a node through its own shell (lab, VM or existing machine alike):
    created under umask 077, then given its owner and mode, so it is never readable by others
    on the way (keys, CIB)."""
    node.run(
        ["sh", "-c", 'umask 077 && cat > "$1" && chown "$2" "$1" && chmod "$3" "$1"',
         "write", path, owner, f"{mode:o}"],
        input=content, timeout=15, check=True,
    )
