"""Cluster properties checked against what the stack's Pacemaker lists.

data/cluster_options/ holds ``pacemaker-{schedulerd,controld,based} metadata`` of Pacemaker
2.1.5 (Debian 12, this project's lab), captured as they are.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pytest_hacluster import cluster_options
from pytest_hacluster.cluster_options import ClusterOptions
from pytest_hacluster.config import ConfigError, Description

DATA = Path(__file__).parent / "data" / "cluster_options"
DAEMON = {"pacemaker-schedulerd": "pacemaker-schedulerd-2.1.5.xml",
          "pacemaker-controld": "pacemaker-controld-2.1.5.xml",
          "pacemaker-based": "pacemaker-based-2.1.5.xml"}


def debian12(argv: list[str]) -> str | None:
    """This project's lab machine as a runner: no crm_attribute --list-options, the daemons'
    metadata in /usr/lib/pacemaker."""
    name = Path(argv[0]).name
    if argv[0].startswith("/usr/lib/pacemaker/") and name in DAEMON and argv[1:] == ["metadata"]:
        return (DATA / DAEMON[name]).read_text()
    return None


@pytest.fixture
def known() -> ClusterOptions:
    found = cluster_options.ask(debian12)
    assert found is not None
    return found


def test_the_daemons_metadata_lists_every_cluster_option(known: ClusterOptions) -> None:
    assert len(known.options) == 47
    for name in ("stonith-enabled", "no-quorum-policy", "dc-deadtime", "cluster-recheck-interval",
                 "maintenance-mode", "cluster-name", "node-health-strategy"):
        assert name in known.options
    assert known.options["no-quorum-policy"].values == ("stop", "freeze", "ignore", "demote",
                                                        "suicide")
    assert "pacemaker-controld metadata" in known.source


def test_the_seeds_properties_are_known(known: ClusterOptions) -> None:
    known.check(Description().properties)
    known.check({"cluster-recheck-interval": "PT5M", "maintenance-mode": "yes",
                 "batch-limit": "10", "placement-strategy": "balanced"})


@pytest.mark.parametrize(("properties", "says"), [
    ({"no-quorum-polcy": "ignore"}, r"properties\.no-quorum-polcy: not a cluster option of "
     r"this stack's Pacemaker, which would store it and ignore it \(did you mean "
     r"no-quorum-policy\?\)"),
    ({"resource-stickiness": "100"}, "not a cluster option"),
    ({"stonith-enabled": "maybe"}, r"stonith-enabled: 'maybe' is not a boolean"),
    ({"no-quorum-policy": "Ignore"}, "is not one of stop, freeze, ignore, demote, suicide"),
    ({"cluster-recheck-interval": "P1D"}, "one short"),
    ({"stonith-timeout": "PT60S"}, "without ISO 8601"),
    ({"batch-limit": "ten"}, "not an integer"),
])
def test_unknown_options_and_bad_values_are_refused_naming_the_key(
    known: ClusterOptions, properties: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError, match=says) as err:
        known.check(properties)
    assert str(err.value).startswith("tool.hacluster.properties.")


def test_crm_attribute_list_options_is_asked_first_where_it_exists() -> None:
    asked: list[list[str]] = []

    def newer(argv: list[str]) -> str | None:
        asked.append(argv)
        if argv == cluster_options.LIST_OPTIONS:
            return (DATA / DAEMON["pacemaker-schedulerd"]).read_text()
        return None

    found = cluster_options.ask(newer)
    assert found is not None and found.source == " ".join(cluster_options.LIST_OPTIONS)
    assert asked == [cluster_options.LIST_OPTIONS]


def test_no_pacemaker_is_no_answer_and_garbage_is_an_error() -> None:
    assert cluster_options.ask(lambda _argv: None) is None
    with pytest.raises(ConfigError, match="x metadata: not metadata XML"):
        cluster_options.parse_metadata("usage: ...", "x metadata")
    with pytest.raises(ConfigError, match="lists no options"):
        cluster_options.parse_metadata("<resource-agent/>", "x metadata")


@pytest.mark.skipif(shutil.which("crm_simulate") is None, reason="needs Pacemaker")
def test_this_machines_pacemaker_is_asked() -> None:
    found = cluster_options.this_machine()
    assert found is not None and "stonith-enabled" in found.options
    assert cluster_options.this_machine() is found  # cached per run
