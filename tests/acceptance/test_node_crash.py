"""Scenario 9: the node running a group loses power; every group it ran comes up on the
survivor(s) within the SLO, and the crashed node, powered on again, rejoins the cluster. Once per
group of the described cluster: the node that loses power is that group's (groups sharing a
node each get their own run: every item tests, whatever ran before it)."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_groups_survive_a_node_crash_and_the_node_rejoins(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec,
) -> None:
    """Power off the group's node: every group on the survivors within SLO ``node_loss`` as
    predicted; power on: the node online again, placement as predicted."""
    sc = hacluster_scenario
    desc = hacluster.description
    victim = hacluster.group_node(hacluster_group.name)
    survivors, elsewhere = hacluster.other_nodes(victim), hacluster.elsewhere(victim)
    state = hacluster.state()
    there = [g.name for g in desc.groups if state.groups[g.name].started_on == victim]

    crash = sc.faults.crash(victim)
    m = sc.recover(
        crash,
        lambda s: not s.nodes[victim].online
        and all(s.groups[g.name].started_on in survivors for g in desc.groups),
        f"{', '.join(there)} on {elsewhere}, {victim} offline", threshold=sc.slo.node_loss,
    )
    assert m.recovered and m.within(sc.slo.node_loss), m.explain()
    assert m.as_predicted, m.explain()

    crash.undo()
    rejoin = sc.recover(
        crash.undone, lambda s: all(n.online for n in s.nodes.values()),
        f"{victim} online again", threshold=sc.slo.node_loss,
    )
    assert rejoin.recovered, rejoin.explain()
    assert rejoin.as_predicted, rejoin.explain()  # where the groups go once it is back
    sc.finding("the crashed node rejoined after power-on", node=victim,
               rejoin_s=round(rejoin.settled_s or 0, 1))
