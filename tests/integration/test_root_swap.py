"""A node's root swapped for the next release's in a real lab (the rolling upgrade's swap):
it runs that release's Pacemaker, its own files are owned by that release's users, it rejoins,
and neither this machine's files nor the cached root change."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_hacluster import roots
from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import LabBackend
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description, with_stack
from pytest_hacluster.waiting import wait_until
from tests.integration.labtools import leftovers
from tests.integration.test_lab_lifecycle import HOST_PATHS, _fingerprint

ROOT_PATHS = ("etc/passwd", "etc/group", "var/lib/pacemaker", "etc/corosync")


def test_a_swapped_node_runs_the_next_release_and_rejoins(prefix: str) -> None:
    if not roots.is_this_machine(roots.release("debian12")):
        pytest.skip("swaps this machine's Debian 12 for Debian 13: needs a Debian 12 host")
    rel = roots.release("debian13")
    if not any(c.name == rel.cache_name for c in roots.cached()):
        pytest.skip(f"the debian13 root {rel.cache_name} is not built: "
                    "`hacluster-lab roots --build debian13`")
    cached = roots.root_dir(rel.cache_name)
    host_before = _fingerprint(HOST_PATHS)
    root_before = _fingerprint([str(cached / p) for p in ROOT_PATHS])
    desc = with_stack(Description(), "debian12", "--hacluster-stack")
    backend = LabBackend(desc, Settings(prefix=prefix))
    cluster = Cluster(desc, backend)
    cluster.start(lambda _msg: None)
    try:
        backend.stop_stack("s1")
        assert backend.stack_processes("s1") == []
        done = backend.swap_root("s1", "debian13", lambda _msg: None)
        assert (done["from"], done["to"], done["lower"]) == ("debian12", "debian13", str(cached))
        s1 = cluster.node("s1")
        assert "Pacemaker 3.0" in s1.run(["pacemakerd", "--version"], timeout=30).stdout
        owners = s1.run(["stat", "-c", "%U:%G", "/var/lib/pacemaker/cib/cib.xml"], timeout=10)
        assert owners.stdout.strip() == "hacluster:haclient", owners.describe()
        assert backend.node_stack("s1") == "debian13" and backend.node_stack("s2") == "debian12"
        backend.start_stack("s1")
        cluster.forget_versions()
        wait_until(lambda: cluster.state(node="s2").nodes["s1"].state, lambda s: s == "online",
                   timeout=90, interval=1, what="s1 (Pacemaker 3.0) online in s2's view")
    finally:
        cluster.stop()
    assert leftovers(prefix) == []
    assert _fingerprint(HOST_PATHS) == host_before
    assert _fingerprint([str(cached / p) for p in ROOT_PATHS]) == root_before
    assert Path(cached).is_dir()
