"""Is a resource a node's ``crm_mon`` shows on two nodes really doubled? Ask the scheduler.

A ``crm_mon`` view is one frame of a node's copy of the CIB. Some frames show Pacemaker's CIB
between two writes of one step, and no decision is ever made on them. The one that matters is
a node rejoining after it was lost without fencing (the seed's configuration: STONITH off):

- When the DC loses a node it is not fencing, it records only that the node's controller is
  offline (``peer_update_callback`` writes ``crmd="offline"``; ``join="member"`` and the node's
  operation history stay: only a confirmed fencing erases them, ``controld_fencing.c``).
- When the node comes back, membership writes ``in_ccm="true"`` and its controller's return
  ``crmd="online"``. With ``join`` still ``member`` from before, ``crm_mon`` counts the node
  online (``determine_online_status_no_fencing`` in ``lib/pengine/unpack.c``) and reads its old
  operation history: every resource it ran before it was lost shows as active there too.
- The DC erases that history when the node confirms its join (``do_dc_join_ack`` in
  ``controld_join_dc.c``: ``controld_delete_node_state`` then the node's real history). The
  scheduler does not run meanwhile: the DC is in S_INTEGRATION / S_FINALIZE_JOIN.

Measured on the lab (Pacemaker 2.1.5, ``-n 2 --hacluster-repeat 4`` of the crash scenario):
one rejoin in four showed ``vip_httpd`` and ``httpd`` on both nodes in the survivor's
``crm_mon`` for one look (0.5-0.7 s, 3-4 s after power-on), during the DC's join-1/join-2
exchange; no scheduler ever logged the resource active on two nodes, no action was scheduled
for it, and the users' probe saw no outage of that group.

A resource really active on two nodes does not vanish by itself: it ends through a transition
the scheduler computed, and the scheduler says so first, at error level, naming the resource
(2.1 and 3.0: ``ocf resource httpd might be active on 2 nodes (restart)``; 2.0: ``Resource
httpd is active on 2 nodes (restart)``; 1.1: ``Resource httpd (ocf::heartbeat:apache) is
active on 2 nodes attempting recovery``; ``pcmk_sched_primitive.c`` / ``pcmk_sched_native.c``
/ ``pengine/native.c``). So a ``resource_doubled`` window is confirmed when the cluster's logs
have that line for the resource between the window's start and shortly after its end, or when
it was still open at the end (never resolved: counted, whatever it was). A ``group_split``
window is confirmed unless every member doubled beside it in the same view was unconfirmed.
What is not confirmed is kept, with why, and fails nothing. ARP (``vip_doubled``) needs no
confirmation: two nodes answering for one address is what users meet.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from pytest_hacluster.invariants import Violation
from pytest_hacluster.waiting import WaitTimeout, wait_until

if TYPE_CHECKING:
    from pytest_hacluster.cluster import Cluster
    from pytest_hacluster.invariants import Watcher

# The scheduler's own words when it finds a resource active on several nodes (see above).
MULTIPLY_ACTIVE = re.compile(
    r"[Rr]esource (?P<rsc>[^\s(]+) (?:\([^)]*\) )?(?:is|might be|appears to be) active on "
    r"(?P<count>\d+) nodes"
)
SLACK_S = 2.0  # log stamps against the watcher's looks: clocks of one machine, ms resolution
UNCONFIRMED = (
    "Pacemaker's scheduler never found {rsc} active on two nodes (no 'active on N nodes' in the "
    "cluster's logs for that window): a crm_mon frame no decision was made on, such as a lost "
    "node's old operation history shown while it rejoins, before the DC erases it"
)


def multiply_active(lines: Iterable[str]) -> set[str]:
    """The resources the scheduler reported active on more than one node in ``lines``."""
    found = set()
    for line in lines:
        match = MULTIPLY_ACTIVE.search(line)
        if match and int(match["count"]) > 1:
            found.add(match["rsc"].split(":", 1)[0])  # clone instances name their parent
    return found


def confirm(
    violations: Sequence[Violation],
    log_window: Callable[[float, float], list[str]],
    members: dict[str, tuple[str, ...]],
    now: float | None = None,
    said: dict[tuple[str, str, float], bool] | None = None,
) -> None:
    """Mark each ``crm_mon`` view's ``resource_doubled`` / ``group_split`` window that the
    scheduler never saw as ``unconfirmed`` (with why); others are left as they are.

    ``violations`` carry monotonic times; ``log_window(start, end)`` takes wall-clock seconds
    and returns the cluster's log lines (``Cluster.log_window``), asked once per closed window
    (a few, seconds each) unless ``said`` (a cache: window -> confirmed) already knows it.
    ``members``: group -> its resources. Raises what ``log_window`` raises.
    """
    now = time.monotonic() if now is None else now
    to_wall = time.time() - now
    said = {} if said is None else said
    for v in violations:
        if v.kind != "resource_doubled" or v.end is None:
            continue
        key = (v.subject, v.seen_by, v.start)
        if key not in said:
            lines = log_window(v.start - SLACK_S + to_wall, v.end + SLACK_S + to_wall)
            said[key] = v.subject in multiply_active(lines)
        if not said[key]:
            v.unconfirmed = UNCONFIRMED.format(rsc=v.subject)
    for v in violations:
        if v.kind != "group_split" or v.end is None:
            continue
        beside = [
            d for d in violations
            if d.kind == "resource_doubled" and d.seen_by == v.seen_by
            and d.subject in members.get(v.subject, ()) and _overlap(d, v, now)
        ]
        if beside and all(d.unconfirmed for d in beside):
            v.unconfirmed = (
                f"its members were shown on two nodes in the same frames, and the scheduler "
                f"never found them so ({', '.join(sorted({d.subject for d in beside}))})"
            )


class SchedulerCheck:
    """``confirm`` for one watcher on one cluster: waits (bounded) for windows still open to
    close, then confirms them, each window asked about once."""

    KINDS = ("resource_doubled", "group_split")

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.members = {
            g.name: (g.vip_resource, g.service_resource) for g in cluster.description.groups
        }
        self._said: dict[tuple[str, str, float], bool] = {}

    def settle(
        self, watch: Watcher, timeout: float = 10.0, declared: Iterable[str] = ()
    ) -> None:
        """Wait until no view shows a doubled resource or split group any more, at most
        ``timeout`` s: a frame a rejoin shows closes within a second; one still open after
        that is counted as it stands. Kinds the test ``declared`` expected are not waited for
        (the seed's split brain leaves doubles until the repair)."""
        kinds = [k for k in self.KINDS if k not in set(declared)]

        def still_open() -> list[str]:
            return [str(v) for v in watch.violations() if v.kind in kinds and v.end is None]

        if watch.stopped is not None or not still_open():
            return
        try:
            wait_until(still_open, lambda left: not left, timeout=timeout, interval=0.2,
                       what="doubled resources in the nodes' views to end")
        except WaitTimeout:
            return

    def apply(self, violations: Sequence[Violation]) -> None:
        """``confirm`` these violations (the cluster's logs are read only for closed
        ``resource_doubled`` windows not asked about before)."""
        confirm(violations, lambda start, end: self.cluster.log_window(start, end),
                self.members, said=self._said)


def _overlap(a: Violation, b: Violation, now: float) -> bool:
    return a.start <= (b.end or now) and b.start <= (a.end or now)

