"""Scenario 10, the seed's 2017 article: a job guarded to run only where its group is active
runs on exactly one node, before and after a failover. Once per group of the described
cluster (the guard is ``hacluster-active-only GROUP CMD``)."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.render import ACTIVE_ONLY_PATH
from pytest_hacluster.scenario import Scenario

pytestmark = pytest.mark.hacluster


def run_guarded_job(hacluster: Cluster, group: str, mark: str) -> list[str]:
    """Run the guarded job on every node (as cron would); return the nodes where it ran."""
    ran = []
    for name, node in hacluster.nodes.items():
        node.run(["rm", "-f", "/root/job.ran"], timeout=15, check=True)
        node.run([ACTIVE_ONLY_PATH, group, "sh", "-c", 'echo "$1" > /root/job.ran', "job", mark],
                 timeout=30, check=True)
        if node.run(["cat", "/root/job.ran"], timeout=15).stdout.strip() == mark:
            ran.append(name)
    return ran


def test_guarded_job_runs_on_the_active_node_only(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec
) -> None:
    """The guard says yes (exit 0) only on the group's node, and the job runs there alone;
    after a standby of that node, only on the node the group moved to."""
    sc = hacluster_scenario
    group = hacluster_group.name
    active = hacluster.group_node(group)
    others, elsewhere = hacluster.other_nodes(active), hacluster.elsewhere(active)
    checks = {n: node.run([ACTIVE_ONLY_PATH, group], timeout=30).exited
              for n, node in hacluster.nodes.items()}
    assert checks == {n: 0 if n == active else 1 for n in hacluster.description.node_names}
    assert run_guarded_job(hacluster, group, "before") == [active]

    m = sc.recover(
        sc.faults.standby(active), lambda s: s.groups[group].started_on in others,
        f"{group} on {elsewhere}", urls=hacluster.description.served_checks(group),
        threshold=sc.slo.switchover,
    )
    assert m.recovered, m.explain()
    assert m.as_predicted, m.explain()
    now = hacluster.group_node(group)
    assert now in others
    assert run_guarded_job(hacluster, group, "after") == [now]
