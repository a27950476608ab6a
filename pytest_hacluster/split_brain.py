"""Split brain seen from outside (who answers ARP for each VIP) and from each side's crm_mon.

HTTP cannot show a split brain: the clients' ARP cache sends every request to one of the two
nodes holding a VIP. ARP can: a broadcast request for the VIP is answered by every node that
has it, each with its own MAC. The watcher samples that (about once a second, bounded by its
window) together with each node's own ``crm_mon``, and keeps the intervals in which a VIP was
held by two nodes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pytest_hacluster import crm_status
from pytest_hacluster.shell import CommandError
from pytest_hacluster.waiting import WaitTimeout, wait_until

if TYPE_CHECKING:
    from pytest_hacluster.cluster import Cluster


def node_macs(cluster: Cluster) -> dict[str, str]:
    """MAC address -> node, for every node's service NIC."""
    macs = {}
    nic = cluster.description.service_nic
    for name, node in cluster.nodes.items():
        out = node.run(["ip", "-o", "link", "show", "dev", nic], timeout=15, check=True).stdout
        found = re.search(r"link/ether ([0-9a-f:]{17})", out)
        if found:
            macs[found.group(1)] = name
    return macs


@dataclass(frozen=True)
class Look:
    """One look: the nodes answering ARP for each VIP, and each node's own view."""

    t: float
    holders: dict[str, tuple[str, ...]]  # VIP -> nodes answering ARP for it
    views: dict[str, dict[str, str | None]]  # node -> group -> where that node says it runs
    offline: dict[str, tuple[str, ...]]  # node -> the nodes it reports offline


@dataclass
class Doubled:
    """A VIP held by two nodes at once, from the first look that saw it to the first that
    did not (``end`` None: still doubled when watching stopped)."""

    vip: str
    start: float
    end: float | None
    nodes: tuple[str, ...]

    def duration(self, now: float) -> float:
        return (self.end if self.end is not None else now) - self.start


@dataclass
class SplitWatch:
    """Looks at the VIPs and each side's view about once a second until stopped."""

    cluster: Cluster
    interval: float = 1.0
    max_s: float = 600.0
    looks: list[Look] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._macs = node_macs(self.cluster)
        self._vips = [g.vip for g in self.cluster.description.groups]
        self._pool = ThreadPoolExecutor(max_workers=len(self._vips) + len(self._macs))

    def look(self) -> Look:
        t = time.monotonic()
        arp = {vip: self._pool.submit(self.cluster.backend.arp_replies, vip) for vip in self._vips}
        views = {n: self._pool.submit(self._view, n) for n in self.cluster.description.node_names}
        holders = {
            vip: tuple(sorted(self._macs.get(m, m) for m in f.result())) for vip, f in arp.items()
        }
        seen = {n: f.result() for n, f in views.items()}
        return Look(
            t, holders, {n: v[0] for n, v in seen.items()}, {n: v[1] for n, v in seen.items()}
        )

    def _view(self, node: str) -> tuple[dict[str, str | None], tuple[str, ...]]:
        try:
            state = self.cluster.state(node)
        except (CommandError, crm_status.ParseError, RuntimeError):
            return {}, ()
        groups = {g: grp.started_on for g, grp in state.groups.items()}
        offline = tuple(sorted(n for n, x in state.nodes.items() if not x.online))
        return groups, offline

    def start(self) -> SplitWatch:
        """The first look is taken here, in the test's thread: a backend that cannot see the
        LAN raises ``FaultNotSupported`` at once, and the looks start with a baseline."""
        self._started = time.monotonic()
        self.looks.append(self.look())
        self._thread = threading.Thread(target=self._loop, name="hacluster-split", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> SplitWatch:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while not self._stop.is_set() and time.monotonic() - self._started < self.max_s:
            began = time.monotonic()
            found = self.look()
            with self._lock:
                self.looks.append(found)
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - began)))

    # -- results ------------------------------------------------------------------------------
    def snapshot(self) -> list[Look]:
        with self._lock:
            return list(self.looks)

    def doubled(self) -> list[Doubled]:
        """Every interval in which a VIP answered ARP from more than one node."""
        return doubled_intervals(self.snapshot())

    def wait_for(self, condition: Callable[[Look], bool], timeout: float,
                 after: float = 0.0) -> Look | None:
        """The first look (after ``after``) where ``condition`` holds, waiting at most
        ``timeout``; None when it did not happen in that window (which may be the point)."""
        try:
            return wait_until(
                lambda: self.first(condition, after), lambda found: found is not None,
                timeout=timeout, interval=0.2, what="a look of the split-brain watcher",
            )
        except WaitTimeout:
            return None

    def first(self, condition: Callable[[Look], bool], after: float = 0.0) -> Look | None:
        """The first look after ``after`` (monotonic) for which ``condition`` holds."""
        return next((k for k in self.snapshot() if k.t >= after and condition(k)), None)


def doubled_intervals(looks: list[Look]) -> list[Doubled]:
    """Every interval in which a VIP answered ARP from more than one node, from the first look
    that saw it to the first look that did not."""
    found: list[Doubled] = []
    open_: dict[str, Doubled] = {}
    for look in looks:
        for vip, nodes in look.holders.items():
            if len(nodes) > 1 and vip not in open_:
                open_[vip] = Doubled(vip, look.t, None, nodes)
                found.append(open_[vip])
            elif len(nodes) <= 1 and vip in open_:
                open_.pop(vip).end = look.t
    return found


def each_side_alone(look: Look) -> bool:
    """Every node reports some other node offline: the membership is split."""
    return bool(look.offline) and all(look.offline.values())


def one_copy(look: Look) -> bool:
    """Every VIP answered by exactly one node, and every node reports every node online."""
    return all(len(v) == 1 for v in look.holders.values()) and not any(look.offline.values())


__all__ = [
    "Doubled", "Look", "SplitWatch", "doubled_intervals", "each_side_alone", "node_macs",
    "one_copy",
]
