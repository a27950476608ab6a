"""Cold bring-up and teardown of the lab: phase timings, median of several runs, pair memory.

    sudo .venv/bin/python benchmarks/bringup.py [--runs 3] [--prefix hacl-bench]
        [--stacks debian11,debian12,debian13] [--rebuild-roots] [--fencing]

Prints one row per phase (seconds from nothing) with the median and every run, the pair's
memory once all-green (RSS and PSS summed over every process of both nodes), the teardown
time, and the ratio to the floor measured when the lab was designed (shared/notes/lab-facts.md:
6.6 s to all three URLs, 8.1 s to all four resources Started). Timings are reported, not
asserted: the machine's load moves them. With ``--stacks``, one table per stack (the nodes
running that Debian release's root, roots.py) and the one-time cost of building each root:
measured now with ``--rebuild-roots``, else as recorded when the cached root was built.
``--fencing`` also brings up the cluster with STONITH on (the same runs count) and prints its
medians beside the default's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from pytest_hacluster import netns, roots
from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import LabBackend, remove
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description, with_fencing, with_stack
from pytest_hacluster.crm_status import ParseError
from pytest_hacluster.shell import CommandError

FLOOR = {"all three URLs 200": 6.6, "all 4 resources Started": 8.1}
POLL = 0.1
LIMIT = 120.0


def _memory_kib(lab: LabBackend) -> tuple[int, int]:
    rss = pss = 0
    for name in lab.description.node_names:
        for pid in netns.pids_in(lab.node_netns(name)):
            try:
                text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            except OSError:
                continue
            for line in text.splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
    return rss, pss


def one_run(prefix: str, stack: str = "", fencing: bool = False) -> dict[str, float]:
    desc = with_stack(Description(), stack, "--stacks")
    desc = with_fencing(desc) if fencing else desc
    lab = LabBackend(desc, Settings(prefix=prefix))
    cluster = Cluster(desc, lab)
    marks: dict[str, float] = {}
    t0 = time.monotonic()

    def progress(message: str) -> None:
        now = time.monotonic() - t0
        if message.startswith("nodes up"):
            marks["namespaces + both nodes"] = now
        elif message.startswith("corosync membership"):
            marks["corosync membership of 2"] = now

    try:
        lab.up(progress)
        deadline = t0 + LIMIT
        while time.monotonic() < deadline and len(marks) < 7:
            now = time.monotonic() - t0
            replies = cluster.http.get_many(desc.urls, timeout=1)
            if replies["web"].ok:
                marks.setdefault("/ answers 200", now)
            if all(r.ok for r in replies.values()):
                marks.setdefault("all three URLs 200", now)
            try:
                state = cluster.state()
            except (CommandError, ParseError):
                state = None
            if state is not None:
                if state.dc and all(n.state == "online" for n in state.nodes.values()):
                    marks.setdefault("DC elected, both Online", now)
                if all(g.started_on for g in state.groups.values()) and len(state.groups) == 2:
                    marks.setdefault("all 4 resources Started", now)
            if "all three URLs 200" in marks and "all 4 resources Started" in marks:
                marks["pair RSS MiB"], marks["pair PSS MiB"] = (
                    v / 1024 for v in _memory_kib(lab)
                )
                break
            time.sleep(POLL)
        else:
            raise SystemExit(f"the lab did not get all-green within {LIMIT}s: {marks}")
    finally:
        t_down = time.monotonic()
        cluster.stop()
        marks["teardown"] = time.monotonic() - t_down
    return marks


PHASES = [
    "namespaces + both nodes", "corosync membership of 2", "DC elected, both Online",
    "/ answers 200", "all three URLs 200", "all 4 resources Started",
    "pair RSS MiB", "pair PSS MiB", "teardown",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prefix", default="hacl-bench")
    parser.add_argument("--stacks", default="",
                        help="comma-separated stacks (debian11,debian12,debian13); default: this "
                        "machine's own packages")
    parser.add_argument("--rebuild-roots", action="store_true",
                        help="build each stack's root afresh and time it (download included)")
    parser.add_argument("--fencing", action="store_true",
                        help="also the cluster with STONITH on, its medians beside the default's")
    args = parser.parse_args(argv)
    for stack in args.stacks.split(",") if args.stacks else [""]:
        _root_cost(stack, args.rebuild_roots)
        _bench(args.prefix, stack, args.runs, args.fencing)
    return 0


def _root_cost(stack: str, rebuild: bool) -> None:
    """The one-time cost of the stack's root: built now, or as recorded in the cache."""
    if not stack or roots.is_this_machine(roots.release(stack)):
        print(f"\n{stack or 'this machine'}: nodes run this machine's own root (no build)")
        return
    rel = roots.release(stack)
    if rebuild:
        with roots.locked(rel.name):
            built = roots.build(rel, lambda m: print(m, file=sys.stderr))
        how = "built now"
    else:
        roots.lower_dir(rel, lambda m: print(m, file=sys.stderr))
        (built,) = [c for c in roots.cached() if c.name == rel.name]
        how = f"recorded when built at {built.built}"
    size = roots.cached(with_size=True)
    mib = next(c.size_bytes for c in size if c.name == rel.name) or 0
    print(f"\n{stack}: root build {built.build_s:.1f}s ({how}; mmdebstrap, download "
          f"included), {mib / 2**20:.0f} MiB in {built.path}")


def _bench(prefix: str, stack: str, count: int, fencing: bool = False) -> None:
    remove(prefix)
    runs: list[dict[str, float]] = []
    fenced: list[dict[str, float]] = []
    for i in range(count):
        runs.append(one_run(prefix, stack))
        print(f"run {i + 1}/{count}: all URLs 200 at {runs[-1]['all three URLs 200']:.2f}s",
              file=sys.stderr)
        if fencing:
            fenced.append(one_run(prefix, stack, fencing=True))
            print(f"  with STONITH: all URLs 200 at {fenced[-1]['all three URLs 200']:.2f}s",
                  file=sys.stderr)
    print(f"lab cold bring-up ({stack or 'this machine'}), {count} runs "
          f"(poll {POLL}s; precision +/- {POLL}s)")
    print(f"{'phase':28} {'median':>8}  runs" + ("   | STONITH on: median" if fenced else ""))
    for phase in PHASES:
        values = [r[phase] for r in runs if phase in r]
        if not values:
            continue
        unit = "" if "MiB" in phase else "s"
        median = statistics.median(values)
        line = f"{phase:28} {median:8.2f}{unit}  " + " ".join(f"{v:.2f}" for v in values)
        if phase in FLOOR:
            line += f"   ratio to floor {FLOOR[phase]}s: {median / FLOOR[phase]:.2f}"
        with_stonith = [r[phase] for r in fenced if phase in r]
        if with_stonith:
            line += f"   | {statistics.median(with_stonith):.2f}{unit}  " + " ".join(
                f"{v:.2f}" for v in with_stonith)
        print(line)

if __name__ == "__main__":
    sys.exit(main())
