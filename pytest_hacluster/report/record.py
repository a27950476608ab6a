"""A finished scenario as plain data: what the report (JSON, HTML, plots) is made from.

Pure: it reads the attributes of a ``Scenario`` and its ``Failover`` objects and returns dicts
of JSON types, so the report never holds live objects (pytest-xdist workers hand their records
to the controller as files) and the writers are tested on data alone.

Times on a scenario's clock are seconds since its probe started (``*_s`` keys, 0 = probe
start); a failover's own figures (outage, detection, recovery) are seconds from its fault's
injection, as ``Failover`` measures them. ``started_at`` gives the wall-clock time of 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
from collections.abc import Iterable, Mapping
from typing import Any

# One row per probe sample; a column list instead of a dict per sample keeps report.json small
# (a scenario of a minute has about 1800 samples).
SAMPLE_COLUMNS = ("t_s", "url", "status", "node", "latency_s", "error")

# Keys whose values are secret or may be: their values are replaced, the key stays so the reader
# sees that something was set. (``token_ms`` is corosync's timing, not a secret.)
SECRET_KEYS = frozenset({"key", "keys", "password", "passphrase", "secret", "authkey", "env"})
REDACTED = "<redacted>"


def iso(wall: float | None) -> str | None:
    """A wall-clock time as ISO 8601 in UTC, to the millisecond."""
    if wall is None:
        return None
    return dt.datetime.fromtimestamp(wall, dt.UTC).isoformat(timespec="milliseconds")


def _num(value: float | None, digits: int = 3) -> float | None:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def jsonable(value: Any) -> Any:
    """Dataclasses, tuples, sets and objects with ``to_dict`` as JSON types; others as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return _num(value, 4)
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def redact(value: Any) -> Any:
    """``value`` (JSON types) with every secret key's value replaced by ``REDACTED``."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in SECRET_KEYS and v not in (None, "", {}, []):
                out[k] = {kk: REDACTED for kk in v} if isinstance(v, Mapping) else REDACTED
            else:
                out[k] = redact(v)
        return out
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def config_record(description: Any) -> dict[str, Any]:
    """The cluster description in effect, as JSON, secrets removed."""
    return redact(jsonable(description))


def _origin(scenario: Any) -> tuple[float, float]:
    """(monotonic, wall) of the scenario clock's 0: the probe's start."""
    probe = scenario.probe
    mono0 = probe.started if probe.started is not None else time.monotonic()
    events = list(scenario.faults.timeline.events)
    # An event carries both clocks, taken together: the best link between them.
    offset = events[0].wall - events[0].t if events else time.time() - time.monotonic()
    return mono0, mono0 + offset


def _event(event: Any, mono0: float) -> dict[str, Any]:
    return {
        "what": event.what,
        "t_s": _num(event.t - mono0),
        "done_s": _num(event.done - mono0),
        "at": iso(event.wall),
    }


def _fault(fault: Any, mono0: float) -> dict[str, Any]:
    injected, undone = fault.injected, fault.undone
    return {
        "what": str(fault),
        "kind": getattr(fault, "kind", type(fault).__name__),
        "target": _safe_str(lambda: fault.target),
        "node": target_node(fault),
        "injected_s": None if injected is None else _num(injected.t - mono0),
        "injected_at": None if injected is None else iso(injected.wall),
        "undone_s": None if undone is None else _num(undone.t - mono0),
        "undone_at": None if undone is None else iso(undone.wall),
    }


def _safe_str(get: Any) -> str | None:
    try:
        return str(get())
    except Exception:  # a target that cannot describe itself must not lose the record
        return None


def target_node(fault: Any) -> str | None:
    """The node a fault is aimed at: its ``node``, or a standby's target."""
    node = getattr(fault, "node", None)
    if node is None and getattr(fault, "kind", None) == "standby":
        node = _safe_str(lambda: fault.target)
    return node


def _threshold(threshold: Any) -> dict[str, Any] | None:
    if threshold is None:
        return None
    return {"name": threshold.name, "seconds": _num(threshold.seconds), "why": threshold.why}


def failover_record(m: Any, mono0: float, faults: Iterable[Any] = ()) -> dict[str, Any]:
    """One measured recovery: SLO against the measured figures, where things ended up."""
    fault = next((f for f in faults if f.injected is m.injected), None)
    urls = list(m.outages)
    prediction = m.prediction
    return {
        "fault": m.fault,
        "target_node": target_node(fault) if fault is not None else None,
        "injected_s": _num(m.injected.t - mono0),
        "injected_at": iso(m.injected.wall),
        "slo": _threshold(m.threshold),
        "slo_urls": list(m.slo_urls),
        "outage_s": {u: _num(m.outage_s(u)) for u in urls},
        "lost": {u: m.lost(u) for u in urls},
        "outages": {
            u: [
                {"start_s": _num(o.start - mono0),
                 "end_s": None if o.end is None else _num(o.end - mono0), "lost": o.lost}
                for o in m.outages[u]
            ]
            for u in urls
        },
        "worst_outage_s": _num(m.worst_outage_s),
        "detection_s": _num(m.detected_s),
        "recovery_s": _num(m.settled_s),
        "probe_interval_s": m.probe_interval,
        "recovered": m.recovered,
        "gave_up": m.gave_up,
        "within_slo": m.within(),
        "placement": dict(m.placement),
        "failcounts_before": jsonable(m.failcounts_before),
        "failcounts_after": dict(m.failcounts),
        "stories": dict(m.stories),
        "events": list(m.events),
        "prediction": None if prediction is None else jsonable(prediction),
        "prediction_text": None if prediction is None else str(prediction),
        "log_lines": list(m.log_lines),
        "summary": m.summary(),
    }


def finding_record(finding: Any) -> dict[str, Any]:
    return {
        "what": getattr(finding, "what", str(finding)),
        "figures": jsonable(getattr(finding, "figures", {})),
        "text": str(finding),
    }


def samples_record(samples: Iterable[Any], mono0: float) -> list[list[Any]]:
    return [
        [_num(s.t - mono0), s.url, s.status, s.node, _num(s.latency), s.error]
        for s in samples
    ]


def scenario_record(scenario: Any) -> dict[str, Any]:
    """Everything one scenario did and measured, on its own clock."""
    mono0, wall0 = _origin(scenario)
    probe = scenario.probe
    made = list(scenario.faults.made)
    return {
        "started_at": iso(wall0),
        "faults": [_fault(f, mono0) for f in made],
        "events": [_event(e, mono0) for e in scenario.faults.timeline.events],
        "failovers": [failover_record(m, mono0, made) for m in scenario.measurements],
        "findings": [finding_record(f) for f in scenario.findings],
        "violations": [
            {**v.to_dict(origin=mono0, now=scenario.watch.stopped),
             "text": v.describe(mono0, scenario.watch.stopped or v.start)}
            for v in scenario.violations
        ],
        "watch": {
            "looks_per_s": scenario.watch.rates(),
            "not_watched": list(scenario.watch.not_watched),
        },
        "probe": {
            "interval_s": probe.interval,
            "timeout_s": probe.timeout,
            "urls": dict(probe.urls),
            "stopped_s": None if probe.stopped is None else _num(probe.stopped - mono0),
            "columns": list(SAMPLE_COLUMNS),
            "samples": samples_record(probe.samples, mono0),
        },
    }


__all__ = [
    "REDACTED", "SAMPLE_COLUMNS", "config_record", "failover_record", "finding_record", "iso",
    "jsonable", "redact", "scenario_record", "target_node",
]
