"""Fencing in the report (issue 19 §3): the failover timeline, the scenario's record, JUnit
properties, the terminal summary and report.json/html, all from the fencer's operations."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pytest_hacluster import summary
from pytest_hacluster.failover import Failover, junit_properties, watch_recovery
from pytest_hacluster.faults import Event
from pytest_hacluster.fence_history import FenceOperation
from pytest_hacluster.fence_watch import Fencing
from pytest_hacluster.probe import Outage, Sample
from pytest_hacluster.report import compare, html
from pytest_hacluster.scenario import fencing_properties, fencing_record
from pytest_hacluster.slo import Threshold
from tests import reportdata
from tests.fakes import FakeCluster

PULL = Event("pull cable eth2 of s2", t=100.0, wall=5000.0, done=100.05)
NODEID = "tests/acceptance/test_fencing.py::test_interconnect_pulled"


def op(target: str, requested: float | None, confirmed: float, result: str = "OK (complete)",
       origin: str = "s1", delay: float = 0.0) -> FenceOperation:
    return FenceOperation("off", target, origin, origin, result, requested, confirmed, delay)


def fenced_failover(*ops: FenceOperation) -> Failover:
    """The interconnect pulled: webapp out from +10.9 s to +13.0 s (probe), fenced as given."""
    m = Failover("pull cable eth2 of s2", PULL, 0.2, Threshold("node_loss", 31, "why"),
                 slo_urls=("web", "app"),
                 outages={"web": [], "app": [Outage("app", 110.9, 113.0, 10)]})
    m.fencing = ops
    return m


def test_a_fenced_failover_splits_its_recovery_into_detection_fencing_and_start() -> None:
    m = fenced_failover(op("s2", 5010.65, 5010.8))
    record = m.to_record(origin=90.0)
    assert record["fenced"] == ["s2"]
    assert record["recovery_split"] == {"detection_s": 10.65, "fencing_s": 0.15,
                                        "start_s": 2.2}
    (fence,) = record["fencing"]
    assert fence["requested_s"] == 10.65 and fence["confirmed_s"] == 10.8
    assert fence["took_s"] == 0.15 and fence["ok"] is True
    assert "s2 fenced at +10.8s in 0.15s" in m.summary()
    assert "recovery: detection 10.65s, fencing 0.15s, start 2.20s" in m.explain()


def test_fencing_is_in_the_failover_timeline_in_time_order() -> None:
    m = fenced_failover(op("s2", 5010.65, 5010.8))
    lines = [text for _, text in sorted(m.fencing_lines())]
    assert lines == ["fencing (off) of s2 requested by s1",
                     "fencing: s1 fenced (off) s2 via s1: OK (complete) in 0.15s"]


def test_a_failed_fence_is_said_and_splits_nothing() -> None:
    m = fenced_failover(op("s2", 5010.6, 5016.9, result="Error occurred (error)"))
    assert "s2 fencing FAILED (Error occurred (error)) at +16.9s" in m.summary()
    assert m.fencing_lines()[-1][1] == \
        "fencing: s1's fencing (off) of s2 via s1 FAILED: Error occurred (error) in 6.30s"
    record = m.to_record(origin=90.0)
    assert record["fenced"] == [] and record["recovery_split"] is None


def test_without_stonith_the_failover_record_has_no_fencing() -> None:
    record = fenced_failover().to_record(origin=90.0)
    assert record["fencing"] == [] and record["recovery_split"] is None
    props = dict(junit_properties(record))
    assert not [k for k in props if k.startswith(("fence", "recovery_split"))]


def test_junit_properties_name_each_fence_under_the_records_names() -> None:
    props = dict(junit_properties(fenced_failover(op("s2", 5010.65, 5010.8)).to_record(90.0)))
    assert props["fence1.target"] == "s2" and props["fence1.origin"] == "s1"
    assert props["fence1.took_s"] == 0.15 and props["fence1.confirmed_s"] == 10.8
    assert props["recovery_split.fencing_s"] == 0.15


def test_the_scenario_record_puts_fencing_and_the_labs_power_record_on_its_clock() -> None:
    record = reportdata.record_of(reportdata.fenced_pull())
    fencing = record["fencing"]
    assert fencing["stonith"] is True and fencing["observed"] is True
    assert fencing["fenced"] == ["s2"] and fencing["double_fence"] is False
    (fence,) = fencing["operations"]
    assert fence["confirmed_s"] == 13.8 and fence["requested_s"] == 13.65
    (power,) = fencing["power"]
    assert power["done_s"] == 13.79 and power["request"] == "off s2"
    props = dict(fencing_properties(fencing))
    assert props["fencing.fenced"] == "s2" and props["fencing.op1.took_s"] == 0.15
    assert reportdata.record_of(reportdata.kill_httpd())["fencing"] is None


def _run(nodeid: str, fenced: list[str], failed: int = 0, took: float = 0.15) -> summary.Run:
    ops = [op(t, 5010.0, 5010.0 + took).to_record(5000.0) for t in fenced]
    fencing: dict[str, Any] = {"stonith": True, "operations": ops, "fenced": fenced,
                               "failed": failed, "double_fence": len(set(fenced)) > 1,
                               "observed": True, "error": None, "power": [], "history": []}
    return summary.Run(nodeid, "passed", record={"failovers": [], "findings": [],
                                                 "fencing": fencing})


def test_the_summary_says_each_fence_and_a_race_loudly() -> None:
    one = summary.lines([_run(NODEID, ["s2"])])
    assert "  fencing: s1 fenced (off) s2 via s1: OK (complete) in 0.15s" in one
    raced = summary.lines([_run(NODEID, ["s2", "s1"])])
    assert "  !! fence race: more than one node fenced: s1 and s2" in raced


def test_repeated_runs_count_races_and_give_the_fencing_time_distribution() -> None:
    runs = [_run(f"{NODEID}[run{i}of4]", fenced, took=took) for i, (fenced, took) in
            enumerate([(["s2"], 0.1), (["s1"], 0.2), (["s2", "s1"], 0.4), ([], 0.1)], 1)]
    text = "\n".join(summary.lines(runs))
    assert ("fencing over 4 runs: one node fenced in 2, more (fence race) in 1, none in 1; "
            "failed attempts in 0; request to confirmed p50 0.20s, p95 0.40s, max 0.40s") in text


def test_report_html_shows_the_fencing_table_and_json_keeps_it() -> None:
    doc = reportdata.make_document({NODEID: (reportdata.fenced_pull, "passed", None, None)})
    (sc,) = doc["scenarios"]
    assert sc["fencing"]["fenced"] == ["s2"]
    page = html.render(doc)
    assert "Fencing (STONITH on): 1 fencing operation(s)" in page
    assert page.count("<tr class='fence-op'>") == 1
    # seconds from the picture's 0 (the pull at 3.0 s): confirmed 10.8 s after it
    assert re.search(r"<td class='num'>\+10\.80 s</td><td>s1</td><td>s2</td>", page)
    assert "off s2 at +10.79 s: ok off" in page
    assert "<td class='num'>0.15 s</td>" in page  # request to confirmed, to 0.01 s
    assert "recovery: detection 10.65 s, fencing 0.15 s, start " in page


def test_report_html_without_stonith_has_no_fencing_section() -> None:
    page = html.render(reportdata.make_document())
    assert "Fencing (STONITH on)" not in page


SEED_SPLIT = ("tests/acceptance/test_interconnect_loss.py::"
              "test_interconnect_loss_with_the_seeds_single_link")


def _two_reports() -> tuple[dict[str, Any], dict[str, Any]]:
    """A run of the seed (split brain, STONITH off) and one with --hacluster-fencing."""
    without = reportdata.make_document(
        {SEED_SPLIT: (reportdata.split_brain, "xfailed", "seed configuration", None)})
    with_ = reportdata.make_document({NODEID: (reportdata.fenced_pull, "passed", None, None)})
    with_["run"]["config"]["fencing"]["enabled"] = True  # as --hacluster-fencing records it
    return without, with_


def test_two_reports_side_by_side_every_vip_doubled_without_fencing_none_with() -> None:
    without, with_ = _two_reports()
    result = compare.compare([("A", without), ("B", with_)])
    assert [s["stonith"] for s in result["sides"]] == [False, True]
    assert list(result["by_fault"]) == ["pull cable"]
    words = compare.text(result)
    assert ("A: test_interconnect_loss_with_the_seeds_single_link [PASS WITH FINDINGS]: every "
            "VIP doubled: 192.168.1.101 for 32.7 s, 192.168.1.102 for 30.7 s; STONITH off"
            ) in words
    assert ("B: test_interconnect_pulled [PASS]: no VIP doubled; fenced s2, request to "
            "confirmed 0.15 s; worst outage 3.0 s") in words


def test_no_vip_doubled_is_said_only_when_vips_were_watched() -> None:
    _, with_ = _two_reports()
    with_["scenarios"][0]["watch"] = {"looks_per_s": {}, "not_watched": ["no ARP on ssh"]}
    row = compare.scenario_row(with_["scenarios"][0])
    assert compare._doubled_words(row, ["192.168.1.101"]) == "VIPs not watched (no ARP on ssh)"


def test_compare_reads_files_and_refuses_what_is_not_a_report(tmp_path: Path,
                                                               capsys: Any) -> None:
    without, with_ = _two_reports()
    a, b, bad = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "bad.json"
    a.write_text(json.dumps(without))
    b.write_text(json.dumps(with_))
    bad.write_text(json.dumps({"schema": "something else"}))
    assert compare.main([str(a), str(b), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sides"][1]["stonith"] is True
    assert compare.main([str(a), str(bad)]) == 2
    assert "not a pytest-hacluster-report document" in capsys.readouterr().err


class _LoggedCluster(FakeCluster):
    def log_window(self, start: float, end: float) -> list[str]:
        return []


def test_watch_recovery_reads_the_fencing_of_its_window_into_the_timeline() -> None:
    now_t, now_wall = time.monotonic(), time.time()
    event = Event("pull cable eth2 of s2", now_t - 20, now_wall - 20, now_t - 19.9)
    probe = SimpleNamespace(
        urls={"web": "http://192.168.1.101/"}, interval=0.1,
        samples=[Sample("web", now_t - 1, 200, None, 0.01, "s1")],
        outages=lambda url, since: [],
    )
    asked: list[tuple[float, float]] = []

    def fencing(start: float, end: float) -> list[FenceOperation]:
        asked.append((start, end))
        return [op("s2", event.wall + 10.7, event.wall + 10.9)]

    m = watch_recovery(
        _LoggedCluster(), probe, event, lambda s: True, "anything",  # type: ignore[arg-type]
        states=lambda: (time.monotonic(), None),  # type: ignore[arg-type,return-value]
        timeout=5, fencing=fencing,
    )
    assert m.recovered and asked and asked[0][0] == event.wall
    assert m.to_record(event.t)["fenced"] == ["s2"]
    assert m.events == ["+0.0s pull cable eth2 of s2",
                        "+10.7s fencing (off) of s2 requested by s1",
                        "+10.9s fencing: s1 fenced (off) s2 via s1: OK (complete) in 0.20s"]


def test_the_first_screen_counts_fences_and_a_race_is_a_finding() -> None:
    doc = reportdata.make_document({NODEID: (reportdata.fenced_pull, "passed", None, None)})
    assert "With STONITH on, Pacemaker fenced 1 time(s), 0 fencing attempt(s) failed, no " \
        "fence race." in html.render(doc)
    assert "With STONITH on" not in html.render(reportdata.make_document())

    def raced() -> SimpleNamespace:
        sc = reportdata.fenced_pull()
        second = op("s1", reportdata.WALL0 + 13.7, reportdata.WALL0 + 13.9, origin="s2")
        sc.fencing = Fencing((), (*sc.fencing.operations, second))
        return sc

    doc = reportdata.make_document({NODEID: (raced, "passed", None, None)})
    assert ("fence race: more than one node fenced: s1 and s2"
            in doc["scenarios"][0]["verdict_findings"])
    assert doc["verdict"] == "PASS WITH FINDINGS"
    assert "<b>1 fence race(s)</b> fenced more than one node" in html.render(doc)


def test_a_race_no_fencer_lived_to_log_is_counted_from_the_labs_power_record() -> None:
    def off(node: str, at: float, peer: str) -> dict[str, Any]:
        return {"received": 5011.0 + at, "done": 5011.1 + at, "request": f"off {node}",
                "result": "ok off", "peer": peer, "took_s": 0.1, "node": node,
                "action": "off"}

    both = SimpleNamespace(stonith=True, fencing=Fencing((), ()), fencing_error=None,
                           power=[off("s2", 0.0, "192.168.1.121"),
                                  off("s1", 0.19, "192.168.1.122")])
    record = fencing_record(both, 5000.0)  # type: ignore[arg-type]
    assert record["fenced"] == [] and record["powered_off"] == ["s2", "s1"]
    assert record["double_fence"] is True
    run = summary.Run(NODEID, "failed", record={"failovers": [], "findings": [],
                                                "fencing": record})
    assert ("  !! fence race: more than one node fenced: s1 and s2 (the lab's power record: "
            "no fencer was left to log it)") in summary.lines([run])
    runs = [summary.Run(f"{NODEID}[run{i}of2]", "passed", record={
        "failovers": [], "findings": [], "fencing": r}) for i, r in enumerate((record, {
            **record, "power": record["power"][:1], "powered_off": ["s2"],
            "double_fence": False}), 1)]
    assert "one node fenced in 1, more (fence race) in 1, none in 0" in "\n".join(
        summary.lines(runs))
