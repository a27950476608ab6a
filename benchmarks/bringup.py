"""Cold bring-up and teardown of the lab: phase timings, median of several runs, memory.

    sudo .venv/bin/python benchmarks/bringup.py [--runs 3] [--prefix hacl-bench]
        [--stacks debian11,debian12,debian13] [--rebuild-roots] [--fencing] [--nodes 2,3,5]

Prints one row per phase (seconds from nothing) with the median and every run, the cluster's
memory once all-green (RSS and PSS summed over every process of every node), the teardown
time, and the ratio to the floor measured when the lab was designed (shared/notes/lab-facts.md:
6.6 s to all three URLs, 8.1 s to all four resources Started). Timings are reported, not
asserted: the machine's load moves them. With ``--stacks``, one table per stack (the nodes
running that Debian release's root, roots.py) and the one-time cost of building each root:
measured now with ``--rebuild-roots``, else as recorded when the cached root was built.
``--fencing`` also brings up the cluster with STONITH on (the same runs count) and prints its
medians beside the default's. ``--nodes 2,3,5`` benchmarks the seed's cluster with that many
nodes (s1 and s2 as the seed has them, then s3, s4, ... at .123, .124, ... on both networks),
one table per count, and prints what each node beyond two costs (the median's difference to
two nodes, divided by the nodes added).
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
from pytest_hacluster.config import Description, from_mapping, with_fencing, with_stack
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


def described(nodes: int) -> Description:
    """The seed's cluster with ``nodes`` nodes (2 to 5): s1 and s2 as the seed has them, each
    further node sN at 192.168.1.12N / 192.168.9.12N with ssh port 2N22 (the issue's s3)."""
    if nodes == 2:
        return Description()
    table: dict[str, dict[str, object]] = {"s1": {}, "s2": {}}
    for i in range(3, nodes + 1):
        table[f"s{i}"] = {"service_ip": f"192.168.1.12{i}", "interconnect_ip": f"192.168.9.12{i}",
                          "ssh_port": int(f"2{i}22")}
    return from_mapping({"nodes": table}, where="--nodes")


def one_run(prefix: str, stack: str = "", fencing: bool = False,
            nodes: int = 2) -> dict[str, float]:
    """One cold bring-up to all-green and its teardown: phase name -> seconds from nothing
    (MiB for the memory rows). SystemExit when not all-green within LIMIT seconds."""
    desc = with_stack(described(nodes), stack, "--stacks")
    desc = with_fencing(desc) if fencing else desc
    lab = LabBackend(desc, Settings(prefix=prefix))
    cluster = Cluster(desc, lab)
    marks: dict[str, float] = {}
    t0 = time.monotonic()

    def progress(message: str) -> None:
        now = time.monotonic() - t0
        if message.startswith("nodes up"):
            marks["namespaces + all nodes"] = now
        elif message.startswith("corosync membership"):
            marks["corosync membership of all"] = now

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
                    marks.setdefault("DC elected, all Online", now)
                if all(g.started_on for g in state.groups.values()) and len(state.groups) == 2:
                    marks.setdefault("all 4 resources Started", now)
            if "all three URLs 200" in marks and "all 4 resources Started" in marks:
                marks["cluster RSS MiB"], marks["cluster PSS MiB"] = (
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
    "namespaces + all nodes", "corosync membership of all", "DC elected, all Online",
    "/ answers 200", "all three URLs 200", "all 4 resources Started",
    "cluster RSS MiB", "cluster PSS MiB", "teardown",
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
    parser.add_argument("--nodes", default="2",
                        help="comma-separated node counts, 2 to 5 (e.g. 2,3,5): one table each "
                        "and the cost per node beyond two")
    args = parser.parse_args(argv)
    try:
        counts = [int(n) for n in args.nodes.split(",")]
        for n in counts:
            described(n)
    except ValueError as exc:
        parser.error(f"--nodes: {exc}")
    for stack in args.stacks.split(",") if args.stacks else [""]:
        _root_cost(stack, args.rebuild_roots)
        medians = {n: _bench(args.prefix, stack, args.runs, args.fencing, n) for n in counts}
        _per_node(medians)
    return 0


def _per_node(medians: dict[int, dict[str, float]]) -> None:
    """Each node count's medians against two nodes': the cost of one more node."""
    if 2 not in medians or len(medians) < 2:
        return
    base = medians[2]
    counts = [n for n in sorted(medians) if n > 2]
    print("\ncost per node beyond two (median difference / nodes added)")
    print(f"{'phase':28} " + " ".join(f"{f'{n} nodes':>12}" for n in counts))
    for phase in PHASES:
        if phase not in base:
            continue
        unit = " MiB" if "MiB" in phase else "s"
        cells = [f"{(medians[n][phase] - base[phase]) / (n - 2):+.2f}{unit}"
                 if phase in medians[n] else "-" for n in counts]
        print(f"{phase:28} " + " ".join(f"{c:>12}" for c in cells))


def _root_cost(stack: str, rebuild: bool) -> None:
    """The one-time cost of the stack's root: built now, or as recorded in the cache."""
    if not stack or roots.is_this_machine(roots.release(stack)):
        print(f"\n{stack or 'this machine'}: nodes run this machine's own root (no build)")
        return
    rel = roots.release(stack)
    if rebuild:
        with roots.locked(rel.cache_name):
            built = roots.build(rel, lambda m: print(m, file=sys.stderr))
        how = "built now"
    else:
        roots.lower_dir(rel, lambda m: print(m, file=sys.stderr))
        (built,) = [c for c in roots.cached() if c.name == rel.cache_name]
        how = f"recorded when built at {built.built}"
    size = roots.cached(with_size=True)
    mib = next(c.size_bytes for c in size if c.name == rel.cache_name) or 0
    print(f"\n{stack}: root build {built.build_s:.1f}s ({how}; mmdebstrap, download "
          f"included), {mib / 2**20:.0f} MiB in {built.path}")


def _bench(prefix: str, stack: str, count: int, fencing: bool = False,
           nodes: int = 2) -> dict[str, float]:
    """``count`` cold bring-ups of ``nodes`` nodes, printed as a table; returns the medians
    (phase -> seconds, or MiB)."""
    remove(prefix)
    runs: list[dict[str, float]] = []
    fenced: list[dict[str, float]] = []
    for i in range(count):
        runs.append(one_run(prefix, stack, nodes=nodes))
        print(f"{nodes} nodes, run {i + 1}/{count}: all URLs 200 at "
              f"{runs[-1]['all three URLs 200']:.2f}s", file=sys.stderr)
        if fencing:
            fenced.append(one_run(prefix, stack, fencing=True, nodes=nodes))
            print(f"  with STONITH: all URLs 200 at {fenced[-1]['all three URLs 200']:.2f}s",
                  file=sys.stderr)
    print(f"\nlab cold bring-up of {nodes} nodes ({stack or 'this machine'}), {count} runs "
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
    return {phase: statistics.median([r[phase] for r in runs if phase in r])
            for phase in PHASES if any(phase in r for r in runs)}


if __name__ == "__main__":
    sys.exit(main())
