"""Scenarios 1 and 2: a killed service is detected by its monitor and restarted in place.

With the seed's options (monitor interval 10 s, on-fail=restart, default migration-threshold),
Pacemaker restarts the service on the same node: where every group ends is checked against the
scheduler's prediction (a failed monitor injected into ``crm_simulate``); the fail-count of the
service on that node is 1, and ``crm resource cleanup`` takes the failure away again.
"""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.profiles import GroupSpec, Primitive
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster

def test_killed_service_restarts_in_place(
    hacluster: Cluster, hacluster_scenario: Scenario,
    hacluster_service: tuple[GroupSpec, Primitive],
) -> None:
    """Every service primitive of every group, killed (SIGKILL) where its group runs. The URLs
    its death takes down: its group's checks and those it serves (/app/ passes through Apache to
    Tomcat)."""
    sc = hacluster_scenario
    spec, primitive = hacluster_service
    service = primitive.id
    urls = hacluster.description.checks_of(spec.name)
    node = hacluster.group_node(spec.name)

    fault = sc.faults.kill(node, service)

    def restarted_in_place(state: ClusterState) -> bool:
        return state.groups[spec.name].started_on == node and state.failcount(service, node) >= 1

    m = sc.recover(
        fault, restarted_in_place, f"{spec.name} Started on {node} with a recorded failure",
        urls=urls, threshold=sc.slo.restart, failed_resource=service,
    )
    assert m.recovered, m.explain()
    assert m.as_predicted, m.explain()
    state = hacluster.state()
    assert state.failcount(service, node) == 1, m.explain()
    # Caught by the described recurring monitor (the seed's 10 s for httpd and tomcat; for
    # Samba's LSB scripts their `status` every 15 s, the 2013 article's options).
    desc = hacluster.description
    monitor = desc.ops_of(primitive).get("monitor", desc.service_ops.monitor)
    assert [(a.resource, a.operation, a.node, a.interval_ms) for a in state.failed_actions] == [
        (service, "monitor", node, round(monitor.interval * 1000))
    ], m.explain()
    assert m.detected_s is not None, m.explain()
    assert m.detected_s <= sc.slo.detect.seconds, f"{sc.slo.detect}\n{m.explain()}"
    assert m.within(sc.slo.restart), m.explain()

    sc.faults.cleanup(service, node)
    # Cleanup reprobes: the service reads Stopped until the probe answers, then Started.
    wait_until(
        hacluster.state,
        lambda s: s.failcount(service, node) == 0 and not s.failed_actions
        and s.groups[spec.name].started_on is not None,
        timeout=30, interval=0.5, what=f"fail-count of {service} on {node} back to 0",
        describe=lambda s: f"fail-counts {s.failcounts}, failed actions {s.failed_actions}, "
        f"{spec.name} on {s.groups[spec.name].started_on}",
    )
