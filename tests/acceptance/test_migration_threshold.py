"""Scenario 3: with ``migration-threshold=2`` on a group, the second failure of its service
moves it. Once per group of the described cluster, its service primitive killed (the group's
last: httpd, tomcat, smb).

Where the groups end after each failure is the scheduler's prediction, asked from the live CIB
before each kill (the second one sees the meta attribute and fail-count 1); the fail-counts
are the test's own knowledge.
"""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def test_second_failure_moves_the_group(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec
) -> None:
    """First kill: restarted in place, fail-count 1; second: the group on another node,
    fail-counts 2 there and 0 elsewhere; both within SLO ``restart``."""
    sc = hacluster_scenario
    group = hacluster_group.name
    urls = hacluster.description.checks_of(group)
    service = hacluster_group.service_resource
    home = hacluster.group_node(group)
    others, elsewhere = hacluster.other_nodes(home), hacluster.elsewhere(home)
    sc.faults.set_meta(group, "migration-threshold", "2")

    first = sc.recover(
        sc.faults.kill(home, service),
        lambda s: s.groups[group].started_on == home and s.failcount(service, home) == 1,
        f"{group} restarted on {home}, fail-count 1", urls=urls,
        threshold=sc.slo.restart, failed_resource=service,
    )
    assert first.recovered and first.within(sc.slo.restart), first.explain()
    assert first.as_predicted, first.explain()

    second = sc.recover(
        sc.faults.kill(home, service),
        lambda s: s.groups[group].started_on in others and s.failcount(service, home) == 2,
        f"{group} moved to {elsewhere}, fail-count 2 on {home}", urls=urls,
        threshold=sc.slo.restart, failed_resource=service,
    )
    assert second.recovered, second.explain()
    assert second.as_predicted, second.explain()
    state = hacluster.state()
    assert state.failcount(service, home) == 2
    assert all(state.failcount(service, n) == 0 for n in others), state.failcounts
    assert second.within(sc.slo.restart), second.explain()
