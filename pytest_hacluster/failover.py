"""One fault's recovery, measured from both sides: what users saw and what Pacemaker did.

``watch_recovery`` waits (bounded) after a fault until Pacemaker's state is what the test
expects and every watched URL answers again, and returns a ``Failover``: the outage per URL
from the probe, when Pacemaker recorded the failure (the CIB's ``last-rc-change``), when the
expected state was first seen and where the groups ended up. Every figure carries its
precision: the probe's interval for outages, whole seconds for the CIB, the poll interval for
the state.

When Pacemaker's scheduler was asked before the fault (``oracle``), the settled placement is
compared with its prediction: ``Failover.prediction`` shows both sides, and a mismatch makes
``as_predicted`` false.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pytest_hacluster import cluster_log, crm_status, oracle, records
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.faults import Event
from pytest_hacluster.fence_history import FenceOperation
from pytest_hacluster.probe import Outage, Probe, story
from pytest_hacluster.records import iso, jsonable, num
from pytest_hacluster.shell import CommandError
from pytest_hacluster.slo import Threshold

if TYPE_CHECKING:
    from pytest_hacluster.cluster import Cluster

STATE_POLL_S = 0.25


@dataclass
class Failover:
    """The figures of one fault's recovery (seconds from the fault's injection)."""

    fault: str
    injected: Event
    probe_interval: float
    threshold: Threshold | None
    slo_urls: tuple[str, ...] = ()  # the URLs the SLO is about (all are measured)
    kept_down: tuple[str, ...] = ()  # URLs the test keeps down on purpose (measured, not awaited)
    outages: dict[str, list[Outage]] = field(default_factory=dict)
    detected_s: float | None = None  # Pacemaker recorded the failure (CIB, whole seconds)
    settled_s: float | None = None  # the state the test expects was first seen
    placement: dict[str, str | None] = field(default_factory=dict)
    failcounts: dict[str, int] = field(default_factory=dict)
    stories: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    gave_up: str | None = None  # why watching stopped before recovery
    log_lines: list[str] = field(default_factory=list)  # the cluster's logs of the window
    failcounts_before: dict[str, int] | None = None  # "resource@node" -> count, before the fault
    prediction: oracle.Check | None = None  # the scheduler's prediction against the settled state
    target_node: str | None = None  # the node the fault was aimed at, when it was one
    # Pacemaker's fencing in the watched window (fence_history: the cluster's own logs);
    # empty with STONITH off
    fencing: tuple[FenceOperation, ...] = ()

    @property
    def recovered(self) -> bool:
        return self.gave_up is None

    @property
    def as_predicted(self) -> bool:
        """False only when the scheduler predicted a placement and the cluster settled elsewhere
        (an unsimulable fault, or no prediction asked, is not a mismatch)."""
        return self.prediction is None or self.prediction.matched is not False

    def outage_s(self, url: str) -> float | None:
        """Seconds without service on ``url`` (all its outages after the fault added up);
        0.0 when the probe saw no failure at all, None when it never answered again."""
        durations = [o.duration for o in self.outages.get(url, [])]
        if any(d is None for d in durations):
            return None
        return sum(d for d in durations if d is not None)

    @property
    def worst_outage_s(self) -> float | None:
        """The longest outage among the SLO's URLs (all URLs when none were named)."""
        durations = [self.outage_s(u) for u in (self.slo_urls or tuple(self.outages))]
        if any(d is None for d in durations):
            return None
        return max((d for d in durations if d is not None), default=0.0)

    def back_s(self) -> float | None:
        """Seconds from the injection until the last of the SLO's URLs answered again (the
        end of its last outage); None when none failed or one never came back."""
        ends = [o.end for u in (self.slo_urls or tuple(self.outages))
                for o in self.outages.get(u, [])]
        if not ends or any(e is None for e in ends):
            return None
        return max(e for e in ends if e is not None) - self.injected.t

    def recovery_split(self) -> dict[str, float | None] | None:
        """The recovery of a fenced node's services in three parts that add up to
        ``back_s``: ``detection_s`` (injection to the first successful fence's request),
        ``fencing_s`` (request to confirmed, any configured delay included) and ``start_s``
        (confirmed to the last URL answering again). None without a successful fence whose
        request was logged; ``start_s`` None when no URL failed or one never came back."""
        fenced = [op for op in self.fencing if op.ok and op.requested is not None]
        if not fenced:
            return None
        op = fenced[0]
        assert op.requested is not None
        back = self.back_s()
        confirmed_s = op.confirmed - self.injected.wall
        return {"detection_s": num(op.requested - self.injected.wall),
                "fencing_s": op.took_s,
                "start_s": None if back is None else num(back - confirmed_s)}

    def fencing_lines(self) -> list[tuple[float, str]]:
        """Each fencing operation as timeline lines (seconds from the injection, words):
        its request (when logged) and its result."""
        out = []
        for op in self.fencing:
            if op.requested is not None:
                out.append((op.requested - self.injected.wall,
                            f"fencing ({op.action}) of {op.target} requested by {op.origin}"))
            out.append((op.confirmed - self.injected.wall, f"fencing: {op}"))
        return out

    def lost(self, url: str) -> int:
        return sum(o.lost for o in self.outages.get(url, []))

    def _count(self, url: str) -> str:
        n = len(self.outages.get(url, []))
        return f", {n} outages" if n > 1 else ""

    def _outage_words(self, url: str) -> str:
        seconds = self.outage_s(url)
        if seconds is None and url in self.kept_down:
            return "down on purpose"
        return _secs(seconds)

    def summary(self) -> str:
        """One line: what broke, how long each URL was out, when Pacemaker saw and fixed it."""
        prec = f"±{self.probe_interval:g}s"
        outs = ", ".join(
            f"{u} {self._outage_words(u)} ({self.lost(u)} lost{self._count(u)})"
            for u in self.outages
        )
        parts = [f"{self.fault}: outage {outs} {prec}"]
        if self.detected_s is not None:
            # The CIB's last-rc-change has whole seconds: a failure in the fault's own second
            # can read as before it (-0.2 s); that is "at once", within the ±1 s said.
            parts.append(f"failure recorded at +{max(0.0, self.detected_s):.0f}s (±1s)")
        if self.settled_s is not None:
            where = records.placement(self.placement)
            parts.append(f"settled at +{self.settled_s:.1f}s ({where})")
        if self.prediction is not None:
            parts.append(f"prediction {self.prediction.verdict}")
        for op in self.fencing:
            took = "" if op.took_s is None else f" in {op.took_s:.2f}s"
            outcome = "fenced" if op.ok else f"fencing FAILED ({op.result})"
            parts.append(f"{op.target} {outcome} at +{op.confirmed - self.injected.wall:.1f}s"
                         f"{took}")
        if self.gave_up:
            parts.append(f"NOT RECOVERED: {self.gave_up}")
        return "; ".join(parts)

    def explain(self) -> str:
        """The measured timeline, for a failure message: events, and each URL's story."""
        lines = [self.summary()]
        if self.threshold is not None:
            lines.append(f"SLO: {self.threshold}")
        lines += [f"  event {e}" for e in self.events]
        lines += [f"  {u}: {s}" for u, s in self.stories.items()]
        split = self.recovery_split()
        if split is not None:
            lines.append("  recovery: " + ", ".join(
                f"{k.removesuffix('_s')} {'?' if v is None else f'{v:.2f}s'}"
                for k, v in split.items()))
        if self.failcounts:
            lines.append(f"  fail-counts: {self.failcounts}")
        if self.prediction is not None:
            lines += [f"  {line}" for line in str(self.prediction).splitlines()]
        if self.log_lines:
            lines.append("  cluster log of the fault's window (notice+, agents, corosync):")
            lines += [f"    {line}" for line in cluster_log.trimmed(self.log_lines)]
        return "\n".join(lines)

    def within(self, threshold: Threshold | None = None) -> bool:
        """Every URL back within the SLO (and the probe saw it come back)."""
        limit = threshold or self.threshold
        worst = self.worst_outage_s
        return self.recovered and worst is not None and (limit is None or worst <= limit.seconds)

    def to_record(self, origin: float) -> dict[str, Any]:
        """The one record of this measurement (JSON types); JUnit properties, the terminal
        summary and report.json all come from it, under these names.

        ``injected_s`` and the ``outages`` windows are seconds from ``origin`` (a monotonic
        time: the scenario's probe start); every other ``*_s`` figure is seconds from the
        fault's injection: ``outage_s`` per URL (±``probe_interval_s``), ``worst_outage_s``
        over ``slo_urls``, ``detected_s`` (the CIB's ``last-rc-change``, whole seconds, null
        when no resource failure was asked for), ``settled_s`` (the expected state first
        seen, ± the state poll).
        """
        urls = list(self.outages)
        prediction = self.prediction
        threshold = self.threshold
        return {
            "fault": self.fault,
            "target_node": self.target_node,
            "injected_s": num(self.injected.t - origin),
            "injected_at": iso(self.injected.wall),
            "slo": None if threshold is None else {
                "name": threshold.name, "seconds": num(threshold.seconds), "why": threshold.why,
            },
            "slo_urls": list(self.slo_urls),
            "kept_down": list(self.kept_down),
            "outage_s": {u: num(self.outage_s(u)) for u in urls},
            "lost": {u: self.lost(u) for u in urls},
            "outages": {
                u: [{"start_s": num(o.start - origin),
                     "end_s": None if o.end is None else num(o.end - origin), "lost": o.lost}
                    for o in self.outages[u]]
                for u in urls
            },
            "worst_outage_s": num(self.worst_outage_s),
            "detected_s": num(self.detected_s),
            "settled_s": num(self.settled_s),
            "probe_interval_s": self.probe_interval,
            "recovered": self.recovered,
            "gave_up": self.gave_up,
            "within_slo": self.within(),
            "placement": dict(self.placement),
            "failcounts_before": None if self.failcounts_before is None
            else dict(self.failcounts_before),
            "failcounts_after": dict(self.failcounts),
            "stories": dict(self.stories),
            "events": list(self.events),
            "prediction": None if prediction is None else jsonable(prediction),
            "prediction_text": None if prediction is None else str(prediction),
            "log_lines": list(self.log_lines),
            "fencing": [op.to_record(self.injected.wall) for op in self.fencing],
            "fenced": [op.target for op in self.fencing if op.ok],
            "recovery_split": self.recovery_split(),
            "summary": self.summary(),
        }


# The record's figures that go into JUnit XML as properties (scalars; a mapping becomes one
# property per key, ``outage_s.<url>``). Timelines, stories and logs stay in report.json.
JUNIT_FIGURES = (
    "fault", "target_node", "outage_s", "lost", "worst_outage_s", "within_slo",
    "probe_interval_s", "detected_s", "settled_s", "placement", "summary",
)
# Per fencing operation: ``fence<i>.<figure>``.
JUNIT_FENCE_FIGURES = (
    "target", "action", "origin", "delegate", "result", "ok", "requested_s", "confirmed_s",
    "took_s", "delay_s",
)


def junit_properties(record: dict[str, Any]) -> list[tuple[str, Any]]:
    """A failover record (``Failover.to_record``) as flat JUnit properties, same names."""
    props: list[tuple[str, Any]] = []
    for key in JUNIT_FIGURES:
        value = record[key]
        if isinstance(value, dict):
            props += [(f"{key}.{k}", v) for k, v in value.items()]
        else:
            props.append((key, value))
    if record["slo"] is not None:
        props += [("slo.name", record["slo"]["name"]), ("slo.seconds", record["slo"]["seconds"])]
    prediction = record["prediction"]
    if prediction is not None:
        props.append(("prediction.verdict", prediction["verdict"]))
        if "reason" in prediction:
            props.append(("prediction.reason", prediction["reason"]))
        else:
            props += [(f"prediction.predicted_groups.{g}", n)
                      for g, n in prediction["predicted_groups"].items()]
            props.append(("prediction.predicted_actions",
                          "; ".join(prediction["predicted_actions"])))
            props.append(("prediction.took_s", prediction["took_s"]))
    for i, op in enumerate(record.get("fencing") or []):
        props += [(f"fence{i + 1}.{k}", op[k]) for k in JUNIT_FENCE_FIGURES]
    if record.get("recovery_split") is not None:
        props += [(f"recovery_split.{k}", v) for k, v in record["recovery_split"].items()]
    return props


def _secs(value: float | None) -> str:
    return "not back" if value is None else f"{value:.1f}s"


def watch_recovery(
    cluster: Cluster,
    probe: Probe,
    event: Event,
    expect: Callable[[ClusterState], bool],
    what: str,
    urls: Sequence[str] | None = None,
    threshold: Threshold | None = None,
    timeout: float | None = None,
    failed_resource: str | None = None,
    events: Sequence[Event] = (),
    states: Callable[[], tuple[float, ClusterState]] | None = None,
    kept_down: Sequence[str] = (),
    fencing: Callable[[float, float], Sequence[FenceOperation]] | None = None,
) -> Failover:
    """Watch from ``event`` (a fault's ``measured()``, an undo, a cleanup) until
    ``expect(state)`` holds and every URL answers again, but those of ``kept_down`` (URLs the
    test keeps down on purpose, e.g. of a group it stopped: measured, not waited for); the
    placement is compared with ``event.prediction`` when the scheduler was asked.

    Every URL is waited for and measured: a fault on one group can move the other (Pacemaker
    spreads groups), and users of that one see an outage too. ``urls`` names the URLs the SLO
    is about. Once recovered, placement is read after the cluster settles. ``fencing`` (given
    when STONITH is on) reads the fencing operations between two wall-clock times; those of
    the watched window become part of the timeline.

    Bounded by ``timeout`` (default: twice the SLO, at least 60 s), so a slow recovery is still
    measured rather than cut off at the threshold. Never raises for a cluster that does not
    recover: the Failover says ``gave_up``, and the test asserts on it with the timeline.
    """
    # The invariant watcher reads every node's crm_mon already: its newest state serves here.
    # Without one, a node is asked each time.
    read_state = states or (lambda: (time.monotonic(), cluster.state()))
    slo_urls = tuple(urls if urls is not None else probe.urls)
    every_url = list(probe.urls)
    unknown = [u for u in kept_down if u not in every_url]
    if unknown:
        raise ValueError(f"kept_down: no URL {', '.join(unknown)} (the probe's: "
                         f"{', '.join(every_url)})")
    awaited = [u for u in every_url if u not in kept_down]
    slo_s = threshold.seconds if threshold else 30.0
    limit = timeout if timeout is not None else max(60.0, 2 * slo_s)
    deadline = event.t + limit
    settled_at: float | None = None
    state: ClusterState | None = None
    last_error = ""
    while True:
        now = time.monotonic()
        try:
            seen_at, state = read_state()
            good = seen_at >= event.t and expect(state)  # a look from before counts for nothing
        except (CommandError, crm_status.ParseError, RuntimeError) as exc:
            seen_at, good, last_error = now, False, str(exc).splitlines()[0]
        if good and settled_at is None:
            settled_at = seen_at
        elif not good:
            settled_at = None
        if settled_at is not None and all(_answering(probe, u, event.done) for u in awaited):
            gave_up = None
            break
        if now > deadline:
            gave_up = f"after {limit:.0f}s: {what} " + (
                "was never seen" if settled_at is None else "was seen but URLs still failed"
            ) + (f" (last error: {last_error})" if last_error else "")
            break
        time.sleep(STATE_POLL_S)
    if gave_up is None:
        try:
            cluster.wait_settled(timeout=60)
            state = cluster.state()
        except (CommandError, crm_status.ParseError, RuntimeError):
            pass  # placement then comes from the last state seen
    result = Failover(
        fault=event.what, injected=event, probe_interval=probe.interval, threshold=threshold,
        slo_urls=slo_urls, kept_down=tuple(kept_down), gave_up=gave_up, target_node=event.node,
        failcounts_before=event.failcounts_before,
    )
    samples = probe.samples
    for url in every_url:
        # Under way at or begun after the injection, until now.
        result.outages[url] = probe.outages(url, since=event.t)
        result.stories[url] = story(samples, url, event.t)
    result.settled_s = None if settled_at is None else settled_at - event.t
    if state is not None:
        result.placement = {g: grp.started_on for g, grp in state.groups.items()}
        result.failcounts = {f"{r}@{n}": c for (r, n), c in state.failcounts.items() if c}
        if failed_resource is not None:
            result.detected_s = detection_s(state, failed_resource, event)
        if event.prediction is not None:
            result.prediction = oracle.compare(event.prediction, state)
    if fencing is not None:
        try:
            result.fencing = tuple(fencing(event.wall, time.time()))
        except (CommandError, RuntimeError) as exc:
            result.events.append(f"(fencing could not be read: {exc})")
    timeline = [(e.t - event.t, e.at(event.t)) for e in (event, *events)]
    timeline += [(t, f"{t:+.1f}s {text}") for t, text in result.fencing_lines()]
    result.events += [text for _, text in sorted(timeline, key=lambda x: x[0])]
    try:
        result.log_lines = cluster.log_window(event.wall, time.time())
    except (CommandError, RuntimeError) as exc:
        result.log_lines = [f"(the cluster's logs could not be read: {exc})"]
    return result


def _answering(probe: Probe, url: str, after: float) -> bool:
    latest = [s for s in probe.samples if s.url == url and s.t > after]
    return bool(latest) and latest[-1].ok


def detection_s(state: ClusterState, resource: str, event: Event) -> float | None:
    """Seconds from injection until the CIB recorded ``resource``'s first failure after it."""
    times = [
        a.last_rc_change for a in state.failed_actions
        if a.resource == resource and a.last_rc_change is not None
        and a.last_rc_change >= int(event.wall)
    ]
    return min(times) - event.wall if times else None


__all__ = ["JUNIT_FENCE_FIGURES", "JUNIT_FIGURES", "Failover", "detection_s", "junit_properties",
           "watch_recovery"]
