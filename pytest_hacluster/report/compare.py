"""Two report.json files side by side, per kind of fault: what STONITH changed.

A run has STONITH on or off for all its scenarios (the description is the run's), so "without
fencing every VIP doubled for N s, with fencing none" is a comparison of two runs, each with its
own report. Nothing is computed that a report does not hold: per scenario, the VIPs the invariant
watcher saw answer from two nodes (``violations`` of kind ``vip_doubled``, each VIP's longest
window, only those Pacemaker's scheduler also saw or ARP showed: ``unconfirmed`` null), whether
the watcher could watch VIPs at all (``watch``), the nodes fenced (``fencing``), the worst
outage and the verdict. Scenarios are matched by the kinds of fault they made (``faults[].kind``:
``pull cable``, ``crash``...), never by their names, which differ between the two runs.

    python -m pytest_hacluster.report.compare WITHOUT/report.json WITH/report.json [--json]

Pure but for ``main``; raises ``CompareError`` for a file that is not a report of schema 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pytest_hacluster.report.document import SCHEMA, SCHEMA_VERSION
from pytest_hacluster.scenario import fenced_nodes


class CompareError(ValueError):
    """A file that is not a pytest-hacluster report of a known schema; names the file."""


def load(path: Path) -> dict[str, Any]:
    """A report.json as a dict; ``CompareError`` naming the file when it is none."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CompareError(f"{path}: not readable as JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise CompareError(f"{path}: not a {SCHEMA} document")
    if doc.get("schema_version") != SCHEMA_VERSION:
        raise CompareError(f"{path}: schema version {doc.get('schema_version')}, this reads "
                           f"{SCHEMA_VERSION}")
    return doc


def stonith_of(doc: Mapping[str, Any]) -> bool | None:
    """Whether the run had STONITH on (its description in effect); None when not recorded."""
    config = (doc.get("run") or {}).get("config") or {}
    fencing = config.get("fencing")
    return None if fencing is None else bool(fencing.get("enabled"))


def vips_of(doc: Mapping[str, Any]) -> list[str]:
    """The VIPs of the run's cluster (its groups' ``vip``), in the description's order."""
    config = (doc.get("run") or {}).get("config") or {}
    groups = config.get("groups")
    if isinstance(groups, list):  # the description as data (profiles.py)
        return [g["vip"] for g in groups if isinstance(g, dict) and g.get("vip")]
    # Reports written before groups were data had a table per group, web and webapp.
    return [config[g]["vip"] for g in ("web", "webapp") if config.get(g, {}).get("vip")]


def scenario_row(sc: Mapping[str, Any]) -> dict[str, Any]:
    """One scenario's figures for the comparison (JSON types)."""
    doubled: dict[str, float] = {}
    unconfirmed = 0
    for v in sc.get("violations") or []:
        if v["kind"] != "vip_doubled":
            continue
        if v.get("unconfirmed") is not None:
            unconfirmed += 1
            continue
        duration = v.get("duration_s") or 0.0
        doubled[v["subject"]] = max(doubled.get(v["subject"], 0.0), duration)
    watch = sc.get("watch") or {}
    fencing = sc.get("fencing")
    worst = [m.get("worst_outage_s") for m in sc.get("failovers", [])]
    return {
        "test": sc["test"],
        "verdict": sc.get("verdict"),
        "faults": sorted({f["kind"] for f in sc.get("faults", [])}),
        "vip_doubled_s": doubled,
        "vip_doubled_unconfirmed": unconfirmed,
        "arp_looks_per_s": (watch.get("looks_per_s") or {}).get("arp"),
        "not_watched": list(watch.get("not_watched") or []),
        "fenced": None if fencing is None else fenced_nodes(fencing),
        "double_fence": None if fencing is None else bool(fencing.get("double_fence")),
        "fence_s": None if fencing is None else [
            op.get("took_s") for op in fencing.get("operations", []) if op.get("ok")],
        "worst_outage_s": max((w for w in worst if w is not None), default=None),
    }


def side(doc: Mapping[str, Any], label: str) -> dict[str, Any]:
    """One report's part: its label, STONITH on or off, its VIPs, its scenarios' rows."""
    run = doc.get("run") or {}
    return {"label": label, "stonith": stonith_of(doc), "vips": vips_of(doc),
            "started_at": run.get("started_at"), "verdict": doc.get("verdict"),
            "rows": [scenario_row(sc) for sc in doc.get("scenarios", [])]}


def compare(docs: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, Any]:
    """Reports (label, document) side by side: ``sides`` (one per report) and ``by_fault``:
    fault kind -> label -> that report's rows of scenarios that made such a fault (kinds made
    in at least two of the reports)."""
    sides = [side(doc, label) for label, doc in docs]
    kinds: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for s in sides:
        for row in s["rows"]:
            for kind in row["faults"]:
                kinds.setdefault(kind, {}).setdefault(s["label"], []).append(row)
    shared = {k: v for k, v in kinds.items() if len(v) >= 2}
    return {"sides": [{k: v for k, v in s.items() if k != "rows"} for s in sides],
            "by_fault": shared}


def _doubled_words(row: Mapping[str, Any], vips: Sequence[str]) -> str:
    doubled = row["vip_doubled_s"]
    if row["not_watched"] or not row["arp_looks_per_s"]:
        return "VIPs not watched (" + (", ".join(row["not_watched"]) or "no ARP looks") + ")"
    if not doubled:
        return "no VIP doubled"
    every = "every VIP doubled" if vips and set(vips) <= set(doubled) else "VIP doubled"
    return every + ": " + ", ".join(f"{vip} for {s:.1f} s" for vip, s in doubled.items())


def _fenced_words(row: Mapping[str, Any]) -> str:
    if row["fenced"] is None:
        return "STONITH off"
    if not row["fenced"]:
        return "nothing fenced"
    took = ", ".join(f"{t:.2f} s" for t in row["fence_s"] if t is not None)
    race = " (fence race)" if row["double_fence"] else ""
    return f"fenced {', '.join(row['fenced'])}{race}" + (f", request to confirmed {took}"
                                                          if took else "")


def text(comparison: Mapping[str, Any]) -> str:
    """The comparison in words: each report, then per fault kind each report's scenarios."""
    vips = {s["label"]: s["vips"] for s in comparison["sides"]}
    lines = []
    for s in comparison["sides"]:
        on = {True: "STONITH on", False: "STONITH off", None: "STONITH unknown"}[s["stonith"]]
        lines.append(f"{s['label']}: {on}, run of {s['started_at']}, verdict {s['verdict']}")
    if not comparison["by_fault"]:
        lines.append("no kind of fault was made in both reports: nothing to put side by side")
    for kind, per_label in comparison["by_fault"].items():
        lines.append("")
        lines.append(f"{kind}:")
        for label, rows in per_label.items():
            for row in rows:
                outage = row["worst_outage_s"]
                lines.append(
                    f"  {label}: {row['test'].split('::')[-1]} [{row['verdict']}]: "
                    f"{_doubled_words(row, vips[label])}; {_fenced_words(row)}"
                    + ("" if outage is None else f"; worst outage {outage:.1f} s")
                )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: two or more report.json paths; prints the comparison (``--json``: as
    JSON). Exit 2 with the reason for a file that is not a report."""
    parser = argparse.ArgumentParser(
        prog="python -m pytest_hacluster.report.compare",
        description="report.json files side by side per kind of fault (e.g. a run without "
                    "and one with --hacluster-fencing)")
    parser.add_argument("reports", nargs="+", type=Path, help="report.json files (at least 2)")
    parser.add_argument("--json", action="store_true", help="print the comparison as JSON")
    args = parser.parse_args(argv)
    if len(args.reports) < 2:
        parser.error("give at least two report.json files")
    try:
        docs = [(str(p), load(p)) for p in args.reports]
    except CompareError as exc:
        print(f"compare: {exc}", file=sys.stderr)
        return 2
    result = compare(docs)
    print(json.dumps(result, indent=1) if args.json else text(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["CompareError", "compare", "load", "main", "scenario_row", "side", "stonith_of",
           "text"]
