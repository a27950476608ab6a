"""The end-of-run table of measured failovers, built from the tests' reports alone.

Built from what every test report carries (its outcome and its ``user_properties``, the same
figures that go into JUnit XML), so it is the same whether the tests ran in this process or in
pytest-xdist workers: the controller sees every worker's reports. With ``--hacluster-repeat N``
each scenario ran N times; its runs are grouped and its outages given as p50 / p95 / max
(nearest rank: with 3 runs p95 is the largest) with how many runs gave each verdict.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

_TAG = re.compile(r"^(failover\d*)\.(.+)$")


@dataclass
class Run:
    """One test's run: its verdict and the figures its scenario recorded."""

    nodeid: str
    outcome: str = "passed"
    props: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario(self) -> str:
        """The test without its repeat index: all runs of one scenario share it."""
        return scenario_id(self.nodeid)

    def failovers(self) -> dict[str, dict[str, Any]]:
        """``failover`` / ``failover1``... -> that measurement's figures."""
        out: dict[str, dict[str, Any]] = {}
        for key, value in self.props.items():
            found = _TAG.match(key)
            if found:
                out.setdefault(found[1], {})[found[2]] = value
        return out

    def findings(self) -> list[str]:
        return [str(v) for k, v in self.props.items() if re.fullmatch(r"finding\d+", k)]


def scenario_id(nodeid: str) -> str:
    """``test_x.py::test_y[run2of3-httpd]`` -> ``test_x.py::test_y[httpd]``."""
    stripped = re.sub(r"(?<=[\[-])run\d+of\d+-|-run\d+of\d+(?=\])", "", nodeid)
    return re.sub(r"\[run\d+of\d+\]", "", stripped)


def finding_kind(text: str) -> str:
    """A finding without its figures, so the runs of a repeated scenario can be counted:
    numbers (not node names such as ``s1``) become ``#`` and the figures in parentheses go."""
    text = re.sub(r" \(.*\)$", "", text)
    return re.sub(r"(?<![A-Za-z\d.])[-+]?\d+(\.\d+)*", "#", text)


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


def _secs(value: Any) -> str:
    return "not back" if value is None else f"{float(value):.1f}s"


def lines(runs: Iterable[Run]) -> list[str]:
    """The table, one block per scenario in the order first seen."""
    grouped: dict[str, list[Run]] = {}
    for run in runs:
        grouped.setdefault(run.scenario, []).append(run)
    out: list[str] = []
    for scenario, its_runs in grouped.items():
        measured = [r for r in its_runs if r.failovers() or r.findings()]
        if not measured:
            continue
        verdicts = Counter(r.outcome for r in its_runs)
        counts = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
        out.append(f"{scenario.split('::', 1)[-1]}  [{counts}]")
        if len(its_runs) == 1:
            (run,) = its_runs
            for figures in run.failovers().values():
                ok = "ok " if figures.get("within_slo") else "!! "
                slo = next((v for k, v in figures.items() if k.startswith("slo.")), None)
                slo_text = f" [SLO {slo:g}s]" if slo is not None else ""
                out.append(f"  {ok}{figures.get('summary', figures.get('fault'))}{slo_text}")
            out += [f"  finding: {f}" for f in run.findings()]
            continue
        tags: dict[str, list[dict[str, Any]]] = {}
        for run in its_runs:
            for tag, figures in run.failovers().items():
                tags.setdefault(tag, []).append(figures)
        for all_figures in tags.values():
            worst = [f.get("worst_outage_s") for f in all_figures]
            measured_s = [float(w) for w in worst if w is not None]
            never = len(worst) - len(measured_s)
            slo = next((v for k, v in all_figures[0].items() if k.startswith("slo.")), None)
            within = sum(1 for f in all_figures if f.get("within_slo"))
            text = (
                f"  {all_figures[0].get('fault')}: worst outage "
                + (
                    f"p50 {nearest_rank(measured_s, 50):.1f}s, p95 "
                    f"{nearest_rank(measured_s, 95):.1f}s, max {max(measured_s):.1f}s"
                    if measured_s else "never measured"
                )
                + f" over {len(worst)} runs"
                + (f" ({never} never back)" if never else "")
                + (f"; within SLO {slo:g}s in {within}/{len(worst)}" if slo is not None else "")
            )
            out.append(text)
        found = Counter(finding_kind(f) for r in its_runs for f in r.findings())
        out += [f"  finding ({n}/{len(its_runs)} runs): {f}" for f, n in found.items()]
    return out


__all__ = ["Run", "finding_kind", "lines", "nearest_rank", "outcome_of", "scenario_id"]
