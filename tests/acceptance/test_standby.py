"""Scenario 5: standby of the node running a group moves every group off it (to the other node
of a pair); ``online`` brings the node back, and whether groups fail back (default stickiness)
is measured. Once per group of the described cluster: the node put in standby is that group's
(groups sharing a node each get their own run: every item tests, whatever ran before it)."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_standby_moves_every_group_and_online_brings_the_node_back(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec,
) -> None:
    """Standby of the group's node: that group and every other group there on other nodes
    within SLO ``switchover``, as predicted; online: the node back, failback as predicted."""
    sc = hacluster_scenario
    desc = hacluster.description
    active = hacluster.group_node(hacluster_group.name)
    others, elsewhere = hacluster.other_nodes(active), hacluster.elsewhere(active)
    state = hacluster.state()
    before = {g.name: state.groups[g.name].started_on for g in desc.groups}
    there = sorted(g for g, n in before.items() if n == active)

    standby = sc.faults.standby(active)
    m = sc.recover(
        standby,
        lambda s: s.nodes[active].state == "standby"
        and all(s.groups[g.name].started_on in others for g in desc.groups),
        f"{', '.join(there)} on {elsewhere}", threshold=sc.slo.switchover,
    )
    assert m.recovered and m.within(sc.slo.switchover), m.explain()
    assert m.as_predicted, m.explain()
    assert not hacluster.state().failed_actions

    standby.undo()
    back = sc.recover(
        standby.undone, lambda s: s.nodes[active].state == "online", f"{active} online again",
        threshold=sc.slo.switchover,
    )
    hacluster.wait_settled()
    after = {g.name: hacluster.group_node(g.name) for g in desc.groups}
    assert back.recovered, back.explain()
    assert back.as_predicted, back.explain()  # failback (or not) as the scheduler said
    failed_back = sorted(g for g, n in after.items() if n == active)
    sc.finding(  # relative to the scenario (the node put in standby): the same every run
        f"after online of the node that was in standby: {', '.join(failed_back) or 'no group'} "
        "failed back",
        node=active, before=before, after=after, outage_s=back.worst_outage_s,
    )
