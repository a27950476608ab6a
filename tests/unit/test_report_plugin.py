"""--hacluster-report as users meet it: files written, failures kept, nothing clobbered.

Run through ``pytester`` in subprocesses with stand-ins for the cluster fixtures (recorded
scenarios from ``tests/reportdata.py``, nodes that answer every diagnostics command), so no
cluster is brought up.
"""

from __future__ import annotations

import importlib.util
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

DATA = (Path(__file__).parents[1] / "reportdata.py").read_text()
STACK = {"name": "debian11", "suite": "bullseye", "root": "/var/cache/hacluster/roots/debian11",
         "this_machine": False, "built": "2026-11-29T23:00:00+0000", "build_s": 61.5}
FAKES = (Path(__file__).parents[1] / "fakes.py").read_text()

CONFTEST = """
from types import SimpleNamespace

import pytest

import reportdata
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description
from pytest_hacluster.stash import ACTIVE, RECORD
from pytest_hacluster.shell import Result


class Node:
    def run(self, argv, *, timeout=60, check=False, **kw):
        return Result(" ".join(argv), 0, f"{argv[0]} output\\n", "", 0.01)


@pytest.fixture
def hacluster_scenario(request):
    # A real Cluster over a stand-in backend: what the report asks once (stack, versions).
    nodes = {"s1": Node(), "s2": Node()}
    backend = SimpleNamespace(settings=SimpleNamespace(keep=True, prefix="fake"), name="fake",
                              nodes=lambda: nodes, stack_origin=reportdata.stack_origin)
    cluster = Cluster(Description(), backend)
    request.config.stash[ACTIVE][:] = [cluster]  # where diagnostics find the cluster
    scenario = reportdata.kill_httpd()
    yield scenario
    # As the real fixture does at the scenario's end: its one record, for the report.
    request.node.stash[RECORD] = reportdata.record_of(scenario)
"""

TESTS = """
import pytest

def test_restart(hacluster_scenario):
    pass

def test_too_slow(hacluster_scenario):
    assert False, "outage 9.9s > SLO demo 2s"

def test_plain():
    pass

@pytest.mark.xfail(reason="seed configuration: split brain", strict=True)
def test_split(hacluster_scenario):
    raise AssertionError("split brain")
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(reportdata=DATA, conftest=CONFTEST, test_scenarios=TESTS)
    pytester.mkpydir("tests")
    (pytester.path / "tests" / "fakes.py").write_text(FAKES)  # reportdata's fake cluster
    return pytester


def _doc(project: pytest.Pytester, out: str = "out") -> dict:
    return json.loads((project.path / out / "report.json").read_text())


def test_report_json_html_and_diagnostics_of_the_failed_test(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--hacluster-report=out", "--junitxml=junit.xml")
    result.assert_outcomes(passed=2, failed=1, xfailed=1)
    result.stdout.fnmatch_lines(["*hacluster report*", "FAIL: */out/report.html*"])
    doc = _doc(project)
    assert doc["verdict"] == "FAIL" and doc["schema_version"] == 2
    by_test = {t["test"].split("::")[-1]: t for t in doc["tests"]}
    assert {k: v["outcome"] for k, v in by_test.items()} == {
        "test_restart": "passed", "test_too_slow": "failed", "test_plain": "passed",
        "test_split": "xfailed"}
    assert len(doc["scenarios"]) == 3
    failed = by_test["test_too_slow"]
    assert "outage 9.9s > SLO demo 2s" in failed["failure"]
    (diag,) = failed["diagnostics"]
    folder = project.path / "out" / diag
    assert "AssertionError: outage 9.9s > SLO demo 2s" in (folder / "failure.txt").read_text()
    assert (folder / "s1" / "cib.xml").read_text() == "cibadmin output\n"
    assert (folder / "s2" / "crm_mon.txt").exists()
    assert [d["test"] for d in doc["diagnostics"]] == [failed["test"]]  # the xfail: none
    assert not (project.path / "out" / "parts").exists()
    page = (project.path / "out" / "report.html").read_text()
    assert page.count('<tr class="scenario-row">') == 3
    # Which stack ran and where its root came from, beside the versions.
    assert doc["run"]["stack"] == doc["run"]["clusters"][0]["stack"] == STACK
    assert ("<dt>Stack</dt><dd>debian11 (Debian bullseye), root "
            "/var/cache/hacluster/roots/debian11 built 2026-11-29T23:00:00+0000 in 61.5 s</dd>"
            ) in page
    props = {p.get("name"): p.get("value") for p in ET.parse(project.path / "junit.xml").iter(
        "property")}
    assert props["hacluster.diagnostics"] == diag


def test_an_earlier_report_is_never_overwritten(project: pytest.Pytester) -> None:
    project.runpytest_subprocess("--hacluster-report=out", "-k", "plain")
    before = (project.path / "out" / "report.json").read_text()
    again = project.runpytest_subprocess("--hacluster-report=out", "-k", "plain")
    assert again.ret == pytest.ExitCode.USAGE_ERROR
    again.stderr.fnmatch_lines(["*--hacluster-report=*out: not empty (a report of 20*); an "
                                "earlier report is never overwritten*"])
    assert (project.path / "out" / "report.json").read_text() == before


def test_only_skipped_tests_are_not_a_pass(project: pytest.Pytester) -> None:
    project.runpytest_subprocess("--hacluster-report=out", "-k", "plain", "-p", "no:randomly",
                                 "--deselect", "test_scenarios.py::test_plain")
    doc = _doc(project)
    assert doc["verdict"] == "FAIL" and "nothing was tested" in doc["verdict_reasons"][0]


BROKEN = "\nimport pytest_hacluster.report.html as page\n" \
    "def _boom(doc):\n    raise RuntimeError('template exploded')\npage.render = _boom\n"


def test_a_broken_report_is_loud_and_fails_a_passing_run(project: pytest.Pytester) -> None:
    project.makeconftest(CONFTEST + BROKEN)
    result = project.runpytest_subprocess("--hacluster-report=out", "-k", "plain or restart")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines(["*hacluster report: NOT WRITTEN*", "*template exploded*"])
    assert "template exploded" in (project.path / "out" / "report-error.txt").read_text()


def test_a_broken_report_never_hides_a_failed_test(project: pytest.Pytester) -> None:
    project.makeconftest(CONFTEST + BROKEN)
    result = project.runpytest_subprocess("--hacluster-report=out")
    result.assert_outcomes(passed=2, failed=1, xfailed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


@pytest.mark.skipif(importlib.util.find_spec("xdist") is None, reason="needs pytest-xdist")
def test_xdist_workers_records_are_merged(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--hacluster-report=out", "-n", "2")
    result.assert_outcomes(passed=2, failed=1, xfailed=1)
    doc = _doc(project)
    assert len(doc["tests"]) == 4 and len(doc["scenarios"]) == 3
    assert {t["worker"] for t in doc["tests"]} <= {"gw0", "gw1"}
    (failed,) = [t for t in doc["tests"] if t["outcome"] == "failed"]
    assert (project.path / "out" / failed["diagnostics"][0] / "s1" / "crm_mon.txt").exists()
    assert doc["verdict"] == "FAIL"


def test_a_separate_report_dir_outside_the_project_is_refused(
    pytester: pytest.Pytester, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """pytest would take it for its root directory and skip pyproject.toml and testpaths
    (and under xdist the workers would, once the directory exists)."""
    outside = tmp_path_factory.mktemp("elsewhere") / "report"
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    result = pytester.runpytest_subprocess("--hacluster-report", str(outside))
    result.stderr.fnmatch_lines([f"*write it as one word, --hacluster-report={outside}*"])
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result = pytester.runpytest_subprocess(f"--hacluster-report={outside}")
    assert result.ret == 0
    assert (outside / "report.json").is_file()
