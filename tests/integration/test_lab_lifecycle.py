"""A lab leaves nothing behind: interrupted, terminated, crashed (then gc), or torn down.

Each test drives the tools the way a user does (``pytest --hacluster``, ``hacluster-lab``) in a
subprocess, against a real lab under a prefix of its own.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
from pathlib import Path

from pytest_hacluster.backends.lab import remove
from pytest_hacluster.statedir import state_dir
from tests.integration.labtools import REPO, Spawned, cli_argv, leftovers, pytest_argv

ACCEPTANCE = "tests/acceptance/test_services.py"
# Host paths the lab's nodes write their own versions of; the host's must never change.
HOST_PATHS = ["/etc/apache2", "/etc/tomcat10", "/etc/corosync", "/var/www/html",
              "/var/lib/tomcat10", "/var/lib/pacemaker", "/etc/hosts", "/etc/hostname"]


def _fingerprint(paths: list[str]) -> dict[str, str]:
    digest: dict[str, str] = {}
    for top in paths:
        for path in sorted(Path(top).rglob("*")) if Path(top).is_dir() else [Path(top)]:
            if path.is_symlink():
                digest[str(path)] = "->" + os.readlink(path)
            elif path.is_file():
                st = path.stat()
                digest[str(path)] = (
                    f"{st.st_mode:o} {st.st_uid}:{st.st_gid} "
                    + hashlib.sha256(path.read_bytes()).hexdigest()
                )
            elif path.exists():
                st = path.stat()
                digest[str(path)] = f"dir {st.st_mode:o} {st.st_uid}:{st.st_gid}"
    return digest


def test_sigint_during_bringup_of_pytest_leaves_nothing(prefix: str) -> None:
    run = Spawned(pytest_argv("--hacluster", f"--hacluster-prefix={prefix}", ACCEPTANCE))
    run.wait_for_line("starting corosync", timeout=60)
    assert leftovers(prefix), "the lab should exist while it comes up"
    run.proc.send_signal(signal.SIGINT)
    code = run.finish(timeout=60)
    assert code != 0, run.output
    assert leftovers(prefix) == [], run.output


def test_sigterm_during_bringup_of_pytest_leaves_nothing(prefix: str) -> None:
    run = Spawned(pytest_argv("--hacluster", f"--hacluster-prefix={prefix}", ACCEPTANCE))
    run.wait_for_line("starting pacemaker", timeout=60)
    run.proc.send_signal(signal.SIGTERM)
    code = run.finish(timeout=60)
    assert code != 0, run.output
    assert leftovers(prefix) == [], run.output


def test_sigint_during_cli_up_leaves_nothing(prefix: str) -> None:
    run = Spawned(cli_argv("up", "--prefix", prefix))
    run.wait_for_line("starting pacemaker", timeout=60)
    run.proc.send_signal(signal.SIGINT)
    assert run.finish(timeout=60) == 130, run.output
    assert leftovers(prefix) == [], run.output


def test_gc_removes_a_crashed_lab_and_a_clash_is_refused(prefix: str) -> None:
    run = Spawned(cli_argv("up", "--prefix", prefix))
    run.wait_for_line("starting pacemaker", timeout=60)
    os.killpg(run.proc.pid, signal.SIGKILL)  # a crash: no teardown code runs
    run.finish(timeout=30)
    left = leftovers(prefix)
    assert any(item.startswith("netns") for item in left), left

    clash = Spawned(pytest_argv("--hacluster", f"--hacluster-prefix={prefix}", ACCEPTANCE))
    assert clash.finish(timeout=60) == 4, clash.output  # pytest's usage-error exit code
    assert f"a lab named '{prefix}' already exists" in clash.output
    assert "hacluster-lab gc" in clash.output
    # The crashed lab's daemons may still be forking; its namespaces, mounts and dir are stable.
    def made(items: list[str]) -> list[str]:
        return [i for i in items if not i.startswith("process ")]

    after = leftovers(prefix)
    assert made(after) == made(left), "a refused run must not touch the existing lab"
    assert any(i.startswith("process ") for i in after), "the lab's processes were killed"

    gc = Spawned(cli_argv("gc", "--prefix", prefix))
    assert gc.finish(timeout=60) == 0, gc.output
    assert leftovers(prefix) == [], gc.output


def test_a_workers_leftover_lab_is_a_clash_under_xdist(prefix: str) -> None:
    """Under ``-n K`` the controller checks every worker's prefix (``<prefix>-gwN``): a lab an
    earlier run left is refused at once, before anything is made, as without xdist."""
    base = f"haclx{prefix[-5:]}"  # room for "-gwN" within the 15 characters of a prefix
    worker_lab = f"{base}-gw1"
    state_dir(worker_lab).mkdir(parents=True)  # what a kept or crashed worker's lab leaves
    try:
        clash = Spawned(pytest_argv("--hacluster", f"--hacluster-prefix={base}", "-n", "2",
                                    ACCEPTANCE))
        assert clash.finish(timeout=60) == 4, clash.output
        assert f"a lab named '{worker_lab}' already exists" in clash.output
        assert leftovers(f"{base}-gw0") == [], clash.output
    finally:
        remove(worker_lab)


def test_keep_reuses_the_lab_and_the_host_is_unchanged(prefix: str) -> None:
    before = _fingerprint(HOST_PATHS)
    first = Spawned(pytest_argv("--hacluster", "--hacluster-keep",
                               f"--hacluster-prefix={prefix}", ACCEPTANCE))
    assert first.finish(timeout=240) == 0, first.output
    assert leftovers(prefix), "--hacluster-keep must leave the lab running"

    second = Spawned(pytest_argv("--hacluster", "--hacluster-keep",
                                f"--hacluster-prefix={prefix}", ACCEPTANCE))
    assert second.finish(timeout=240) == 0, second.output
    assert f"reusing the kept lab {prefix}" in second.output
    assert "starting corosync" not in second.output

    status = Spawned(cli_argv("status", "--prefix", prefix))
    assert status.finish(timeout=60) == 0, status.output
    assert "Online: [ s1 s2 ]" in status.output

    down = Spawned(cli_argv("down", "--prefix", prefix))
    assert down.finish(timeout=60) == 0, down.output
    assert leftovers(prefix) == []
    assert _fingerprint(HOST_PATHS) == before


def test_a_cluster_that_never_gets_healthy_fails_clearly_and_leaves_nothing(
    prefix: str, tmp_path: Path
) -> None:
    project = tmp_path / "pyproject.toml"
    project.write_text("[tool.hacluster.timings]\nbringup_timeout_s = 2\n")
    run = Spawned(pytest_argv("-c", str(project), "--rootdir", str(REPO), "--hacluster",
                              f"--hacluster-prefix={prefix}", ACCEPTANCE))
    code = run.finish(timeout=120)
    assert code == 1, run.output
    assert "gave up after 2s waiting for every group Started and every check (URL)" in run.output
    assert leftovers(prefix) == [], run.output


def test_two_labs_side_by_side(prefix: str) -> None:
    other = f"{prefix}b"
    try:
        ups = [Spawned(cli_argv("up", "--prefix", p)) for p in (prefix, other)]
        for up in ups:
            assert up.finish(timeout=180) == 0, up.output
        for p in (prefix, other):
            page = Spawned(cli_argv("curl", "--prefix", p, "http://192.168.1.101/app/"))
            assert page.finish(timeout=60) == 0, page.output
            assert "hacluster-node:" in page.output
        down = Spawned(cli_argv("down", "--prefix", prefix))
        assert down.finish(timeout=60) == 0, down.output
        assert leftovers(prefix) == []
        assert leftovers(other), "taking one lab down must leave the other running"
        status = Spawned(cli_argv("status", "--prefix", other))
        assert status.finish(timeout=60) == 0 and "Online: [ s1 s2 ]" in status.output
    finally:
        Spawned(cli_argv("gc", "--prefix", other)).finish(timeout=60)
    assert leftovers(other) == []


def test_failing_test_and_erroring_fixture_still_tear_down(prefix: str, tmp_path: Path) -> None:
    module = tmp_path / "test_breaks.py"
    module.write_text(
        "import pytest\n\n"
        "def test_fails(hacluster):\n"
        "    assert hacluster.state().dc is None, 'deliberate failure'\n\n"
        "@pytest.fixture\n"
        "def broken(hacluster):\n"
        "    raise RuntimeError('deliberate fixture error')\n\n"
        "def test_errors(broken):\n"
        "    pass\n"
    )
    run = Spawned(pytest_argv("--rootdir", str(REPO), "-c", str(REPO / "pyproject.toml"),
                              "--hacluster", f"--hacluster-prefix={prefix}", str(module)))
    assert run.finish(timeout=180) == 1, run.output
    assert "1 failed, 1 error" in run.output
    assert leftovers(prefix) == [], run.output


def test_a_three_node_lab_by_hand(prefix: str) -> None:
    """``hacluster-lab up/status/exec/down`` with the issue's third node: every node a member,
    quorum a majority of three (no two_node), the lab gone afterwards."""
    config = ["--config", "docs/examples/three-nodes.toml"]
    up = Spawned(cli_argv("up", "--prefix", prefix, *config))
    assert up.finish(timeout=180) == 0, up.output
    assert "corosync membership of 3" in up.output
    status = Spawned(cli_argv("status", "--prefix", prefix, *config))
    assert status.finish(timeout=60) == 0, status.output
    assert "Online: [ s1 s2 s3 ]" in status.output and "partition with quorum" in status.output
    votes = Spawned(cli_argv("exec", "--prefix", prefix, *config, "s3", "--",
                             "corosync-quorumtool", "-s"))
    assert votes.finish(timeout=60) == 0, votes.output
    assert re.search(r"Expected votes:\s+3\b", votes.output), votes.output
    assert re.search(r"Quorum:\s+2\b", votes.output) and "2Node" not in votes.output
    down = Spawned(cli_argv("down", "--prefix", prefix))
    assert down.finish(timeout=60) == 0, down.output
    assert leftovers(prefix) == []
