"""`hacluster-lab gc` removes what crashed runs left, and leaves a lab in use alone."""

from __future__ import annotations

import subprocess

from pytest_hacluster.statedir import Claim, in_use, state_dir
from tests.integration.labtools import REPO, cli_argv


def gc(*args: str) -> str:
    done = subprocess.run(cli_argv("gc", *args), cwd=REPO, capture_output=True, text=True,
                          timeout=60, check=True)
    return done.stderr


def test_gc_leaves_a_claimed_lab_alone_and_removes_it_once_released(prefix: str) -> None:
    state_dir(prefix).mkdir(parents=True, mode=0o700)
    claim = Claim(prefix)
    try:
        assert in_use(prefix)
        said = gc("--prefix", prefix)  # never unscoped in a test: other labs may be running
        assert f"left {prefix!r} alone: a running process uses it" in said
        assert state_dir(prefix).is_dir()
    finally:
        claim.release()
    assert not in_use(prefix)
    gc("--prefix", prefix)
    assert not state_dir(prefix).exists()


def test_gc_force_removes_a_claimed_lab(prefix: str) -> None:
    state_dir(prefix).mkdir(parents=True, mode=0o700)
    claim = Claim(prefix)
    try:
        gc("--force", "--prefix", prefix)
        assert not state_dir(prefix).exists()
    finally:
        claim.release()
