"""The oracle: crm_simulate's answers read, faults put in its terms, predictions compared.

The XML under data/crm_simulate/ was captured from the lab (Debian 12, pacemaker 2.1.5) with
web on s1 and webapp on s2; cib.xml is that lab's ``cibadmin -Q``.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from pytest_hacluster import faults as fm
from pytest_hacluster import oracle, render
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import ClusterState, Group, Node, Resource
from pytest_hacluster.faults import (
    Crash,
    Faults,
    KillService,
    PingCheck,
    PullCable,
    RedundantLink,
    RemoveFile,
)
from pytest_hacluster.oracle import Action, Cib, Prediction, Simulation, Unsimulable
from pytest_hacluster.shell import Result
from tests.fakes import apply_edit

DATA = Path(__file__).parent / "data" / "crm_simulate"


def captured(name: str) -> str:
    return (DATA / f"{name}.xml").read_text()


def predicted(name: str) -> Prediction:
    return oracle.parse(captured(name), what=name)


@pytest.fixture
def cib() -> Cib:
    return Cib(captured("cib"))


# -- parsing crm_simulate ---------------------------------------------------------------------

def test_a_failed_monitor_recovers_in_place() -> None:
    p = predicted("kill-httpd")
    assert p.groups == {"web": "s1", "webapp": "s2"}
    assert p.placement == {"vip_httpd": "s1", "httpd": "s1", "vip_tomcat": "s2", "tomcat": "s2"}
    assert p.actions == (Action("httpd", "recover", node="s1"),)  # not the clear_failcount


def test_a_move_swaps_both_groups_without_stickiness() -> None:
    p = predicted("move")
    assert p.groups == {"web": "s2", "webapp": "s1"}
    assert [str(a) for a in p.actions] == [
        "move vip_httpd s1 -> s2", "move httpd s1 -> s2", "move vip_tomcat s2 -> s1",
        "move tomcat s2 -> s1",
    ]
    assert all(a.changes_placement for a in p.actions)
    assert str(Action("httpd", "restart", source="s1")) == "restart httpd on s1"


@pytest.mark.parametrize(("name", "groups"), [
    ("node-fail", {"web": "s2", "webapp": "s2"}),
    ("standby", {"web": "s2", "webapp": "s2"}),
    ("online", {"web": "s2", "webapp": "s1"}),  # after standby: webapp rebalances to s1
    ("migration-threshold", {"web": "s2", "webapp": "s1"}),
    ("start-failure", {"web": "s2", "webapp": "s1"}),
    ("stop", {"web": "s1", "webapp": None}),
    ("nothing", {"web": "s1", "webapp": "s2"}),
    ("kill-tomcat", {"web": "s1", "webapp": "s2"}),
])
def test_captured_predictions(name: str, groups: dict[str, str | None]) -> None:
    assert predicted(name).groups == groups


def test_stopped_resources_have_no_node_and_nothing_to_do_is_empty() -> None:
    assert predicted("stop").placement["tomcat"] is None
    assert [a.action for a in predicted("stop").actions] == ["stop", "stop"]
    assert predicted("nothing").actions == ()
    assert "nothing to do" in str(predicted("nothing"))


def test_unreadable_answers_say_why() -> None:
    with pytest.raises(oracle.OracleError, match="malformed"):
        oracle.parse("Set 'web' option ...")
    with pytest.raises(oracle.OracleError, match="revised_cluster_status"):
        oracle.parse('<pacemaker-result><status code="0"/></pacemaker-result>')
    with pytest.raises(oracle.OracleError, match="No such"):
        oracle.parse('<pacemaker-result><status code="105" message="No such object">'
                     '</status></pacemaker-result>')


# -- the CIB and each fault's input -----------------------------------------------------------

def test_the_monitor_interval_comes_from_the_cib(cib: Cib) -> None:
    assert cib.interval_ms("httpd", "monitor") == 10_000
    assert cib.interval_ms("httpd", "start") == 0
    assert cib.ping_attribute() is None
    with pytest.raises(oracle.OracleError, match="no monitor operation of nosuch"):
        cib.interval_ms("nosuch", "monitor")


def test_a_configured_ping_resource_names_its_attribute() -> None:
    text = captured("cib").replace(
        "<resources>", '<resources><clone id="ping_clone"><primitive id="ping" class="ocf" '
        'provider="pacemaker" type="ping"><instance_attributes id="pa"><nvpair id="n" '
        'name="host_list" value="192.168.1.1"/></instance_attributes></primitive></clone>', 1)
    assert Cib(text).ping_attribute() == "pingd"


class FakeCluster:
    """What faults read from a cluster to describe themselves; no node is run."""

    def __init__(self) -> None:
        self.description = Description()
        self.backend = SimpleNamespace(check_fault_allowed=lambda _f: None,
                                       stack=render.DEBIAN12)
        self.oracle = None
        self.calls: list[tuple[str, ...]] = []

    def crm(self, *args: str) -> None:
        self.calls.append(args)


def faults() -> Faults:
    return Faults(FakeCluster())  # type: ignore[arg-type]


def command(sim: Simulation | Unsimulable | None, cib: Cib) -> list[str]:
    assert isinstance(sim, Simulation), sim
    return oracle.simulate_command("/tmp/copy.xml", sim, cib)


def test_kill_is_a_failed_monitor_with_the_cibs_interval(cib: Cib) -> None:
    f = faults()
    kill = KillService(f.cluster, f.timeline, "s1", "httpd")
    assert command(kill.simulation(cib), cib) == [
        "crm_simulate", "--xml-file", "/tmp/copy.xml", "--simulate",
        "--op-inject", "httpd_monitor_10000@s1=7", "--output-as=xml",
    ]
    assert kill.undo_simulation(cib) is None
    hang = KillService(f.cluster, f.timeline, "s1", "httpd", signal.SIGSTOP)
    said = hang.simulation(cib)
    assert isinstance(said, Unsimulable) and "frozen process" in said.reason
    assert not said.failed


def test_crash_is_a_node_failure_run_elsewhere_and_power_on_a_join(cib: Cib) -> None:
    f = faults()
    crash = Crash(f.cluster, f.timeline, "s1")
    assert command(crash.simulation(cib), cib)[4:6] == ["--node-fail", "s1"]
    joins = crash.undo_simulation(cib)
    assert command(joins, cib)[4:6] == ["--node-up", "s1"]
    assert isinstance(joins, Simulation)
    assert joins.edits == (("cibadmin", "--delete", "--xpath", "//node_state[@uname='s1']/lrm"),)
    assert crash.avoid == ("s1",)


def test_crm_operations_are_edits_of_the_copy(cib: Cib) -> None:
    c = FakeCluster()
    t = fm.Timeline()
    cases: list[tuple[Any, tuple[str, ...], tuple[str, ...]]] = [
        (fm.standby(c, t, "s1"),  # type: ignore[arg-type]
         ("crm_attribute", "--node", "s1", "--name", "standby", "--update", "on"),
         ("crm_attribute", "--node", "s1", "--name", "standby", "--update", "off")),
        (fm.move(c, t, "web", "s2"),  # type: ignore[arg-type]
         ("crm_resource", "--move", "--resource", "web", "--node", "s2"),
         ("crm_resource", "--clear", "--resource", "web")),
        (fm.stop(c, t, "webapp"),  # type: ignore[arg-type]
         ("crm_resource", "--resource", "webapp", "--meta", "--set-parameter", "target-role",
          "--parameter-value", "Stopped"),
         ("crm_resource", "--resource", "webapp", "--meta", "--set-parameter", "target-role",
          "--parameter-value", "Started")),
        (fm.set_meta(c, t, "web", "migration-threshold", "2"),  # type: ignore[arg-type]
         ("crm_resource", "--resource", "web", "--meta", "--set-parameter",
          "migration-threshold", "--parameter-value", "2"),
         ("crm_resource", "--resource", "web", "--meta", "--delete-parameter",
          "migration-threshold")),
    ]
    for fault, edit, undo_edit in cases:
        sim, undo = fault.simulation(cib), fault.undo_simulation(cib)
        assert isinstance(sim, Simulation) and sim.edits == (edit,)
        assert isinstance(undo, Simulation) and undo.edits == (undo_edit,)
        assert sim.inputs(cib) == []


def test_missing_index_page_is_a_failed_monitor_and_an_infinite_start_failure(cib: Cib) -> None:
    f = faults()
    page = RemoveFile(f.cluster, f.timeline, "s1", f"{render.DEBIAN12.docroot}/index.html")
    sim = page.simulation(cib)
    assert isinstance(sim, Simulation)
    assert sim.edits == (("crm_attribute", "--node", "s1", "--lifetime", "reboot", "--name",
                          "fail-count-httpd#start_0", "--update", "INFINITY"),)
    assert sim.inputs(cib) == ["--op-inject", "httpd_monitor_10000@s1=1"]
    assert "two steps" in sim.note
    other = RemoveFile(f.cluster, f.timeline, "s1", "/etc/hosts").simulation(cib)
    assert isinstance(other, Unsimulable)


def test_cables_say_what_the_scheduler_cannot_see(cib: Cib) -> None:
    f = faults()
    desc = f.cluster.description
    split = PullCable(f.cluster, f.timeline, "s1", desc.interconnect_nic).simulation(cib)
    assert isinstance(split, Unsimulable) and "each side decides alone" in split.reason
    lan = PullCable(f.cluster, f.timeline, "s1", desc.service_nic)
    unseen = lan.simulation(cib)
    assert isinstance(unseen, Unsimulable) and "no input" in unseen.reason
    with_ping = Cib(captured("cib").replace(
        "<resources>", '<resources><primitive id="ping" class="ocf" provider="pacemaker" '
        'type="ping"/>', 1))
    sim = lan.simulation(with_ping)
    assert isinstance(sim, Simulation)
    assert sim.edits == (("crm_attribute", "--node", "s1", "--lifetime", "reboot", "--name",
                          "pingd", "--update", "0"),)
    assert isinstance(RedundantLink(f.cluster, f.timeline).simulation(cib), Unsimulable)
    assert isinstance(PingCheck(f.cluster, f.timeline).simulation(cib), Unsimulable)


# -- running it on a node ---------------------------------------------------------------------

class FakeNode:
    """A node that answers cibadmin and crm_simulate from the captured files."""

    def __init__(self, name: str, answer: str = "kill-httpd",
                 version: str = "Pacemaker 2.1.5\nWritten by Andrew Beekhof\n") -> None:
        self.name = name
        self.answer = answer
        self.version = version
        self.runs: list[tuple[list[str], dict[str, str] | None]] = []
        self.files: dict[str, str] = {}
        self.lose_edits = False  # a copy that does not keep what an edit wrote

    def run(self, command: list[str], *, timeout: float = 60, check: bool = False,
            input: str | None = None, env: dict[str, str] | None = None) -> Result:
        self.runs.append((list(command), env))
        out = ""
        copy = (env or {}).get("CIB_file")
        if command[0] == "cibadmin":
            out = self.files[copy] if copy else captured("cib")
        elif command == ["crm_mon", "--version"]:
            out = self.version
        elif command[0] == "crm_mon":  # Pacemaker 2.0: the saved CIB's status (CIB_file)
            out = (DATA.parent / "crm_mon" / f"{self.answer}.xml").read_text()
        elif command[0] == "crm_simulate" and "--save-output" not in command:
            out = captured(self.answer)
        elif command[0] in ("crm_attribute", "crm_resource") and copy and not self.lose_edits:
            self.files[copy] = apply_edit(self.files[copy], command)
        return Result(" ".join(command), 0, out, "", 0.01)

    def write(self, path: str, content: str | bytes, mode: int = 0o644,
              owner: str = "root:root") -> None:
        self.files[path] = str(content)


def nodes(**named: FakeNode) -> Callable[[], dict[str, FakeNode]]:
    return lambda: named


def test_the_oracle_runs_on_a_node_that_stays_up_and_cleans_up() -> None:
    s1, s2 = FakeNode("s1"), FakeNode("s2", answer="node-fail")
    o = oracle.Oracle(nodes(s1=s1, s2=s2))
    said = o.predict(lambda _cib: Simulation("node s1 fails", failed_nodes=("s1",)),
                     avoid=("s1",))
    assert isinstance(said, Prediction), said
    assert said.groups == {"web": "s2", "webapp": "s2"}
    assert said.took_s is not None and said.simulate_s is not None
    assert s1.runs == []
    (path,) = s2.files
    commands = [c for c, _env in s2.runs if c[0] != "crm_mon"]
    assert commands[0] == ["cibadmin", "--query"]
    assert commands[1] == ["crm_simulate", "--xml-file", path, "--simulate", "--node-fail",
                           "s1", "--output-as=xml"]
    assert commands[-1] == ["rm", "-f", path]


def test_edits_run_with_cib_file_on_the_copy() -> None:
    s1 = FakeNode("s1", answer="standby")
    o = oracle.Oracle(nodes(s1=s1))
    edit = ("crm_attribute", "--node", "s1", "--name", "standby", "--update", "on")
    said = o.predict(lambda _cib: Simulation("standby", edits=(edit,)))
    assert isinstance(said, Prediction)
    (path,) = s1.files
    assert (list(edit), {"CIB_file": path}) in s1.runs
    # What it was given, kept for a failed test's diagnostics: the copy and the commands.
    inputs = dict(said.inputs)
    assert inputs["cib.xml"] == captured("cib")
    assert inputs["commands.txt"].splitlines()[1:] == [
        f"CIB_file={path} crm_attribute --node s1 --name standby --update on",
        f"CIB_file={path} crm_simulate --xml-file {path} --simulate --output-as=xml",
    ]


def test_an_edit_the_copy_did_not_keep_is_an_oracle_failure_not_a_prediction() -> None:
    """A prediction on a copy without the fault's edit would answer for another cluster."""
    s1 = FakeNode("s1", answer="standby")
    s1.lose_edits = True
    o = oracle.Oracle(nodes(s1=s1))
    edit = ("crm_attribute", "--node", "s1", "--lifetime", "reboot", "--name",
            "fail-count-httpd#start_0", "--update", "INFINITY")
    said = o.predict(lambda _cib: Simulation("start fails", edits=(edit,)))
    assert isinstance(said, Unsimulable) and said.failed, said
    assert ("--update INFINITY did not take on the CIB copy: the transient "
            "fail-count-httpd#start_0 attribute of node s1 is 'absent', not 'INFINITY'"
            in str(said))
    assert not [c for c, _env in s1.runs if c[0] == "crm_simulate"]


def test_on_pacemaker_2_0_the_simulated_cib_is_saved_and_read_with_crm_mon() -> None:
    """2.0's crm_simulate has no --output-as (dialect.py): --save-output, then crm_mon of it."""
    s1 = FakeNode("s1", answer="lab_standby_s2", version="Pacemaker 2.0.5\n")
    o = oracle.Oracle(nodes(s1=s1))
    said = o.predict(lambda _cib: Simulation("standby s2", edits=()))
    assert isinstance(said, Prediction), said
    assert said.groups == {"web": "s1", "webapp": "s1"}
    assert said.actions == () and oracle.SAVED_NOTE in said.note
    (path,) = s1.files
    commands = [(c, env) for c, env in s1.runs]
    assert (["crm_simulate", "--xml-file", path, "--simulate", "--save-output", f"{path}.out"],
            None) in commands
    assert (["crm_mon", "-1", "--output-as=xml"], {"CIB_file": f"{path}.out"}) in commands
    assert commands[-1] == (["rm", "-f", path, f"{path}.out"], None)


def test_a_broken_oracle_says_so_and_never_raises() -> None:
    def broken(_cib: Cib) -> Simulation:
        raise oracle.OracleError("no monitor operation of x in the CIB")

    said = oracle.Oracle(nodes(s1=FakeNode("s1"))).predict(broken)
    assert isinstance(said, Unsimulable) and said.failed
    assert "no monitor operation" in str(said)
    s1 = FakeNode("s1")
    unsim = oracle.Oracle(nodes(s1=s1)).predict(
        lambda _cib: Unsimulable("a split"))
    assert unsim == Unsimulable("a split")
    assert s1.runs == []  # nothing to simulate: the CIB was not asked for


def test_the_cib_is_asked_for_once_when_the_fault_reads_it() -> None:
    s1 = FakeNode("s1")

    def reads(cib: Cib) -> Unsimulable:
        return Unsimulable(f"no ping attribute: {cib.ping_attribute()}")

    said = oracle.Oracle(nodes(s1=s1)).predict(reads)
    assert said == Unsimulable("no ping attribute: None")
    assert [c for c, _env in s1.runs] == [["cibadmin", "--query"]]


# -- predicted against observed ---------------------------------------------------------------

def state(web: str | None, webapp: str | None) -> ClusterState:
    def group(gid: str, vip: str, svc: str, node: str | None) -> tuple[Group, list[Resource]]:
        nodes = (node,) if node else ()
        role = "Started" if node else "Stopped"
        members = [Resource.placed(vip, "ocf:heartbeat:IPaddr2", role, nodes, gid),
                   Resource.placed(svc, "ocf:heartbeat:x", role, nodes, gid)]
        return Group(gid, tuple(members)), members

    g1, r1 = group("web", "vip_httpd", "httpd", web)
    g2, r2 = group("webapp", "vip_tomcat", "tomcat", webapp)
    return ClusterState(
        dc="s2", quorum=True,
        nodes={n: Node(n, True, False) for n in ("s1", "s2")},
        resources={r.id: r for r in (*r1, *r2)}, groups={"web": g1, "webapp": g2},
        failcounts={}, failed_actions=(),
    )


def test_a_match_is_recorded_with_the_prediction() -> None:
    check = oracle.compare(predicted("move"), state("s2", "s1"))
    assert check.matched is True and check.verdict == "matched"
    assert check.differences == []
    text = str(check)
    assert "predicted: web on s2, webapp on s1" in text
    assert "observed:  web on s2, webapp on s1" in text
    assert "move vip_tomcat s2 -> s1" in text
    assert check.to_dict()["predicted_groups"] == {"web": "s2", "webapp": "s1"}


def test_a_mismatch_shows_both_sides() -> None:
    check = oracle.compare(predicted("move"), state("s2", "s2"))
    assert check.matched is False
    assert "group webapp: predicted s1, observed s2" in check.differences
    assert "resource tomcat: predicted s1, observed s2" in check.differences
    text = str(check)
    assert "prediction mismatch" in text and "observed:  web on s2, webapp on s2" in text
    assert check.to_dict()["verdict"] == "mismatch"


def test_unsimulable_is_neither_match_nor_mismatch() -> None:
    check = oracle.compare(Unsimulable("a split: each side decides alone"), state("s1", "s1"))
    assert check.matched is None and check.verdict == "unsimulable"
    assert "not simulable: a split" in str(check) and "web on s1" in str(check)
    assert check.to_dict()["reason"].startswith("a split")
