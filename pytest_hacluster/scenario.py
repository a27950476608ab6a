"""One acceptance scenario: its faults, its probe, its measurements and findings.

A test gets a ``Scenario`` from the ``hacluster_scenario`` fixture: the probe is already
sampling the URLs, faults made through ``.faults`` are undone when the test ends whatever its
outcome, and ``recover`` measures what a fault did. Findings are facts worth a reader's
attention that are not failures (a split brain the configuration predicts, whether groups fail
back after ``online``). Nothing here imports pytest; the plugin turns all of it into JUnit
properties and the end-of-run summary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_hacluster import fence_watch, slo
from pytest_hacluster.backends.base import BackendError, FaultNotSupported
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.confirm import SchedulerCheck
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.failover import Failover, watch_recovery
from pytest_hacluster.faults import Event, Fault, Faults
from pytest_hacluster.fence_history import FenceHistoryError, FenceOperation
from pytest_hacluster.invariants import KINDS, NodeChanger, Violation, Watcher, classify
from pytest_hacluster.oracle import Unsimulable
from pytest_hacluster.probe import Probe
from pytest_hacluster.records import iso, jsonable, label, num, plain
from pytest_hacluster.slo import Threshold

# One row per probe sample; a column list instead of a dict per sample keeps report.json small
# (a scenario of a minute has about 1800 samples).
SAMPLE_COLUMNS = ("t_s", "url", "status", "node", "latency_s", "error")


@dataclass(frozen=True)
class Finding:
    """Something measured that the reader should know, with its figures."""

    what: str
    figures: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        """For a person: the figures in words (``records.plain``), never Python's syntax."""
        figs = "; ".join(f"{label(k)}: {plain(jsonable(v))}" for k, v in self.figures.items())
        return f"{self.what}" + (f" ({figs})" if figs else "")

    def to_record(self) -> dict[str, Any]:
        """``what``, ``figures`` (JSON types, for machines) and ``text`` (for people)."""
        return {"what": self.what, "figures": jsonable(self.figures), "text": str(self)}


class Rehearsal(NodeChanger, Protocol):
    """A run of steps with its own record (``upgrade.RollingUpgrade``)."""

    def to_record(self, origin: float) -> dict[str, Any]: ...


class Scenario:
    """What one test did to the cluster and what it measured."""

    def __init__(self, cluster: Cluster, watch: Watcher | None = None) -> None:
        self.cluster = cluster
        # The invariant watcher runs for the whole test (the fixture starts it before the
        # scenario's setup); one is made here only when used on its own.
        self.watch = watch if watch is not None else Watcher(cluster, settings_interval(cluster))
        self._declared: dict[str, str] = {}
        self._check = SchedulerCheck(cluster)
        self.faults = Faults(cluster)
        self.slo = slo.resolve(cluster.description)
        settings = cluster.description.probe
        workers = Probe.workers_needed(len(cluster.urls), settings.interval_s, settings.timeout_s)
        self._runner = cluster.backend.client_runner(workers)
        self.probe = Probe(self._runner, cluster.urls, settings.interval_s, settings.timeout_s)
        self.measurements: list[Failover] = []
        self.findings: list[Finding] = []
        # A rolling upgrade (upgrade.RollingUpgrade), if the test runs one: its record goes
        # into this one, and the node changes it makes (standby, offline) are its own.
        self.upgrade: Rehearsal | None = None
        self.started_wall: float | None = None  # epoch seconds of start()
        # With STONITH on: every fencing operation of the scenario, read at its end (close)
        self.fencing: fence_watch.Fencing | None = None
        self.fencing_error: str | None = None
        self.power: list[dict[str, Any]] = []  # the lab's own record of power requests

    def start(self) -> Scenario:
        self.started_wall = time.time()
        if self.watch.started is None:
            self.watch.start()
        self.probe.start()
        return self

    @property
    def stonith(self) -> bool:
        """Whether the cluster under test fences (its description's STONITH)."""
        return self.cluster.description.fencing.enabled

    def fence_operations(self, start: float, end: float) -> list[FenceOperation]:
        """Pacemaker's fencing operations between two wall-clock times (epoch seconds), from
        the nodes that answer (``fence_watch.observe``). Raises ``RuntimeError`` when the
        fencer's history cannot be read."""
        try:
            return list(fence_watch.observe(self.cluster.nodes, start, end).operations)
        except FenceHistoryError as exc:
            raise RuntimeError(str(exc)) from None

    def observe_fencing(self) -> None:
        """Read (once, with STONITH on) every fencing of the scenario and the lab's record of
        power requests, before faults are undone (a fenced node is still off then, and the
        survivor's logs say who fenced whom). A cluster that cannot say is recorded as
        ``fencing_error``, never raised: the scenario's end must go on."""
        if not self.stonith or self.started_wall is None or self.fencing is not None:
            return
        start, end = self.started_wall, time.time()
        try:
            self.fencing = fence_watch.observe(self.cluster.nodes, start, end)
        except (FenceHistoryError, BackendError, RuntimeError) as exc:
            self.fencing_error = str(exc).splitlines()[0] if str(exc) else repr(exc)
        try:
            controller = self.cluster.backend.power_controller()
        except FaultNotSupported:
            return  # a real cluster's devices keep their own records
        self.power = [{**e.to_record(), "node": e.node, "action": e.action}
                      for e in controller.events if e.received >= start]

    def abandon(self) -> None:
        """Stop the probe and the watcher without undoing anything: the cluster is about to be
        removed (a run stopped by a signal)."""
        try:
            self.probe.stop()
        finally:
            self._runner.close()
            self.watch.stop()

    def close(self) -> list[str]:
        """Stop the probe, read the scenario's fencing (with STONITH on) and undo every
        fault; returns what could not be undone."""
        try:
            self.probe.stop()
        finally:
            self._runner.close()
        try:
            self.observe_fencing()
        except Exception as exc:  # the undo below must happen whatever went wrong here
            self.fencing_error = f"{type(exc).__name__}: {exc}"
        try:
            return self.faults.undo_all()
        finally:
            self.watch.stop()

    # -- invariants ---------------------------------------------------------------------------
    def expect_violations(self, *kinds: str, reason: str) -> None:
        """Declare invariant violations this scenario predicts (the seed's split brain): they
        become findings with their figures instead of failing the test."""
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise ValueError(f"unknown invariant(s) {unknown}; known: {', '.join(KINDS)}")
        self._declared.update(dict.fromkeys(kinds, reason))

    @property
    def violations(self) -> list[Violation]:
        """Every invariant violation seen so far, each marked expected (and why) or not, and
        a node's view Pacemaker's scheduler never saw marked unconfirmed (``confirm.py``)."""
        causes = [*self.faults.made, *([self.upgrade] if self.upgrade is not None else [])]
        found = classify(self.watch.violations(), causes, self._declared)
        self._check.apply(found)
        return found

    def unexpected_violations(self) -> list[Violation]:
        """The violations that fail the test; views still showing a doubled resource are
        given a few seconds to end first (``SchedulerCheck.settle``)."""
        self._check.settle(self.watch, declared=self._declared)
        return [v for v in self.violations if v.counts]

    def describe_violations(self, violations: list[Violation]) -> str:
        origin = self.watch.started or 0.0
        now = self.watch.stopped or time.monotonic()
        events = [e.at(origin) for e in self.faults.timeline.events]
        lines = [v.describe(origin, now) for v in violations]
        return "\n".join([*lines, *(f"  event {e}" for e in events)])

    def record_expected_violations(self) -> None:
        """The violations this test declared, as findings: one per declared reason, naming
        what was broken, each subject with its longest window (seconds from the watch's
        start) and who saw it. Node changes a fault of the test causes (a standby, a crash)
        are its point, not findings; they stay in the record's ``violations`` with
        ``expected`` saying which fault caused them."""
        origin = self.watch.started or 0.0
        now = self.watch.stopped or time.monotonic()
        by_reason: dict[str, dict[str, dict[str, Violation]]] = {}
        for v in self.violations:
            if v.expected is None or v.kind not in self._declared:
                continue
            subjects = by_reason.setdefault(v.expected, {}).setdefault(v.kind, {})
            if v.subject not in subjects or v.duration(now) > subjects[v.subject].duration(now):
                subjects[v.subject] = v
        for reason, seen in by_reason.items():
            # In KINDS' order, not the order they first showed: the same words every run.
            kinds = {k: seen[k] for k in KINDS if k in seen}
            windows = {
                kind: ", ".join(
                    f"{v.subject} on {' and '.join(v.nodes)} from {v.start - origin:+.1f}s "
                    f"for {v.duration(now):.1f}s" for v in subjects.values()
                )
                for kind, subjects in kinds.items()
            }
            seen_by = {v.seen_by for subjects in kinds.values() for v in subjects.values()}
            self.finding(
                f"expected: {', '.join(KINDS[k] for k in kinds)} ({reason})",
                **windows, seen_by=", ".join(sorted(seen_by)),
            )

    def recover(
        self,
        fault: Fault | Event,
        expect: Callable[[ClusterState], bool],
        what: str,
        urls: Sequence[str] | None = None,
        threshold: Threshold | None = None,
        timeout: float | None = None,
        failed_resource: str | None = None,
        kept_down: Sequence[str] = (),
    ) -> Failover:
        """Measure the recovery from ``fault`` (see ``failover.watch_recovery``) and keep it:
        from a fault's injection (``Fault.measured``), or from an event (an undo, a cleanup)."""
        event = fault.measured() if isinstance(fault, Fault) else fault
        later = [e for e in self.faults.timeline.events if e.t > event.t]
        measured = watch_recovery(
            self.cluster, self.probe, event, expect, what, urls=urls, threshold=threshold,
            timeout=timeout, failed_resource=failed_resource, events=later,
            states=self.watch.latest_state, kept_down=kept_down,
            fencing=self.fence_operations if self.stonith else None,
        )
        self.measurements.append(measured)
        return measured

    def predictions(self) -> list[tuple[str, str]]:
        """What the scheduler said before each event it was asked about (for the record,
        including faults no measurement compared, such as an unsimulable split)."""
        return [(e.what, str(e.prediction)) for e in self.faults.timeline.events
                if e.prediction is not None]

    def prediction_failures(self) -> list[str]:
        """Every measured placement that differs from Pacemaker's prediction, and every time
        the scheduler could not be asked at all: each fails the test, with both sides shown."""
        failures = []
        for m in self.measurements:
            check = m.prediction
            if check is None:
                continue
            if check.matched is False:
                failures.append(
                    f"placement differs from Pacemaker's prediction after {m.fault}:\n{check}"
                )
            elif isinstance(check.expected, Unsimulable) and check.expected.failed:
                failures.append(f"{m.fault}: {check.expected}")
        return failures

    def finding(self, what: str, **figures: Any) -> Finding:
        found = Finding(what, figures)
        self.findings.append(found)
        return found

    def to_record(self) -> dict[str, Any]:
        """Everything this scenario did and measured, as JSON types: the one record that
        report.json, JUnit properties and the terminal summary come from.

        Times on the scenario's clock are ``*_s`` seconds since its probe started
        (``started_at`` gives that moment's wall-clock time); a failover's own figures are
        seconds from its fault's injection (``Failover.to_record``).
        """
        probe, watch = self.probe, self.watch
        mono0 = probe.started if probe.started is not None else time.monotonic()
        events = list(self.faults.timeline.events)
        # An event carries both clocks, taken together: the best link between them.
        offset = events[0].wall - events[0].t if events else time.time() - time.monotonic()
        end = watch.stopped
        return {
            "started_at": iso(mono0 + offset),
            "faults": [f.to_record(mono0) for f in self.faults.made],
            "events": [e.to_record(mono0) for e in events],
            "failovers": [m.to_record(mono0) for m in self.measurements],
            "findings": [f.to_record() for f in self.findings],
            "violations": [
                {**v.to_dict(origin=mono0, now=end),
                 "text": v.describe(mono0, end or v.start)}
                for v in self.violations
            ],
            "predictions": [{"event": what, "said": said} for what, said in self.predictions()],
            "upgrade": None if self.upgrade is None else self.upgrade.to_record(mono0),
            "fencing": fencing_record(self, mono0 + offset),
            "watch": {"looks_per_s": watch.rates(), "not_watched": list(watch.not_watched)},
            "probe": {
                "interval_s": probe.interval,
                "timeout_s": probe.timeout,
                "urls": dict(probe.urls),
                "stopped_s": None if probe.stopped is None else num(probe.stopped - mono0),
                "columns": list(SAMPLE_COLUMNS),
                "samples": [
                    [num(s.t - mono0), s.url, s.status, s.node, num(s.latency), s.error]
                    for s in probe.samples
                ],
            },
        }


def fencing_record(scenario: Scenario, origin: float) -> dict[str, Any] | None:
    """A scenario record's ``fencing``: null with STONITH off; else the operations with times
    on the scenario clock (``origin``: its 0 as epoch seconds), the lab's power record
    likewise, and ``error`` when the cluster could not say.

    ``powered_off`` is the lab's side: the nodes its power controller switched off for a fence
    agent. When both nodes of a pair shoot each other, no fencer is left to log a result, so
    only this record shows the race; ``double_fence`` is true when either side saw more than
    one node fenced."""
    if not scenario.stonith:
        return None
    seen = scenario.fencing or fence_watch.Fencing((), ())
    record: dict[str, Any] = {"stonith": True, **seen.to_record(origin),
                              "observed": scenario.fencing is not None,
                              "error": scenario.fencing_error}
    record["power"] = [
        {**p, "received_s": num(p["received"] - origin), "done_s": num(p["done"] - origin)}
        for p in scenario.power
    ]
    record["powered_off"] = powered_off(record)
    record["double_fence"] = bool(record["double_fence"]) or len(record["powered_off"]) > 1
    return record


def powered_off(fencing: dict[str, Any]) -> list[str]:
    """The nodes the lab's power controller switched off for a fence agent (its record in a
    scenario's ``fencing.power``), each once, in order."""
    return list(dict.fromkeys(
        p["node"] for p in fencing.get("power") or []
        if p.get("action") == "off" and str(p.get("result", "")).startswith("ok")))


def fenced_nodes(fencing: dict[str, Any]) -> list[str]:
    """Every node fenced in a scenario by either account: the fencer's successful operations
    or the lab's power record (a race leaves no fencer to log it), sorted."""
    return sorted(set(fencing.get("fenced") or []) | set(powered_off(fencing)))


def fencing_properties(fencing: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """A scenario's fencing record as flat JUnit properties under its names: ``fencing.fenced``
    (targets, comma-separated), ``fencing.failed``, ``fencing.double_fence``,
    ``fencing.error``, and per operation ``fencing.op<i>.<figure>`` (scenario clock)."""
    if fencing is None:
        return []
    props: list[tuple[str, Any]] = [
        ("fencing.fenced", ", ".join(fencing["fenced"])), ("fencing.failed", fencing["failed"]),
        ("fencing.double_fence", fencing["double_fence"]),
    ]
    if fencing.get("error"):
        props.append(("fencing.error", fencing["error"]))
    for i, op in enumerate(fencing["operations"]):
        props += [(f"fencing.op{i + 1}.{k}", op.get(k)) for k in
                  ("target", "origin", "action", "result", "requested_s", "confirmed_s",
                   "took_s", "delay_s", "text")]
    return props


def settings_interval(cluster: Cluster) -> float:
    """The watcher looks at the VIPs at the probe's rate."""
    return cluster.description.probe.interval_s


__all__ = ["SAMPLE_COLUMNS", "Finding", "Scenario", "fenced_nodes", "fencing_properties",
           "fencing_record", "powered_off"]
