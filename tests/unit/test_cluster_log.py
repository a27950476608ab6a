"""The cluster's log lines of a fault's window (pure), on lines as the lab writes them."""

from __future__ import annotations

import time

from pytest_hacluster import cluster_log

PACEMAKER = """\
Nov 25 12:35:16.320 s1 pacemaker-controld  [147] (do_lrm_invoke) \tinfo: Retrieving metadata
Nov 25 12:35:16.340 s1 pacemaker-based     [142] (cib_perform_op) \tinfo: ++ /cib/status
Nov 25 12:35:17.001 s1 pacemaker-controld  [147] (log_executor) \tnotice: monitor: not running
Nov 25 12:35:17.002 s1 pacemaker-based     [142] (cib_perform_op) \tnotice: +  /cib diff
Nov 25 12:35:18  apache(httpd)[408]:    INFO: waiting for apache to come up
Nov 25 12:35:56 [23] s1 corosync notice  [TOTEM ] A new membership (1.15) was formed. Members
Nov 25 12:40:00.000 s1 pacemaker-controld  [147] (do_state_transition) \tnotice: later
not a log line
"""


def epoch(text: str) -> float:
    return time.mktime(time.strptime(f"2026 {text}", "%Y %b %d %H:%M:%S"))


def test_window_keeps_what_matters_in_time() -> None:
    start, end = epoch("Nov 25 12:35:17"), epoch("Nov 25 12:36:00")
    lines = cluster_log.window("s1", PACEMAKER, start, end)
    texts = [x.text for x in lines]
    assert len(texts) == 3, texts
    assert "monitor: not running" in texts[0]
    assert "apache(httpd)" in texts[1] and not lines[1].precise
    assert "corosync" in texts[2]
    assert lines[0].precise and lines[0].t == start + 0.001
    assert str(lines[0]).startswith("s1: Nov 25 12:35:17.001")


def test_merge_orders_nodes_by_time_and_keeps_the_last() -> None:
    start, end = epoch("Nov 25 12:35:00"), epoch("Nov 25 12:41:00")
    s1 = cluster_log.window("s1", PACEMAKER, start, end)
    s2 = cluster_log.window("s2", PACEMAKER.replace(" s1 ", " s2 "), start, end)
    merged = cluster_log.merge([s1, s2], limit=5)
    assert len(merged) == 5
    assert [x.t for x in merged] == sorted(x.t for x in merged)
    assert "later" in merged[-1].text


def test_a_december_line_read_in_january() -> None:
    end = epoch("Jan 01 00:00:05")
    (line,) = cluster_log.window(
        "s1", "Dec 31 23:59:59 [23] s1 corosync notice  [TOTEM ] token lost\n",
        end - 10, end,
    )
    assert end - line.t == 6


def test_trimmed_keeps_head_and_tail() -> None:
    lines = [f"line {i}" for i in range(100)]
    out = cluster_log.trimmed(lines, head=2, tail=3)
    assert out == ["line 0", "line 1", "... 95 lines ...", "line 97", "line 98", "line 99"]
    assert cluster_log.trimmed(lines[:4], head=2, tail=3) == lines[:4]
