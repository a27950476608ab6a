"""The whole acceptance suite on the lab: total wall time, each scenario's time and figures.

    sudo .venv/bin/python benchmarks/suite.py [--prefix hacl-suite] [-- extra pytest args]
    sudo .venv/bin/python benchmarks/suite.py --compare-workers 1,2
    sudo .venv/bin/python benchmarks/suite.py --fencing

``--fencing`` runs the suite as described and again with ``--hacluster-fencing`` (STONITH on,
the fencing scenarios included) and prints both tables, then the two side by side: wall time,
outcomes, each scenario's worst outage in both runs, and every fencing the STONITH run measured
(request to confirmed, from the JUnit properties ``failover*.fence<i>.took_s``).

``--compare-workers`` runs the whole suite once per pytest-xdist worker count (``-n K``: K labs
side by side, one per worker) and prints wall time, its ratio to the first count, and the
machine's peak memory in use above what it used before the run (MemTotal - MemAvailable,
sampled every 0.5 s: every lab process, the JVMs included, not only pytest's).

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
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

GOAL_S = 300.0
REPO = Path(__file__).resolve().parents[1]


def memory_in_use_mib() -> float:
    info = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, value = line.split(":", 1)
        info[key] = int(value.split()[0])
    return (info["MemTotal"] - info["MemAvailable"]) / 1024


class PeakMemory:
    """The machine's memory in use, sampled every ``interval`` until stopped: peak - baseline."""

    def __init__(self, interval: float = 0.5) -> None:
        self.interval = interval
        self.baseline = memory_in_use_mib()
        self.peak = self.baseline
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, memory_in_use_mib())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    @property
    def above_baseline(self) -> float:
        return self.peak - self.baseline


def run_suite(prefix: str, extra: list[str]) -> tuple[float, int, Path]:
    out = Path(tempfile.mkdtemp(prefix="hacluster-suite-"))
    junit = out / "junit.xml"
    argv = [sys.executable, "-m", "pytest", "--hacluster", f"--hacluster-prefix={prefix}",
            f"--junitxml={junit}", "-p", "no:cacheprovider", "-q", *extra]
    started = time.monotonic()
    proc = subprocess.run(argv, cwd=REPO, check=False)
    return time.monotonic() - started, proc.returncode, junit


def outcomes(junit: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        outcome = "passed"
        for tag in ("failure", "error", "skipped"):
            found = case.find(tag)
            if found is not None:
                outcome = "xfailed" if found.get("type") == "pytest.xfail" else tag
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def compare_workers(prefix: str, counts: list[int], extra: list[str]) -> int:
    """The suite at each ``-n K``; figures printed side by side."""
    rows = []
    worst = 0
    for k in counts:
        with PeakMemory() as memory:
            wall, rc, junit = run_suite(f"{prefix}{k}", ["-n", str(k), *extra])
        worst = worst or rc
        seen = outcomes(junit) if junit.exists() else {"no junit": 1}
        rows.append((k, wall, memory.above_baseline, memory.baseline, seen))
    first = rows[0][1]
    print(f"\n{'-n':>3}  {'wall':>8}  {'ratio':>6}  {'peak memory':>12}  outcomes")
    for k, wall, peak, base, seen in rows:
        text = ", ".join(f"{n} {o}" for o, n in sorted(seen.items()))
        print(f"{k:>3}  {wall:7.1f}s  {wall / first:6.2f}  {peak:8.0f} MiB  {text}"
              f"  (machine used {base:.0f} MiB before)")
    print(f"machine: {os.cpu_count()} cores, {memory_in_use_mib():.0f} MiB in use now")
    return worst


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
        rows.append((float(case.get("time", 0)), name, outcome, ", ".join(outs), physics(props)))
    print(f"{'seconds':>8}  {'physics':>8}  {'overhead':>8}  {'outcome':8}  test  (outages)")
    for seconds, name, outcome, outs, phys in rows:
        print(f"{seconds:8.1f}  {phys:8.1f}  {seconds - phys:8.1f}  {outcome:8}  {name}"
              + (f"  ({outs})" if outs else ""))
    tests = sum(r[0] for r in rows)
    phys_total = sum(r[4] for r in rows)
    print(f"\n{'':8}  total wall time {wall:.1f}s (in tests, bring-up included: {tests:.1f}s; "
          f"outside: {wall - tests:.1f}s); goal {GOAL_S:.0f}s: ratio {wall / GOAL_S:.2f}")
    print(f"{'':8}  Pacemaker's physics (each fault's injection to settled): {phys_total:.1f}s; "
          f"the suite's own overhead (bring-up, clean checks, repair, waits, teardown): "
          f"{wall - phys_total:.1f}s ({(wall - phys_total) / wall:.0%} of the wall time)")
    print(f"{'':8}  machine: {os.cpu_count()} cores")


def fencing_side_by_side(prefix: str, extra: list[str]) -> int:
    """The suite with STONITH off (as described) and on; figures side by side."""
    runs = []
    for label, more in (("STONITH off", []), ("STONITH on", ["--hacluster-fencing"])):
        wall, rc, junit = run_suite(f"{prefix}{'f' if more else ''}", [*more, *extra])
        if not junit.exists():
            print(f"{label}: pytest wrote no JUnit XML (exit {rc})", file=sys.stderr)
            return rc or 1
        print(f"\n== {label}")
        report(junit, wall)
        runs.append((label, wall, rc, junit))
    worst: dict[str, dict[str, str]] = {}
    fences: list[tuple[str, str, str, str]] = []
    for label, _wall, _rc, junit in runs:
        for case in ET.parse(junit).getroot().iter("testcase"):
            name = case.get("name", "?")
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            outs = [float(v) for k, v in props.items() if k is not None
                    and k.endswith("worst_outage_s") and v not in (None, "None")]
            if outs:
                worst.setdefault(name, {})[label] = f"{max(outs):.1f}s"
            for k, v in props.items():
                if k is not None and ".fence" in k and k.endswith(".took_s"):
                    target = props.get(k.replace(".took_s", ".target")) or "?"
                    try:
                        took = f"{float(v or '')}s"
                    except ValueError:
                        took = f"not confirmed ({v})"
                    fences.append((label, name, str(target), took))
    print("\n== side by side")
    for label, wall, rc, junit in runs:
        seen = ", ".join(f"{n} {o}" for o, n in sorted(outcomes(junit).items()))
        print(f"{label:12} wall {wall:7.1f}s  exit {rc}  {seen}")
    print(f"\n{'worst outage':>14}  {'off':>7}  {'on':>7}  test")
    for name, by in sorted(worst.items()):
        print(f"{'':14}  {by.get('STONITH off', '-'):>7}  {by.get('STONITH on', '-'):>7}  {name}")
    print("\nfencing (request to confirmed):" if fences else "\nno fencing measured")
    for label, name, target, took in fences:
        print(f"  {label}: {name}: {target} in {took}")
    return max(rc for _l, _w, rc, _j in runs)


def physics(props: dict[str | None, str | None]) -> float:
    """Seconds of a test that are Pacemaker's own doing: each measured fault's injection to
    settled (``failover[N].settled_s`` in the JUnit properties)."""
    total = 0.0
    for key, value in props.items():
        if key is not None and key.split(".")[-1] in ("settled_s", "recovery_s") and value:
            try:
                total += float(value)
            except ValueError:
                continue  # "None": never settled
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="hacl-suite")
    parser.add_argument("--compare-workers", metavar="K,K", default=None,
                        help="run the suite at each xdist worker count, e.g. 1,2")
    parser.add_argument("--fencing", action="store_true",
                        help="the suite with STONITH off and on, figures side by side")
    parser.add_argument("extra", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("benchmarks/suite.py needs root (the lab makes namespaces)", file=sys.stderr)
        return 2
    if args.fencing:
        return fencing_side_by_side(args.prefix, args.extra)
    if args.compare_workers:
        counts = [int(k) for k in args.compare_workers.split(",")]
        return compare_workers(args.prefix, counts, args.extra)
    wall, rc, junit = run_suite(args.prefix, args.extra)
    if not junit.exists():
        print(f"pytest wrote no JUnit XML (exit {rc})", file=sys.stderr)
        return rc or 1
    report(junit, wall)
    return rc


if __name__ == "__main__":
    sys.exit(main())
