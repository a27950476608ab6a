"""Cluster.state() reads Pacemaker 2's XML, and the seed's Pacemaker 1.0 text when crm_mon has
no XML output (a node answering like the seed's CentOS 6 cluster)."""

from __future__ import annotations

from pathlib import Path

from pytest_hacluster.backends.base import Backend, Settings
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import CRM_MON_TEXT_ARGS
from pytest_hacluster.http_client import HttpClient
from pytest_hacluster.shell import Result, argv_of

DATA = Path(__file__).parent / "data" / "crm_mon"


class Pacemaker10Node:
    """Answers crm_mon as Pacemaker 1.0 does: no --output-as, text with -1 -r -f."""

    name = "s1"

    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def run(self, command, *, timeout=60, check=False, input=None, env=None):  # type: ignore[no-untyped-def]
        argv = argv_of(command)
        self.asked.append(argv)
        if argv == list(CRM_MON_TEXT_ARGS):
            text = (DATA / "seed_tomcat_crm_mon_f_two_groups_on_s1.txt").read_text()
            return Result(" ".join(argv), 0, text, "", 0.01)
        return Result(" ".join(argv), 1, "", "crm_mon: unrecognized option '--output-as=xml'",
                      0.01)


class OneNode(Backend):
    name = "fake"

    def __init__(self, node: Pacemaker10Node) -> None:
        super().__init__(Description(), Settings())
        self._node = node

    def check(self) -> None: ...
    def up(self, progress) -> None: ...  # type: ignore[no-untyped-def]
    def down(self) -> None: ...
    def nodes(self):  # type: ignore[no-untyped-def]
        return {"s1": self._node}
    def http(self) -> HttpClient:
        return HttpClient()


def test_state_falls_back_to_pacemaker_10_text_once() -> None:
    node = Pacemaker10Node()
    cluster = Cluster(Description(), OneNode(node))
    state = cluster.state()
    assert state.groups["web"].started_on == "s1"
    assert state.groups["webapp"].started_on == "s1"
    cluster.state()
    assert [a[1] for a in node.asked] == ["-1", "-1", "-1"]  # XML tried once, then text only
    assert sum("--output-as=xml" in a for a in node.asked) == 1
