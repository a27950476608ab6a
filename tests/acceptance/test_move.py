"""Scenario 6, the seed's operations list: ``crm resource move web s2`` then ``unmove``."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_move_and_unmove_web(hacluster: Cluster, hacluster_scenario: Scenario) -> None:
    sc = hacluster_scenario
    web = hacluster.description.groups[0]
    home = hacluster.group_node(web.name)
    target = hacluster.other_nodes(home)[0]

    move = sc.faults.move(web.name, target)
    m = sc.recover(
        move, lambda s: s.groups[web.name].started_on == target, f"{web.name} on {target}",
        urls=hacluster.description.checks_of(web.name), threshold=sc.slo.switchover,
    )
    assert m.recovered and m.within(sc.slo.switchover), m.explain()
    assert m.as_predicted, m.explain()
    assert hacluster.cli_constraints() == [f"cli-prefer-{web.name}"]

    move.undo()
    hacluster.wait_settled()
    assert hacluster.cli_constraints() == []
    where = hacluster.group_node(web.name)
    sc.finding(  # relative to the scenario, so it reads the same in every run
        f"after unmove {web.name} " + ("stays on the node it was moved to" if where == target
                                       else "returns to where it ran before"),
        node=where, moved_to=target,
    )
    assert not hacluster.state().failed_actions
