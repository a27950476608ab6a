"""Integration tests run real labs on this machine: they need root and the lab's packages."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from pytest_hacluster import packages
from pytest_hacluster.backends.lab import remove
from tests.integration.labtools import prefix_base

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

