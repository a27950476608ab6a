"""What the plugins of one run share: the stash keys and the cluster description's loader.

Public so that the report plugin (``report/plugin.py``) reads the run's description, its
clusters and each test's scenario record without importing the main plugin (which registers
it: importing back would make a circle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_hacluster import config as hconfig
from pytest_hacluster.backends import Backend
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.interrupt import Stopper
from pytest_hacluster.invariants import Watcher

# config.stash
ACTIVE = pytest.StashKey[list[Cluster]]()  # the clusters this process brought up or reached
DESCRIPTION = pytest.StashKey[hconfig.Description]()
SOURCE = pytest.StashKey[hconfig.Source]()
BACKEND = pytest.StashKey[Backend]()
STOPPER = pytest.StashKey[Stopper]()
WORKER_BACKENDS = pytest.StashKey[list[Backend]]()
# item.stash
WATCH = pytest.StashKey[Watcher]()
RECORD = pytest.StashKey[dict[str, Any]]()  # the test's Scenario.to_record(), at its teardown


def find_description(config: pytest.Config) -> hconfig.Source:
    """Which file describes the cluster (``config.discover``), found once per run; a usage
    error naming the problem when none or a wrong one is named."""
    named, how = config.getoption("hacluster_config"), "--hacluster-config"
    if named:
        path: Path | None = Path(config.invocation_params.dir, named)
    else:
        setting = config.getini("hacluster_config")
        base = config.inipath.parent if config.inipath else Path(config.rootpath)
        path, how = (base / setting, "ini setting hacluster_config") if setting else (None, "")
    try:
        return hconfig.discover(path, how, config.inipath,
                                (Path(config.rootpath), Path(config.invocation_params.dir)))
    except hconfig.ConfigError as exc:
        raise pytest.UsageError(f"hacluster: {exc}") from None


def load_description(config: pytest.Config) -> hconfig.Description:
    """The run's cluster description: the one loaded already, else read from its file
    (``pytest.UsageError`` naming the file and what is wrong in it), the profile
    ``--hacluster-profile`` names, with STONITH on when ``--hacluster-fencing`` asks for it."""
    if DESCRIPTION in config.stash:
        return config.stash[DESCRIPTION]
    source = config.stash.get(SOURCE, None) or find_description(config)
    try:
        description = hconfig.load(source.path, config.getoption("hacluster_profile", None))
    except hconfig.ConfigError as exc:
        raise pytest.UsageError(f"{source.path or 'hacluster'}: {exc}") from None
    if config.getoption("hacluster_fencing", False):
        description = hconfig.with_fencing(description)
    return description


__all__ = [
    "ACTIVE", "BACKEND", "DESCRIPTION", "RECORD", "SOURCE", "STOPPER", "WATCH",
    "WORKER_BACKENDS", "find_description", "load_description",
]
