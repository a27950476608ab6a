"""The cluster's invariants, watched from outside and from every node while a test runs.

What must hold in a healthy cluster (of 2 to 5 nodes) whatever a test does to it:

``vip_doubled``
    each VIP is answered by at most one node. Seen from outside: a broadcast ARP request on the
    clients' LAN, at the probe's rate (``arp.py``); every holder answers with its own MAC.
    HTTP cannot see this (the clients' ARP cache sends every request to one holder).
``resource_doubled``
    no resource of a group is active on two nodes, in any node's own ``crm_mon``.
``group_split``
    the active members of a group are on one node, in any node's own ``crm_mon``.
``node_change``
    no node changes state (online, standby, offline, unclean) unless a fault of the test causes
    it (a crash, a pulled interconnect, standby).

Each node's ``crm_mon`` is read every ``view_interval`` (0.5 s by default: a ``crm_mon`` costs
tens of milliseconds of CPU, and four a second per node would take a visible share of two
cores from the cluster being measured). A violation is the interval from the first look that
saw it to the first look from the same source that did not. A test declares the violations its
scenario predicts (the seed's split brain); those become findings with figures, the others fail
the test. Nothing here imports pytest.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from pytest_hacluster import crm_status
from pytest_hacluster.backends.base import FaultNotSupported
from pytest_hacluster.shell import CommandError
from pytest_hacluster.waiting import WaitTimeout, wait_until

if TYPE_CHECKING:
    from pytest_hacluster.arp import ArpScanner
    from pytest_hacluster.cluster import Cluster
    from pytest_hacluster.faults import Event

KINDS = {
    "vip_doubled": "a VIP answered ARP from two nodes",
    "resource_doubled": "a resource active on two nodes",
    "group_split": "a group's members active on different nodes",
    "node_change": "a node changed state",
}
ARP_SOURCE = "arp"

# (kind, subject, nodes): one broken invariant seen in one look
Observation = tuple[str, str, tuple[str, ...]]


@dataclass(frozen=True)
class View:
    """One node's own ``crm_mon``: what that node believes."""

    groups: dict[str, str | None]  # group -> the node it is started on (None: nowhere/split)
    node_states: dict[str, str]  # node -> crm_status.Node.state (online, standby, offline, ...)
    doubled: dict[str, tuple[str, ...]]  # resource -> the nodes it is active on (> 1)
    split: dict[str, tuple[str, ...]]  # group -> the nodes its active members are on (> 1)

    @property
    def offline(self) -> tuple[str, ...]:
        return tuple(sorted(n for n, s in self.node_states.items() if s in ("offline", "unclean")))


def view_of(
    state: crm_status.ClusterState, groups: Iterable[str], resources: Iterable[str] = ()
) -> View:
    """One node's view of the described ``groups`` and ungrouped, uncloned primitives
    (``resources``): where each group runs, what is doubled or split, node states."""
    wanted = set(groups)
    members = {
        g: tuple(sorted(grp.nodes)) for g, grp in state.groups.items() if g in wanted
    }
    return View(
        groups={g: grp.started_on for g, grp in state.groups.items() if g in wanted},
        node_states={n: x.state for n, x in state.nodes.items()},
        doubled=state.doubled(wanted, resources),
        split={g: nodes for g, nodes in members.items() if len(nodes) > 1},
    )


@dataclass(frozen=True)
class Look:
    """The VIPs' holders by ARP at one moment, with every node's latest view beside them."""

    t: float
    holders: dict[str, tuple[str, ...]]  # VIP -> nodes answering ARP ({} when not watched)
    node_views: dict[str, View]

    @property
    def views(self) -> dict[str, dict[str, str | None]]:
        """node -> group -> where that node says it runs."""
        return {n: v.groups for n, v in self.node_views.items()}

    @property
    def offline(self) -> dict[str, tuple[str, ...]]:
        """node -> the nodes it reports offline."""
        return {n: v.offline for n, v in self.node_views.items()}


@dataclass
class Violation:
    """An invariant broken from ``start`` until ``end`` (None: still broken when watching
    stopped), seen by ``seen_by`` (``arp`` or a node's own crm_mon)."""

    kind: str
    subject: str
    nodes: tuple[str, ...]
    start: float
    end: float | None
    seen_by: str
    expected: str | None = None  # why it is expected (declared by the test, caused by a fault)
    # why it is not counted: a crm_mon frame Pacemaker's scheduler never saw (``confirm.py``)
    unconfirmed: str | None = None

    @property
    def counts(self) -> bool:
        """Whether it fails a test: neither expected nor shown unconfirmed."""
        return self.expected is None and self.unconfirmed is None

    def duration(self, now: float) -> float:
        return (self.end if self.end is not None else now) - self.start

    def describe(self, origin: float, now: float) -> str:
        still = "" if self.end is not None else " (still at the end)"
        why_not = f" (not counted: {self.unconfirmed})" if self.unconfirmed else ""
        return (
            f"{self.kind}: {self.subject} on {' and '.join(self.nodes)} from "
            f"{self.start - origin:+.1f}s for {self.duration(now):.1f}s{still}, "
            f"seen by {self.seen_by}{why_not}"
        )

    def to_dict(self, origin: float = 0.0, now: float | None = None) -> dict[str, Any]:
        end = now if now is not None else self.end
        return {
            "kind": self.kind,
            "what": KINDS[self.kind],
            "subject": self.subject,
            "nodes": list(self.nodes),
            "start_s": round(self.start - origin, 2),
            "duration_s": None if end is None else round(self.duration(end), 2),
            "ended": self.end is not None,
            "seen_by": self.seen_by,
            "expected": self.expected,
            "unconfirmed": self.unconfirmed,
        }

    def __str__(self) -> str:
        return self.describe(self.start, self.end if self.end is not None else self.start)


def node_macs(cluster: Cluster) -> dict[str, str]:
    """MAC address -> node, for every node's service NIC (what ARP answers carry)."""
    macs = {}
    nic = cluster.description.service_nic
    for name, node in cluster.nodes.items():
        out = node.run(["ip", "-o", "link", "show", "dev", nic], timeout=15, check=True).stdout
        found = re.search(r"link/ether ([0-9a-f:]{17})", out)
        if found:
            macs[found.group(1)] = name
    return macs


def arp_observations(holders: dict[str, tuple[str, ...]]) -> set[Observation]:
    return {("vip_doubled", vip, nodes) for vip, nodes in holders.items() if len(nodes) > 1}


def view_observations(view: View, baseline: dict[str, str]) -> set[Observation]:
    found: set[Observation] = set()
    found |= {("resource_doubled", r, nodes) for r, nodes in view.doubled.items()}
    found |= {("group_split", g, nodes) for g, nodes in view.split.items()}
    for node, was in baseline.items():
        now = view.node_states.get(node, "offline")
        if now != was:
            found.add(("node_change", f"{node} {was} -> {now}", (node,)))
    return found


def intervals(samples: Sequence[tuple[float, str, set[Observation]]]) -> list[Violation]:
    """Samples ``(t, source, observations)`` in time order -> the intervals of each violation,
    per source: open at the first sample that shows it, closed by the next one from the same
    source that does not."""
    found: list[Violation] = []
    open_: dict[tuple[str, str, str], Violation] = {}
    for t, source, observed in samples:
        keys = {(kind, subject, source): nodes for kind, subject, nodes in observed}
        for key, nodes in keys.items():
            if key not in open_:
                open_[key] = Violation(key[0], key[1], nodes, t, None, source)
                found.append(open_[key])
        for key in [k for k in open_ if k[2] == source and k not in keys]:
            open_.pop(key).end = t
    return found


class NodeChanger(Protocol):
    """What may cause node changes (a ``Fault``, a rolling upgrade): when it began, whether
    it changes nodes, and its name (``str``)."""

    @property
    def injected(self) -> Event | None: ...

    @property
    def changes_nodes(self) -> bool: ...


def classify(
    violations: list[Violation], faults: Sequence[NodeChanger], declared: dict[str, str]
) -> list[Violation]:
    """Mark each violation expected (and why) or not: declared by the test for its kind, or a
    node change after a fault that changes nodes (or a rolling upgrade) was injected."""
    causes = [f for f in faults if f.injected is not None and f.changes_nodes]
    for v in violations:
        if v.kind in declared:
            v.expected = declared[v.kind]
        elif v.kind == "node_change":
            cause = next(
                (f for f in causes if f.injected is not None and f.injected.t <= v.start), None
            )
            if cause is not None:
                v.expected = f"caused by {cause}"
    return violations


@dataclass
class Watcher:
    """Looks at the VIPs (ARP, every ``interval``) and every node's view (every
    ``view_interval``) from ``start`` until ``stop``; bounded by ``max_s``."""

    cluster: Cluster
    interval: float = 0.1
    view_interval: float = 0.5
    max_s: float = 600.0
    arp_window: float = 0.05
    looks: list[Look] = field(default_factory=list)
    not_watched: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._views: dict[str, View] = {}
        self._states: dict[str, tuple[float, crm_status.ClusterState]] = {}
        self._samples: list[tuple[float, str, set[Observation]]] = []
        self._baseline: dict[str, str] = {}
        self._vips = [g.vip for g in self.cluster.description.groups]
        self._groups = [g.name for g in self.cluster.description.groups]
        self._singles = self.cluster.description.single_resources
        self._macs: dict[str, str] = {}
        self._scanner: ArpScanner | None = None
        self.started: float | None = None
        self.stopped: float | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> Watcher:
        """Takes the baseline (node states) and the first looks in the caller's thread."""
        self.started = time.monotonic()
        try:
            self._scanner = self.cluster.backend.arp_scanner()
            self._macs = node_macs(self.cluster)
        except FaultNotSupported as exc:
            self.not_watched.append(f"VIP holders by ARP: {exc}")
        for node in self.cluster.description.node_names:
            view = self._view(node)
            if view is not None:
                self._keep_view(time.monotonic(), node, view)
        self._look()
        names = ["arp", *self.cluster.description.node_names]
        loops: list[Callable[[], None]] = [self._arp_loop] + [
            (lambda n=n: self._view_loop(n)) for n in self.cluster.description.node_names
        ]
        for name, loop in zip(names, loops, strict=True):
            thread = threading.Thread(target=loop, name=f"hacluster-watch-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        if self.stopped is not None:
            return
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=15)
        self.stopped = time.monotonic()
        if self._scanner is not None:
            self._scanner.close()

    def __enter__(self) -> Watcher:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- sampling -----------------------------------------------------------------------------
    def _running(self) -> bool:
        assert self.started is not None
        return not self._stop.is_set() and time.monotonic() - self.started < self.max_s

    def _arp_loop(self) -> None:
        while self._running():
            began = time.monotonic()
            self._look()
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - began)))

    def _view_loop(self, node: str) -> None:
        # The nodes take turns: with two, a fresh state every quarter second across the pair.
        names = self.cluster.description.node_names
        self._stop.wait(self.view_interval * names.index(node) / len(names))
        while self._running():
            began = time.monotonic()
            view = self._view(node)
            if view is not None:
                self._keep_view(time.monotonic(), node, view)
            self._stop.wait(max(0.0, self.view_interval - (time.monotonic() - began)))

    def _look(self) -> None:
        holders: dict[str, tuple[str, ...]] = {}
        t = time.monotonic()
        if self._scanner is not None:
            try:
                seen = self._scanner.who_has(self._vips, self.arp_window)
            except OSError:
                seen = {}  # the LAN itself went away (teardown): no look
            holders = {
                vip: tuple(sorted(self._macs.get(m, m) for m in macs))
                for vip, macs in seen.items()
            }
        with self._lock:
            look = Look(t, holders, dict(self._views))
            self.looks.append(look)
            if holders:
                self._samples.append((t, ARP_SOURCE, arp_observations(holders)))

    def _view(self, node: str) -> View | None:
        try:
            state = self.cluster.state(node)
            taken = time.monotonic()
            view = view_of(state, self._groups, self._singles)
        except (CommandError, crm_status.ParseError, RuntimeError, KeyError):
            return None  # a node that is down has no view: not a violation by itself
        with self._lock:
            self._states[node] = (taken, state)
        return view

    def latest_state(self) -> tuple[float, crm_status.ClusterState]:
        """The newest ``crm_mon`` state any node gave, and when: a recovery watch reads these
        instead of asking ``crm_mon`` again. Asks a node itself when not watching. With three
        nodes or more, the newest of a partition with quorum when there is one."""
        with self._lock:
            states = list(self._states.values())
        if len(self.cluster.description.nodes) > 2:
            # A minority partition's view is not the cluster's: prefer views with quorum.
            states = [x for x in states if x[1].quorum is not False] or states
        newest = max(states, key=lambda x: x[0], default=None)
        if newest is None or self._stop.is_set() or self.started is None:
            return time.monotonic(), self.cluster.state()
        return newest

    def _keep_view(self, t: float, node: str, view: View) -> None:
        with self._lock:
            if not self._baseline:
                self._baseline = dict(view.node_states)
            self._views[node] = view
            self._samples.append((t, node, view_observations(view, self._baseline)))

    # -- results ------------------------------------------------------------------------------
    def snapshot(self) -> list[Look]:
        with self._lock:
            return list(self.looks)

    def violations(self) -> list[Violation]:
        with self._lock:
            samples = sorted(self._samples, key=lambda s: s[0])
        return intervals(samples)

    def first(self, condition: Callable[[Look], bool], after: float = 0.0) -> Look | None:
        """The first look after ``after`` (monotonic) for which ``condition`` holds."""
        return next((k for k in self.snapshot() if k.t >= after and condition(k)), None)

    def wait_for(self, condition: Callable[[Look], bool], timeout: float,
                 after: float = 0.0) -> Look | None:
        """The first look (after ``after``) where ``condition`` holds, waiting at most
        ``timeout``; None when it did not happen in that window (which may be the point)."""
        try:
            return wait_until(
                lambda: self.first(condition, after), lambda found: found is not None,
                timeout=timeout, interval=0.1, what="a look of the invariant watcher",
            )
        except WaitTimeout:
            return None

    def rates(self) -> dict[str, float]:
        """Looks per second actually achieved, per source (for the record)."""
        with self._lock:
            samples = list(self._samples)
            n_looks = len(self.looks)
        span = max(1e-9, (self.stopped or time.monotonic()) - (self.started or 0.0))
        out = {ARP_SOURCE: round(n_looks / span, 1)} if self._scanner is not None else {}
        for node in self.cluster.description.node_names:
            out[node] = round(sum(1 for s in samples if s[1] == node) / span, 1)
        return out


def each_side_alone(look: Look) -> bool:
    """Every node reports some other node offline: the membership is split."""
    return bool(look.offline) and all(look.offline.values())


def one_copy(look: Look) -> bool:
    """Every VIP answered by exactly one node, and every node reports every node online."""
    return all(len(v) == 1 for v in look.holders.values()) and not any(look.offline.values())


def doubled_everywhere(look: Look) -> bool:
    """Every VIP answered by more than one node."""
    return bool(look.holders) and all(len(v) > 1 for v in look.holders.values())


__all__ = [
    "KINDS", "Look", "View", "Violation", "Watcher", "arp_observations", "classify",
    "doubled_everywhere", "each_side_alone", "intervals", "node_macs", "one_copy",
    "view_observations", "view_of",
]
