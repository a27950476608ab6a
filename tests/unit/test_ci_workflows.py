"""The CI workflows read back: valid YAML, the stack matrix the project knows, shell that parses,
and their steps' own code run here (the plan step, the collect step's summary)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pytest_hacluster import config, roots
from pytest_hacluster.profiles import PROFILES
from tests import reportdata

yaml = pytest.importorskip("yaml", reason="pyyaml is a dev dependency: pip install -e '.[dev]'")

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
MATRIX = WORKFLOWS / "stack-matrix.yml"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}")


def _load(path: Path) -> dict[str, Any]:
    doc = yaml.safe_load(path.read_text())
    assert isinstance(doc, dict), f"{path}: not a mapping"
    return doc


def _runs(doc: dict[str, Any]) -> list[tuple[str, str]]:
    """(job/step, script) of every ``run:`` step, GitHub's expressions replaced by a word."""
    return [(f"{job}/{step.get('name') or step.get('id')}", EXPRESSION.sub("X", step["run"]))
            for job, body in doc["jobs"].items() for step in body.get("steps", [])
            if "run" in step]


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_workflow_is_a_workflow_whose_shell_parses(path: Path) -> None:
    doc = _load(path)
    # YAML 1.1 reads the key `on` as True: GitHub reads it as `on`.
    assert doc.get("on", doc.get(True)), f"{path.name}: no trigger"
    for job, body in doc["jobs"].items():
        assert "runs-on" in body and isinstance(body.get("timeout-minutes"), int), job
        for step in body["steps"]:
            assert ("run" in step) != ("uses" in step), f"{job}: {step}"
    for where, script in _runs(doc):
        checked = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True,
                                 timeout=10, check=False)
        assert checked.returncode == 0, f"{path.name} {where}: {checked.stderr}"


def test_the_matrix_is_every_stack_one_lab_per_job_each_report_kept() -> None:
    doc = _load(MATRIX)
    job = doc["jobs"]["acceptance"]
    matrix = job["strategy"]["matrix"]
    assert tuple(matrix["stack"]) == config.STACKS
    # Every profile on every stack: each stack's root carries what every profile runs.
    assert sorted(matrix["profile"]) == sorted(PROFILES)
    for rel in roots.RELEASES.values():
        assert "samba" in rel.packages, rel.name
    assert job["env"]["PROFILE_OPTION"] == "--hacluster-profile"
    assert job["strategy"]["fail-fast"] is False  # one stack failing stops no other
    assert matrix["machine"] == "${{ fromJSON(needs.plan.outputs.machines) }}"
    (test,) = [s for s in job["steps"] if "--hacluster-report" in s.get("run", "")]
    assert '"--hacluster-stack=$STACK"' in test["run"] and "--hacluster-prefix" not in test["run"]
    assert job["env"]["STACK"] == "${{ matrix.stack }}"
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload["if"] == "always()" and upload["with"]["path"] == job["env"]["REPORT"]
    for axis in ("stack", "profile", "machine"):  # one artifact per job: names never clash
        assert f"matrix.{axis}" in upload["with"]["name"]
    (down,) = [s for s in job["steps"] if "hacluster-lab" in s.get("run", "")]
    assert down["if"] == "always()" and " down" in down["run"] and " gc" not in down["run"]
    collect = doc["jobs"]["collect"]
    assert collect["needs"] == ["acceptance", "rolling-upgrade"] and collect["if"] == "always()"


def test_the_rolling_upgrade_jobs_start_from_every_release_with_a_next() -> None:
    from pytest_hacluster.upgrade import NEXT_RELEASE

    job = _load(MATRIX)["jobs"]["rolling-upgrade"]
    assert job["strategy"]["matrix"]["stack"] == list(NEXT_RELEASE)
    (test,) = [s for s in job["steps"] if "--hacluster-upgrade" in s.get("run", "")]
    assert '"--hacluster-stack=$STACK"' in test["run"]
    assert "tests/acceptance/test_rolling_upgrade.py" in test["run"]
    (upload,) = [s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact")]
    assert upload["if"] == "always()" and "matrix.stack" in upload["with"]["name"]
    # The collect step reads hacluster-report-* only: an upgrade's report is its own.
    assert not upload["with"]["name"].startswith("hacluster-report-")


@pytest.mark.skipif(shutil.which("shellcheck") is None,
                    reason="shellcheck is not installed (apt-get install -y shellcheck)")
def test_the_matrix_shell_is_shellcheck_clean() -> None:
    for where, script in _runs(_load(MATRIX)):
        checked = subprocess.run(["shellcheck", "-s", "bash", "-"], input=script, text=True,
                                 capture_output=True, timeout=30, check=False)
        assert checked.returncode == 0, f"{where}: {checked.stdout}"


def _plan(tmp_path: Path, machines: str, repeat: str) -> tuple[int, str]:
    (step,) = _load(MATRIX)["jobs"]["plan"]["steps"]
    output = tmp_path / "github_output"
    output.write_text("")
    env = {**os.environ, "MACHINES": machines, "REPEAT": repeat, "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, capture_output=True,
                          text=True, timeout=30, check=False)
    return done.returncode, output.read_text() + done.stderr


def test_the_plan_step_lists_the_machines_and_refuses_silly_numbers(tmp_path: Path) -> None:
    assert _plan(tmp_path, "3", "2") == (0, "machines=[1, 2, 3]\nrepeat=2\n")
    code, said = _plan(tmp_path, "0", "2")
    assert code != 0 and "machines 0 (1-20), repeat 2 (1-50): out of range" in said


def _report(tmp_path: Path, name: str, stack: str, verdict_of_split: str) -> Path:
    doc = reportdata.make_document()
    doc["run"]["stack"] = {**reportdata.stack_origin(), "name": stack}
    for test in doc["tests"]:
        if test["test"].endswith("test_node_crash"):
            test["outcome"] = verdict_of_split
    doc["verdict"] = "PASS WITH FINDINGS"
    path = tmp_path / name / "report.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc))
    return path


def test_the_collect_step_compares_machines_per_stack(tmp_path: Path) -> None:
    (step,) = [s for s in _load(MATRIX)["jobs"]["collect"]["steps"] if "run" in s]
    assert step["run"].startswith("python3 benchmarks/repeat.py --from-reports ")
    same = [_report(tmp_path, n, s, "failed")
            for n, s in (("a", "debian11"), ("b", "debian11"), ("c", "debian13"))]
    argv = [sys.executable, str(REPO / "benchmarks/repeat.py"), "--from-reports"]
    done = subprocess.run([*argv, *map(str, same)], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    crash = "tests/acceptance/test_node_crash.py::test_node_crash"
    assert f"debian11/apache-tomcat: {crash}  [2 runs: same verdict]" in done.stdout
    assert f"debian13/apache-tomcat: {crash}  [1 runs: same verdict]" in done.stdout
    # The same scenario passing on one machine and failing on another of its stack is said.
    differ = _report(tmp_path, "d", "debian13", "passed")
    done = subprocess.run([*argv, str(same[2]), str(differ)], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 1
    assert f"debian13/apache-tomcat: {crash}  [2 runs: VERDICTS DIFFER]" in done.stdout
    missing = subprocess.run([*argv, str(tmp_path / "none.json")], capture_output=True,
                             text=True, timeout=60, check=False)
    assert missing.returncode == 2 and "not a report" in missing.stderr
