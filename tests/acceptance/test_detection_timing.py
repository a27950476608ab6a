"""Failure detection is the described cluster's (the seed's Heartbeat timings mapped onto
corosync and Pacemaker in ``timings.py``), whatever the bring-up used to start fast."""

from __future__ import annotations

import pytest

from pytest_hacluster import timings
from pytest_hacluster.cluster import Cluster

pytestmark = pytest.mark.hacluster

RUNNING = [
    ("token", "token_ms"),
    ("consensus", "consensus_ms"),
    ("token_retransmits_before_loss_const", "retransmits_before_loss"),
    ("token_warning", "token_warning_pct"),
]


@pytest.mark.parametrize(("key", "attr"), RUNNING, ids=[k for k, _ in RUNNING])
def test_corosync_runs_with_described_timing(hacluster: Cluster, key: str, attr: str) -> None:
    want = getattr(timings.detection(hacluster.description.timings), attr)
    seen = {
        name: node.run(["corosync-cmapctl", "-g", f"runtime.config.totem.{key}"], check=True)
        .stdout.strip().rsplit("=", 1)[-1].strip()
        for name, node in hacluster.nodes.items()
    }
    assert seen == {name: str(want) for name in hacluster.nodes}


def test_pacemaker_waits_the_described_initdead_at_start(hacluster: Cluster) -> None:
    want = timings.detection(hacluster.description.timings).dc_deadtime
    seen = {
        name: node.run(
            ["crm_attribute", "--type", "crm_config", "--name", "dc-deadtime", "--query",
             "--quiet"], check=True,
        ).stdout.strip()
        for name, node in hacluster.nodes.items()
    }
    assert seen == {name: want for name in hacluster.nodes}
