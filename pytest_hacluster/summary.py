"""The end-of-run table of measured failovers, built from the tests' reports alone.

Built from what every test's teardown report carries (its outcome, and its scenario's record
from ``Scenario.to_record``: the one JUnit properties and report.json come from), so it is the
same whether the tests ran in this process or in pytest-xdist workers: the controller sees
every worker's reports. With ``--hacluster-repeat N`` each scenario ran N times; its runs are
grouped and its outages given as p50 / p95 / max (nearest rank: with 3 runs p95 is the
largest) with how many runs gave each verdict, and its findings counted by what was found.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_hacluster.scenario import fenced_nodes, powered_off


@dataclass
class Run:
    """One test's run: its verdict and its scenario's record (``Scenario.to_record``, carried
    on the teardown report; None for a test without a scenario)."""

    nodeid: str
    outcome: str = "passed"
    props: dict[str, Any] = field(default_factory=dict)
    record: dict[str, Any] | None = None

    @property
    def scenario(self) -> str:
        """The test without its repeat index: all runs of one scenario share it."""
        return scenario_id(self.nodeid)

    def failovers(self) -> list[dict[str, Any]]:
        """Its failover records (``Failover.to_record``), in the order measured."""
        return [] if self.record is None else list(self.record["failovers"])

    def fencing(self) -> dict[str, Any] | None:
        """Its fencing record (``scenario.fencing_record``): None with STONITH off."""
        return None if self.record is None else self.record.get("fencing")

    def findings(self) -> list[dict[str, Any]]:
        """Its finding records: ``what`` (the same in every run), ``text`` (with figures)."""
        return [] if self.record is None else list(self.record["findings"])


def scenario_id(nodeid: str) -> str:
    """``test_x.py::test_y[run2of3-httpd]`` -> ``test_x.py::test_y[httpd]``."""
    stripped = re.sub(r"(?<=[\[-])run\d+of\d+-|-run\d+of\d+(?=\])", "", nodeid)
    return re.sub(r"\[run\d+of\d+\]", "", stripped)


_RANK = {"passed": 0, "skipped": 0, "xfailed": 1, "xpassed": 2, "failed": 3, "error": 3}


def outcome_of(when: str, outcome: str, wasxfail: bool, previous: str | None) -> str:
    """The test's verdict after one more phase: a failing setup or teardown is an error, a
    failing call a failure; the worst phase wins."""
    if outcome == "failed":
        now = "failed" if when == "call" else "error"
    elif wasxfail:
        now = "xfailed" if outcome == "skipped" else "xpassed"
    elif outcome == "skipped":
        now = "skipped"
    else:
        now = "passed"
    if previous is None or _RANK[now] > _RANK[previous] or (
        previous == "passed" and now == "skipped"
    ):
        return now
    return previous


def nearest_rank(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile by nearest rank: a value that was measured, never interpolated."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _slo_text(figures: dict[str, Any]) -> str:
    slo = figures["slo"]
    return "" if slo is None else f" [SLO {slo['name']} {slo['seconds']:g}s]"


def lines(runs: Iterable[Run]) -> list[str]:
    """The table, one block per scenario in the order first seen: its failovers, then its
    findings (each said once; with repeats, counted by what was found)."""
    grouped: dict[str, list[Run]] = {}
    for run in runs:
        grouped.setdefault(run.scenario, []).append(run)
    out: list[str] = []
    for scenario, its_runs in grouped.items():
        measured = [r for r in its_runs if r.failovers() or r.findings() or r.fencing()]
        if not measured:
            continue
        verdicts = Counter(r.outcome for r in its_runs)
        counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
        out.append(f"{scenario.split('::', 1)[-1]}  [{counts}]")
        if len(its_runs) == 1:
            (run,) = its_runs
            for figures in run.failovers():
                ok = "ok " if figures["within_slo"] else "!! "
                out.append(f"  {ok}{figures['summary']}{_slo_text(figures)}")
            out += fencing_lines(run.fencing())
            out += [f"  finding: {f['text']}" for f in run.findings()]
            continue
        by_order: list[list[dict[str, Any]]] = []
        for run in its_runs:
            for i, figures in enumerate(run.failovers()):
                if i == len(by_order):
                    by_order.append([])
                by_order[i].append(figures)
        for all_figures in by_order:
            worst = [f["worst_outage_s"] for f in all_figures]
            measured_s = [float(w) for w in worst if w is not None]
            never = len(worst) - len(measured_s)
            slo = all_figures[0]["slo"]
            within = sum(1 for f in all_figures if f["within_slo"])
            text = (
                f"  {all_figures[0]['fault']}: worst outage "
                + (
                    f"p50 {nearest_rank(measured_s, 50):.1f}s, p95 "
                    f"{nearest_rank(measured_s, 95):.1f}s, max {max(measured_s):.1f}s"
                    if measured_s else "never measured"
                )
                + f" over {len(worst)} runs"
                + (f" ({never} never back)" if never else "")
                + (f"; within SLO {slo['seconds']:g}s in {within}/{len(worst)}"
                   if slo is not None else "")
            )
            out.append(text)
        out += repeated_fencing_lines([r.fencing() for r in its_runs])
        found = Counter(what for r in its_runs for what in {f["what"] for f in r.findings()})
        out += [f"  finding ({n}/{len(its_runs)} runs): {f}" for f, n in found.items()]
    return out


def fencing_lines(fencing: dict[str, Any] | None) -> list[str]:
    """One run's fencing: every operation in words, a fence race said as such, or that the
    cluster could not be asked (nothing with STONITH off)."""
    if fencing is None:
        return []
    ops = fencing["operations"]
    out = [f"  fencing: {op['text']}" for op in ops]
    if not ops and fencing.get("observed"):
        out.append("  fencing: none")
    if fencing.get("double_fence"):
        out.append("  !! fence race: more than one node fenced: "
                   f"{' and '.join(fenced_nodes(fencing))}"
                   + ("" if len(set(fencing["fenced"])) > 1 else
                      " (the lab's power record: no fencer was left to log it)"))
    elif not ops and powered_off(fencing):
        out.append(f"  fencing: the lab powered off {', '.join(powered_off(fencing))} for a "
                   "fence agent; no fencer logged it")
    if fencing.get("error"):
        out.append(f"  fencing not read: {fencing['error']}")
    return out


def repeated_fencing_lines(records: Sequence[dict[str, Any] | None]) -> list[str]:
    """The fencing of N runs of a scenario counted (by the fencer's and the lab's accounts,
    ``scenario.fenced_nodes``): how many fenced exactly one node, more than one (a fence
    race), none;
    how many had failed attempts; request to confirmed p50/p95/max of the successful
    operations (nothing when no run had STONITH on)."""
    seen = [r for r in records if r is not None]
    if not seen:
        return []
    counts = Counter(len(fenced_nodes(r)) for r in seen)
    one, none = counts.get(1, 0), counts.get(0, 0)
    race = sum(n for k, n in counts.items() if k > 1)
    failed = sum(1 for r in seen if r["failed"])
    took = [float(op["took_s"]) for r in seen for op in r["operations"]
            if op["ok"] and op["took_s"] is not None]
    text = (f"  fencing over {len(seen)} runs: one node fenced in {one}, more (fence race) in "
            f"{race}, none in {none}; failed attempts in {failed}")
    if took:
        text += (f"; request to confirmed p50 {nearest_rank(took, 50):.2f}s, p95 "
                 f"{nearest_rank(took, 95):.2f}s, max {max(took):.2f}s")
    return [text]


__all__ = ["Run", "fencing_lines", "lines", "nearest_rank", "outcome_of", "repeated_fencing_lines",
           "scenario_id"]
