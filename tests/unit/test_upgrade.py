"""The rolling-upgrade rehearsal without a cluster: per-node parameters (checked by this
machine's own Pacemaker), outage per step, file owners across a root swap, and the steps
against a cluster that does or does not let the upgraded node rejoin."""

from __future__ import annotations

import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_hacluster import crm_status, render
from pytest_hacluster.config import Description
from pytest_hacluster.node import translate_owners
from pytest_hacluster.probe import Sample
from pytest_hacluster.shell import Result
from pytest_hacluster.upgrade import (
    RollingUpgrade,
    Unsupported,
    _interesting,
    per_node_params,
    window_outage,
)

PRIMITIVE = (
    '<primitive id="tomcat" class="ocf" provider="heartbeat" type="tomcat">'
    '<instance_attributes id="tomcat-instance_attributes">'
    '<nvpair id="tomcat-ia-java_home" name="java_home" value="/usr/lib/jvm/java-11"/>'
    '<nvpair id="tomcat-ia-catalina_home" name="catalina_home" value="/usr/share/tomcat9"/>'
    '<nvpair id="tomcat-ia-statusurl" name="statusurl" value="http://x:8080/"/>'
    '</instance_attributes>'
    '<operations><op id="tomcat-monitor" name="monitor" interval="10s"/></operations>'
    '</primitive>'
)
D11 = render.tomcat_stack_params(render.DEBIAN11)
D12 = render.tomcat_stack_params(render.DEBIAN12)


def test_per_node_params_move_the_release_paths_into_one_rule_set_per_node() -> None:
    out = ET.fromstring(per_node_params(PRIMITIVE, {"s1": D12, "s2": D11}))
    base, s1, s2 = out.findall("instance_attributes")
    assert [p.get("name") for p in base.findall("nvpair")] == ["statusurl"]
    assert (s1.get("id"), s2.get("id")) == ("tomcat-params-s1", "tomcat-params-s2")
    expr = s1.find("rule/expression")
    assert expr is not None and (expr.get("attribute"), expr.get("value")) == ("#uname", "s1")
    assert {p.get("name"): p.get("value") for p in s2.findall("nvpair")} == D11
    assert out.find("operations/op") is not None  # everything else stays
    # Again after a swap: the node's set is replaced, not added beside the old one.
    again = ET.fromstring(per_node_params(ET.tostring(out, encoding="unicode"),
                                          {"s1": D12, "s2": D12}))
    sets = again.findall("instance_attributes")
    assert len(sets) == 3
    assert {p.get("value") for p in sets[2].findall("nvpair")} == set(D12.values())
    with pytest.raises(ValueError, match="not a primitive"):
        per_node_params("<group id='web'/>", {})


@pytest.mark.skipif(shutil.which("crm_verify") is None or shutil.which("cibadmin") is None,
                    reason="needs this machine's Pacemaker (crm_verify, cibadmin)")
def test_pacemaker_accepts_the_per_node_params(tmp_path: Path) -> None:
    cib = tmp_path / "cib.xml"
    empty = subprocess.run(["cibadmin", "--empty"], capture_output=True, text=True, timeout=30,
                           check=True).stdout
    root = ET.fromstring(empty)
    resources = root.find("configuration/resources")
    assert resources is not None
    resources.append(ET.fromstring(per_node_params(PRIMITIVE, {"s1": D12, "s2": D11})))
    props = root.find("configuration/crm_config")
    assert props is not None
    props.append(ET.fromstring(
        '<cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/>'
        "</cluster_property_set>"))
    cib.write_text(ET.tostring(root, encoding="unicode"))
    checked = subprocess.run(["crm_verify", "--xml-file", str(cib), "-V"], capture_output=True,
                             text=True, timeout=30, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _sample(t: float, ok: bool) -> Sample:
    return Sample("web", t, 200 if ok else None, None if ok else "refused", 0.01, "s1")


def test_window_outage_counts_only_the_steps_own_seconds() -> None:
    samples = [_sample(t, ok) for t, ok in ((0, True), (1, False), (2, False), (3, True),
                                            (4, True), (5, False))]
    assert window_outage(samples, "web", 0, 10) == (2 + 5, 3)  # the last runs to the end
    assert window_outage(samples, "web", 1.5, 2.5) == (1.0, 1)
    assert window_outage(samples, "web", 3, 4.9) == (0.0, 0)
    assert window_outage(samples, "app", 0, 10) == (0.0, 0)


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_owners_follow_the_names_across_a_swap(tmp_path: Path) -> None:
    old, new, upper = tmp_path / "old", tmp_path / "new", tmp_path / "upper"
    for root, uid, gid, more in ((old, 101, 101, "onlyold:x:4000:4000::/:/bin/sh\n"),
                                 (new, 102, 105, "")):
        (root / "etc").mkdir(parents=True)
        (root / "etc/passwd").write_text(
            f"root:x:0:0::/root:/bin/sh\nhacluster:x:{uid}:{gid}::/:/bin/sh\n{more}")
        (root / "etc/group").write_text(f"root:x:0:\nhaclient:x:{gid}:\n")
    cib = upper / "var/lib/pacemaker/cib"
    cib.mkdir(parents=True)
    (cib / "cib.xml").write_text("<cib/>")
    (cib / "cib.xml").chmod(0o600)
    for path in (cib, cib / "cib.xml"):
        os.chown(path, 101, 101)
    (upper / "orphan").write_text("")
    os.chown(upper / "orphan", 4000, 0)
    (upper / "link").symlink_to("/nonexistent")
    change = translate_owners(upper, old, new)
    st = (cib / "cib.xml").stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (102, 105, 0o600)
    assert (cib.stat().st_uid, cib.stat().st_gid) == (102, 105)
    assert (upper / "orphan").stat().st_uid == 4000  # the new root has no such user
    assert change.unmapped == ("user onlyold",)
    assert ("user hacluster", 101, 102) in change.moves
    assert change.changed == 2 and change.examined >= 6
    assert translate_owners(upper, new, new).changed == 0


def test_the_finding_keeps_the_lines_that_say_why() -> None:
    log = "\n".join([
        "info: Group crmd event 0: s1 (node 1 pid 71) is member",
        "error: pacemaker-based[165] exited with status 66 (Input file not available)",
        "notice: all fine",
        "error: The cluster is mis-configured - shutting down and staying down",
        "corosync warning [KNET  ] host: host: 2 has no active links",
    ])
    assert _interesting(log).splitlines() == [
        "error: pacemaker-based[165] exited with status 66 (Input file not available)",
        "error: The cluster is mis-configured - shutting down and staying down"]


class _Node:
    """A node of the fake cluster: answers cibadmin and crm_attribute, nothing else."""

    def __init__(self, name: str, cluster: _Cluster) -> None:
        self.name, self.cluster = name, cluster

    def run(self, command: list[str], *, timeout: float = 60, check: bool = False,
            input: str | bytes | None = None, env: object = None) -> Result:
        if command[:2] == ["cibadmin", "--query"]:
            return Result("cibadmin", 0, self.cluster.primitive, "", 0.01)
        if command[:2] == ["cibadmin", "--replace"]:
            self.cluster.primitive = command[-1]
        if command[0] == "crm_attribute":
            self.cluster.standby[command[2]] = command[-1] == "on"
        return Result(" ".join(command), 0, "", "", 0.01)


class _Backend:
    def __init__(self, cluster: _Cluster, refuse: str | None) -> None:
        self.cluster, self.refuse = cluster, refuse
        self.release = {"s1": "debian11", "s2": "debian11"}
        self.calls: list[tuple[str, str]] = []

    def node_stack(self, node: str) -> str:
        return self.release[node]

    def node_paths(self, node: str) -> render.Stack:
        return render.DEBIAN11 if self.release[node] == "debian11" else render.DEBIAN12

    def stop_stack(self, node: str, timeout: float = 180) -> None:
        self.calls.append(("stop", node))
        self.cluster.up[node] = False

    def swap_root(self, node: str, stack: str, progress: object) -> dict[str, object]:
        self.calls.append(("swap", node))
        self.release[node] = stack
        return {"node": node, "from": "debian11", "to": stack, "owners_changed": 3,
                "examined": 9, "unmapped": [], "moves": [["user hacluster", 101, 102]]}

    def start_stack(self, node: str) -> None:
        self.calls.append(("start", node))
        self.cluster.up[node] = self.release[node] != self.refuse

    def node_log(self, node: str, path: str, lines: int = 40) -> str:
        return "error: pacemaker-based[1] exited with status 66" if path.endswith(
            "pacemaker.log") and node == "s1" else ""


class _Cluster:
    """Two nodes whose groups go wherever a node is up and not in standby."""

    def __init__(self, refuse: str | None = None) -> None:
        self.description = Description()
        self.primitive = PRIMITIVE
        self.standby = {"s1": False, "s2": False}
        self.up = {"s1": True, "s2": True}
        self.backend = _Backend(self, refuse)
        self.nodes = {n: _Node(n, self) for n in ("s1", "s2")}
        self.forgotten = 0

    def node(self, name: str) -> _Node:
        return self.nodes[name]

    def forget_versions(self) -> None:
        self.forgotten += 1

    def wait_settled(self, timeout: float = 120) -> None:
        pass  # this fake's groups never move on their own

    def state(self, node: str | None = None) -> crm_status.ClusterState:
        if node is not None and not self.up[node]:
            raise RuntimeError(f"crm_mon on {node}: could not connect to the CIB")
        usable = [n for n in ("s1", "s2") if self.up[n] and not self.standby[n]]
        where = usable[0] if usable else None
        resources, groups = {}, {}
        for group in self.description.groups:
            members = tuple(crm_status.Resource.placed(r, "ocf", "Started", (where,) if where
                                                       else (), group.name)
                            for r in (group.vip_resource, group.service_resource))
            resources.update({r.id: r for r in members})
            groups[group.name] = crm_status.Group(group.name, members)
        return crm_status.ClusterState(
            dc="s2", quorum=True,
            nodes={n: crm_status.Node(n, self.up[n], self.standby[n]) for n in ("s1", "s2")},
            resources=resources, groups=groups, failcounts={}, failed_actions=())


def _upgrade(cluster: _Cluster) -> RollingUpgrade:
    return RollingUpgrade(cluster, lambda: [], "debian12", rejoin_timeout_s=2,  # type: ignore[arg-type]
                          settle_timeout_s=5)


def test_every_node_goes_through_every_step_in_order() -> None:
    cluster = _Cluster()
    upgrade = _upgrade(cluster)
    upgrade.run()
    record = upgrade.to_record(0.0)
    assert [(s["node"], s["step"]) for s in record["steps"]] == [
        (n, step) for n in ("s1", "s2")
        for step in ("standby", "stop", "swap", "start", "rejoin", "online")]
    assert all(s["ok"] for s in record["steps"]) and record["unsupported"] is None
    assert cluster.backend.calls == [("stop", "s1"), ("swap", "s1"), ("start", "s1"),
                                     ("stop", "s2"), ("swap", "s2"), ("start", "s2")]
    assert [v["when"] for v in record["versions"]] == ["before", "s1 started", "s2 started",
                                                       "after"]
    assert record["from"] == {"s1": "debian11", "s2": "debian11"} and cluster.forgotten == 2
    # Each node's Tomcat paths are its release's, per node.
    sets = {e.get("id"): {p.get("name"): p.get("value") for p in e.findall("nvpair")}
            for e in ET.fromstring(cluster.primitive).findall("instance_attributes")}
    assert sets["tomcat-params-s1"] == sets["tomcat-params-s2"] == D12


def test_a_node_that_does_not_rejoin_is_a_finding_not_a_hang() -> None:
    cluster = _Cluster(refuse="debian12")
    upgrade = _upgrade(cluster)
    with pytest.raises(Unsupported) as raised:
        upgrade.run()
    text = str(raised.value)
    assert text.startswith("a cluster of debian12 (s1) and debian11 (s2) did not form: gave up "
                           "after 2s waiting for s1 (debian12) to rejoin s2 (debian11)")
    assert "s1: no view (RuntimeError: crm_mon on s1: could not connect" in text
    assert "--- s1:/var/log/pacemaker/pacemaker.log\nerror: pacemaker-based[1] exited" in text
    record = upgrade.to_record(0.0)
    assert record["unsupported"] == text
    steps = [(s["node"], s["step"], s["ok"]) for s in record["steps"]]
    assert steps[-2:] == [("s1", "rejoin", False), ("s1", "restore", True)]
    assert ("stop", "s2") not in cluster.backend.calls  # the rehearsal stops there
    # ... with the node back on its release, a member and online: the cluster is whole.
    assert cluster.backend.release["s1"] == "debian11" and cluster.up["s1"]
    assert not cluster.standby["s1"]
    assert record["versions"][-1]["when"] == "s1 back on debian11"


def test_a_node_that_cannot_go_back_either_is_said_in_the_finding() -> None:
    cluster = _Cluster(refuse="debian12")
    cluster.backend.refuse = None
    cluster.backend.start_stack = lambda node: None  # type: ignore[method-assign]
    cluster.up["s1"] = True
    upgrade = _upgrade(cluster)
    cluster.backend.stop_stack = lambda node, timeout=180: cluster.up.update(  # type: ignore[method-assign]
        {node: False})
    with pytest.raises(Unsupported) as raised:
        upgrade.run()
    assert "\nrestoring s1 to debian11 failed too: WaitTimeout" in str(raised.value)
    assert upgrade.to_record(0.0)["steps"][-1]["ok"] is False


def test_the_report_shows_each_steps_outage_and_the_versions_over_time() -> None:
    from pytest_hacluster.report import html

    cluster = _Cluster()
    upgrade = _upgrade(cluster)
    upgrade.run()
    record = upgrade.to_record(0.0)
    record["steps"][0]["outage_s"] = {"web": 2.5}
    record["versions"][1]["nodes"] = {"s1": {"pacemaker": "2.1.5", "corosync": "3.1.7"},
                                      "s2": {"pacemaker": "2.0.5", "corosync": "3.1.2"}}
    page = html._upgrade_details(record)
    assert "Rolling upgrade from s1 debian11, s2 debian11 to <b>debian12</b>" in page
    assert page.count("<tr><td>s") == 12  # one row per node and step
    assert "<td>standby</td>" in page and "<td>2.5 s</td>" in page
    assert ("<td>s1 started</td><td>pacemaker 2.1.5, corosync 3.1.7</td>"
            "<td>pacemaker 2.0.5, corosync 3.1.2</td>") in page
    record["unsupported"] = "a cluster of debian12 (s1) and debian11 (s2) did not form"
    assert "<b>Not supported:</b></p><pre>a cluster of debian12" in html._upgrade_details(record)


def test_the_timeline_marks_each_nodes_standby_swap_and_online() -> None:
    from pytest_hacluster.report import plots
    from tests import reportdata

    scenario = reportdata.make_document()["scenarios"][0]
    plain = plots.timeline_png(scenario, ["s1", "s2"])
    cluster = _Cluster()
    upgrade = _upgrade(cluster)
    upgrade.run()
    marked = plots.timeline_png({**scenario, "upgrade": upgrade.to_record(0.0)}, ["s1", "s2"])
    assert marked.startswith(b"\x89PNG") and marked != plain
