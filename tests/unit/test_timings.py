"""The seed's Heartbeat timings mapped onto corosync and Pacemaker (timings.py)."""

from __future__ import annotations

import dataclasses

import pytest

from pytest_hacluster import render, slo, timings
from pytest_hacluster.config import ConfigError, Description, Timings, from_mapping


def test_seed_deadtime_is_token_plus_consensus() -> None:
    d = timings.detection(Timings())
    assert d.profile == "seed"
    assert (d.token_ms, d.consensus_ms) == (4545, 5455)
    assert d.node_loss_s == 10.0
    assert d.retransmits_before_loss == 4  # 10 s / 2 s - 1, corosync's own default
    assert d.token_warning_pct == 70  # warntime 7 of deadtime 10
    assert d.dc_deadtime == "10s"  # initdead 10
    assert set(d.why) == set(d.to_dict()) - {"profile", "why"}


def test_a_longer_deadtime_moves_every_derived_value() -> None:
    d = timings.detection(Timings(keepalive_s=1, warntime_s=15, deadtime_s=30, initdead_s=60))
    assert d.node_loss_s == pytest.approx(30.0, abs=0.01)
    assert d.retransmits_before_loss == 29
    assert d.token_warning_pct == 50
    assert d.dc_deadtime == "60s"


def test_fast_profile_uses_corosyncs_default_token() -> None:
    d = timings.detection(Timings(profile="fast"))
    assert (d.token_ms, d.consensus_ms) == (1000, 1200)
    assert "fast profile" in d.why["token_ms"]


def test_explicit_token_wins_and_says_so() -> None:
    d = timings.detection(Timings(token_ms=3000))
    assert (d.token_ms, d.consensus_ms) == (3000, 3600)
    assert d.why["token_ms"] == "configured in [tool.hacluster.timings]"
    d = timings.detection(Timings(token_ms=3000, consensus_ms=5000))
    assert d.consensus_ms == 5000


def test_slo_and_rendering_follow_the_profile() -> None:
    fast = dataclasses.replace(Description(), timings=Timings(profile="fast"))
    assert slo.resolve(fast).node_loss.seconds == pytest.approx(2.2 + 20)
    assert slo.resolve(Description()).node_loss.seconds == 30.0
    assert "token: 1000" in render.corosync_conf(fast)
    assert "deadtime 10\n" in render.ha_cf(Description())


@pytest.mark.parametrize(
    ("timings_table", "named"),
    [
        ({"profile": "quick"}, "timings.profile"),
        ({"keepalive_s": 12}, "keepalive_s must be shorter"),
        ({"warntime_s": 10}, "warntime_s must be shorter"),
        ({"token_ms": 50}, "timings.token_ms"),
        ({"bringup_dc_deadtime": "soon"}, "bringup_dc_deadtime"),
    ],
)
def test_bad_timings_are_named(timings_table: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        from_mapping({"timings": timings_table})
