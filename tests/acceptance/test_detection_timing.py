"""Failure detection is the described cluster's, whatever the bring-up used to start fast."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster

pytestmark = pytest.mark.hacluster


@pytest.mark.parametrize(("key", "attr"), [("token", "token_ms"), ("consensus", "consensus_ms")])
def test_corosync_runs_with_described_timing(hacluster: Cluster, key: str, attr: str) -> None:
    want = getattr(hacluster.description.timings, attr)
    seen = {
        name: node.run(["corosync-cmapctl", "-g", f"runtime.config.totem.{key}"], check=True)
        .stdout.strip().rsplit("=", 1)[-1].strip()
        for name, node in hacluster.nodes.items()
    }
    assert seen == {name: str(want) for name in hacluster.nodes}
