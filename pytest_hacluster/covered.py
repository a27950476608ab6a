"""Which groups a node-wide fault of the run has already covered.

A standby or a power loss of a node acts on every group running there at once: the scenario
that put ``s1`` in standby while ``web`` and ``webapp`` both ran on it asserted both groups'
switchover. The same scenario for the other group (its test id names that group) then has
nothing left to show on that node, and says so by skipping with the covering test's id, the
node and the groups it covered. Only a scenario that passed records what it covered; a repeat
run (``--hacluster-repeat``) counts as a run of its own.

Nothing here imports pytest: the plugin hands a ``RunCoverage`` to the tests
(``hacluster_covered``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cover:
    """One node-wide fault that passed: its kind (``standby``, ``crash``), the test that made
    it (its pytest node id), the node, and every group that ran there at that moment."""

    kind: str
    test: str
    node: str
    groups: tuple[str, ...]

    def reason(self, group: str) -> str:
        """Why a test for ``group`` has nothing left to show, in words."""
        return (f"{group}'s node already covered by {self.test}: {self.kind} of {self.node} "
                f"while it ran {', '.join(self.groups)}")


@dataclass
class Coverage:
    """Every cover of the session, per repeat run (0 without ``--hacluster-repeat``)."""

    covers: dict[tuple[int, str, str], Cover] = field(default_factory=dict)

    def record(self, run: int, cover: Cover) -> None:
        """Keep ``cover`` for each of its groups (the first cover of a group stays)."""
        for group in cover.groups:
            self.covers.setdefault((run, cover.kind, group), cover)

    def find(self, run: int, kind: str, group: str) -> Cover | None:
        """The cover of ``group`` by a fault of ``kind`` in repeat run ``run``, if any."""
        return self.covers.get((run, kind, group))


@dataclass
class RunCoverage:
    """The session's ``Coverage`` seen from one test: its id and repeat run filled in. What the
    test records waits in ``pending`` until ``commit`` (the plugin commits once the test passed,
    the checks after its body included)."""

    coverage: Coverage
    test: str
    run: int = 0
    pending: list[Cover] = field(default_factory=list)

    def find(self, kind: str, group: str) -> Cover | None:
        """An earlier passing test's fault of ``kind`` on ``group``'s node, if any."""
        return self.coverage.find(self.run, kind, group)

    def record(self, kind: str, node: str, groups: tuple[str, ...] | list[str]) -> Cover:
        """This test's fault of ``kind`` on ``node`` covered ``groups``, kept once the test
        has passed (``commit``)."""
        if not groups:
            raise ValueError(f"{self.test}: a {kind} of {node} covering no group")
        cover = Cover(kind, self.test, node, tuple(groups))
        self.pending.append(cover)
        return cover

    def commit(self) -> None:
        """The test passed: what it recorded now covers its groups for the tests after it."""
        for cover in self.pending:
            self.coverage.record(self.run, cover)
        self.pending.clear()


__all__ = ["Cover", "Coverage", "RunCoverage"]
