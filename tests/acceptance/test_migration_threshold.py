"""Scenario 3: with ``migration-threshold=2`` on the group, the second failure moves it.

Where the groups end after each failure is the scheduler's prediction, asked from the live CIB
before each kill (the second one sees the meta attribute and fail-count 1); the fail-counts
are the test's own knowledge.
"""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_second_failure_moves_the_group(hacluster: Cluster, hacluster_scenario: Scenario) -> None:
    sc = hacluster_scenario
    web = hacluster.description.groups[0]
    urls = hacluster.description.checks_of(web.name)
    httpd = web.service_resource
    home = hacluster.group_node(web.name)
    others, elsewhere = hacluster.other_nodes(home), hacluster.elsewhere(home)
    sc.faults.set_meta(web.name, "migration-threshold", "2")

    first = sc.recover(
        sc.faults.kill(home, httpd),
        lambda s: s.groups[web.name].started_on == home and s.failcount(httpd, home) == 1,
        f"{web.name} restarted on {home}, fail-count 1", urls=urls,
        threshold=sc.slo.restart, failed_resource=httpd,
    )
    assert first.recovered and first.within(sc.slo.restart), first.explain()
    assert first.as_predicted, first.explain()

    second = sc.recover(
        sc.faults.kill(home, httpd),
        lambda s: s.groups[web.name].started_on in others and s.failcount(httpd, home) == 2,
        f"{web.name} moved to {elsewhere}, fail-count 2 on {home}", urls=urls,
        threshold=sc.slo.restart, failed_resource=httpd,
    )
    assert second.recovered, second.explain()
    assert second.as_predicted, second.explain()
    state = hacluster.state()
    assert state.failcount(httpd, home) == 2
    assert all(state.failcount(httpd, n) == 0 for n in others), state.failcounts
    assert second.within(sc.slo.restart), second.explain()
