"""Scenario 6, the seed's operations list: ``crm resource move GROUP NODE`` then ``unmove``, for
every group of the described cluster."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_move_and_unmove(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec
) -> None:
    """The group moved to another node (the seed's ``crm resource move web s2``): there within
    SLO ``switchover`` as the scheduler predicted, with its ``cli-prefer-`` constraint; unmove
    takes the constraint away, and where the group then stays is reported."""
    sc = hacluster_scenario
    group = hacluster_group.name
    home = hacluster.group_node(group)
    target = hacluster.other_nodes(home)[0]

    move = sc.faults.move(group, target)
    m = sc.recover(
        move, lambda s: s.groups[group].started_on == target, f"{group} on {target}",
        urls=hacluster.description.checks_of(group), threshold=sc.slo.switchover,
    )
    assert m.recovered and m.within(sc.slo.switchover), m.explain()
    assert m.as_predicted, m.explain()
    assert hacluster.cli_constraints() == [f"cli-prefer-{group}"]

    move.undo()
    hacluster.wait_settled()
    assert hacluster.cli_constraints() == []
    where = hacluster.group_node(group)
    sc.finding(  # relative to the scenario, so it reads the same in every run
        f"after unmove {group} " + ("stays on the node it was moved to" if where == target
                                    else "returns to where it ran before"),
        node=where, moved_to=target,
    )
    assert not hacluster.state().failed_actions
