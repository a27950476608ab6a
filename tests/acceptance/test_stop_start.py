"""``crm resource stop`` / ``start`` of a group: users lose exactly that group's URLs."""

from __future__ import annotations

import pytest

from pytest_hacluster import oracle
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster


def test_stopped_group_is_down_until_started(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    webapp = desc.groups[-1]  # the seed's pair: webapp
    own = desc.own_checks(webapp.name)
    untouched = [c for c in desc.urls if c not in desc.checks_of(webapp.name)]
    stop = sc.faults.stop(webapp.name)
    wait_until(
        hacluster.state,
        lambda s: all(r.role == "Stopped" for r in s.groups[webapp.name].resources),
        timeout=sc.slo.switchover.seconds, interval=0.5, what=f"{webapp.name} Stopped",
    )
    hacluster.wait_settled()
    assert stop.expected is not None
    check = oracle.compare(stop.expected, hacluster.state())
    sc.finding(f"stop {webapp.name}: prediction {check.verdict}", observed=check.groups)
    assert check.matched is not False, check
    for name in own:
        reply = hacluster.http.get(hacluster.urls[name])
        assert not reply.ok, reply.describe()
    for name in untouched:  # the other groups are untouched
        assert hacluster.http.get(hacluster.urls[name]).ok

    stop.undo()
    m = sc.recover(
        stop, lambda s: s.groups[webapp.name].started_on is not None,
        f"{webapp.name} Started again", urls=own, threshold=sc.slo.switchover,
        timeout=120,
    )
    assert m.recovered, m.explain()
    assert m.as_predicted, m.explain()
    assert all((m.outage_s(name) or 0) > 0 for name in own), m.explain()
    assert all(m.outage_s(name) == 0.0 for name in untouched), m.explain()
