"""The seed's expected results: three URLs answer, both groups run whole on one node each."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import GroupSpec
from pytest_hacluster.render import APACHE_TITLE, TOMCAT_TITLE

pytestmark = pytest.mark.hacluster


# (URL name, page title, group whose node serves the page). /app/ reaches Apache on web's node,
# which proxies it over AJP to Tomcat on webapp's node: the page's marker names webapp's node.
PAGES = [
    ("web", APACHE_TITLE, "web"),
    ("app", TOMCAT_TITLE, "webapp"),
    ("tomcat", TOMCAT_TITLE, "webapp"),
]


@pytest.mark.parametrize(("url", "title", "group"), PAGES, ids=[p[0] for p in PAGES])
def test_url_serves_its_page_from_the_group_node(
    hacluster: Cluster, url: str, title: str, group: str
) -> None:
    reply = hacluster.http.get(hacluster.urls[url])
    assert reply.status == 200, reply.describe()
    assert title in reply.text
    spec: GroupSpec = getattr(hacluster.description, group)
    owner = hacluster.state().groups[spec.name].started_on
    assert owner is not None, f"group {spec.name} is not Started on one node"
    assert reply.node == owner


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
