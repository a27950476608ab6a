"""Signals end a run in every process: the first raises, later ones do not cut the teardown,
the controller passes them on, a worker dies with its controller (``interrupt.py``)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from pytest_hacluster.interrupt import Stopper


def test_first_signal_raises_later_ones_are_reported_and_ignored(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stopper = Stopper()
    stopper.install()
    try:
        with pytest.raises(KeyboardInterrupt, match="SIGTERM"):
            os.kill(os.getpid(), signal.SIGTERM)
            signal.sigtimedwait([], 0)  # let the handler run here
        assert stopper.stopping and stopper.received == signal.SIGTERM
        os.kill(os.getpid(), signal.SIGINT)  # during the teardown: must not raise
        signal.sigtimedwait([], 0)
        assert "already stopping" in capsys.readouterr().err
    finally:
        stopper.uninstall()
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_an_ignored_sigint_is_taken_over() -> None:
    """A background job of a POSIX shell inherits SIGINT ignored; the run must still stop."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    stopper = Stopper()
    try:
        stopper.install()
        with pytest.raises(KeyboardInterrupt, match="SIGINT"):
            os.kill(os.getpid(), signal.SIGINT)
            signal.sigtimedwait([], 0)
    finally:
        stopper.uninstall()
        signal.signal(signal.SIGINT, before)


def test_a_handler_of_someone_else_is_left_alone() -> None:
    def theirs(signum: int, frame: object) -> None:
        pass

    before = signal.signal(signal.SIGTERM, theirs)
    stopper = Stopper()
    try:
        stopper.install()
        assert signal.getsignal(signal.SIGTERM) is theirs
    finally:
        stopper.uninstall()
        signal.signal(signal.SIGTERM, before)


def test_the_signal_is_passed_on_to_the_workers() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    stopper = Stopper()
    stopper.forward_to.add(child.pid)
    stopper.install()
    try:
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            signal.sigtimedwait([], 0)
        assert child.wait(timeout=10) == -signal.SIGTERM
    finally:
        stopper.uninstall()
        child.kill()
        child.wait()


def test_a_worker_gets_sigterm_when_its_controller_dies(tmp_path: object) -> None:
    """The controller here is a shell that starts the worker and is SIGKILLed."""
    worker = textwrap.dedent("""
        import signal, sys, time
        from pytest_hacluster.interrupt import die_with_parent
        signal.signal(signal.SIGTERM, lambda s, f: (print("got SIGTERM", flush=True), sys.exit(0)))
        assert die_with_parent()
        print("ready", flush=True)
        time.sleep(30)
        print("not told", flush=True)
    """)
    controller = subprocess.Popen(
        [sys.executable, "-c",
         f"import subprocess, sys; subprocess.run([sys.executable, '-c', {worker!r}])"],
        stdout=subprocess.PIPE, text=True,
    )
    assert controller.stdout is not None
    assert controller.stdout.readline().strip() == "ready"
    controller.kill()
    controller.wait(timeout=10)
    assert controller.stdout.readline().strip() == "got SIGTERM"


def test_a_signal_during_a_teardown_is_noted_and_cuts_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    stopper = Stopper()
    stopper.install()
    try:
        with stopper.shielded():
            os.kill(os.getpid(), signal.SIGTERM)
            signal.sigtimedwait([], 0)  # the handler runs here and must not raise
        assert stopper.stopping and stopper.received == signal.SIGTERM
        assert "already stopping" in capsys.readouterr().err
    finally:
        stopper.uninstall()
