"""Durations read as Pacemaker reads them, checked against the real scheduler.

Every row of ``PACEMAKER_READS`` is what crm_simulate 2.1.5 made of a monitor ``interval`` in the
field case's CIB (``../shared/field-cases/oracle-cib-iso8601-interval.xml``, copied to
data/crm_simulate/cib-iso8601-interval.xml): the new recurring monitor it schedules is named
``monitor=<ms>``; an interval it reads as 0 (or rejects) schedules none. The last test asks the
crm_simulate on this machine again, so a Pacemaker that reads differently fails here.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_hacluster import duration
from pytest_hacluster.duration import DurationError

CIB = Path(__file__).parent / "data" / "crm_simulate" / "cib-iso8601-interval.xml"

# interval as written -> milliseconds as Pacemaker 2.1.5 reads it (None: rejected or 0)
PACEMAKER_READS: list[tuple[str, int | None]] = [
    ("10", 10_000), ("10s", 10_000), ("10 seconds", 10_000), ("  5m", 300_000),
    ("10MS", 10), ("1.5s", 1_000), ("3.9", 3_000), ("2 milliseconds", 120_000),
    ("PT10S", 10_000), ("PT1M30S", 90_000), ("PT1M", 60_000), ("PT1H30M", 5_400_000),
    ("PT24H", 86_400_000), ("PT25H", 90_000_000), ("P5S", 5_000), ("P1H", 3_600_000),
    ("PT1M1M", 120_000), ("PT10S2S", 12_000), ("PT+5S", 5_000), ("PT10S junk", 10_000),
    ("P1DT2H", 7_200_000), ("P2D", 86_400_000), ("P3DT1S", 172_801_000),
    ("P1W", 518_400_000), ("P1W1D", 604_800_000), ("P1M", 2_592_000_000),
    ("P1M1D", 2_592_000_000), ("P2Y", duration.UINT_MAX_MS),
    ("P0DT10S", 10_000),
    ("P1Y", None), ("P1D", None), ("PT0S", None), ("P0D", None),
    ("PT-5S", None), ("PT0.5S", None), ("PTS", None), ("PT10", None), ("pt10s", None),
]


@pytest.mark.parametrize(("text", "ms"), PACEMAKER_READS)
def test_intervals_read_as_pacemaker_reads_them(text: str, ms: int | None) -> None:
    if ms is None:
        try:
            got = duration.interval_ms(text)
        except DurationError:
            return
        assert got == 0, f"{text!r}: Pacemaker schedules no monitor, read as {got} ms"
    else:
        assert duration.interval_ms(text) == ms


@pytest.mark.parametrize("text", ["", "abc", "-100ms", "100xs", " 100 xs ", ".5s", "P", "P ",
                                  "P1X", "PT1.5S"])
def test_what_pacemaker_rejects_raises_naming_the_text(text: str) -> None:
    with pytest.raises(DurationError, match=re.escape(repr(text))):
        duration.interval_ms(text, "interval of httpd's monitor")


def test_the_error_names_the_value() -> None:
    with pytest.raises(DurationError, match=r"^interval of httpd's monitor: 'soon'"):
        duration.interval_ms("soon", "interval of httpd's monitor")


@pytest.mark.parametrize(("text", "ms"), [
    ("60", 60_000), ("60s", 60_000), ("100 MSEC", 100), ("1000US", 1), ("13 min", 780_000),
    ("2\th", 7_200_000), ("1 hr", 3_600_000), ("\t100\n", 100_000),
])
def test_timeouts_as_crm_get_msec_reads_them(text: str, ms: int) -> None:
    # the cases of Pacemaker 2.1.5's own lib/common/tests/strings/crm_get_msec_test.c
    assert duration.timeout_ms(text) == ms


def test_a_timeout_in_iso8601_is_refused_because_pacemaker_ignores_it() -> None:
    with pytest.raises(DurationError, match="without ISO 8601"):
        duration.timeout_ms("PT60S", "timeout")


@pytest.mark.parametrize(("text", "reason"), [
    ("1.5s", "drops the fraction"), ("10 seconds", "first letters"),
    ("10 milliseconds", "first letters"), ("P1DT2H", "one short"), ("P1W", "one short"),
    ("P1M", "30 days"), ("1500us", "microseconds"),
])
def test_strict_refuses_what_pacemaker_reads_differently_from_what_it_says(
    text: str, reason: str
) -> None:
    duration.interval_ms(text)  # Pacemaker reads each of them, just not as written
    with pytest.raises(DurationError, match=reason):
        duration.interval_ms(text, strict=True)


@pytest.mark.parametrize(("text", "ms"), [
    ("10", 10_000), ("10s", 10_000), ("500ms", 500), ("2min", 120_000), ("PT10S", 10_000),
    ("PT26H", 93_600_000), ("1h", 3_600_000), ("2000us", 2),
])
def test_strict_accepts_what_means_what_it_says(text: str, ms: int) -> None:
    assert duration.interval_ms(text, strict=True) == ms


def test_seconds_and_spec() -> None:
    assert duration.seconds(10_000) == 10 and isinstance(duration.seconds(10_000), int)
    assert duration.seconds(500) == 0.5
    assert (duration.spec(10_000), duration.spec(1_500)) == ("10s", "1500ms")


def _scheduled_monitor_ms(cib_text: str, tmp_path: Path) -> int | None:
    path = tmp_path / "cib.xml"
    path.write_text(cib_text)
    out = subprocess.run(["crm_simulate", "--xml-file", str(path), "--simulate"],
                         capture_output=True, text=True, timeout=60, check=False).stdout
    found = re.search(r"Resource action: httpd\s+monitor=(\d+) on s1", out)
    return int(found.group(1)) if found else None


@pytest.mark.skipif(shutil.which("crm_simulate") is None, reason="needs Pacemaker's crm_simulate")
@pytest.mark.parametrize(("text", "ms"), PACEMAKER_READS)
def test_the_table_is_what_this_machines_scheduler_does(
    text: str, ms: int | None, tmp_path: Path
) -> None:
    # Without httpd's monitor in the history, the scheduler always schedules the configured one.
    cib = "\n".join(line for line in CIB.read_text().splitlines()
                    if 'id="httpd_monitor_10000"' not in line)
    cib = cib.replace('interval="PT10S"', f'interval="{text}"')
    assert _scheduled_monitor_ms(cib, tmp_path) == (ms or None)
