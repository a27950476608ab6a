"""Scenario 10, the seed's 2017 article: a job guarded to run only where its group is active
runs on exactly one node, before and after a failover."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
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
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    web = hacluster.description.groups[0]
    active = hacluster.group_node(web.name)
    others, elsewhere = hacluster.other_nodes(active), hacluster.elsewhere(active)
    checks = {n: node.run([ACTIVE_ONLY_PATH, web.name], timeout=30).exited
              for n, node in hacluster.nodes.items()}
    assert checks == {n: 0 if n == active else 1 for n in hacluster.description.node_names}
    assert run_guarded_job(hacluster, web.name, "before") == [active]

    m = sc.recover(
        sc.faults.standby(active), lambda s: s.groups[web.name].started_on in others,
        f"{web.name} on {elsewhere}", urls=hacluster.description.served_checks(web.name),
        threshold=sc.slo.switchover,
    )
    assert m.recovered, m.explain()
    assert m.as_predicted, m.explain()
    now = hacluster.group_node(web.name)
    assert now in others
    assert run_guarded_job(hacluster, web.name, "after") == [now]
