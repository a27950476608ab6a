"""Do verdicts repeat? Every fault scenario N times, and per scenario the verdicts of its runs
and the spread of each figure they measured.

    sudo .venv/bin/python benchmarks/repeat.py --runs 10 --workers 2
    sudo .venv/bin/python benchmarks/repeat.py --runs 10 --workers 2 --busy-core
    sudo .venv/bin/python benchmarks/repeat.py --runs 3 -- tests/acceptance/test_node_crash.py
    python3 benchmarks/repeat.py --from-reports reports/*/report.json


One ``pytest --hacluster --hacluster-repeat N -n K --hacluster-report DIR`` run, as a user
would start it, then report.json read back: a scenario's verdict in one run is its outcome with
the set of its findings (by their ``what``, which is the same in every run; their figures are
spread, not verdicts). ``--busy-core`` keeps one core busy with another process for the whole
run (a shared CI runner). Figures are nearest-rank percentiles (a value that was measured).
Prints, then exits 1 if any scenario's runs disagreed (or pytest could not run), else 0.

``--from-reports`` runs nothing: it reads report.json files written elsewhere (the jobs of the
stack-matrix workflow, one lab per machine) and summarizes them together, per stack (and
profile, once the description records one): a scenario's runs on different machines are
compared as runs of one lab are. Needs no root and no cluster.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pytest_hacluster.summary import nearest_rank, scenario_id  # noqa: E402

BUSY = "import time\nend = time.monotonic() + {limit}\nwhile time.monotonic() < end:\n    pass\n"


def run(
    runs: int, workers: int, prefix: str, busy: bool, extra: list[str]
) -> tuple[float, int, Path]:
    out = Path(tempfile.mkdtemp(prefix="hacluster-repeat-")) / "report"
    argv = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--hacluster",
            f"--hacluster-prefix={prefix}", f"--hacluster-repeat={runs}",
            f"--hacluster-report={out}", *(["-n", str(workers)] if workers > 1 else []), *extra]
    burner = None
    if busy:  # bounded by itself too: never outlives a run by more than its limit
        burner = subprocess.Popen([sys.executable, "-c", BUSY.format(limit=4 * 3600)])
    started = time.monotonic()
    try:
        code = subprocess.run(argv, cwd=REPO, check=False).returncode
    finally:
        if burner is not None:
            burner.kill()
            burner.wait()
    return time.monotonic() - started, code, out / "report.json"


def figures(scenario: dict[str, Any]) -> dict[str, float]:
    """The numbers a scenario's failovers measured, by name (``failover2.outage_s.app``)."""
    found: dict[str, float] = {}
    many = len(scenario.get("failovers", [])) > 1
    for i, m in enumerate(scenario.get("failovers", [])):
        tag = f"failover{i + 1}" if many else "failover"
        for key in ("worst_outage_s", "detected_s", "settled_s"):
            if isinstance(m.get(key), (int, float)):
                found[f"{tag}.{key}"] = float(m[key])
        for url, seconds in (m.get("outage_s") or {}).items():
            if isinstance(seconds, (int, float)):
                found[f"{tag}.outage_s.{url}"] = float(seconds)
    return found


def verdict(test: dict[str, Any], scenario: dict[str, Any] | None) -> str:
    whats = sorted({f["what"] for f in scenario.get("findings", [])}) if scenario else []
    return test["outcome"] + "".join(f"; {w}" for w in whats)


def label(report: dict[str, Any]) -> str:
    """Which stack (and profile) a report's run was on: ``debian11``, ``debian11/fast``;
    ``this machine`` for a run on the host's packages, ``?`` for a report that does not say."""
    run = report.get("run") or {}
    stack = (run.get("stack") or {}).get("name") or "?"
    profile = run.get("profile") or (run.get("config") or {}).get("profile")
    return f"{stack}/{profile}" if isinstance(profile, str) and profile else stack


def summarize(report: dict[str, Any], *more: dict[str, Any], by_stack: bool = False) -> bool:
    """Print per scenario its verdicts and figures over ``report`` and ``more`` (reports of the
    same suite from other machines); True when every scenario's runs agree. ``by_stack``: a
    scenario on one stack is compared with itself only (names prefixed ``debian11: ``)."""
    verdicts: dict[str, Counter[str]] = defaultdict(Counter)
    spread: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for each in (report, *more):
        scenarios = each.get("scenarios", [])
        tag = f"{label(each)}: " if by_stack else ""
        for test in each["tests"]:
            if test["outcome"] == "skipped":
                continue
            index = test.get("scenario")
            scenario = scenarios[index] if isinstance(index, int) else None
            name = tag + scenario_id(test["test"])
            verdicts[name][verdict(test, scenario)] += 1
            for key, value in figures(scenario or {}).items():
                spread[name][key].append(value)
    agree = True
    for name in sorted(verdicts):
        seen = verdicts[name]
        runs = sum(seen.values())
        same = len(seen) == 1
        agree &= same
        print(f"{name}  [{runs} runs: {'same verdict' if same else 'VERDICTS DIFFER'}]")
        for text, count in seen.most_common():
            print(f"    {count}x {text}")
        for key, values in sorted(spread[name].items()):
            print(f"    {key:32} min {min(values):6.1f}  p50 {nearest_rank(values, 50):6.1f}  "
                  f"p95 {nearest_rank(values, 95):6.1f}  max {max(values):6.1f}  (n={len(values)})")
    return agree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="runs of each scenario (default 10)")
    parser.add_argument("--workers", type=int, default=2, help="xdist workers (default 2)")
    parser.add_argument("--prefix", default="hacl-rep")
    parser.add_argument("--busy-core", action="store_true",
                        help="keep one core busy with another process during the run")
    parser.add_argument("--from-reports", nargs="+", type=Path, metavar="REPORT_JSON",
                        help="run nothing: summarize these report.json files (other machines')")
    parser.add_argument("extra", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    if args.from_reports:
        return from_reports(args.from_reports)
    if os.geteuid() != 0:
        print("benchmarks/repeat.py needs root (the lab makes namespaces)", file=sys.stderr)
        return 2
    wall, code, path = run(args.runs, args.workers, args.prefix, args.busy_core, args.extra)
    if not path.exists():
        print(f"pytest wrote no report (exit {code})", file=sys.stderr)
        return code or 1
    print(f"\n{args.runs} runs of each scenario, -n {args.workers}"
          f"{', one core kept busy' if args.busy_core else ''}: {wall:.0f} s wall, "
          f"pytest exit {code}; {os.cpu_count()} cores\n")
    agree = summarize(json.loads(path.read_text()))
    print("\nevery scenario gave the same verdict in every run" if agree
          else "\nSOME SCENARIOS' VERDICTS DIFFER between runs (above)")
    return 0 if agree and code == 0 else 1


def from_reports(paths: list[Path]) -> int:
    """Summarize report.json files of several machines per stack: 0 when every scenario gave
    the same verdict on every machine of its stack and every run's verdict was a pass, 1 when
    not, 2 when a file is missing or is no report."""
    reports = []
    for path in paths:
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            print(f"{path}: not a report ({exc})", file=sys.stderr)
            return 2
        if not isinstance(doc, dict) or "tests" not in doc:
            print(f"{path}: not a report (no tests)", file=sys.stderr)
            return 2
        print(f"{path}: {label(doc)}, verdict {doc.get('verdict')}, "
              f"{len(doc['tests'])} tests, host {(doc.get('run') or {}).get('host')}")
        reports.append(doc)
    print()
    agree = summarize(*reports, by_stack=True)
    passed = all(doc.get("verdict") in ("PASS", "PASS WITH FINDINGS") for doc in reports)
    print(f"\n{len(reports)} report(s): "
          + ("every scenario gave the same verdict on every machine of its stack" if agree
             else "SOME SCENARIOS' VERDICTS DIFFER between machines (above)")
          + ("" if passed else "; some run's verdict was FAIL"))
    return 0 if agree and passed else 1


if __name__ == "__main__":
    sys.exit(main())
