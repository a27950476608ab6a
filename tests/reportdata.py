"""Realistic scenarios without a cluster, for the report's tests: real ``Failover``, ``Event``,
``Sample`` and ``Finding`` objects, with the figures the lab measures (a killed httpd is back
after about 10 s, a standby moves in about 3 s, a crash takes about 30 s)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from pytest_hacluster import faults, timings
from pytest_hacluster import probe as probe_mod
from pytest_hacluster.config import Description
from pytest_hacluster.failover import Failover
from pytest_hacluster.faults import Crash, Event, Fault, KillService, PullCable, Timeline
from pytest_hacluster.fence_history import FenceOperation
from pytest_hacluster.fence_watch import Fencing
from pytest_hacluster.invariants import Violation
from pytest_hacluster.probe import Sample
from pytest_hacluster.report import document, record
from pytest_hacluster.scenario import Finding, Scenario
from pytest_hacluster.slo import Threshold
from tests.fakes import FakeCluster

URLS = {"web": "http://192.168.1.101/", "app": "http://192.168.1.101/app/",
        "tomcat": "http://192.168.1.102:8080/"}
T0 = 1000.0  # monotonic time of the probe's start
WALL0 = 1_760_000_000.0  # its wall-clock time
INTERVAL = 0.1


# Nothing is injected here: the faults' events are set as the lab would have set them.
CLUSTER = FakeCluster()


def made(fault: Fault, injected: Event, undone: Event | None = None) -> Fault:
    fault.injected, fault.undone = injected, undone
    return fault


def record_of(sc: SimpleNamespace) -> dict[str, Any]:
    """The scenario's one record, made by the code a real ``Scenario`` runs."""
    return Scenario.to_record(sc)


def event(what: str, at: float) -> Event:
    return Event(what, T0 + at, WALL0 + at, T0 + at + 0.05)


def samples(length: float, who: dict[str, Any]) -> list[Sample]:
    """Every URL every INTERVAL for ``length`` s; ``who[url](t)`` is the node answering or None."""
    out = []
    n = int(length / INTERVAL)
    for i in range(n):
        t = i * INTERVAL
        for url in URLS:
            node = who[url](t)
            out.append(Sample(url, T0 + t, 200 if node else None,
                              None if node else "connection refused", 0.004, node))
    return out


def scenario(
    fault: Fault, who: dict[str, Any], length: float, threshold: Threshold,
    settled: float | None, detected: float | None, placement: dict[str, str | None],
    findings: list[Finding] = (), failcounts: dict[str, int] | None = None,
    slo_urls: tuple[str, ...] = ("web", "app"),
) -> SimpleNamespace:
    got = samples(length, who)
    ev = fault.injected
    assert ev is not None
    m = Failover(fault=str(fault), injected=ev, probe_interval=INTERVAL, threshold=threshold,
                 slo_urls=slo_urls, target_node=fault.node)
    for url in URLS:
        m.outages[url] = [o for o in probe_mod.outages(got, url) if o.end is None
                          or o.end >= ev.t]
        m.stories[url] = probe_mod.story(got, url, ev.t)
    m.settled_s, m.detected_s = settled, detected
    m.placement = placement
    m.failcounts = failcounts or {}
    m.events = [ev.at(ev.t)]
    events = [ev] + ([fault.undone] if fault.undone else [])
    return SimpleNamespace(
        probe=SimpleNamespace(started=T0, stopped=T0 + length, interval=INTERVAL, timeout=1.0,
                              urls=dict(URLS), samples=got),
        faults=SimpleNamespace(made=[fault], timeline=SimpleNamespace(events=events)),
        measurements=[m], findings=list(findings), violations=[], predictions=lambda: [],
        upgrade=None,
        stonith=False, fencing=None, fencing_error=None, power=[],
        watch=SimpleNamespace(
            started=T0, stopped=T0 + length, not_watched=[],
            rates=lambda: {"arp": 9.8, "s1": 1.9, "s2": 1.9},
        ),
    )


def on(node: str | None, down: tuple[float, float] | None = None, then: str | None = None):
    def who(t: float) -> str | None:
        if down is None or t < down[0]:
            return node
        if t < down[1]:
            return None
        return then or node
    return who


def kill_httpd() -> SimpleNamespace:
    f = made(KillService(CLUSTER, Timeline(), "s1", "httpd"),
             event("SIGKILL httpd on s1", 5.0))
    return scenario(
        f, {"web": on("s1", (5.05, 14.95)), "app": on("s1", (5.05, 14.95)),
            "tomcat": on("s2")}, 25, Threshold("restart", 20, "monitor interval 10s + margin 10s"),
        settled=11.3, detected=9.0, placement={"web": "s1", "webapp": "s2"},
        failcounts={"httpd@s1": 1},
    )


def standby() -> SimpleNamespace:
    f = made(faults.standby(CLUSTER, Timeline(), "s1"),
             event("standby s1", 4.0), event("undo standby s1", 20.0))
    return scenario(
        f, {"web": on("s1", (4.1, 6.9), "s2"), "app": on("s1", (4.1, 6.9), "s2"),
            "tomcat": on("s2")}, 22, Threshold("switchover", 20, "2 x margin 10s"),
        settled=3.4, detected=None, placement={"web": "s2", "webapp": "s2"},
        findings=[Finding("groups stay on s2 after online (no failback)", {"failback": False})],
    )


WHY_SPLIT = "seed configuration: one corosync link, no STONITH, no-quorum-policy=ignore"


def split_brain() -> SimpleNamespace:
    f = made(PullCable(CLUSTER, Timeline(), "s1", "eth2"),
             event("pull cable eth2 of s1", 3.0), event("undo pull cable eth2 of s1", 40.0))
    sc = scenario(
        f, {"web": on("s1"), "app": on("s1"), "tomcat": on("s2")}, 60,
        Threshold("converge", 41, "token+consensus 11s + 3 x margin 10s"),
        settled=52.0, detected=None, placement={"web": "s1", "webapp": "s2"},
        findings=[
            Finding("split brain: each side ran every group alone",
                    {"each_side_alone_s": 7.9, "one_copy_after_plug_s": 12.1,
                     "views_when_split": {"s1": {"web": "s1", "webapp": "s1"},
                                          "s2": {"web": "s2", "webapp": "s2"}}}),
            # As Scenario.record_expected_violations says the declared violations below.
            Finding(f"expected: a VIP answered ARP from two nodes ({WHY_SPLIT})",
                    {"vip_doubled": "192.168.1.101 on s1 and s2 from +13.3s for 32.7s, "
                     "192.168.1.102 on s1 and s2 from +14.3s for 30.7s", "seen_by": "arp"}),
        ],
    )
    sc.measurements = []
    why = WHY_SPLIT
    sc.violations = [
        Violation("vip_doubled", vip, ("s1", "s2"), T0 + start, T0 + end, "arp", why)
        for vip, start, end in (("192.168.1.101", 13.3, 46.0), ("192.168.1.102", 14.3, 45.0))
    ]
    return sc


def fenced_pull() -> SimpleNamespace:
    """The interconnect pulled with STONITH on: s2 fenced 10.8 s after the pull (request to
    confirmed 0.15 s), app back on s1 at +13.0 s, no VIP ever doubled."""
    f = made(PullCable(CLUSTER, Timeline(), "s2", "eth2"),
             event("pull cable eth2 of s2", 3.0), event("undo pull cable eth2 of s2", 30.0))
    sc = scenario(
        f, {"web": on("s1"), "app": on("s1", (13.0, 16.0)), "tomcat": on("s2", (13.8, 16.0),
                                                                         "s1")},
        35, Threshold("node_loss", 31, "token+consensus 11s + 20s"),
        settled=13.4, detected=None, placement={"web": "s1", "webapp": "s1"},
        slo_urls=("web", "app", "tomcat"),
    )
    op = FenceOperation("off", "s2", "s1", "s1", "OK (complete)", WALL0 + 13.65, WALL0 + 13.8)
    sc.measurements[0].fencing = (op,)
    sc.stonith, sc.fencing = True, Fencing((), (op,))
    sc.power = [{"received": WALL0 + 13.7, "done": WALL0 + 13.79, "request": "off s2",
                 "result": "ok off", "peer": "192.168.1.121", "took_s": 0.09, "node": "s2",
                 "action": "off"}]
    return sc


def crash_too_slow() -> SimpleNamespace:
    f = made(Crash(CLUSTER, Timeline(), "s1"),
             event("crash s1", 5.0), event("undo crash s1", 50.0))
    return scenario(
        f, {"web": on("s1", (5.0, 41.2), "s2"), "app": on("s1", (5.0, 41.7), "s2"),
            "tomcat": on("s2")}, 55, Threshold("node_loss", 31, "token+consensus 11s + 20s"),
        settled=35.0, detected=None, placement={"web": "s2", "webapp": "s2"},
    )


SCENARIOS = {
    "tests/acceptance/test_kill_service.py::test_killed_service_restarts_in_place[httpd]":
        (kill_httpd, "passed", None, None),
    "tests/acceptance/test_standby.py::test_standby_moves_every_group": (standby, "passed", None,
                                                                          None),
    "tests/acceptance/test_interconnect_loss.py::test_interconnect_loss_with_the_seeds_single_link":
        (split_brain, "xfailed", "seed configuration: one corosync link, no STONITH", None),
    "tests/acceptance/test_node_crash.py::test_node_crash": (
        crash_too_slow, "failed", None,
        "AssertionError: crash s1: outage web 36.2s > SLO node_loss 31.0s"),
}


def stack_origin() -> dict[str, Any]:
    """A lab's answer to ``stack_origin()`` for a Debian 11 root built earlier."""
    return {"name": "debian11", "suite": "bullseye", "root": "/var/cache/hacluster/roots/debian11",
            "this_machine": False, "built": "2026-11-29T23:00:00+0000", "build_s": 61.5}


def run_metadata() -> dict[str, Any]:
    desc = Description()
    return {
        "id": "f" * 32, "started_at": record.iso(WALL0), "finished_at": record.iso(WALL0 + 190),
        "duration_s": 190.0, "exitstatus": 1, "backend": "lab", "live_cluster": True,
        "keep": False, "cluster_name": desc.cluster_name, "stack": stack_origin(),
        "nodes": {n.name: {"service_ip": n.service_ip, "interconnect_ip": n.interconnect_ip}
                  for n in desc.nodes},
        "versions": {n: {"pacemaker": "2.1.5", "corosync": "3.1.7", "heartbeat": None,
                         "apache": "2.4.62", "tomcat": "10.1.34"} for n in ("s1", "s2")},
        "clusters": [], "timings_profile": desc.timings.profile,
        "detection": timings.detection(desc.timings).to_dict(), "plugin_version": "0.1.0",
        "pytest_version": "8.3.4", "python_version": "3.11.2", "host": "ci",
        "invocation": ["--hacluster", "--hacluster-report=out"], "report_dir": "/tmp/out",
        "recording_problems": [], "config": record.config_record(desc),
    }


def make_document(which: dict[str, Any] | None = None) -> dict[str, Any]:
    """A report.json document of the scenarios above plus one check without a scenario."""
    which = SCENARIOS if which is None else which
    tests, records = [], {}
    for nodeid, (make, outcome, xfail, failure) in which.items():
        records[nodeid] = record_of(make())
        tests.append({"test": nodeid, "name": nodeid, "outcome": outcome, "duration_s": 30.0,
                      "failure": failure, "xfail_reason": xfail, "worker": None})
    tests.insert(0, {"test": "tests/acceptance/test_services.py::test_every_url_answers",
                     "name": "x", "outcome": "passed", "duration_s": 0.2, "failure": None,
                     "xfail_reason": None, "worker": None})
    diag = {n: [f"diagnostics/{n.split('::')[-1]}"] for n, v in which.items() if v[1] == "failed"}
    return document.build(run_metadata(), tests, records, diag)
