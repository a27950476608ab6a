"""A resource on two nodes in a node's crm_mon is a violation only when Pacemaker's scheduler saw
it too (``confirm.py``), on a real lab: a VIP really configured on both nodes is confirmed
(the scheduler says so, the users' LAN sees two holders), while a crashed node's rejoin, which
some looks catch showing its old operation history, fails nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.confirm import SchedulerCheck, multiply_active
from pytest_hacluster.crm_status import ClusterState, ParseError
from pytest_hacluster.invariants import Watcher
from pytest_hacluster.waiting import wait_until


def _settled(
    cluster: Cluster, node: str, what: str, ok: Callable[[ClusterState], bool],
    timeout: float = 60,
) -> None:
    """Wait until ``node``'s own crm_mon satisfies ``ok`` (a node still booting has none)."""
    def look() -> ClusterState | None:
        try:
            return cluster.state(node)
        except ParseError:
            return None

    wait_until(look, lambda s: s is not None and ok(s), timeout=timeout, interval=0.25,
               what=what)


def test_a_vip_really_on_two_nodes_is_confirmed_by_the_scheduler(cluster: Cluster) -> None:
    desc = cluster.description
    holder = cluster.group_node(desc.web.name)
    other = cluster.other_node(holder)
    watch = Watcher(cluster, interval=0.1, view_interval=0.25).start()
    started = time.time()
    try:
        # What a forgotten manual `ip addr add` does: the VIP is really up twice. Pacemaker
        # learns of it by probing (here asked for at once; it would in its own time).
        cluster.node(other).run(
            ["ip", "addr", "add", f"{desc.web.vip}/{desc.netmask}", "dev", desc.service_nic],
            timeout=10, check=True,
        )
        cluster.run_anywhere(["crm_resource", "--refresh", "--resource", desc.web.vip_resource,
                              "--node", other])
        # The refresh only asks for a probe: wait for a view showing the double first (a
        # recovery wait alone could end before the probe ran).
        wait_until(
            lambda: [v for v in watch.violations()
                     if v.kind == "resource_doubled" and v.subject == desc.web.vip_resource],
            bool, timeout=60, interval=0.1, what="a node's view showing the VIP on two nodes",
            describe=lambda found: f"violations so far: {watch.violations()}",
        )
        _settled(cluster, holder, "the scheduler's recovery of the doubled VIP",
                 lambda s: len(s.resources[desc.web.vip_resource].nodes) == 1
                 and s.groups[desc.web.name].started_on is not None
                 and time.time() - started > 3)
    finally:
        watch.stop()
    found = watch.violations()
    SchedulerCheck(cluster).apply(found)
    doubled = [v for v in found if v.kind == "resource_doubled"]
    print("\n".join(str(v) for v in found))
    assert doubled, "the nodes' views never showed the VIP on two nodes"
    assert all(v.counts for v in doubled if v.subject == desc.web.vip_resource), doubled
    said = multiply_active(cluster.log_window(started - 1, time.time() + 1))
    assert desc.web.vip_resource in said, "the scheduler should have reported it"


def test_a_rejoining_node_fails_nothing_whatever_a_look_catches(cluster: Cluster) -> None:
    """Crash and power on the web node a few times with the watcher running: every doubled
    resource a view shows must be one the scheduler never saw (the stale history of the
    rejoin, see confirm.py), and none may count."""
    desc = cluster.description
    watch = Watcher(cluster, interval=0.1, view_interval=0.25).start()
    check = SchedulerCheck(cluster)
    try:
        for _ in range(2):
            victim = cluster.group_node(desc.web.name)
            survivor = cluster.other_node(victim)
            cluster.backend.power_off(victim)
            _settled(cluster, survivor, f"every group on {survivor}",
                     lambda s, there=survivor: all(
                         s.groups[g.name].started_on == there for g in desc.groups))
            cluster.backend.power_on(victim, lambda _msg: None)
            _settled(cluster, survivor, f"{victim} online and every group started",
                     lambda s: all(n.online for n in s.nodes.values())
                     and all(s.groups[g.name].started_on for g in desc.groups))
            check.settle(watch)
    finally:
        watch.stop()
    found = [v for v in watch.violations() if v.kind in ("resource_doubled", "group_split")]
    check.apply(found)
    print(f"doubled or split views during 2 rejoins: {len(found)}")
    print("\n".join(str(v) for v in found))
    assert [v for v in found if v.counts] == []
