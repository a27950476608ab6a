"""The seed's expected results: three URLs answer, both groups run whole on one node each."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pytest_hacluster import constraint_check, duration, oracle, render
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec, Primitive

pytestmark = pytest.mark.hacluster


def test_url_serves_its_page_from_the_group_node(hacluster: Cluster, hacluster_check: str) -> None:
    """Every check of the description answers through its VIP with what it expects, from the
    node of the group that serves it. /app/ reaches Apache on web's node, which proxies it over
    AJP to Tomcat on webapp's node: the page's marker names webapp's node."""
    desc = hacluster.description
    _, check = desc.find_check(hacluster_check)
    reply = hacluster.http.get(hacluster.urls[hacluster_check])
    assert reply.status == 200, reply.describe()
    assert check.expect in reply.text, reply.text[:500]
    serving = desc.serving_group(hacluster_check)
    owner = hacluster.state().groups[serving].started_on
    assert owner is not None, f"group {serving} is not Started on one node"
    if check.kind in ("http", "smb"):  # the page or file names the node; NetBIOS cannot
        assert reply.node == owner


def test_both_nodes_online(hacluster: Cluster) -> None:
    state = hacluster.state()
    assert {n: state.nodes[n].state for n in hacluster.description.node_names} == {
        n: "online" for n in hacluster.description.node_names
    }
    assert state.dc in hacluster.description.node_names


def test_group_runs_whole_on_exactly_one_node(
    hacluster: Cluster, hacluster_group: GroupSpec
) -> None:
    spec = hacluster_group
    state = hacluster.state()
    group = state.groups[spec.name]
    assert [r.id for r in group.resources] == list(spec.members)
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
    # Each primitive runs with the described agent and operations (the seed's 90/60/300 s for
    # httpd and tomcat; 15 s, monitor every 15 s and on-fail=block on stop for Samba's LSB).
    xml = hacluster.run_anywhere(["cibadmin", "--query", "--scope", "resources"]).stdout
    for prim in spec.primitives:
        assert _live_options(xml, prim.id) == _described_options(hacluster, prim), prim.id


def _live_options(cib_resources: str, rid: str) -> tuple[str, dict[str, tuple]]:
    found = ET.fromstring(cib_resources).find(f".//primitive[@id='{rid}']")
    assert found is not None, f"no primitive {rid} in the CIB"
    agent = ":".join(v for v in (found.get("class"), found.get("provider"), found.get("type"))
                     if v)
    return agent, {
        op.get("name"): (duration.seconds(duration.interval_ms(op.get("interval", "0"))),
                         op.get("timeout"), op.get("on-fail"))
        for op in found.iter("op")
    }


def _described_options(hacluster: Cluster, prim: Primitive) -> tuple[str, dict[str, tuple]]:
    return prim.agent, {
        name: (op.interval, None if op.timeout is None else render.seconds_text(op.timeout),
               op.on_fail)
        for name, op in hacluster.description.ops_of(prim).items()
    }


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


def test_described_clones_and_constraints_hold(hacluster: Cluster) -> None:
    """The CIB holds exactly the clones and constraints the description renders (none beyond:
    a leftover clone or constraint would change every placement), each clone has its
    instances on the nodes Pacemaker should put them, each constraint with an infinite score
    holds, and the scheduler would move nothing: the settled placement is the one
    ``crm_simulate`` computes for the configuration as it stands."""
    desc = hacluster.description
    xml = hacluster.run_anywhere(["cibadmin", "--query", "--scope", "configuration"]).stdout
    root = ET.fromstring(xml)
    live = {kind: {e.get("id") for e in root.iter(f"rsc_{kind}" if kind != "clone" else kind)
                   if not (e.get("id") or "").startswith("cli-")}
            for kind in ("clone", "location", "colocation", "order")}
    assert live == render.configured_ids(desc)
    state = hacluster.state()
    assert constraint_check.clone_problems(desc, state) == []
    assert constraint_check.constraint_problems(desc, state) == []
    assert hacluster.oracle is not None
    expected = hacluster.oracle.predict(
        lambda cib: oracle.Simulation("the described configuration, nothing injected"))
    assert isinstance(expected, oracle.Prediction), expected
    assert expected.actions == (), str(oracle.compare(expected, state))
    check = oracle.compare(expected, state)
    assert check.matched, str(check)
