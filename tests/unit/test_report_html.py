"""report.html: self-contained, escaped, and the first screen says what a signer needs."""

from __future__ import annotations

import base64
import re

from pytest_hacluster.report import html, plots
from tests import reportdata


def test_the_page_leads_with_verdict_cluster_build_and_worst_outage() -> None:
    page = html.render(reportdata.make_document())
    head = page[: page.index('<table id="scenarios">')]
    assert '<div class="word">FAIL</div>' in head
    assert "Cluster <b>hacluster</b>" in head and "Pacemaker 2.1.5" in head
    assert "Tomcat 10.1.34" in head and "crash, kill, pull cable, standby" in head
    assert "debian11 (Debian bullseye), root /var/cache/hacluster/roots/debian11 built" in head
    assert re.search(r"without service was <b>36\.\d s</b>", head)
    assert "failed: tests/acceptance/test_node_crash.py::test_node_crash" in head
    # Which timing profile ran: the seed's, whose outages predict the real pair's.
    assert "the seed&#x27;s Heartbeat timings" in head and "token 4545 ms" in head


def test_one_table_row_and_one_timeline_per_scenario() -> None:
    doc = reportdata.make_document()
    page = html.render(doc)
    assert page.count('<tr class="scenario-row">') == len(doc["scenarios"]) == 4
    pictures = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(pictures) == 4 + 1  # a timeline each, and the SLO chart
    assert all(base64.b64decode(p).startswith(b"\x89PNG") for p in pictures)


def test_self_contained_no_resource_from_anywhere() -> None:
    page = html.render(reportdata.make_document())
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "<link" not in page and "@import" not in page


def test_values_are_escaped() -> None:
    doc = reportdata.make_document()
    doc["scenarios"][0]["verdict_findings"] = ["<script>alert(1)</script>"]
    doc["run"]["cluster_name"] = "<b>x</b>"
    page = html.render(doc)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page


def test_a_picture_that_fails_is_said_not_fatal(monkeypatch) -> None:
    def broken(*_a: object, **_k: object) -> bytes:
        raise ValueError("no samples")

    monkeypatch.setattr(plots, "timeline_png", broken)
    page = html.render(reportdata.make_document())
    assert page.count("timeline picture failed") == 4


def test_timeline_is_a_png_even_without_faults() -> None:
    rec = reportdata.record_of(reportdata.split_brain())
    rec["faults"], rec["events"] = [], []
    assert plots.timeline_png(rec, ["s1", "s2"]).startswith(b"\x89PNG")


def test_test_ids_read_as_words() -> None:
    assert html.title_of("t/test_x.py::test_killed_service_restarts[httpd]") == \
        "killed service restarts [httpd]"


def test_the_stack_line_names_each_clusters_stack_once() -> None:
    doc = reportdata.make_document()
    other = {**reportdata.stack_origin(), "name": "debian13", "suite": "trixie",
             "root": "/var/cache/hacluster/roots/debian13"}
    doc["run"]["clusters"] = [{"stack": reportdata.stack_origin()},
                              {"stack": reportdata.stack_origin()}, {"stack": other}]
    assert html._stack_line(doc["run"]).count("debian11 (Debian bullseye)") == 1
    assert "; debian13 (Debian trixie), root /var/cache/hacluster/roots/debian13" in (
        html._stack_line(doc["run"]))
    doc["run"]["stack"], doc["run"]["clusters"] = None, []
    assert html._stack_line(doc["run"]) == "stack unknown (the run did not say)"
    vagrant = {"name": "debian12", "root": None, "source": "Vagrant box debian/bookworm64"}
    assert html._stack_line({"stack": vagrant}) == "debian12, Vagrant box debian/bookworm64"
