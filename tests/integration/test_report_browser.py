"""report.html as a reader sees it: opened in a real browser (headless Chromium), checked on the
DOM the browser built after loading, and photographed.

The browser runs in a network namespace of its own with no network at all (``unshare --net``):
nothing leaves the machine, and a report that needed anything from the network would show
missing pictures here. The screenshot is kept: under ``$HACLUSTER_ARTIFACTS`` as
``report-screenshot.png`` when that variable is set (CI uploads that directory).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from pytest_hacluster.report import html
from pytest_hacluster.shell import run_local
from tests import reportdata

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("unshare") is None,
    reason="needs Debian's chromium: apt-get install -y --no-install-recommends chromium",
)


def chromium(tmp_path: Path, page: Path, *args: str) -> str:
    assert CHROMIUM is not None
    result = run_local(
        ["unshare", "--net", "--", CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", *args, page.as_uri()],
        timeout=90,
    )
    assert result.ok, result.describe()
    return result.stdout


@pytest.fixture
def page(tmp_path: Path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(html.render(reportdata.make_document()))
    return path


def test_what_a_reader_sees(tmp_path: Path, page: Path) -> None:
    dom = chromium(tmp_path, page, "--dump-dom")
    body = re.search(r"<body[^>]*>", dom)
    assert body, dom[:500]
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', body.group(0)))
    assert attrs["data-verdict"] == "FAIL"
    # Every picture decoded by the browser (the page's own script counts naturalWidth > 0).
    assert attrs["data-images"] == attrs["data-images-loaded"] == "5"
    assert re.search(r'<div class="word">FAIL</div>', dom)
    assert len(re.findall(r'<tr class="scenario-row">', dom)) == 4
    lead = re.search(r'<p class="lead" id="lead">(.*?)</p>', dom, re.S)
    assert lead and "hacluster" in lead.group(1) and "36." in lead.group(1)


def test_findings_are_each_said_once_in_words_under_their_scenario(
    tmp_path: Path, page: Path
) -> None:
    """The split brain's expected violations are one finding (as expected, with windows), not
    one per window again as 'invariant violated'; findings are grouped by scenario; none
    shows Python's syntax (the structured values stay in report.json)."""
    dom = chromium(tmp_path, page, "--dump-dom")
    found = re.search(r'<ul class="reasons" id="findings">(.*?)</ul></li></ul>', dom, re.S)
    assert found, dom[:2000]
    groups = re.findall(r'<li class="scenario-findings"><b>(.*?)</b><ul>(.*?)</ul></li>',
                        found.group(0), re.S)
    titles = [title for title, _ in groups]
    assert titles == ["standby moves every group", "interconnect loss with the seeds single link"]
    items = {title: re.findall(r"<li>(.*?)</li>", body, re.S) for title, body in groups}
    split = items["interconnect loss with the seeds single link"]
    assert len(split) == 3  # the expected failure, the split brain, its VIPs answered twice
    assert sum("192.168.1.101" in f for f in split) == 1
    assert any(f.startswith("expected: a VIP answered ARP from two nodes") for f in split)
    text = " ".join(f for fs in items.values() for f in fs)
    assert "invariant violated" not in text
    for python in ("{", "}", "[", "]", "&#39;", "True", "False", "None", "_s="):
        assert python not in text, (python, text)
    assert "views when split: s1: web on s1, webapp on s1" in text


def test_screenshot_is_kept(tmp_path: Path, page: Path) -> None:
    shot = tmp_path / "screenshot.png"
    chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=1280,1600")
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000
    artifacts = os.environ.get("HACLUSTER_ARTIFACTS")
    if artifacts:
        Path(artifacts).mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, Path(artifacts) / "report-screenshot.png")
