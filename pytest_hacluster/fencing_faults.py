"""Faults that only mean something with fencing on: corosync killed on a node, and the fence
device itself failing. Added to a test's faults with ``sc.faults.add(...)``, undone with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pytest_hacluster.faults import Fault, FaultTarget, Timeline
from pytest_hacluster.oracle import Simulation, Unsimulable
from pytest_hacluster.power_controller import PowerController

if TYPE_CHECKING:
    from pytest_hacluster.oracle import Cib


class KillCorosync(Fault):
    """SIGKILL to corosync on one node: its Pacemaker loses the cluster layer, the peer sees
    the node leave the membership and (with STONITH on) fences it. Undo: a power cycle of the
    node (a fenced one is only powered on), so it boots with its whole stack."""

    kind = "kill corosync"
    changes_nodes = True

    def __init__(self, cluster: FaultTarget, timeline: Timeline, node: str) -> None:
        super().__init__(cluster, timeline)
        self.node = node

    @property
    def target(self) -> str:
        return self.node

    @property
    def avoid(self) -> tuple[str, ...]:
        return (self.node,)

    def simulation(self, cib: Cib) -> Simulation:
        return Simulation(f"node {self.node} leaves the membership", failed_nodes=(self.node,))

    def _inject(self) -> None:
        # pkill inside the node sees only the node's own PID namespace.
        self.cluster.node(self.node).run(["pkill", "-KILL", "-x", "corosync"], check=True)

    def _undo(self) -> None:
        self.cluster.backend.power_off(self.node)  # nothing to do for a fenced node
        self.cluster.backend.power_on(self.node, lambda _msg: None)


class FenceDeviceFails(Fault):
    """The fence device answers every off/on with an error (``how="error"``) or never answers
    (``how="hang"``: the agent times out). Undo: the device works again. ``device`` is the
    backend's ``power_controller()``."""

    kind = "fence device fails"

    def __init__(self, cluster: FaultTarget, timeline: Timeline, device: PowerController,
                 how: str = "error") -> None:
        super().__init__(cluster, timeline)
        self.device = device
        self.how = how

    @property
    def target(self) -> str:
        return f"power controller ({self.how})"

    def simulation(self, cib: Cib) -> Unsimulable:
        return Unsimulable("a failing fence device is not an input of the scheduler")

    def _inject(self) -> None:
        self.device.fail(self.how)

    def _undo(self) -> None:
        self.device.fail(None)


__all__ = ["FenceDeviceFails", "KillCorosync"]
