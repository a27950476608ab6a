"""Intervals and timeouts read the way Pacemaker reads them: the one place durations are parsed.

Pacemaker has two readers, and which one applies depends on the attribute
(lib/common/utils.c and strings.c of Pacemaker 2.1.5; unchanged in substance up to 3.0.2):

``crm_parse_interval_spec``: operation ``interval``, ``failure-timeout``, cluster options of
type time (``dc-deadtime``, ``cluster-recheck-interval``, ...)
    an ISO 8601 duration when the text starts with ``P`` (``PT10S``), else ``crm_get_msec``.
``crm_get_msec``: operation ``timeout``, ``start-delay``, attrd's ``dampen``
    a number with an optional unit, no ISO 8601: ``timeout="PT60S"`` is invalid there and the
    scheduler silently uses its default (20 s) instead.

``crm_get_msec``: leading whitespace, a run of digits and dots (only the integer part counts:
``1.5s`` is 1 s), whitespace, then a unit matched by its first letters, case-insensitively, in
this order: ``ms`` (milliseconds), ``us`` (microseconds, divided down), ``s``, ``m`` (minutes),
``h``; nothing means seconds; anything else makes the value invalid. Matching by first letters
means ``"10 milliseconds"`` is ten *minutes* to Pacemaker.

ISO 8601 (``crm_time_parse_duration`` + ``crm_time_get_seconds`` of iso8601.c): after ``P``,
integers each followed by a unit, in any order, up to whitespace or ``/``; ``T`` only tells
minutes from months. ``Y`` and ``M`` (months) replace the value, ``W``, ``D``, ``H``, ``M``
(minutes after ``T``) and ``S`` add up. Converted to seconds the way released Pacemaker does
(measured with crm_simulate 2.1.5, see tests/unit/test_duration.py): months count 30 days,
**days count one less** (``P1DT2H`` is 2 hours, ``P1W`` 6 days, ``P0DT10S`` 10 s) and **years
one less** (``P1Y`` is 0); the result is capped at 2^32-1 ms. Pacemaker's unreleased main
branch (commit 5b715eb, April 2026) counts days and years fully.

``interval_ms``/``timeout_ms`` return what Pacemaker computes. With ``strict=True`` (a value a
user writes into ``[tool.hacluster]``) a text whose Pacemaker reading differs from what it plainly
says is refused, with the reason: a fraction dropped, a unit read by its first letters, ISO days,
weeks, months or years. Every text Pacemaker itself rejects raises ``DurationError`` naming it
(Pacemaker would use 0 or a default and log a warning nobody reads).
"""

from __future__ import annotations

import calendar
import re

UINT_MAX_MS = 2**32 - 1  # Pacemaker keeps intervals in a guint

# crm_get_msec's units, in the order Pacemaker tries their first letters: name -> (mul, div).
_PREFIX_UNITS = (("ms", 1, 1), ("us", 1, 1000), ("s", 1000, 1), ("m", 60_000, 1),
                 ("h", 3_600_000, 1))
# What a unit is when it is written out in full; anything else is read by its first letters.
_EXACT_UNITS = {"": "s", "s": "s", "sec": "s", "ms": "ms", "msec": "ms", "us": "us",
                "usec": "us", "m": "m", "min": "m", "h": "h", "hr": "h"}
_MSEC = re.compile(r"^[ \t\n\r\f]*(?P<num>[0-9.]+)[ \t\n\r\f]*(?P<unit>.*?)[\n\r]*$", re.S)
_ISO_PART = re.compile(r"[+:]?(?P<num>[0-9]{1,10})(?P<unit>.)", re.S)  # parse_int skips + and :


class DurationError(ValueError):
    """A duration Pacemaker would not read as written; the message names the text and why."""


def interval_ms(text: str, what: str = "interval", *, strict: bool = False) -> int:
    """An interval (ISO 8601 or a number with a unit) in milliseconds, as Pacemaker reads it.

    ``what`` names the value in errors (e.g. ``"interval of httpd's monitor"``).
    Raises ``DurationError`` for text Pacemaker rejects, and with ``strict`` for text it reads
    differently from what it says.
    """
    if text.startswith("P"):
        return _iso8601_ms(text, what, strict)
    return _msec(text, what, strict)


def timeout_ms(text: str, what: str = "timeout", *, strict: bool = False) -> int:
    """A timeout (a number with a unit; no ISO 8601) in milliseconds, as Pacemaker reads it."""
    if text.lstrip().startswith("P"):
        raise DurationError(
            f"{what}: {text!r}: Pacemaker reads timeouts without ISO 8601 (crm_get_msec), so "
            "it would ignore this and use its default; write e.g. '60s'"
        )
    return _msec(text, what, strict)


def seconds(ms: int) -> int | float:
    """Milliseconds as seconds: an int when whole (``10``), else a float (``0.5``)."""
    return ms // 1000 if ms % 1000 == 0 else ms / 1000


def spec(ms: int) -> str:
    """The plain text for ``ms`` that every Pacemaker and crmsh version reads: '10s', '500ms'."""
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def _msec(text: str, what: str, strict: bool) -> int:
    found = _MSEC.match(text)
    if found is None:
        raise DurationError(f"{what}: {text!r} is not a duration (a number and a unit, "
                            "e.g. '10s', '500ms', '2min', or ISO 8601 'PT10S')")
    num, unit = found["num"], found["unit"]
    integer = num.split(".", 1)[0]
    if not integer:
        raise DurationError(f"{what}: {text!r}: Pacemaker reads no number before the '.'")
    word = unit.strip().lower()
    unit_found = next((u for u in _PREFIX_UNITS if word.startswith(u[0])), None)
    if word == "":
        unit_found = ("s", 1000, 1)
    if unit_found is None:
        raise DurationError(f"{what}: {text!r}: {unit.strip()!r} is not a unit Pacemaker "
                            "knows (ms, us, s, m/min, h/hr)")
    prefix, mul, div = unit_found
    if strict:
        if num != integer:
            raise DurationError(f"{what}: {text!r}: Pacemaker drops the fraction and reads "
                                f"{integer}{prefix}; write a whole number (e.g. in ms)")
        if word not in _EXACT_UNITS:
            raise DurationError(
                f"{what}: {text!r}: Pacemaker reads units by their first letters, so "
                f"{unit.strip()!r} means {prefix!r}; write one of "
                f"{', '.join(sorted(u for u in _EXACT_UNITS if u))}"
            )
        if div > 1 and int(integer) % div:
            raise DurationError(f"{what}: {text!r}: Pacemaker rounds microseconds down to "
                                "whole milliseconds; write ms")
    return int(integer) * mul // div


def _iso8601_ms(text: str, what: str, strict: bool) -> int:
    body = re.split(r"[\s/]", text[1:], maxsplit=1)[0]
    if not body:
        raise DurationError(f"{what}: {text!r}: nothing follows 'P' (ISO 8601: e.g. 'PT10S')")
    years = months = days = secs = 0
    is_time = False
    pos = 0
    while pos < len(body):
        if body[pos] == "T":
            is_time = True
            pos += 1
            continue
        part = _ISO_PART.match(body, pos)
        if part is None:
            raise DurationError(f"{what}: {text!r} is not an ISO 8601 duration Pacemaker reads "
                                f"(no whole number and unit at {body[pos:]!r})")
        num, unit = int(part["num"]), part["unit"]
        if unit == "Y":
            years = num
        elif unit == "M" and not is_time:
            months = num
        elif unit == "M":
            secs += 60 * num
        elif unit in ("W", "D"):
            days += 7 * num if unit == "W" else num
        elif unit in ("H", "S"):
            secs += 3600 * num if unit == "H" else num
        else:
            raise DurationError(f"{what}: {text!r}: {unit!r} is not an ISO 8601 duration unit "
                                "(Y, M, W, D, H, M, S)")
        pos = part.end()
    if strict and (years or months or days):
        raise DurationError(
            f"{what}: {text!r}: released Pacemaker (up to 3.0.2) counts ISO 8601 days and "
            "years one short and months as 30 days (P1DT2H is 2 hours); write the time part "
            "alone, e.g. 'PT26H', or '26h'"
        )
    total = secs + 86_400 * 30 * months + 86_400 * max(days - 1, 0)
    total += 86_400 * sum(366 if calendar.isleap(y) else 365 for y in range(1, years))
    return min(total * 1000, UINT_MAX_MS)


__all__ = ["UINT_MAX_MS", "DurationError", "interval_ms", "seconds", "spec", "timeout_ms"]
