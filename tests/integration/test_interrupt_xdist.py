"""A parallel run stopped by a signal to its controller alone ends within seconds and leaves
nothing: what a CI runner or a process supervisor does (SIGTERM to the process it started), and
SIGINT to that process from a script that started pytest in the background (which then
inherits SIGINT ignored). See ``pytest_hacluster/interrupt.py``.

Each worker runs a scenario that has injected a fault and then waits (bounded) to be stopped;
the controller is signalled once both workers are inside it.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_hacluster.backends.lab import remove
from tests.integration.labtools import REPO, Spawned, leftovers, prefix_base, pytest_argv

WORKERS = ("gw0", "gw1")

SCENARIO = '''
import os, pathlib, time
import pytest

@pytest.mark.parametrize("n", range(4))
def test_waits_to_be_stopped(hacluster, hacluster_scenario, n):
    node = hacluster.group_node("web")
    hacluster_scenario.faults.kill(node, "httpd")
    marks = pathlib.Path(os.environ["HACLUSTER_TEST_MARKS"])
    (marks / os.environ["PYTEST_XDIST_WORKER"]).write_text(str(os.getpid()))
    deadline = time.monotonic() + 120  # the signal comes long before; bounded all the same
    while time.monotonic() < deadline:
        time.sleep(0.1)
    pytest.fail("was not stopped within 120 s")
'''


@pytest.fixture
def xdist_prefix() -> Iterator[str]:
    """A prefix of this tester's own base (``HACLUSTER_TEST_PREFIX``), short enough for its
    workers' ``-gwN`` labs (15 characters in all)."""
    name = f"{prefix_base()[:8]}x{os.getpid() % 100}"
    labs = [f"{name}-{w}" for w in WORKERS]
    for lab in labs:
        remove(lab)
    yield name
    for lab in labs:
        remove(lab)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_to_the_controller_alone_mid_scenario_leaves_nothing(
    xdist_prefix: str, tmp_path: Path, signum: signal.Signals
) -> None:
    (tmp_path / "test_stop_me.py").write_text(SCENARIO)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "HACLUSTER_TEST_MARKS": str(marks)}
    run = Spawned(
        pytest_argv("--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"), "-n", "2",
                    "--hacluster", f"--hacluster-prefix={xdist_prefix}",
                    str(tmp_path / "test_stop_me.py")),
        env=env,
        ignore_sigint=True,  # as a POSIX shell starts a background job
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(list(marks.iterdir())) < len(WORKERS):
        assert run.proc.poll() is None, f"the run ended before its scenarios:\n{run.output}"
        time.sleep(0.2)
    in_scenario = sorted(p.name for p in marks.iterdir())
    assert in_scenario == list(WORKERS), f"workers in a scenario after 180 s: {in_scenario}"
    labs = [f"{xdist_prefix}-{w}" for w in WORKERS]
    assert all(leftovers(lab) for lab in labs), "both workers' labs should be up"

    stopped = time.monotonic()
    run.proc.send_signal(signum)  # the controller alone: it runs in a session of its own
    run.finish(timeout=30)
    ended = time.monotonic() - stopped
    left = {lab: leftovers(lab) for lab in labs}
    assert not run.session_alive(), f"a process of the run outlived its controller:\n{run.output}"
    print(f"{signum.name} to the controller: ended after {ended:.1f} s")
    assert left == {lab: [] for lab in labs}, run.output
    assert ended < 20, f"took {ended:.1f} s to stop:\n{run.output}"
    assert "KeyboardInterrupt" in run.output and "passed" not in run.output, run.output
