"""The described cluster's failure-detection timings: Heartbeat's ``ha.cf`` mapped onto corosync.

The seed runs Heartbeat (``keepalive 2``, ``warntime 7``, ``deadtime 10``, ``initdead 10``); the
lab and the Debian provisioning run corosync 3 + Pacemaker 2. The tests measure outages that must
predict the real pair's, so the corosync settings are derived from the seed's numbers here, in
one place, each with the reason it maps the way it does (the README shows the same table):

``deadtime`` (a peer is dead after this long without a heartbeat)
    corosync declares a member lost after the token timeout and then waits ``consensus`` before
    forming the new membership; measured on this lab, detection takes token + consensus
    (5000+6000 ms -> 10.7 s, 10000+12000 -> 22 s, shared/notes/crm-simulate-facts.md). So
    ``token + consensus = deadtime``, with corosync's own ratio ``consensus = 1.2 x token``:
    ``token = deadtime / 2.2`` and ``consensus = deadtime - token``.
``keepalive`` (how often a heartbeat is sent)
    Heartbeat has ``deadtime / keepalive`` chances to hear a peer before it gives up; corosync's
    equivalent is the number of token retransmits before the token counts as lost:
    ``token_retransmits_before_loss_const = deadtime / keepalive - 1`` (10/2 - 1 = 4, which
    is also corosync's default).
``warntime`` (log a "late heartbeat" warning after this long)
    corosync's ``token_warning`` is a percentage of the token timeout: ``warntime / deadtime``.
``initdead`` (how long to wait for the peer at start-up before declaring it dead)
    Pacemaker's ``dc-deadtime`` (how long a starting controller waits for the others before it
    elects itself). The lab starts with a short one (bring-up speed, lab-facts.md) and sets
    this value once both nodes are members, before any test runs.

The ``fast`` profile is for quick checks only: corosync's 1000 ms token, so a node loss is seen
in about 2.2 s instead of 10 s. Its outages do not predict the real pair's; the report says
which profile ran.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_hacluster.config import TIMING_PROFILES as PROFILES
from pytest_hacluster.config import Timings

FAST_TOKEN_MS = 1000
CONSENSUS_RATIO = 1.2  # corosync's default consensus is 1.2 x token


@dataclass(frozen=True)
class Detection:
    """The corosync and Pacemaker settings in force while tests run, and where they came from."""

    profile: str
    token_ms: int
    consensus_ms: int
    retransmits_before_loss: int
    token_warning_pct: int
    dc_deadtime_s: int
    why: dict[str, str]

    @property
    def node_loss_s(self) -> float:
        """Expected time until a lost peer is noticed: token + consensus."""
        return (self.token_ms + self.consensus_ms) / 1000

    @property
    def dc_deadtime(self) -> str:
        return f"{self.dc_deadtime_s}s"

    def to_dict(self) -> dict[str, object]:
        return {
            "profile": self.profile,
            "token_ms": self.token_ms,
            "consensus_ms": self.consensus_ms,
            "token_retransmits_before_loss_const": self.retransmits_before_loss,
            "token_warning_pct": self.token_warning_pct,
            "dc_deadtime": self.dc_deadtime,
            "why": dict(self.why),
        }


def detection(t: Timings) -> Detection:
    """The settings for ``t``'s profile; an explicit ``token_ms``/``consensus_ms`` wins."""
    if t.profile not in PROFILES:  # config.py checks this too; here for direct callers
        raise ValueError(f"timings.profile: {t.profile!r} is not one of {', '.join(PROFILES)}")
    retransmits = max(2, round(t.deadtime_s / t.keepalive_s) - 1)
    warning = max(1, min(99, round(100 * t.warntime_s / t.deadtime_s)))
    if t.profile == "fast":
        token = FAST_TOKEN_MS
        why_token = f"fast profile: corosync's default token {FAST_TOKEN_MS} ms (quick checks)"
    else:
        token = round(t.deadtime_s * 1000 / (1 + CONSENSUS_RATIO))
        why_token = (
            f"deadtime {t.deadtime_s:g}s = token + consensus, consensus = "
            f"{CONSENSUS_RATIO:g} x token"
        )
    if t.profile == "fast":
        consensus = round(token * CONSENSUS_RATIO)
        why_consensus = f"{CONSENSUS_RATIO:g} x token (corosync's default ratio)"
    else:  # the rest of deadtime, so the two add up to it exactly
        consensus = round(t.deadtime_s * 1000) - token
        why_consensus = f"deadtime - token (about {CONSENSUS_RATIO:g} x token)"
    why = {
        "token_ms": why_token,
        "consensus_ms": why_consensus,
        "token_retransmits_before_loss_const": (
            f"deadtime {t.deadtime_s:g}s / keepalive {t.keepalive_s:g}s - 1"
        ),
        "token_warning_pct": f"warntime {t.warntime_s:g}s / deadtime {t.deadtime_s:g}s",
        "dc_deadtime": f"initdead {t.initdead_s:g}s",
    }
    if t.token_ms is not None:
        token = t.token_ms
        why["token_ms"] = "configured in [tool.hacluster.timings]"
        if t.consensus_ms is None:
            consensus = round(token * CONSENSUS_RATIO)
    if t.consensus_ms is not None:
        consensus = t.consensus_ms
        why["consensus_ms"] = "configured in [tool.hacluster.timings]"
    return Detection(
        profile=t.profile, token_ms=token, consensus_ms=consensus,
        retransmits_before_loss=retransmits, token_warning_pct=warning,
        dc_deadtime_s=round(t.initdead_s), why=why,
    )


__all__ = ["PROFILES", "Detection", "detection"]
