"""Scenario 9: the active node loses power; its groups come up on the survivor(s) within the SLO,
and the crashed node, powered on again, rejoins the cluster."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_groups_survive_a_node_crash_and_the_node_rejoins(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    victim = hacluster.group_node(desc.groups[0].name)
    survivors, elsewhere = hacluster.other_nodes(victim), hacluster.elsewhere(victim)

    crash = sc.faults.crash(victim)
    m = sc.recover(
        crash,
        lambda s: not s.nodes[victim].online
        and all(s.groups[g.name].started_on in survivors for g in desc.groups),
        f"every group on {elsewhere}, {victim} offline", threshold=sc.slo.node_loss,
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
