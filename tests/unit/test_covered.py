"""covered.py: which groups a node-wide fault of the run already covered, per repeat run."""

from __future__ import annotations

import pytest

from pytest_hacluster.covered import Cover, Coverage, RunCoverage


def test_a_cover_is_found_for_each_of_its_groups_in_its_own_run_and_kind_only() -> None:
    coverage = Coverage()
    first = RunCoverage(coverage, "test_standby[web]", run=1)
    first.record("standby", "s1", ["web", "webapp"])
    assert coverage.find(1, "standby", "webapp") is None  # not before the test passed
    first.commit()
    assert coverage.find(1, "standby", "webapp") == Cover(
        "standby", "test_standby[web]", "s1", ("web", "webapp"))
    assert coverage.find(1, "crash", "webapp") is None
    assert coverage.find(2, "standby", "webapp") is None  # another repeat run: its own
    assert first.find("standby", "samba") is None


def test_the_first_cover_of_a_group_stays_and_the_reason_names_test_node_and_groups() -> None:
    coverage = Coverage()
    for test, node, groups in (("test_crash[web]", "s1", ("web",)),
                               ("test_crash[webapp]", "s2", ("web", "webapp"))):
        run = RunCoverage(coverage, test)
        run.record("crash", node, groups)
        run.commit()
    assert coverage.find(0, "crash", "web").node == "s1"
    assert coverage.find(0, "crash", "webapp").reason("webapp") == (
        "webapp's node already covered by test_crash[webapp]: crash of s2 while it ran web, "
        "webapp")


def test_a_cover_of_no_group_is_refused_naming_the_test() -> None:
    with pytest.raises(ValueError, match=r"test_crash\[web\]: a crash of s1 covering no group"):
        RunCoverage(Coverage(), "test_crash[web]").record("crash", "s1", [])
