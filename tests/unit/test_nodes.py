"""Clusters of 2 to 5 nodes: cluster-wide queries, "the other node", the majority's prediction
of a pulled interconnect, the quorum markers. The description's checks: test_config.py."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from pytest_hacluster.backends.base import Backend, Settings
from pytest_hacluster.cluster import Cluster, ClusterError
from pytest_hacluster.config import Description, from_mapping
from pytest_hacluster.faults import PullCable, Timeline
from pytest_hacluster.http_client import HttpClient
from pytest_hacluster.oracle import Simulation, Unsimulable
from pytest_hacluster.shell import CommandError, Result, argv_of
from tests.fakes import FakeCluster

S3 = {"service_ip": "192.168.1.123", "interconnect_ip": "192.168.9.123", "ssh_port": 2322}
THREE = from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": S3}})


class ShellNode:
    """A node whose commands really run here (``sh``, ``echo``), with a ``crm_node`` on its
    PATH that prints this node's quorum as Pacemaker's does (1 or 0)."""

    def __init__(self, name: str, quorate: bool, bin_dir: Path) -> None:
        self.name = name
        self.ran: list[list[str]] = []
        self.path = bin_dir / name
        self.path.mkdir()
        tool = self.path / "crm_node"
        tool.write_text(textwrap.dedent(f"""\
            #!/bin/sh
            [ "$1" = --quorum ] || exit 64
            echo {1 if quorate else 0}
            """))
        tool.chmod(0o755)

    def run(self, command, *, timeout=60, check=False, input=None, env=None):  # type: ignore[no-untyped-def]
        argv = argv_of(command)
        self.ran.append(argv)
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False,
            env={**os.environ, "PATH": f"{self.path}:{os.environ['PATH']}", "NODE": self.name},
        )
        return Result(" ".join(argv), done.returncode, done.stdout, done.stderr, 0.01)


class Nodes(Backend):
    name = "fake"

    def __init__(self, description: Description, nodes: dict[str, ShellNode]) -> None:
        super().__init__(description, Settings())
        self._nodes = nodes

    def check(self) -> None: ...
    def up(self, progress) -> None: ...  # type: ignore[no-untyped-def]
    def down(self) -> None: ...
    def nodes(self):  # type: ignore[no-untyped-def]
        return dict(self._nodes)
    def http(self) -> HttpClient:
        return HttpClient()


def _cluster(desc: Description, quorate: dict[str, bool], tmp_path: Path) -> Cluster:
    nodes = {n: ShellNode(n, quorate[n], tmp_path) for n in desc.node_names}
    return Cluster(desc, Nodes(desc, nodes))


WHO = ["sh", "-c", 'echo "$NODE"']


def test_a_minority_node_is_not_asked_for_the_clusters_view(tmp_path: Path) -> None:
    cluster = _cluster(THREE, {"s1": False, "s2": True, "s3": True}, tmp_path)
    assert cluster.run_anywhere(WHO).stdout.strip() == "s2"


def test_without_quorum_anywhere_the_first_node_answers(tmp_path: Path) -> None:
    cluster = _cluster(THREE, {"s1": False, "s2": False, "s3": False}, tmp_path)
    assert cluster.run_anywhere(WHO).stdout.strip() == "s1"


def test_a_pair_is_asked_in_order_as_always(tmp_path: Path) -> None:
    cluster = _cluster(Description(), {"s1": False, "s2": True}, tmp_path)
    assert cluster.run_anywhere(WHO).stdout.strip() == "s1"
    first = cluster.backend.nodes()["s1"]
    assert first.ran == [WHO]  # no quorum question asked of a pair


def test_a_command_failing_everywhere_still_raises(tmp_path: Path) -> None:
    cluster = _cluster(THREE, {"s1": True, "s2": True, "s3": False}, tmp_path)
    with pytest.raises(CommandError):
        cluster.run_anywhere(["sh", "-c", "exit 3"])
    # Failed where there is quorum: not run again without the quorum check, nor on s3.
    ran = {name: len(node.ran) for name, node in cluster.backend.nodes().items()}
    assert ran == {"s1": 1, "s2": 1, "s3": 1}


def test_other_node_is_a_pairs_and_other_nodes_everyones(tmp_path: Path) -> None:
    for sub in ("pair", "three"):
        (tmp_path / sub).mkdir()
    pair = _cluster(Description(), {"s1": True, "s2": True}, tmp_path / "pair")
    three = _cluster(THREE, {"s1": True, "s2": True, "s3": True}, tmp_path / "three")
    assert pair.other_node("s1") == "s2" and pair.elsewhere("s1") == "s2"
    assert three.other_nodes("s2") == ("s1", "s3")
    assert three.elsewhere("s2") == "a node other than s2"
    with pytest.raises(ClusterError, match=r"3 nodes: no single node other than s2 \(s1, s3\)"):
        three.other_node("s2")


def test_a_pulled_interconnect_of_three_is_the_majoritys_node_failure() -> None:
    pull = PullCable(FakeCluster(description=THREE), Timeline(), "s1", "eth2")
    sim = pull.simulation(cib=None)  # type: ignore[arg-type]  # the CIB is not read here
    assert isinstance(sim, Simulation)
    assert sim.failed_nodes == ("s1",) and "no-quorum-policy=stop" in sim.note
    assert isinstance(pull.undo_simulation(cib=None), Unsimulable)  # type: ignore[arg-type]


def test_a_pulled_interconnect_of_a_pair_stays_unsimulable() -> None:
    pull = PullCable(FakeCluster(), Timeline(), "s1", "eth2")
    sim = pull.simulation(cib=None)  # type: ignore[arg-type]
    assert isinstance(sim, Unsimulable) and "a split" in sim.reason


def test_three_nodes_with_ignore_are_a_split_again() -> None:
    ignoring = from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": S3},
                             "properties": {"no-quorum-policy": "ignore"}})
    pull = PullCable(FakeCluster(description=ignoring), Timeline(), "s1", "eth2")
    assert isinstance(pull.simulation(cib=None), Unsimulable)  # type: ignore[arg-type]


QUORUM_MARKED = """
import pytest

@pytest.mark.hacluster_quorum
def test_minority():
    pass

@pytest.mark.hacluster_no_quorum
def test_split():
    pass
"""

THREE_TOML = """
[tool.hacluster.nodes.s1]
[tool.hacluster.nodes.s2]
[tool.hacluster.nodes.s3]
service_ip = "192.168.1.123"
interconnect_ip = "192.168.9.123"
ssh_port = 2322
"""


def test_quorum_markers_follow_the_description(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_quorum=QUORUM_MARKED)
    result = pytester.runpytest_subprocess("-rs", "--strict-markers")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*needs 3+ nodes whose minority stops (2 nodes, "
                                 "no-quorum-policy=ignore)*"])
    (pytester.path / "three.toml").write_text(THREE_TOML)
    result = pytester.runpytest_subprocess("-rs", "--strict-markers",
                                           "--hacluster-config=three.toml")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*quorum decides in this cluster (3 nodes, "
                                 "no-quorum-policy=stop)*"])


def test_the_vagrant_export_lists_every_node_with_its_port() -> None:
    from pytest_hacluster.export import nodes_json

    nodes = json.loads(nodes_json(THREE))["nodes"]
    assert [(n["name"], n["service_ip"], n["interconnect_ip"], n["ssh_port"]) for n in nodes] \
        == [("s1", "192.168.1.121", "192.168.9.121", 2122),
            ("s2", "192.168.1.122", "192.168.9.122", 2222),
            ("s3", "192.168.1.123", "192.168.9.123", 2322)]
