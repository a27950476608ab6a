"""What differs from the run's starting configuration (CIBs captured from a lab)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_hacluster.cib_config import ConfigurationError, Snapshot

DATA = Path(__file__).parent / "data" / "config_drift"


def snap(name: str) -> Snapshot:
    return Snapshot.from_cib((DATA / f"{name}.xml").read_text())


def test_a_ping_check_left_behind_is_named_by_section_and_id() -> None:
    assert snap("start").differences(snap("ping-left")) == {
        "resources": ["extra clone ping_gw_clone"],
        "constraints": ["extra rsc_location web_on_connected",
                        "extra rsc_location webapp_on_connected"],
    }


def test_the_way_back_names_what_is_missing() -> None:
    assert snap("ping-left").differences(snap("start")) == {
        "resources": ["missing clone ping_gw_clone"],
        "constraints": ["missing rsc_location web_on_connected",
                        "missing rsc_location webapp_on_connected"],
    }


def test_target_role_started_and_move_constraints_are_no_difference() -> None:
    # crm resource stop/start leaves target-role=Started (the default role); a move's
    # cli-prefer constraint is Cluster.clean's to name and clear on its own.
    assert snap("start").differences(snap("after-stop-start")) == {}
    assert snap("ping-left").differences(snap("ping-left-and-moved")) == {}


def test_a_changed_option_is_a_changed_resource() -> None:
    text = (DATA / "start.xml").read_text()
    assert 'name="statusurl"' in text
    changed = text.replace('name="statusurl" value="http://',
                           'name="statusurl" value="https://', 1)  # httpd's, the first
    assert snap("start").differences(Snapshot.from_cib(changed)) == {
        "resources": ["changed group web"],
    }


def test_the_raw_section_is_what_pacemaker_wrote() -> None:
    raw = snap("after-stop-start").raw["resources"]
    assert raw.startswith("<resources>") and 'name="target-role"' in raw


@pytest.mark.parametrize("text", ["not xml", "<cib><status/></cib>"])
def test_what_is_not_a_configuration_is_refused(text: str) -> None:
    with pytest.raises(ConfigurationError):
        Snapshot.from_cib(text)


def test_move_constraints_are_read_from_the_same_snapshot() -> None:
    assert snap("ping-left-and-moved").move_constraints == ["cli-prefer-web"]
    assert snap("ping-left").move_constraints == []
