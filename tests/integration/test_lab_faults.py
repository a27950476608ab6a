"""The lab's machine-level faults on a real lab: a pulled cable, a power cut, and repair after
a run that never undid them (Ctrl-C during a test of a kept lab), with a move constraint and a
standby node left behind too."""

from __future__ import annotations

from pytest_hacluster.cluster import Cluster


def test_repair_plugs_cables_and_powers_nodes_left_broken(cluster: Cluster) -> None:
    backend = cluster.backend
    victim = cluster.group_node("web")
    other = cluster.other_node(victim)
    cluster.crm("resource", "move", "web", other)
    cluster.crm("node", "standby", other)
    backend.set_cable(other, cluster.description.interconnect_nic, plugged=False)
    backend.power_off(victim)
    assert not cluster.health().ok

    said: list[str] = []
    health = cluster.repair(said.append, timeout=120)

    assert health.ok, health.problems
    assert any(f"powered {victim} on" in s for s in said), said
    assert any(f"plugged eth2 of {other} back" in s for s in said), said
    assert all(all(links.values()) for links in cluster.links().values())
    assert cluster.cli_constraints() == []
    assert all(n.state == "online" for n in cluster.state().nodes.values())


def test_a_powered_off_node_answers_nothing_on_the_lan(cluster: Cluster) -> None:
    desc = cluster.description
    victim = cluster.group_node("web")
    macs_before = cluster.backend.arp_replies(desc.web.vip)
    assert len(macs_before) == 1
    cluster.backend.power_off(victim)
    # Its netns still has the VIP configured; the dark links must keep it silent.
    assert cluster.http.get(cluster.urls["web"], timeout=1.0).error is not None
    assert cluster.backend.arp_replies(desc.web.vip) == []  # before the survivor takes it
