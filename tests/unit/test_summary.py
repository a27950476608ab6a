"""The end-of-run table from the tests' reports (pure): single runs and repeated scenarios."""

from __future__ import annotations

import pytest

from pytest_hacluster import summary
from pytest_hacluster.failover import Failover
from pytest_hacluster.faults import Event
from pytest_hacluster.probe import Outage
from pytest_hacluster.scenario import Finding
from pytest_hacluster.slo import Threshold

EVENT = Event("SIGKILL httpd on s1", t=100.0, wall=1000.0, done=100.05)


def run(nodeid: str, outcome: str, worst: float | None, within: bool = True,
        findings: tuple[Finding, ...] = ()) -> summary.Run:
    """A run whose scenario record holds one real failover (``worst`` s of outage on web, or
    never back when None), made by ``Failover.to_record`` as a live run makes it."""
    end = None if worst is None else 100.0 + worst
    m = Failover("SIGKILL httpd on s1", EVENT, 0.1, Threshold("restart", 20, "why"),
                 slo_urls=("web",), outages={"web": [Outage("web", 100.0, end, 45)]})
    assert m.within() == within
    record = {"failovers": [m.to_record(origin=90.0)],
              "findings": [f.to_record() for f in findings]}
    return summary.Run(nodeid, outcome, record=record)


def test_nearest_rank_is_a_measured_value() -> None:
    assert summary.nearest_rank([3.0, 1.0, 2.0], 50) == 2.0
    assert summary.nearest_rank([3.0, 1.0, 2.0], 95) == 3.0
    values = [float(v) for v in range(1, 21)]
    assert summary.nearest_rank(values, 95) == 19.0
    assert summary.nearest_rank([7.0], 50) == 7.0


@pytest.mark.parametrize(
    ("nodeid", "scenario"),
    [
        ("t.py::test_kill[httpd-run2of3]", "t.py::test_kill[httpd]"),
        ("t.py::test_kill[run2of3-httpd]", "t.py::test_kill[httpd]"),
        ("t.py::test_kill[a-run2of3-b]", "t.py::test_kill[a-b]"),
        ("t.py::test_crash[run1of3]", "t.py::test_crash"),
        ("t.py::test_crash", "t.py::test_crash"),
    ],
)
def test_repeat_index_is_stripped(nodeid: str, scenario: str) -> None:
    assert summary.scenario_id(nodeid) == scenario


def test_repeated_scenario_gets_distribution_and_verdict_counts() -> None:
    runs = [
        run("t.py::test_kill[httpd-run1of3]", "passed", 4.5),
        run("t.py::test_kill[httpd-run2of3]", "passed", 8.7),
        run("t.py::test_kill[httpd-run3of3]", "failed", 25.0, within=False),
    ]
    table = summary.lines(runs)
    assert table[0] == "test_kill[httpd]  [1 failed, 2 passed]"
    assert table[1] == (
        "  SIGKILL httpd on s1: worst outage p50 8.7s, p95 25.0s, max 25.0s over 3 runs; "
        "within SLO 20s in 2/3"
    )


def test_a_run_that_never_came_back_is_counted_not_hidden() -> None:
    runs = [run("t.py::test_x[run1of2]", "failed", None, within=False),
            run("t.py::test_x[run2of2]", "passed", 3.0)]
    (_, line) = summary.lines(runs)
    assert "p50 3.0s" in line and "over 2 runs (1 never back)" in line


def test_single_run_prints_its_summary_and_findings() -> None:
    one = run("t.py::test_kill[httpd]", "passed", 4.5, findings=(
        Finding("after online s1: web failed back", {"after": {"web": "s1", "webapp": "s2"}}),
    ))
    assert summary.lines([one, summary.Run("t.py::test_plain")]) == [
        "test_kill[httpd]  [1 passed]",
        "  ok SIGKILL httpd on s1: outage web 4.5s (45 lost) ±0.1s [SLO restart 20s]",
        "  finding: after online s1: web failed back (after: web on s1, webapp on s2)",
    ]


@pytest.mark.parametrize(
    ("phases", "verdict"),
    [
        ([("setup", "passed", False), ("call", "passed", False), ("teardown", "passed", False)],
         "passed"),
        ([("setup", "passed", False), ("call", "passed", False), ("teardown", "failed", False)],
         "error"),
        ([("setup", "passed", False), ("call", "skipped", True), ("teardown", "passed", False)],
         "xfailed"),
        ([("setup", "skipped", False), ("teardown", "passed", False)], "skipped"),
        ([("setup", "passed", False), ("call", "failed", False), ("teardown", "failed", False)],
         "failed"),
    ],
)
def test_outcome_is_the_worst_phase(phases: list[tuple[str, str, bool]], verdict: str) -> None:
    outcome = None
    for when, result, wasxfail in phases:
        outcome = summary.outcome_of(when, result, wasxfail, outcome)
    assert outcome == verdict


def test_findings_of_repeated_runs_are_counted_without_their_figures() -> None:
    runs = [run(f"t.py::test_x[run{k}of2]", "passed", 2.0,
                findings=(Finding("s1 rejoined after power-on", {"rejoin_s": rejoin}),))
            for k, rejoin in ((1, 3.6), (2, 3.3))]
    assert summary.lines(runs)[-1] == "  finding (2/2 runs): s1 rejoined after power-on"
