"""Outcomes and the verdict: FAIL beats findings beats PASS, and nothing tested is no PASS."""

from __future__ import annotations

import pytest

from pytest_hacluster.invariants import Violation
from pytest_hacluster.report import document
from tests import reportdata


@pytest.mark.parametrize(("phases", "xfail", "expected"), [
    ({"setup": "passed", "call": "passed", "teardown": "passed"}, False, "passed"),
    ({"setup": "passed", "call": "failed", "teardown": "passed"}, False, "failed"),
    ({"setup": "failed", "teardown": "passed"}, False, "error"),
    ({"setup": "passed", "call": "passed", "teardown": "failed"}, False, "error"),
    ({"setup": "passed", "call": "failed", "teardown": "failed"}, False, "failed"),
    ({"setup": "skipped", "teardown": "passed"}, False, "skipped"),
    ({"setup": "passed", "call": "skipped", "teardown": "passed"}, True, "xfailed"),
    ({"setup": "passed", "call": "passed", "teardown": "passed"}, True, "xpassed"),
])
def test_outcome_of_the_phases(phases: dict[str, str], xfail: bool, expected: str) -> None:
    assert document.outcome(phases, xfail) == expected


def _doc(which: list[str]) -> dict:
    chosen = {k: v for k, v in reportdata.SCENARIOS.items() if any(w in k for w in which)}
    return reportdata.make_document(chosen)


def test_a_failed_test_fails_the_run_whatever_else_passed() -> None:
    doc = reportdata.make_document()
    assert doc["verdict"] == document.FAIL
    assert doc["verdict_reasons"] == [
        "failed: tests/acceptance/test_node_crash.py::test_node_crash"]
    crash = doc["scenarios"][-1]
    assert crash["verdict"] == document.FAIL and crash["diagnostics"] == [
        "diagnostics/test_node_crash"]
    assert doc["schema"] == document.SCHEMA and doc["schema_version"] == document.SCHEMA_VERSION


def test_an_expected_failure_and_findings_make_pass_with_findings() -> None:
    doc = _doc(["kill_service", "interconnect", "standby"])
    assert doc["verdict"] == document.FINDINGS
    reasons = "\n".join(doc["verdict_reasons"])
    assert "expected failure: seed configuration" in reasons
    assert "expected: a VIP answered ARP from two nodes" in reasons
    assert "no failback" in reasons


def test_each_fact_is_one_finding_and_a_change_the_test_caused_is_none() -> None:
    """The split brain's declared violations are said once (the finding that says them as
    expected, with their windows), not again per window as 'invariant violated'; a standby's
    node change is the standby's point, not a finding."""
    split = reportdata.split_brain()
    standby = reportdata.standby()
    standby.violations = [Violation("node_change", "s1 online -> standby", ("s1",),
                                    reportdata.T0 + 4.2, reportdata.T0 + 20.3, "s2",
                                    "caused by standby s1")]
    docs = reportdata.make_document({
        "t.py::test_split": (lambda: split, "xfailed", "seed configuration", None),
        "t.py::test_standby": (lambda: standby, "passed", None, None),
    })
    found = {t["test"]: t["findings"] for t in docs["tests"]}
    assert not any("invariant violated" in f for fs in found.values() for f in fs)
    assert sum("192.168.1.101" in f for f in found["t.py::test_split"]) == 1
    assert found["t.py::test_standby"] == [
        "groups stay on s2 after online (no failback) (failback: no)"]
    text = "\n".join(f for fs in found.values() for f in fs)
    for python in ("{", "}", "'", "True", "False", "None", "_s="):
        assert python not in text, python
    # The record keeps the structured values and every violation, marked expected.
    (sc,) = [s for s in docs["scenarios"] if s["test"] == "t.py::test_split"]
    assert sc["findings"][0]["figures"]["views_when_split"]["s1"] == {"web": "s1", "webapp": "s1"}
    assert all(v["expected"] for v in sc["violations"])


def test_an_unexpected_violation_is_a_finding() -> None:
    rec = {"findings": [], "failovers": [], "violations": [
        {"expected": None, "text": "vip_doubled: 192.168.1.101 on s1 and s2"}]}
    assert document.scenario_findings({"outcome": "failed"}, rec) == [
        "invariant violated: vip_doubled: 192.168.1.101 on s1 and s2"]


def test_all_passed_without_findings_is_a_plain_pass() -> None:
    doc = _doc(["kill_service"])
    assert doc["verdict"] == document.PASS and doc["verdict_reasons"] == []
    assert doc["totals"] == {"passed": 2}


def test_nothing_tested_is_no_pass() -> None:
    verdict, reasons = document.run_verdict([{"test": "t", "outcome": "skipped"}])
    assert verdict == document.FAIL and "nothing was tested" in reasons[0]


def test_a_passing_test_outside_its_slo_is_a_finding() -> None:
    sc = {"findings": [], "violations": None,
          "failovers": [{"within_slo": False, "fault": "crash s1", "summary": "outage 40s"}]}
    found = document.scenario_findings({"outcome": "passed"}, sc)
    assert found == ["crash s1: outside its SLO (outage 40s)"]


def test_headline_names_the_worst_outage() -> None:
    head = document.headline(reportdata.make_document())
    assert head["worst_fault"] == "crash s1" and 36 < head["worst_outage_s"] < 37
