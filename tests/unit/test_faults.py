"""Faults: what they match and the order they are undone in, without a cluster."""

from __future__ import annotations

import re

import pytest

from pytest_hacluster.backends.base import FaultNotAllowed
from pytest_hacluster.faults import FaultError, Faults, Timeline, process_match
from pytest_hacluster.faults import standby as make_standby
from tests.fakes import FakeCluster


def test_service_processes_match_both_stacks() -> None:
    cluster = FakeCluster()
    assert process_match(cluster, "httpd") == ["-x", "apache2|httpd"]
    assert "catalina" in process_match(cluster, "tomcat")[1]
    with pytest.raises(FaultError, match="no known processes for resource 'vip_httpd'"):
        process_match(cluster, "vip_httpd")


def test_faults_are_undone_newest_first_once_and_timestamped() -> None:
    cluster = FakeCluster()
    faults = Faults(cluster)
    standby = faults.standby("s1")
    faults.move("web", "s2")
    assert faults.undo_all() == []
    assert faults.undo_all() == []  # a second undo does nothing
    assert cluster.calls == [
        ("node", "standby", "s1"), ("resource", "move", "web", "s2"),
        ("resource", "unmove", "web"), ("node", "online", "s1"),
    ]
    events = [e.what for e in faults.timeline.events]
    assert events == ["standby s1", "move web to s2", "undo move web to s2", "undo standby s1"]
    assert standby.injected is not None and standby.undone is not None
    assert standby.injected.t <= standby.injected.done <= standby.undone.t


def test_one_failing_undo_does_not_stop_the_others() -> None:
    cluster = FakeCluster()
    faults = Faults(cluster)
    faults.standby("s1")
    faults.move("web", "s2")
    cluster.failing = "unmove"
    (failed,) = faults.undo_all()
    assert "undo move web to s2" in failed
    assert cluster.calls[-1] == ("node", "online", "s1")


def test_a_backend_that_refuses_faults_is_asked_before_anything_changes() -> None:
    cluster = FakeCluster(refuse=True)
    faults = Faults(cluster)
    with pytest.raises(FaultNotAllowed, match="standby s1: not without"):
        faults.standby("s1")
    assert cluster.calls == [] and faults.timeline.events == []
    assert faults.undo_all() == []


def test_a_fault_is_measured_from_its_injection_with_the_prediction_now_due() -> None:
    faults = Faults(FakeCluster())
    standby = faults.standby("s1")
    injected = standby.measured()
    assert injected.what == "standby s1" and injected.node == "s1"
    assert injected.failcounts_before is None  # crm_mon did not answer: unknown, not zero
    standby.undo()
    assert standby.undone is not None and standby.undone.node == "s1"
    after = standby.measured()
    assert after.t == injected.t and after.prediction is standby.undone.prediction
    record = standby.to_record(origin=injected.t - 1.0)
    assert (record["kind"], record["node"], record["injected_s"]) == ("standby", "s1", 1.0)
    assert record["undone_s"] is not None and record["undone_s"] >= 1.0
    not_injected = make_standby(FakeCluster(), Timeline(), "s2")
    with pytest.raises(FaultError, match="never injected"):
        not_injected.measured()


def test_a_fault_whose_injection_raised_half_way_is_still_undone() -> None:
    # A ping check that had loaded its clone and then timed out waiting left the clone for
    # every later test (seen in CI): whatever an injection may have changed is taken back.
    cluster = FakeCluster()
    faults = Faults(cluster)
    cluster.failing = "standby"
    with pytest.raises(Exception, match="standby"):
        faults.standby("s1")
    cluster.failing = ""
    assert faults.undo_all() == []
    assert cluster.calls[-1] == ("node", "online", "s1")


def test_a_standby_crmsh_did_not_make_fails_naming_what_crmsh_said() -> None:
    """crmsh 4.4 exits 0 on ``crm node standby s2`` when s2 is unreachable, setting nothing."""
    faults = Faults(FakeCluster(ignoring="standby"))
    with pytest.raises(FaultError, match=r"crm node standby s2 exited 0 but did not take: "
                                         r"the standby attribute of node s2 is 'absent', not "
                                         r"'on'; crmsh said: WARNING: host \"s2\" is "
                                         r"unreachable"):
        faults.standby("s2")
    taken = Faults(FakeCluster())
    taken.standby("s2")
    assert taken.undo_all() == []  # online read back as "off"


CRMSH_OPERATIONS = [  # Faults method, its arguments, the crmsh words of it and of its undo,
    # and what the CIB holds when crmsh ignored each
    ("standby", ("s2",), "standby", "the standby attribute of node s2 is 'absent', not 'on'",
     "online", "the standby attribute of node s2 is 'on', not 'off'"),
    ("move", ("web", "s2"), "move",
     "the location constraint cli-prefer-web is 'absent', not 's2'",
     "unmove", "the cli-prefer/cli-ban constraints of web is 'cli-prefer-web', not 'absent'"),
    ("ban", ("webapp", "s1"), "ban",
     "the location constraint cli-ban-webapp-on-s1 is 'absent', not '-INFINITY'",
     "clear",
     "the cli-prefer/cli-ban constraints of webapp is 'cli-ban-webapp-on-s1', not 'absent'"),
    ("stop", ("webapp",), "stop",
     "the target-role meta attribute of webapp is 'absent', not 'Stopped'",
     "start", "the target-role meta attribute of webapp is 'Stopped', not 'Started'"),
    ("set_meta", ("web", "migration-threshold", "2"), "set",
     "the migration-threshold meta attribute of web is 'absent', not '2'",
     "delete", "the migration-threshold meta attribute of web is '2', not 'absent'"),
]


@pytest.mark.parametrize(("method", "args", "word", "said", "undo_word", "undo_said"),
                         CRMSH_OPERATIONS, ids=[c[0] for c in CRMSH_OPERATIONS])
def test_every_crmsh_operation_and_its_undo_is_read_back_from_the_cib(
    method: str, args: tuple[str, ...], word: str, said: str, undo_word: str, undo_said: str
) -> None:
    """Each crmsh change a test makes, and its undo, is read back from the CIB: one crmsh
    exited 0 on without making it fails naming what the CIB holds instead."""
    with pytest.raises(FaultError, match="exited 0 but did not take: " + re.escape(said)):
        getattr(Faults(FakeCluster(ignoring=word)), method)(*args)
    taken = Faults(FakeCluster())
    getattr(taken, method)(*args)
    assert taken.undo_all() == []
    cluster = FakeCluster()
    not_undone = Faults(cluster)
    getattr(not_undone, method)(*args)
    cluster.ignoring = undo_word
    (failure,) = not_undone.undo_all()
    assert f"exited 0 but did not take: {undo_said}; crmsh said: WARNING" in failure
