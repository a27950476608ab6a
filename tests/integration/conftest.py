"""Integration tests run real labs on this machine: they need root and the lab's packages."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pytest_hacluster import packages
from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import LabBackend, remove
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description
from tests.integration.labtools import leftovers, prefix_base

if os.geteuid() != 0 or packages.missing():
    pytest.skip(
        "integration tests run real labs: run as root after `sudo ./bootstrap` (see README)",
        allow_module_level=True,
    )


@pytest.fixture
def prefix(request: pytest.FixtureRequest) -> Iterator[str]:
    """A lab prefix of this test's own; whatever a failing test left is removed afterwards."""
    name = f"{prefix_base()}{abs(hash(request.node.nodeid)) % 10**6}"
    remove(name)
    yield name
    remove(name)


@pytest.fixture
def cluster(prefix: str) -> Iterator[Cluster]:
    """The seed's cluster on a lab of this test's own, up and healthy; gone afterwards."""
    c = Cluster(Description(), LabBackend(Description(), Settings(prefix=prefix)))
    c.start(lambda _msg: None)
    try:
        yield c
    finally:
        c.stop()
    assert leftovers(prefix) == []
