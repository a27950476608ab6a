"""Cluster.state() asks ``crm_mon --version`` once and reads what that Pacemaker prints best:
2.x XML, the legacy ``--as-xml`` of 1.1 (and 2.0.0-2.0.2), the seed's Pacemaker 1.0 text."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_hacluster.backends.base import Backend, Settings
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import (
    CRM_MON_LEGACY_XML_ARGS,
    CRM_MON_TEXT_ARGS,
    CRM_MON_XML_ARGS,
    ParseError,
)
from pytest_hacluster.http_client import HttpClient
from pytest_hacluster.shell import Result, argv_of

DATA = Path(__file__).parent / "data" / "crm_mon"


class VersionedNode:
    """Answers ``crm_mon --version`` with ``version`` and one crm_mon command with a file."""

    name = "s1"

    def __init__(self, version: str, answers: list[str], fixture: str) -> None:
        self.version, self.answers, self.fixture = version, answers, fixture
        self.asked: list[list[str]] = []

    def run(self, command, *, timeout=60, check=False, input=None, env=None):  # type: ignore[no-untyped-def]
        argv = argv_of(command)
        self.asked.append(argv)
        if argv == ["crm_mon", "--version"]:
            return Result(" ".join(argv), 0, self.version, "", 0.01)
        if argv == self.answers:
            return Result(" ".join(argv), 0, (DATA / self.fixture).read_text(), "", 0.01)
        return Result(" ".join(argv), 1, "", f"crm_mon: unrecognized option '{argv[-1]}'", 0.01)


class OneNode(Backend):
    name = "fake"

    def __init__(self, node: VersionedNode) -> None:
        super().__init__(Description(), Settings())
        self._node = node

    def check(self) -> None: ...
    def up(self, progress) -> None: ...  # type: ignore[no-untyped-def]
    def down(self) -> None: ...
    def nodes(self):  # type: ignore[no-untyped-def]
        return {"s1": self._node}
    def http(self) -> HttpClient:
        return HttpClient()


PACEMAKER_10 = (
    "crm_mon 1.0.13 for OpenAIS and Heartbeat (Build: 30bb726)\n\nWritten by Andrew Beekhof\n"
)


@pytest.mark.parametrize(
    ("version", "command", "fixture"),
    [
        (PACEMAKER_10, CRM_MON_TEXT_ARGS, "seed_tomcat_crm_mon_f_two_groups_on_s1.txt"),
        ("Pacemaker 1.1.18\nWritten by Andrew Beekhof\n", CRM_MON_LEGACY_XML_ARGS,
         "handmade_pcmk11_httpd_start_failed.xml"),
        ("Pacemaker 2.0.2\n", CRM_MON_LEGACY_XML_ARGS, "handmade_pcmk11_httpd_start_failed.xml"),
        ("Pacemaker 2.0.3\n", CRM_MON_XML_ARGS, "pcmk2_all_started.xml"),
        ("Pacemaker 2.1.5\nWritten by Andrew Beekhof\n", CRM_MON_XML_ARGS, "pcmk2_all_started.xml"),
    ],
)
def test_state_reads_the_output_of_that_version_asking_the_version_once(
    version: str, command: list[str], fixture: str
) -> None:
    node = VersionedNode(version, list(command), fixture)
    cluster = Cluster(Description(), OneNode(node))
    first = cluster.state()
    assert first.groups["webapp"].started_on is not None
    cluster.state()
    assert node.asked == [["crm_mon", "--version"], list(command), list(command)]


def test_seed_text_is_read_on_pacemaker_10() -> None:
    node = VersionedNode(PACEMAKER_10, list(CRM_MON_TEXT_ARGS),
                         "seed_tomcat_crm_mon_f_two_groups_on_s1.txt")
    state = Cluster(Description(), OneNode(node)).state()
    assert (state.groups["web"].started_on, state.groups["webapp"].started_on) == ("s1", "s1")


def test_unreadable_version_is_a_parse_error_naming_it() -> None:
    node = VersionedNode("heartbeat 3.0.5\n", list(CRM_MON_TEXT_ARGS), "x")
    with pytest.raises(ParseError, match=r"heartbeat 3\.0\.5"):
        Cluster(Description(), OneNode(node)).state()
