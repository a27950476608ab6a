"""The seed's expected results: three URLs answer, both groups run whole on one node each."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import GroupSpec
from pytest_hacluster.render import APACHE_TITLE, TOMCAT_TITLE

pytestmark = pytest.mark.hacluster


def _group_node(hacluster: Cluster, group: GroupSpec) -> str:
    node = hacluster.state().groups[group.name].started_on
    assert node is not None, f"group {group.name} is not Started on one node"
    return node


def test_web_root_is_apache_page_from_web_node(hacluster: Cluster) -> None:
    reply = hacluster.http.get(hacluster.urls["web"])
    assert reply.status == 200, reply.describe()
    assert APACHE_TITLE in reply.text
    assert reply.node == _group_node(hacluster, hacluster.description.web)


def test_app_is_tomcat_page_through_ajp(hacluster: Cluster) -> None:
    reply = hacluster.http.get(hacluster.urls["app"])
    assert reply.status == 200, reply.describe()
    assert TOMCAT_TITLE in reply.text
    # Apache on web's node proxied it to Tomcat on webapp's node.
    assert reply.node == _group_node(hacluster, hacluster.description.webapp)


def test_tomcat_port_serves_tomcat_page(hacluster: Cluster) -> None:
    reply = hacluster.http.get(hacluster.urls["tomcat"])
    assert reply.status == 200, reply.describe()
    assert TOMCAT_TITLE in reply.text
    assert reply.node == _group_node(hacluster, hacluster.description.webapp)


def test_both_nodes_online(hacluster: Cluster) -> None:
    state = hacluster.state()
    assert {n: state.nodes[n].state for n in hacluster.description.node_names} == {
        n: "online" for n in hacluster.description.node_names
    }
    assert state.dc in hacluster.description.node_names


@pytest.mark.parametrize("which", ["web", "webapp"])
def test_group_runs_whole_on_exactly_one_node(hacluster: Cluster, which: str) -> None:
    spec: GroupSpec = getattr(hacluster.description, which)
    state = hacluster.state()
    group = state.groups[spec.name]
    assert [r.id for r in group.resources] == [spec.vip_resource, spec.service_resource]
    assert all(r.role == "Started" and len(r.nodes) == 1 for r in group.resources), group
    owner = group.started_on
    assert owner in hacluster.description.node_names
    # The VIP is really on the owner's service NIC, and on no other node.
    nic = hacluster.description.service_nic
    holders = [
        name
        for name, node in hacluster.nodes.items()
        if f" {spec.vip}/" in node.run(["ip", "-o", "-4", "addr", "show", "dev", nic]).stdout
    ]
    assert holders == [owner]


def test_no_failed_actions_or_failcounts(hacluster: Cluster) -> None:
    state = hacluster.state()
    assert state.failed_actions == ()
    assert {k: v for k, v in state.failcounts.items() if v} == {}


def test_crm_verify_is_clean(hacluster: Cluster) -> None:
    result = hacluster.crm_verify()
    assert result.ok, result.describe()
    assert "error" not in result.stderr.lower() and "warning" not in result.stderr.lower(), (
        result.stderr
    )
