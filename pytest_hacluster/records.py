"""Plain values for records: JSON types for report.json, and words for whoever reads them.

A measurement's ``to_record()`` (``Failover``, ``Fault``, ``Event``, ``Finding``,
``Scenario``) returns a dict of JSON types built with these helpers; JUnit properties, the
terminal summary and report.json are all derived from that one dict. ``plain`` turns a
figure into text a person reads (no Python syntax: no braces, quotes or ``True``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Mapping
from typing import Any


def iso(wall: float | None) -> str | None:
    """A wall-clock time (seconds since the epoch) as ISO 8601 in UTC, to the millisecond."""
    if wall is None:
        return None
    return dt.datetime.fromtimestamp(wall, dt.UTC).isoformat(timespec="milliseconds")


def num(value: float | None, digits: int = 3) -> float | None:
    """A figure rounded for the record; None for a missing or non-finite one."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return round(float(value), digits)


def jsonable(value: Any) -> Any:
    """Dataclasses, tuples, sets and objects with ``to_dict`` as JSON types; others as text."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return num(value, 4)
    if hasattr(value, "to_dict"):
        return jsonable(value.to_dict())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def plain(value: Any) -> str:
    """A figure (JSON types) as words: ``{'s1': {'web': 's1'}}`` -> ``s1: web on s1``,
    ``{0: False, 1: True}`` -> ``0 no, 1 yes``, ``None`` -> ``none``, floats to 0.01."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{round(value, 2):g}"
    if isinstance(value, Mapping):
        if all(not isinstance(v, Mapping) for v in value.values()):
            return ", ".join(_pair(k, v) for k, v in value.items()) or "none"
        return "; ".join(f"{k}: {plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(plain(v) for v in value) or "none"
    return str(value)


def _pair(key: Any, value: Any) -> str:
    # A group or resource and the node it is on reads "web on s1"; other pairs "key value".
    if isinstance(value, str) or value is None:
        return placed(key, value)
    return f"{key} {plain(value)}"


def placed(group: Any, node: str | None) -> str:
    """Where a group runs, in words: ``web on s1``; with no node (stopped, or its members on
    different nodes) ``web not running whole on a node``."""
    return f"{group} on {node}" if node else f"{group} not running whole on a node"


def placement(groups: Mapping[str, str | None]) -> str:
    """Every group's ``placed`` words, joined: ``web on s1, webapp on s2``."""
    return ", ".join(placed(g, n) for g, n in groups.items())


def label(key: str) -> str:
    """A figure's name as words: ``each_side_alone_s`` -> ``each side alone (s)``."""
    if key.endswith("_s"):
        return key.removesuffix("_s").replace("_", " ") + " (s)"
    return key.replace("_", " ")


def describe_origin(origin: Mapping[str, Any]) -> str:
    """``origin`` in words: ``debian11 (Debian bullseye), root /var/cache/hacluster/roots/
    debian11 built 2026-11-29T10:00:00+0000 in 78.9 s``."""
    name, suite, root = origin.get("name"), origin.get("suite"), origin.get("root")
    text = f"{name}" + (f" (Debian {suite})" if suite else "")
    if origin.get("this_machine"):
        return f"{text}, root {root} (this machine's own packages)"
    if root is None:
        return f"{text}, {origin.get('source') or 'root unknown'}"
    if origin.get("built"):
        return f"{text}, root {root} built {origin['built']} in {origin.get('build_s')} s"
    return f"{text}, root {root} (not built yet: the bring-up builds it)"


__all__ = ["describe_origin", "iso", "jsonable", "label", "num", "plain"]
