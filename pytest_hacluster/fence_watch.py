"""Reads what the cluster's fencer did from the live nodes (I/O; parsing is ``fence_history``).

``observe(cluster, start, end)`` gives the fencing history of the nodes that answer and the
fencing operations in their cluster logs between the wall-clock times ``start`` and ``end``,
as one ``Fencing`` record. A powered-off node cannot answer: the survivor's view is the one
that counts, as it is for an operator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pytest_hacluster import cluster_log
from pytest_hacluster.backends.base import BackendError, NodeShell
from pytest_hacluster.fence_history import FenceEvent, FenceOperation, operations, parse_history

_TAIL = 'for f do [ -r "$f" ] && tail -c "$0" -- "$f"; done; true'


@dataclass(frozen=True)
class Fencing:
    """Fencing seen in a window: the fencer's history (events completed inside the window,
    whole seconds) and the logged operations (ms), both oldest first."""

    history: tuple[FenceEvent, ...]
    operations: tuple[FenceOperation, ...]

    def fenced(self) -> list[str]:
        """Targets of successful operations, one entry per operation."""
        return [op.target for op in self.operations if op.ok]

    def failed(self) -> list[FenceOperation]:
        return [op for op in self.operations if not op.ok]

    def double_fence(self) -> bool:
        """More than one node fenced successfully: in a two-node split, a fence race."""
        return len(set(self.fenced())) > 1

    def to_record(self, origin: float | None = None) -> dict[str, object]:
        """``operations`` (``FenceOperation.to_record``, ``*_s`` seconds from ``origin``,
        epoch seconds, when given), ``fenced`` (targets of successful operations),
        ``failed`` (how many operations failed), ``double_fence`` and the fencer's
        ``history`` as it stands (whole seconds)."""
        return {"operations": [op.to_record(origin) for op in self.operations],
                "fenced": self.fenced(), "failed": len(self.failed()),
                "double_fence": self.double_fence(),
                "history": [dict(e.__dict__) for e in self.history]}


def observe(nodes: Mapping[str, NodeShell], start: float, end: float,
            tail_bytes: int = 2_000_000) -> Fencing:
    """The fencing of ``[start, end]`` (epoch seconds) as the running nodes saw it."""
    history: dict[tuple[str, str, str, float | None], FenceEvent] = {}
    lines: list[cluster_log.LogLine] = []
    for name, node in nodes.items():
        try:
            xml = node.run(["stonith_admin", "--history", "*", "--output-as=xml"], timeout=20)
            text = node.run(["sh", "-c", _TAIL, str(tail_bytes), *cluster_log.LOG_FILES],
                            timeout=20).stdout
        except (BackendError, RuntimeError):
            continue  # powered off
        if xml.ok:
            for event in parse_history(xml.stdout):
                if event.completed is None or start - 1 <= event.completed <= end + 1:
                    history[(event.action, event.target, event.status, event.completed)] = event
        lines += cluster_log.window(name, text, start, end, slack=0.5)
    ops = [op for op in operations(lines) if start <= op.confirmed <= end + 0.5]
    return Fencing(tuple(sorted(history.values(), key=lambda e: e.completed or 0)), tuple(ops))


__all__ = ["Fencing", "observe"]
