"""``crm resource stop`` / ``start`` of each group: users lose exactly that group's checks."""

from __future__ import annotations

import pytest

from pytest_hacluster import oracle
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster


def test_stopped_group_is_down_until_started(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec
) -> None:
    """The group stopped: every resource of it Stopped as the scheduler predicted, its checks
    (and those it serves for another group) fail, every other check still answers; started
    again: its checks back within SLO ``switchover``, placed as predicted. The start may move
    other groups too (stickiness 0: the scheduler spreads groups again, measured on three
    nodes); the checks of every group that stayed where it was were never down."""
    sc = hacluster_scenario
    desc = hacluster.description
    group = hacluster_group.name
    down = desc.checks_of(group)
    untouched = [c for c in desc.urls if c not in down]
    state = hacluster.state()
    before = {g.name: state.groups[g.name].started_on for g in desc.groups}
    stop = sc.faults.stop(group)
    wait_until(
        hacluster.state,
        lambda s: all(r.role == "Stopped" for r in s.groups[group].resources),
        timeout=sc.slo.switchover.seconds, interval=0.5, what=f"{group} Stopped",
        describe=lambda s: ", ".join(f"{r.id} {r.role}" for r in s.groups[group].resources),
    )
    hacluster.wait_settled()
    assert stop.expected is not None
    check = oracle.compare(stop.expected, hacluster.state())
    sc.finding(f"stop {group}: prediction {check.verdict}", observed=check.groups)
    assert check.matched is not False, check
    for name in down:
        reply = hacluster.http.get(hacluster.urls[name])
        assert not reply.ok, reply.describe()
    for name in untouched:
        reply = hacluster.http.get(hacluster.urls[name])
        assert reply.ok, reply.describe()

    stop.undo()
    m = sc.recover(
        stop, lambda s: s.groups[group].started_on is not None,
        f"{group} Started again", urls=down, threshold=sc.slo.switchover,
        timeout=120,
    )
    assert m.recovered, m.explain()
    assert m.as_predicted, m.explain()
    assert all((m.outage_s(name) or 0) > 0 for name in down), m.explain()
    state = hacluster.state()
    # Whether the start moves another group too depends on where the earlier tests left the
    # groups (stickiness 0), so it is no finding: a verdict must not depend on the tests
    # before it (issue 13; 1 run in 10 differed). The move is in the failover's record
    # (placement, the other group's outage) and was checked against the prediction above.
    moved = sorted(g.name for g in desc.groups
                   if g.name != group and state.groups[g.name].started_on != before[g.name])
    stayed = [c for c in untouched if not any(c in desc.checks_of(g) for g in moved)]
    assert all(m.outage_s(name) == 0.0 for name in stayed), m.explain()
