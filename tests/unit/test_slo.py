"""SLOs: configured values win; the others come from the resource options and corosync."""

from __future__ import annotations

from pytest_hacluster import config, slo


def test_seed_defaults_are_derived_and_explained() -> None:
    s = slo.resolve(config.Description())
    assert (s.restart.seconds, s.detect.seconds, s.switchover.seconds) == (20.0, 11.0, 20.0)
    assert s.node_loss.seconds == 10.0 + 20.0  # the seed's deadtime 10 s + switchover
    assert "monitor interval 10s" in s.restart.why
    assert "token+consensus 10s" in str(s.node_loss)


def test_a_changed_monitor_interval_moves_the_derived_thresholds() -> None:
    desc = config.from_mapping({"service_ops": {"monitor": {"interval": 30}}})
    assert slo.resolve(desc).restart.seconds == 40.0


def test_configured_thresholds_win() -> None:
    desc = config.from_mapping({"slo": {"restart_s": 12, "margin_s": 2.5}})
    s = slo.resolve(desc)
    assert s.restart.seconds == 12.0 and "configured" in s.restart.why
    assert s.switchover.seconds == 5.0
