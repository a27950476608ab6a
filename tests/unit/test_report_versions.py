"""Versions as the nodes report them, from one script's sections."""

from __future__ import annotations

from pytest_hacluster.report import versions
from pytest_hacluster.shell import Result

DEBIAN = """== pacemaker
Pacemaker 2.1.5
== corosync
Corosync Cluster Engine, version '3.1.7'
== heartbeat
== apache
Server version: Apache/2.4.62 (Debian)
== tomcat
Apache Tomcat/10.1.34 (Debian)
"""


def test_debian_stack() -> None:
    assert versions.parse(DEBIAN) == {
        "pacemaker": "2.1.5", "corosync": "3.1.7", "heartbeat": None,
        "apache": "2.4.62", "tomcat": "10.1.34",
    }


def test_heartbeat_stack_and_missing_tools() -> None:
    out = ("== pacemaker\nPacemaker 1.0.12\n== corosync\nsh: corosync: not found\n"
           "== heartbeat\nheartbeat-3.0.5-1.el6\n== apache\n== tomcat\n")
    found = versions.parse(out)
    assert found["pacemaker"] == "1.0.12" and found["corosync"] is None
    assert found["heartbeat"] == "heartbeat-3.0.5-1.el6" and found["apache"] is None


def test_a_node_that_cannot_answer() -> None:
    class Down:
        def run(self, *_a, **_k) -> Result:
            raise RuntimeError("powered off")

    got = versions.node_versions({"s1": Down()})
    assert got["s1"]["pacemaker"] is None and "powered off" in got["s1"]["error"]
