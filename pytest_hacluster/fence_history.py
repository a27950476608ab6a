"""What Pacemaker's fencer did: who fenced whom, when, with what result, and how long it took.

Two sources, both Pacemaker's own (read from a node; parsing here is pure):

- ``stonith_admin --history '*' --output-as=xml`` (Pacemaker 2.x): one ``<fence_event>`` per
  operation with ``action``, ``target``, ``delegate`` (the node that ran the agent), ``origin``
  (the node that asked), ``client``, ``status`` (``success``/``failed``/``pending``), and
  ``completed`` stamped to the second (2.1.5: ``"2026-11-29 23:35:12Z"``). ``exit-reason``
  where the agent failed.
- The cluster log, stamped to the millisecond: the controller's
  ``Requesting fencing (off) of node s2`` (request) and the fencer's ``finalize_op`` line
  ``Operation 'off' targeting s2 by s1 for pacemaker-controld.146@s1: OK (complete) | id=...``
  (confirmed, or the failure's words). Seen on Pacemaker 2.1.5 (lab, 2026-11-29).

``FenceOperation`` pairs a request with its result; its ``took_s`` is the fencing time
(request to confirmed) the issue asks for.
"""

from __future__ import annotations

import calendar
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from pytest_hacluster.cluster_log import LogLine
from pytest_hacluster.records import iso


class FenceHistoryError(ValueError):
    """Output of ``stonith_admin`` this module does not understand; names the input."""


@dataclass(frozen=True)
class FenceEvent:
    """One ``<fence_event>`` of the fencing history. ``completed``: epoch seconds (whole), or
    None while pending."""

    action: str
    target: str
    status: str
    delegate: str | None
    origin: str | None
    client: str | None
    completed: float | None
    exit_reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "success"


_COMPLETED = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(Z|[+-]\d\d:?\d\d)?$")


def _completed(text: str, where: str) -> float:
    found = _COMPLETED.match(text.strip())
    if found is None:
        raise FenceHistoryError(f"{where}: completed={text!r} is not 'YYYY-MM-DD HH:MM:SS[Z]'")
    stamp = calendar.timegm(time.strptime(found[1], "%Y-%m-%d %H:%M:%S"))
    zone = found[2] or "Z"
    if zone != "Z":
        sign = -1 if zone[0] == "+" else 1
        hours, minutes = int(zone[1:3]), int(zone[-2:])
        stamp += sign * (hours * 3600 + minutes * 60)
    return float(stamp)


def parse_history(xml: str) -> list[FenceEvent]:
    """``stonith_admin --history '*' --output-as=xml`` -> events, oldest first.

    Raises FenceHistoryError for output without the ``fencing history`` list or an event
    without action/target/status.
    """
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as exc:
        raise FenceHistoryError(f"stonith_admin --history: not XML ({exc}): {xml[:200]!r}") \
            from None
    history = root.find("list[@name='fencing history']")
    if history is None:
        status = root.find("status")
        if status is not None and status.get("code") == "0":
            return []  # Pacemaker prints no list when there is no event
        raise FenceHistoryError(f"stonith_admin --history: no fencing history in {xml[:300]!r}")
    events = []
    for element in history.findall("fence_event"):
        attrs = element.attrib
        missing = [k for k in ("action", "target", "status") if k not in attrs]
        if missing:
            raise FenceHistoryError(
                f"stonith_admin --history: fence_event without {', '.join(missing)}: {attrs}"
            )
        completed = attrs.get("completed")
        events.append(FenceEvent(
            action=attrs["action"], target=attrs["target"], status=attrs["status"],
            delegate=attrs.get("delegate"), origin=attrs.get("origin"),
            client=attrs.get("client"),
            completed=_completed(completed, f"fence_event {attrs}") if completed else None,
            exit_reason=attrs.get("exit-reason"),
        ))
    return sorted(events, key=lambda e: e.completed or float("inf"))


_REQUEST = re.compile(r"\(controld_execute_fence_action\)\s+notice: Requesting fencing "
                      r"\((?P<action>[\w-]+)\) of node (?P<target>\S+)"
                      r"(?:.*\bpriority_delay=(?P<delay>\d+))?")
_RESULT = re.compile(r"\(finalize_op\)\s+\w+: Operation '(?P<action>[\w-]+)' targeting "
                     r"(?P<target>\S+) by (?P<delegate>\S+) for (?P<client>[^@\s]+)@"
                     r"(?P<origin>\S+): (?P<result>.*?)(?: \| id=(?P<id>[\w-]+))?$")


@dataclass(frozen=True)
class FenceOperation:
    """One fencing operation seen in the logs. Times are epoch seconds (ms precision);
    ``requested`` is None when the request was not in the window (only its result was)."""

    action: str
    target: str
    origin: str
    delegate: str
    result: str
    requested: float | None
    confirmed: float
    # priority-fencing-delay the controller applied to this request (its log's
    # priority_delay=N, whole seconds): a deliberate wait inside took_s
    delay_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.result.startswith("OK")

    @property
    def took_s(self) -> float | None:
        """Fencing time: the controller's request to the fencer's confirmation, seconds."""
        return None if self.requested is None else round(self.confirmed - self.requested, 3)

    @property
    def device_s(self) -> float | None:
        """``took_s`` without the configured priority delay: what the fence itself took.
        The fencer starts the delay a little before the controller logs its request, so this
        can be slightly negative (-0.09 s measured on the lab): the check is ``<= target``."""
        return None if self.took_s is None else round(self.took_s - self.delay_s, 3)

    def to_record(self, origin: float | None = None) -> dict[str, object]:
        """The operation as JSON types: ``requested``/``confirmed`` epoch seconds (ms) and as
        ISO 8601 (``*_at``); with ``origin`` (epoch seconds) also ``requested_s`` and
        ``confirmed_s``, seconds from it (null when not logged); ``text`` for people."""
        out: dict[str, object] = {
            "action": self.action, "target": self.target, "origin": self.origin,
            "delegate": self.delegate, "result": self.result, "ok": self.ok,
            "requested": self.requested, "confirmed": self.confirmed,
            "requested_at": iso(self.requested), "confirmed_at": iso(self.confirmed),
            "took_s": self.took_s, "delay_s": self.delay_s, "device_s": self.device_s,
            "text": str(self),
        }
        if origin is not None:
            out["requested_s"] = None if self.requested is None \
                else round(self.requested - origin, 3)
            out["confirmed_s"] = round(self.confirmed - origin, 3)
        return out

    def __str__(self) -> str:
        took = "" if self.took_s is None else f" in {self.took_s:.2f}s"
        if self.delay_s:
            took += f" ({self.delay_s:g}s of it priority-fencing-delay)"
        if not self.ok:  # never "fenced": the node was not
            return (f"{self.origin}'s fencing ({self.action}) of {self.target} via "
                    f"{self.delegate} FAILED: {self.result}{took}")
        return (f"{self.origin} fenced ({self.action}) {self.target} via {self.delegate}: "
                f"{self.result}{took}")


def operations(lines: list[LogLine]) -> list[FenceOperation]:
    """Fencing operations in cluster log lines of every node (``cluster_log.window``).

    The fencer logs each result on every node that sees it: one operation per ``id`` (or per
    target, action, origin and second when no id is printed). Each result is paired with the
    latest earlier request of the same action and target from its origin.
    """
    requests: list[tuple[LogLine, str, str, float]] = []
    results: dict[str, tuple[LogLine, re.Match[str]]] = {}
    for line in sorted(lines, key=lambda x: x.t):
        found = _REQUEST.search(line.text)
        if found:
            requests.append((line, found["action"], found["target"],
                             float(found["delay"] or 0)))
            continue
        found = _RESULT.search(line.text)
        if found:
            key = found["id"] or f"{found['action']} {found['target']} {found['origin']} " \
                f"{int(line.t)}"
            results.setdefault(key, (line, found))
    out = []
    for line, found in results.values():
        earlier = [r for r in requests
                   if r[0].node == found["origin"] and r[1] == found["action"]
                   and r[2] == found["target"] and r[0].t <= line.t]
        out.append(FenceOperation(
            action=found["action"], target=found["target"], origin=found["origin"],
            delegate=found["delegate"], result=found["result"].strip(),
            requested=earlier[-1][0].t if earlier else None, confirmed=line.t,
            delay_s=earlier[-1][3] if earlier else 0.0,
        ))
    return sorted(out, key=lambda o: o.confirmed)


__all__ = ["FenceEvent", "FenceHistoryError", "FenceOperation", "operations", "parse_history"]
