"""The state reader on crm_mon XML captured from a live lab (Pacemaker 2.1.5), not simulated.

Captured with ``hacluster-lab exec s1 -- crm_mon -1 --output-as=xml
--include=failcounts,failures``: after a cold start, after ``pkill -9 -x apache2`` on web's
node once httpd was recovered in place, and after ``crm node standby s2``.
"""

from __future__ import annotations

from pathlib import Path

from pytest_hacluster import crm_status
from pytest_hacluster.crm_status import FailedAction

DATA = Path(__file__).parent / "data" / "crm_mon"


def _state(name: str) -> crm_status.ClusterState:
    return crm_status.parse((DATA / f"lab_{name}.xml").read_text())


def test_cold_start_spreads_the_groups_and_is_clean() -> None:
    s = _state("all_started")
    assert s.dc == "s2" and s.quorum is True
    assert {n: x.state for n, x in s.nodes.items()} == {"s1": "online", "s2": "online"}
    assert {g: x.started_on for g, x in s.groups.items()} == {"web": "s1", "webapp": "s2"}
    assert [r.id for r in s.groups["web"].resources] == ["vip_httpd", "httpd"]
    assert s.resources["tomcat"].agent == "ocf:heartbeat:tomcat"
    assert s.failcounts == {} and s.failed_actions == ()


def test_killed_httpd_recovered_in_place_with_failcount_one() -> None:
    s = _state("httpd_killed_recovered")
    assert s.groups["web"].started_on == "s1"
    assert s.failcount("httpd", "s1") == 1
    assert s.failcount("httpd", "s2") == 0
    assert s.failed_actions == (
        FailedAction(resource="httpd", operation="monitor", node="s1", interval_ms=10000,
                     rc=7, status="complete", exit_reason="", last_rc_change=1795599442.0),
    )


def test_standby_node_holds_nothing() -> None:
    s = _state("standby_s2")
    assert s.nodes["s2"].state == "standby" and s.nodes["s2"].online
    assert s.where("web") == s.where("webapp") == frozenset({"s1"})
    assert s.online_nodes == frozenset({"s1", "s2"})
