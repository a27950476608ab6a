"""report.json: the run's tests, scenario records and metadata merged into one versioned document.

The schema is written down in ``docs/report-schema.md``; ``SCHEMA_VERSION`` goes up whenever a
field changes meaning or goes away (adding a field does not change it). Pure: the plugin hands
in what each process recorded, this decides outcomes and the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_hacluster.scenario import fenced_nodes

SCHEMA = "pytest-hacluster-report"
SCHEMA_VERSION = 2

PASS, FAIL, FINDINGS = "PASS", "FAIL", "PASS WITH FINDINGS"
SKIPPED = "SKIPPED"
FAILED_OUTCOMES = ("failed", "error")


def outcome(phases: Mapping[str, str], xfail: bool) -> str:
    """A test's outcome from its phases' outcomes, as pytest's summary line counts it."""
    if phases.get("setup") == "failed":
        return "error"
    call = phases.get("call")
    if call == "failed":
        return "failed"
    if phases.get("teardown") == "failed":
        return "error"
    if xfail:
        return "xpassed" if call == "passed" else "xfailed"
    if phases.get("setup") == "skipped" or call == "skipped":
        return "skipped"
    return "passed" if call == "passed" else "not run"


def scenario_findings(test: Mapping[str, Any], scenario: Mapping[str, Any] | None) -> list[str]:
    """What a reader should know about one test that is not a failure."""
    found: list[str] = []
    if test.get("outcome") == "xfailed":
        found.append(f"expected failure: {test.get('xfail_reason') or 'no reason given'}")
    if test.get("outcome") == "xpassed":
        found.append(f"passed although expected to fail: {test.get('xfail_reason') or ''}")
    if scenario is None:
        return found
    # Each fact once: a violation the test declared is already one finding (said as expected,
    # with its windows); a node change the test's own fault caused is its point, not a finding.
    found += [f["text"] for f in scenario.get("findings", [])]
    # A node's crm_mon frame the scheduler never saw is kept in the JSON, not said here.
    found += [f"invariant violated: {v['text']}" for v in scenario.get("violations") or []
              if v.get("expected") is None and v.get("unconfirmed") is None]
    fencing = scenario.get("fencing")
    if fencing and fencing.get("double_fence") and test.get("outcome") not in FAILED_OUTCOMES:
        found.append("fence race: more than one node fenced: "
                     + " and ".join(fenced_nodes(fencing)))
    for m in scenario.get("failovers", []):
        if not m.get("within_slo") and test.get("outcome") not in FAILED_OUTCOMES:
            found.append(f"{m['fault']}: outside its SLO ({m['summary']})")
    return found


def scenario_verdict(test_outcome: str, findings: list[str]) -> str:
    if test_outcome in FAILED_OUTCOMES:
        return FAIL
    if test_outcome in ("skipped", "not run"):
        return SKIPPED
    return FINDINGS if findings else PASS


def run_verdict(tests: Iterable[Mapping[str, Any]]) -> tuple[str, list[str]]:
    """FAIL if any test failed or errored (or nothing was tested at all), PASS WITH FINDINGS if
    all passed but something is worth a reader's attention, else PASS; with the reasons."""
    tests = list(tests)
    failed = [t for t in tests if t["outcome"] in FAILED_OUTCOMES]
    if failed:
        return FAIL, [f"{t['outcome']}: {t['test']}" for t in failed]
    ran = [t for t in tests if t["outcome"] in ("passed", "xfailed", "xpassed")]
    if not ran:
        return FAIL, [f"nothing was tested ({len(tests)} tests, none ran)"]
    found = [f"{t['test']}: {f}" for t in tests for f in t.get("findings", [])]
    return (FINDINGS, found) if found else (PASS, [])


def build(
    run: Mapping[str, Any],
    tests: Iterable[Mapping[str, Any]],
    scenarios: Mapping[str, Mapping[str, Any]],
    diagnostics: Mapping[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The whole document: ``tests`` in run order (outcome per nodeid), ``scenarios`` by
    nodeid (records), ``diagnostics`` by nodeid (directories relative to the report)."""
    diagnostics = diagnostics or {}
    test_rows: list[dict[str, Any]] = []
    scenario_rows: list[dict[str, Any]] = []
    for t in tests:
        row = dict(t)
        record = scenarios.get(row["test"])
        row["findings"] = scenario_findings(row, record)
        row["verdict"] = scenario_verdict(row["outcome"], row["findings"])
        row["diagnostics"] = list(diagnostics.get(row["test"], []))
        row["scenario"] = None
        if record is not None:
            row["scenario"] = len(scenario_rows)
            scenario_rows.append({
                "test": row["test"], "name": row["name"], "outcome": row["outcome"],
                "verdict": row["verdict"], "verdict_findings": row["findings"],
                "failure": row.get("failure"), "xfail_reason": row.get("xfail_reason"),
                "diagnostics": row["diagnostics"], **record,
            })
        test_rows.append(row)
    verdict, reasons = run_verdict(test_rows)
    totals: dict[str, int] = {}
    for row in test_rows:
        totals[row["outcome"]] = totals.get(row["outcome"], 0) + 1
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "verdict": verdict,
        "verdict_reasons": reasons,
        "run": dict(run),
        "totals": totals,
        "tests": test_rows,
        "scenarios": scenario_rows,
    }


def headline(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The figures of the first screen: worst outage, and which scenario it was."""
    worst: tuple[float, str, str] | None = None
    never_back: list[str] = []
    for sc in doc.get("scenarios", []):
        for m in sc.get("failovers", []):
            w = m.get("worst_outage_s")
            if w is None:
                never_back.append(f"{sc['name']}: {m['fault']}")
            elif worst is None or w > worst[0]:
                worst = (w, sc["name"], m["fault"])
    fencings = [sc["fencing"] for sc in doc.get("scenarios", []) if sc.get("fencing")]
    ops = [op for f in fencings for op in f.get("operations", [])]
    return {
        # None when no scenario ran with STONITH on
        "fencing": None if not fencings else {
            "fenced": sum(1 for op in ops if op["ok"]),
            "failed": sum(1 for op in ops if not op["ok"]),
            "races": sum(1 for f in fencings if f.get("double_fence")),
            "unread": sum(1 for f in fencings if f.get("error")),
        },
        "worst_outage_s": None if worst is None else worst[0],
        "worst_scenario": None if worst is None else worst[1],
        "worst_fault": None if worst is None else worst[2],
        "never_back": never_back,
    }


__all__ = [
    "FAIL", "FINDINGS", "PASS", "SCHEMA", "SCHEMA_VERSION", "build", "headline", "outcome",
    "run_verdict", "scenario_findings", "scenario_verdict",
]
