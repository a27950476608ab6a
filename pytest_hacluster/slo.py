"""The acceptance thresholds in effect: configured ones as given, the rest derived and explained.

An SLO that nobody can explain gets raised until tests pass. So every threshold carries the
sum it came from (monitor interval, corosync detection, margin), and a failure message shows it
beside the measured timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_hacluster import timings
from pytest_hacluster.config import Description


@dataclass(frozen=True)
class Threshold:
    """One SLO: seconds, and why that many."""

    name: str
    seconds: float
    why: str

    def __str__(self) -> str:
        return f"{self.name} {self.seconds:.1f}s ({self.why})"


@dataclass(frozen=True)
class Slos:
    restart: Threshold
    detect: Threshold
    switchover: Threshold
    node_loss: Threshold
    converge: Threshold


def resolve(desc: Description) -> Slos:
    """The thresholds for ``desc``: ``[tool.hacluster.slo]`` values win over derived ones."""
    slo = desc.slo
    margin = slo.margin_s
    monitor = desc.slowest_monitor_interval
    detection = timings.detection(desc.timings).node_loss_s
    switchover = 2 * margin

    def pick(name: str, configured: float | None, derived: float, why: str) -> Threshold:
        if configured is not None:
            return Threshold(name, configured, "configured in [tool.hacluster.slo]")
        return Threshold(name, derived, why)

    return Slos(
        restart=pick(
            "restart", slo.restart_s, monitor + margin,
            f"monitor interval {monitor}s + margin {margin:g}s for stop and start",
        ),
        # The CIB records operation times in whole seconds: one more second of resolution.
        detect=pick(
            "detect", slo.detect_s, monitor + 1.0,
            f"monitor interval {monitor}s + 1s resolution of the CIB's last-rc-change",
        ),
        switchover=pick(
            "switchover", slo.switchover_s, switchover,
            f"2 x margin {margin:g}s: stop on one node and start on the other, no detection",
        ),
        node_loss=pick(
            "node_loss", slo.node_loss_s, detection + switchover,
            f"corosync token+consensus {detection:g}s + switchover {switchover:g}s",
        ),
        converge=pick(
            "converge", slo.converge_s, detection + 3 * margin,
            f"corosync token+consensus {detection:g}s + 3 x margin {margin:g}s for the merge, "
            "the new DC's election and the recovery of doubly active resources",
        ),
    )


__all__ = ["Slos", "Threshold", "resolve"]
