"""Scenario 8: the service LAN cable (eth1) of the active node pulled.

The seed's configuration has nothing that watches the service LAN: IPaddr2 keeps the VIP on
the dead link and Pacemaker sees no failure, so users lose the service until the cable is back.
That is measured and reported. With the optional ``ocf:pacemaker:ping`` resource on the
gateway and its location rule, the groups move to the node that still reaches the LAN.
"""

from __future__ import annotations

import pytest

from pytest_hacluster import fencing
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import WaitTimeout, wait_until

pytestmark = pytest.mark.hacluster


def test_service_lan_loss_goes_unnoticed_with_the_seeds_configuration(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    node = hacluster.group_node(desc.groups[0].name)
    mine = [g.name for g in desc.groups if hacluster.group_node(g.name) == node]
    pull = sc.faults.pull_cable(node, desc.service_nic)
    window = sc.slo.node_loss.seconds
    try:
        moved = wait_until(
            hacluster.state, lambda s: any(s.groups[g].started_on != node for g in mine),
            timeout=window, interval=0.5, what="a group leaving the node with the dead LAN",
        )
    except WaitTimeout:
        moved = None
    state = hacluster.state()
    pull.undo()
    # Measured from the pull: users are without service until the cable is back.
    back = sc.recover(
        pull, lambda s: all(s.groups[g].started_on == node for g in mine),
        "every URL answering after the cable is back", timeout=window + 60,
    )
    # With STONITH on, the lab's fence devices reach the power controller over the service LAN
    # (as fence_vbox or an IPMI on that LAN would): the node's device fails with its cable.
    # Pacemaker noticing its fence device is not Pacemaker noticing the users' outage.
    devices = ({fencing.device_id(n) for n in desc.node_names} if desc.fencing.enabled
               else set())
    service_failures = [a for a in state.failed_actions if a.resource not in devices]
    device_failures = sorted({f"{a.resource} {a.operation} on {a.node}"
                              for a in state.failed_actions if a.resource in devices})
    sc.finding(
        f"service LAN loss of {desc.groups[0].name}'s node not detected: its groups stayed there "
        f"for the {window:.0f}s watched, users without them until the cable came back",
        node=node, groups=mine, outage_s=back.worst_outage_s,
        failed_actions=len(service_failures),
    )
    if device_failures:
        sc.finding("the fence device failed with the service LAN it is reached over",
                   failed=device_failures)
    assert moved is None, f"a group moved: {moved.groups if moved else ''}"
    assert not service_failures, service_failures
    assert back.recovered, back.explain()
    assert back.prediction is not None and back.prediction.matched is None  # recorded as such


def test_service_lan_loss_moves_the_groups_with_a_ping_check(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    sc.faults.ping_check()
    node = hacluster.group_node(desc.groups[0].name)
    others, elsewhere = hacluster.other_nodes(node), hacluster.elsewhere(node)
    pull = sc.faults.pull_cable(node, desc.service_nic)
    m = sc.recover(
        pull, lambda s: all(s.groups[g.name].started_on in others for g in desc.groups),
        f"every group on {elsewhere}, which still reaches the gateway",
        threshold=sc.slo.node_loss,
    )
    assert m.recovered and m.within(sc.slo.node_loss), m.explain()
    assert m.as_predicted, m.explain()  # the scheduler sees the ping attribute drop
