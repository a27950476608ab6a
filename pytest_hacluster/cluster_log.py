"""The cluster's own log lines of a fault's window, from every node, trimmed to what matters.

A failover's figures say how long; the logs say why: the monitor that failed, the transition
the scheduler chose, the membership corosync formed, what the resource agent printed. This
module reads the syslog-style lines Pacemaker, corosync and the resource agents write
(``Nov 25 12:35:16.320 s1 pacemaker-controld [147] (fn) notice: ...``,
``Nov 25 12:35:56 [23] s1 corosync notice [TOTEM ] ...``,
``Nov 25 12:35:16  apache(httpd)[182]:    INFO: ...``), keeps those inside the window and
drops Pacemaker's info/debug chatter (the CIB's own diffs are most of a log). Pure: the caller
fetches the text from the nodes.

The lines carry no year and no zone: they are read as local time of this machine, in the year
of the window (a window across New Year is read right; nodes in another time zone are not).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

# Debian's logs first; the others are where CentOS 6 / other distributions put them.
LOG_FILES: tuple[str, ...] = (
    "/var/log/pacemaker/pacemaker.log",
    "/var/log/corosync/corosync.log",
    "/var/log/cluster/corosync.log",
    "/var/log/ha-log",
)
_STAMP = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d)(?P<frac>\.\d+)?"
)
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}
_PACEMAKER_LEVEL = re.compile(r"\)\s+(?P<level>trace|debug|info|notice|warning|error|crit):")
_AGENT = re.compile(r"\s[\w.-]+\([\w.-]+\)\[\d+\]:")  # apache(httpd)[182]:
_CHATTER = re.compile(r"\((cib_perform_op|cib_process_request|cib_process_ping)\)")


@dataclass(frozen=True)
class LogLine:
    node: str
    t: float  # epoch seconds (local time as read)
    precise: bool  # milliseconds in the stamp (Pacemaker) or whole seconds
    text: str

    def __str__(self) -> str:
        return f"{self.node}: {self.text}"


def stamp(line: str, year: int) -> tuple[float, bool] | None:
    """Epoch seconds of a syslog-style stamp, and whether it had fractions of a second."""
    found = _STAMP.match(line)
    if found is None or found["mon"] not in _MONTHS:
        return None
    try:
        parsed = time.strptime(
            f"{year} {_MONTHS[found['mon']]} {found['day']} {found['hms']}", "%Y %m %d %H:%M:%S"
        )
    except ValueError:
        return None
    frac = float(found["frac"]) if found["frac"] else 0.0
    return time.mktime(parsed) + frac, found["frac"] is not None


def matters(line: str) -> bool:
    """Notice and worse from Pacemaker, every resource agent and corosync line; no CIB diffs."""
    if _AGENT.search(line) or " corosync " in line:
        return True
    level = _PACEMAKER_LEVEL.search(line)
    if level is None:
        return False
    return level["level"] in ("notice", "warning", "error", "crit") and not _CHATTER.search(line)


def window(
    node: str, text: str, start: float, end: float, slack: float = 1.0
) -> list[LogLine]:
    """The lines of ``text`` stamped within ``[start - slack, end + slack]`` that matter."""
    year = time.localtime(end).tm_year
    out = []
    for line in text.splitlines():
        when = stamp(line, year)
        if when is None:
            continue
        t, precise = when
        if t > end + 86400:  # December's lines read in January's year
            t = stamp(line, year - 1)[0]  # type: ignore[index]
        if start - slack <= t <= end + slack and matters(line):
            out.append(LogLine(node, t, precise, line.rstrip()))
    return out


def merge(per_node: Iterable[list[LogLine]], limit: int = 400) -> list[LogLine]:
    """Every node's lines in time order; at most ``limit`` (the last ones: the recovery)."""
    lines = sorted((x for lines in per_node for x in lines), key=lambda x: x.t)
    return lines[-limit:]


def trimmed(lines: list[str], head: int = 10, tail: int = 20) -> list[str]:
    """For a failure message: the first lines (the fault seen) and the last (how it ended)."""
    if len(lines) <= head + tail:
        return list(lines)
    skipped = len(lines) - head - tail
    return [*lines[:head], f"... {skipped} lines ...", *lines[-tail:]]


__all__ = ["LOG_FILES", "LogLine", "matters", "merge", "stamp", "trimmed", "window"]
