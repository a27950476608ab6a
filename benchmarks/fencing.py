"""STONITH's figures: the interconnect pull repeated with the configured fencing delays and
without any, how often both nodes were fenced, and how long each fence took.

    sudo .venv/bin/python benchmarks/fencing.py --runs 20 --no-delay-runs 10
    sudo .venv/bin/python benchmarks/fencing.py --runs 3 --no-delay-runs 0 --prefix hacl-f

Two ``pytest --hacluster --hacluster-fencing --hacluster-repeat N --hacluster-report DIR``
runs of ``test_interconnect_pulled...`` (as a user would start them): the first with the
description's delays (the seed's: ``priority-fencing-delay`` 5 s, the node running ``web``
should survive), the second with a description of its own that sets no delay at all
(``priority_fencing_delay = ""``: the survivor is chance, and a fence race possible). Each
report.json is read back; nothing is parsed from pytest's output. Per phase it prints: the
runs' outcomes; how many fenced exactly one node, both (a fence race: ``double_fence``) or
none; which node survived against the expected one (the test's finding); the fencing time,
request to confirmed (``took_s``) and without the configured delay (``device_s``); the fault
to the fence's confirmation; how far the fencer's confirmation and the lab's own power-off
record lie apart; how many runs saw a VIP on two nodes or never got their services back. A
node counts as fenced by either account: the fencer's logged operations or the lab's power
record (when both nodes shoot each other no fencer is left to log it). Percentiles are nearest-rank
(measured values). Exits 1 when a pytest run could not produce its report, else 0: the
figures are the point, the tests' own assertions judge the runs.

The no-delay description is the seed's (this project's pyproject.toml has no
``[tool.hacluster]``); with a description of your own, give it as ``--base FILE`` (a plain
TOML description without a ``[tool]`` table) and it is copied with the delays removed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pytest_hacluster.scenario import fenced_nodes  # noqa: E402
from pytest_hacluster.summary import nearest_rank  # noqa: E402

TEST = ("tests/acceptance/test_fencing.py::"
        "test_interconnect_pulled_fences_exactly_one_node_and_the_configured_one_survives")
NO_DELAY = {"priority_fencing_delay": "", "delay_base": {}, "delay_max": ""}


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}"
                                for k, v in value.items()) + " }"
    raise ValueError(f"cannot write {value!r} as TOML")


def no_delay_description(base: Path | None, dest: Path) -> Path:
    """A description file: ``base`` (or the seed's) with fencing on and every delay removed."""
    table: dict[str, Any] = tomllib.loads(base.read_text()) if base else {}
    if "tool" in table:
        raise SystemExit(f"--base {base}: give a plain description (no [tool] table)")
    table.setdefault("fencing", {}).update({"enabled": True, **NO_DELAY})
    lines = [f"{k} = {_toml_value(v)}" for k, v in table.items() if not isinstance(v, dict)]
    for key, value in table.items():
        if isinstance(value, dict):
            lines.append(f"\n[{key}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in value.items()]
    dest.write_text("\n".join(lines) + "\n")
    return dest


def run(runs: int, prefix: str, config: Path | None) -> tuple[float, int, Path]:
    """One pytest run of the pull scenario ``runs`` times; (wall s, exit status, report)."""
    out = Path(tempfile.mkdtemp(prefix="hacluster-fencing-")) / "report"
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--hacluster",
            "--hacluster-fencing", f"--hacluster-prefix={prefix}",
            f"--hacluster-repeat={runs}", f"--hacluster-report={out}",
            *([f"--hacluster-config={config}"] if config else []), TEST]
    started = time.monotonic()
    code = subprocess.run(argv, cwd=REPO, check=False).returncode
    return time.monotonic() - started, code, out / "report.json"


def run_figures(sc: dict[str, Any]) -> dict[str, Any]:
    """One run's figures from its scenario record (report.json)."""
    fencing = sc.get("fencing") or {}
    ops = [op for op in fencing.get("operations", []) if op["ok"]]
    pull = next((f for f in sc.get("faults", []) if f["kind"] == "pull cable"), None)
    finding = next((f["figures"] for f in sc.get("findings", [])
                    if f["what"].startswith("interconnect pulled with STONITH")), {})
    gaps = []
    for op in ops:
        offs = [p for p in fencing.get("power", [])
                if p["request"] == f"off {op['target']}" and p["result"].startswith("ok")]
        if offs:
            gaps.append(min(abs(op["confirmed"] - p["done"]) for p in offs))
    doubled = [v for v in sc.get("violations", [])
               if v["kind"] == "vip_doubled" and v.get("unconfirmed") is None]
    return {
        "outcome": sc["outcome"],
        # both accounts: when both nodes are shot, no fencer is left to log it (the lab's
        # power record is then the only witness)
        "fenced": fenced_nodes(fencing),
        "logged": sorted(set(fencing.get("fenced", []))),
        "double_fence": len(fenced_nodes(fencing)) > 1,
        "failed": fencing.get("failed", 0),
        "survivor": finding.get("survivor"),
        "expected_survivor": finding.get("expected_survivor"),
        "took_s": [op["took_s"] for op in ops if op["took_s"] is not None],
        "device_s": [op["device_s"] for op in ops if op["device_s"] is not None],
        "fenced_after_pull_s": [op["confirmed_s"] - pull["injected_s"] for op in ops[:1]
                                if pull is not None and pull.get("injected_s") is not None],
        "lab_gap_s": gaps,
        "vip_doubled": bool(doubled),
        "never_back": any(m.get("worst_outage_s") is None for m in sc.get("failovers", [])),
    }


def _spread(values: list[float]) -> str:
    if not values:
        return "none measured"
    return (f"min {min(values):.2f}, p50 {nearest_rank(values, 50):.2f}, p95 "
            f"{nearest_rank(values, 95):.2f}, max {max(values):.2f} s ({len(values)})")


def summarize(title: str, report: dict[str, Any], wall: float) -> None:
    rows = [run_figures(sc) for sc in report.get("scenarios", [])]
    print(f"\n== {title}: {len(rows)} runs, {wall:.0f} s wall ==")
    print("outcomes:", ", ".join(f"{n} {o}" for o, n in Counter(r["outcome"] for r in rows)
                                 .most_common()))
    counts = Counter(len(r["fenced"]) for r in rows)
    races = [r for r in rows if r["double_fence"]]
    unlogged = sum(1 for r in races if len(r["logged"]) < 2)
    print(f"exactly one node fenced: {counts.get(1, 0)}; "
          f"more than one fenced (fence race): {len(races)}"
          + (f" ({unlogged} seen only in the lab's power record: no fencer left to log it)"
             if unlogged else "")
          + f"; none fenced: {counts.get(0, 0)}; runs with failed attempts: "
          f"{sum(1 for r in rows if r['failed'])}")
    print(f"runs whose services never came back: "
          f"{sum(1 for r in rows if r['never_back'])}")
    survivors = Counter(r["survivor"] for r in rows)
    expected = {r["expected_survivor"] for r in rows}
    matched = sum(1 for r in rows if r["expected_survivor"] is not None
                  and r["survivor"] == r["expected_survivor"])
    print("survivor: " + ", ".join(f"{s} in {n}" for s, n in survivors.most_common())
          + (f"; the expected one ({', '.join(sorted(str(e) for e in expected))}) in "
             f"{matched}/{len(rows)}" if expected != {None} else "; none expected (no delay)"))
    print("fencing, request to confirmed:", _spread([t for r in rows for t in r["took_s"]]))
    print("  of it the fence itself (without the configured delay):",
          _spread([t for r in rows for t in r["device_s"]]))
    print("pull to the fence confirmed:",
          _spread([t for r in rows for t in r["fenced_after_pull_s"]]))
    print("fencer's confirmation vs the lab's power-off record:",
          _spread([t for r in rows for t in r["lab_gap_s"]]))
    print(f"runs with a VIP on two nodes: {sum(1 for r in rows if r['vip_doubled'])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="runs with the delays (20)")
    parser.add_argument("--no-delay-runs", type=int, default=10,
                        help="runs without any delay (10; 0: none)")
    parser.add_argument("--prefix", default="hacl-fence", help="lab prefix (hacl-fence)")
    parser.add_argument("--base", type=Path, default=None,
                        help="a plain TOML description to start the no-delay one from")
    args = parser.parse_args()
    phases: list[tuple[str, int, Path | None]] = []
    if args.runs:
        phases.append(("with the configured delays", args.runs, None))
    if args.no_delay_runs:
        tmp = Path(tempfile.mkdtemp(prefix="hacluster-fencing-"))
        phases.append(("without any fencing delay", args.no_delay_runs,
                       no_delay_description(args.base, tmp / "no-delay.toml")))
    status = 0
    results = []
    for title, runs, config in phases:
        wall, code, path = run(runs, args.prefix, config)
        if not path.is_file():
            print(f"{title}: pytest exited {code} without a report ({path})", file=sys.stderr)
            status = 1
            continue
        results.append((title, json.loads(path.read_text()), wall, path))
    for title, report, wall, path in results:
        summarize(title, report, wall)
        print(f"(report: {path})")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
