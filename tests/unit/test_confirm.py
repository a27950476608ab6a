"""A doubled resource in a node's crm_mon counts only when the scheduler saw it (``confirm.py``).

The rejoin frame is made from a CIB captured on the lab (``data/rejoin``) and read by the real
``crm_mon`` and ``crm_simulate`` of this machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pytest_hacluster import crm_status
from pytest_hacluster.confirm import SchedulerCheck, confirm, multiply_active
from pytest_hacluster.invariants import Violation, view_of

DATA = Path(__file__).parent / "data" / "rejoin"
MEMBERS = {"web": ("vip_httpd", "httpd"), "webapp": ("vip_tomcat", "tomcat")}
pacemaker = pytest.mark.skipif(
    shutil.which("crm_mon") is None or shutil.which("crm_simulate") is None,
    reason="needs Pacemaker's crm_mon and crm_simulate (./bootstrap installs them)",
)


def _rejoining(tmp_path: Path, join: str) -> Path:
    """The survivor's CIB once s1 is back in the membership with its controller running
    (what the DC writes first on a rejoin), ``join`` as a join round left it."""
    text = (DATA / "cib-s1-lost.xml").read_text()
    node, count = re.subn(
        r'(<node_state id="1" uname="s1") in_ccm="false" crmd="offline" '
        r'crm-debug-origin="[^"]*" join="down"',
        rf'\1 in_ccm="true" crmd="online" crm-debug-origin="post_cache_update" join="{join}"',
        text,
    )
    assert count == 1
    path = tmp_path / f"cib-s1-rejoining-{join}.xml"
    path.write_text(node)
    return path


def _crm_mon(cib: Path) -> crm_status.ClusterState:
    out = subprocess.run(["crm_mon", "-1", "--output-as=xml"], capture_output=True, text=True,
                         env={**os.environ, "CIB_file": str(cib)}, timeout=30, check=True)
    return crm_status.parse_xml(out.stdout)


@pacemaker
def test_the_rejoin_frame_shows_the_lost_nodes_old_history(tmp_path: Path) -> None:
    view = view_of(_crm_mon(_rejoining(tmp_path, "member")), MEMBERS)
    assert view.doubled == {"vip_httpd": ("s1", "s2"), "httpd": ("s1", "s2")}
    assert view.split == {"web": ("s1", "s2")}
    # Before a join round has counted it, the node is not online and shows nothing.
    assert view_of(_crm_mon(_rejoining(tmp_path, "down")), MEMBERS).doubled == {}


@pacemaker
def test_the_scheduler_would_have_said_so_had_it_run_on_that_frame(tmp_path: Path) -> None:
    out = subprocess.run(
        ["crm_simulate", "-x", str(_rejoining(tmp_path, "member")), "-S", "-VV"],
        capture_output=True, text=True, timeout=60,
    )
    assert multiply_active((out.stdout + out.stderr).splitlines()) == {"vip_httpd", "httpd"}


def test_the_schedulers_words_in_every_version() -> None:
    lines = [  # 2.1 and 3.0, 2.0, 1.1 (see confirm.py for the sources)
        "Nov 29 23:40:01.123 s2 pacemaker-schedulerd[61] (pcmk__primitive_create_actions) "
        "error: ocf resource vip_httpd might be active on 2 nodes (attempting recovery)",
        "Nov 29 23:40:01 s2 pacemaker-schedulerd[61]: error: Resource httpd is active on 2 "
        "nodes (attempting recovery)",
        "Nov 29 23:40:01 s2 pengine[61]: error: Resource tomcat (ocf::heartbeat:tomcat) is "
        "active on 2 nodes attempting recovery",
        "Nov 29 23:40:01 s2 pengine[61]: error: Resource ping:0 is active on 2 nodes",
        "Nov 29 23:40:01 s2 pacemaker-schedulerd[61]: notice: Resource vip_tomcat is active "
        "on 1 nodes",
    ]
    assert multiply_active(lines) == {"vip_httpd", "httpd", "tomcat", "ping"}


def _seen(kind: str, subject: str, start: float, end: float | None) -> Violation:
    return Violation(kind, subject, ("s1", "s2"), start, end, "s2")


def test_a_frame_the_scheduler_never_saw_fails_nothing() -> None:
    asked: list[tuple[float, float]] = []

    def logs(start: float, end: float) -> list[str]:
        asked.append((start, end))
        return ["s2: notice: Transition 3 (Complete=14): Complete"]

    found = [_seen("resource_doubled", "vip_httpd", 100.0, 100.7),
             _seen("resource_doubled", "httpd", 100.0, 100.7),
             _seen("group_split", "web", 100.0, 100.7)]
    said: dict[tuple[str, str, float], bool] = {}
    confirm(found, logs, MEMBERS, now=110.0, said=said)
    assert [v.counts for v in found] == [False, False, False]
    assert "never found vip_httpd active on two nodes" in (found[0].unconfirmed or "")
    assert len(asked) == 2
    confirm([_seen("resource_doubled", "vip_httpd", 100.0, 100.7)], logs, MEMBERS,
            now=110.0, said=said)
    assert len(asked) == 2  # each window asked about once


def test_a_double_the_scheduler_saw_counts_and_so_does_its_group() -> None:
    def logs(start: float, end: float) -> list[str]:
        return ["s2: error: ocf resource vip_httpd might be active on 2 nodes (restart)"]

    found = [_seen("resource_doubled", "vip_httpd", 100.0, 102.2),
             _seen("resource_doubled", "httpd", 100.0, 102.2),
             _seen("group_split", "web", 100.0, 102.2)]
    confirm(found, logs, MEMBERS, now=110.0)
    assert [v.counts for v in found] == [True, False, True]


def test_a_double_still_shown_at_the_end_counts_whatever_it_is() -> None:
    def logs(start: float, end: float) -> list[str]:
        raise AssertionError("an open window needs no logs")

    found = [_seen("resource_doubled", "vip_httpd", 100.0, None),
             _seen("group_split", "web", 100.0, None)]
    confirm(found, logs, MEMBERS, now=110.0)
    assert all(v.counts for v in found)


class _Watch:
    """A watcher whose doubled view closes after ``closes_after`` looks at it."""

    stopped = None

    def __init__(self, closes_after: int) -> None:
        self.asked = 0
        self.closes_after = closes_after

    def violations(self) -> list[Violation]:
        self.asked += 1
        end = 101.0 if self.asked > self.closes_after else None
        return [_seen("resource_doubled", "vip_httpd", 100.0, end)]


class _Cluster:
    class description:  # a stand-in for Description: no groups
        groups = ()


def test_settle_waits_for_an_open_double_to_end_but_not_for_a_declared_one() -> None:
    check = SchedulerCheck(_Cluster())  # type: ignore[arg-type]
    watch = _Watch(closes_after=3)
    check.settle(watch, timeout=5)  # type: ignore[arg-type]
    assert watch.asked > 3
    declared = _Watch(closes_after=10**6)
    started = time.monotonic()
    check.settle(declared, timeout=5, declared={"resource_doubled": "split brain"})  # type: ignore[arg-type]
    assert declared.asked == 1 and time.monotonic() - started < 1
