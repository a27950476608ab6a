"""The whole acceptance suite on the lab: total wall time, each scenario's time and figures.

    sudo .venv/bin/python benchmarks/suite.py [--prefix hacl-suite] [-- extra pytest args]

Runs ``pytest --hacluster`` once in a subprocess (bring-up and teardown included, as a user
runs it), reads its JUnit XML, and prints the time of every test, the measured outages each
recorded, the total and its ratio to the goal (5 minutes on a 2-core machine). Figures are
reported, not asserted: the goal is met by measuring where time goes, not by checking less.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

GOAL_S = 300.0
REPO = Path(__file__).resolve().parents[1]


def run_suite(prefix: str, extra: list[str]) -> tuple[float, int, Path]:
    out = Path(tempfile.mkdtemp(prefix="hacluster-suite-"))
    junit = out / "junit.xml"
    argv = [sys.executable, "-m", "pytest", "--hacluster", f"--hacluster-prefix={prefix}",
            f"--junitxml={junit}", "-p", "no:cacheprovider", "-q", *extra]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO, check=False)
    return time.monotonic() - started, proc.returncode, junit


def report(junit: Path, wall: float) -> None:
    root = ET.parse(junit).getroot()
    cases = root.iter("testcase")
    rows = []
    for case in cases:
        name = case.get("name", "?")
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = "xfailed" if found.get("type") == "pytest.xfail" else tag
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        outs = [f"{k.replace('outage_s.', '')}={v}s" for k, v in props.items()
                if k is not None and ".outage_s." in k and v not in (None, "None")]
        rows.append((float(case.get("time", 0)), name, outcome, ", ".join(outs)))
    print(f"{'seconds':>8}  {'outcome':8}  test  (outages measured)")
    for seconds, name, outcome, outs in rows:
        print(f"{seconds:8.1f}  {outcome:8}  {name}" + (f"  ({outs})" if outs else ""))
    tests = sum(r[0] for r in rows)
    print(f"\n{'':8}  total wall time {wall:.1f}s (in tests, bring-up included: {tests:.1f}s; "
          f"outside: {wall - tests:.1f}s); goal {GOAL_S:.0f}s: ratio {wall / GOAL_S:.2f}")
    print(f"{'':8}  machine: {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="hacl-suite")
    parser.add_argument("extra", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("benchmarks/suite.py needs root (the lab makes namespaces)", file=sys.stderr)
        return 2
    wall, rc, junit = run_suite(args.prefix, args.extra)
    if not junit.exists():
        print(f"pytest wrote no JUnit XML (exit {rc})", file=sys.stderr)
        return rc or 1
    report(junit, wall)
    return rc


if __name__ == "__main__":
    sys.exit(main())
