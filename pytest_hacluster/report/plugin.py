"""The pytest side of ``--hacluster-report=DIR``: record as tests run, write the report at the end.

Every process that runs tests (the only one, or each pytest-xdist worker with its own cluster)
writes what it saw as small files in ``DIR/parts/``: one per finished scenario, one with its
cluster's versions, one per diagnostics directory. The controller (the process without
``PYTEST_XDIST_WORKER``) sees every test's outcome through ``pytest_runtest_logreport`` and
merges outcomes and parts into ``report.json`` and ``report.html`` at session finish. Live
objects never cross processes, and no two processes write the same file.

An earlier report is never overwritten: a non-empty DIR is a usage error before anything runs.
Report writing never changes a test's outcome; if writing the report itself breaks, the tests'
results stand, the traceback goes to ``DIR/report-error.txt``, the terminal says so loudly and
a run that had passed exits with pytest's internal-error status.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import sys
import time
import traceback
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pytest_hacluster import timings
from pytest_hacluster.backends.base import NodeShell
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.report import diagnostics, document, html, record, versions
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.stash import ACTIVE, RECORD, load_description

PARTS = "parts"
DIAGNOSTICS = "diagnostics"
FAILURE_TEXT_LIMIT = 20000


def write_atomically(path: Path, text: str) -> None:
    """Readers (and a crash) see the old file or the new one, never half of one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def check_directory(directory: Path) -> None:
    """A usage error unless ``directory`` is absent or empty: an earlier report is never
    overwritten, also not by a ``--hacluster-keep`` rerun."""
    if directory.exists() and not directory.is_dir():
        raise pytest.UsageError(f"--hacluster-report={directory}: exists and is not a directory")
    if directory.is_dir() and any(directory.iterdir()):
        earlier = directory / "report.json"
        when = ""
        if earlier.is_file():
            try:
                when = f" (a report of {json.loads(earlier.read_text())['run']['started_at']})"
            except (OSError, ValueError, KeyError, TypeError):
                when = " (a report)"
        raise pytest.UsageError(
            f"--hacluster-report={directory}: not empty{when}; an earlier report is never "
            "overwritten: remove it or give a new directory, e.g. "
            f"--hacluster-report={directory}/$(date +%Y%m%d-%H%M%S)"
        )


def check_separate_argument(config: pytest.Config, directory: Path) -> None:
    """``--hacluster-report DIR`` (two words) with DIR outside the project is refused.

    pytest looks for its root directory and configuration among the existing paths on the
    command line before it has loaded plugins, so it takes a separate DIR that exists for a path
    to test: here or in pytest-xdist's workers (which start after DIR was made), the root becomes
    DIR, pyproject.toml is not read and every test under the current directory is collected.
    ``--hacluster-report=DIR`` is one word, which pytest leaves alone.
    """
    if "--hacluster-report" not in config.invocation_params.args:
        return
    root, target = Path(config.rootpath).resolve(), directory.resolve()
    if root in target.parents and config.inipath is not None:
        return  # inside the project: pytest still finds the project's root and configuration
    raise pytest.UsageError(
        f"--hacluster-report {directory}: write it as one word, --hacluster-report={directory} "
        "(pytest takes a separate directory outside the project for its root directory, and "
        "would then read neither pyproject.toml nor testpaths)"
    )


class ReportPlugin:
    """Registered by the main plugin when ``--hacluster-report`` is given."""

    def __init__(self, config: pytest.Config, directory: Path, worker: str | None) -> None:
        self.config = config
        self.dir = directory
        self.worker = worker
        self.tag = f"{worker or 'main'}-{os.getpid()}"
        self.parts = directory / PARTS
        self._seq = 0
        self._meta_written = False
        self.started = time.time()
        self.tests: dict[str, dict[str, Any]] = {}  # controller: nodeid -> outcome so far
        self.error: str | None = None
        self.written: dict[str, Any] | None = None

    @classmethod
    def from_config(cls, config: pytest.Config) -> ReportPlugin:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        directory = Path(config.getoption("hacluster_report")).expanduser().absolute()
        if worker is None:
            check_separate_argument(config, directory)
            check_directory(directory)
            # Workers get this absolute path with the options, whatever their working directory.
            config.option.hacluster_report = str(directory)
        (directory / PARTS).mkdir(parents=True, exist_ok=True)
        return cls(config, directory, worker)

    # -- parts: what this process saw ---------------------------------------------------------
    def _write_part(self, kind: str, data: dict[str, Any]) -> None:
        self._seq += 1
        body = {"kind": kind, "process": self.tag, "worker": self.worker, "seq": self._seq,
                **data}
        write_atomically(self.parts / f"{kind}-{self.tag}-{self._seq:04d}.json",
                         json.dumps(body, default=str))

    def _cluster(self, item: pytest.Item) -> Cluster | None:
        funcargs = getattr(item, "funcargs", None) or {}
        cluster = funcargs.get("hacluster")
        if isinstance(cluster, Cluster):
            return cluster
        active = self.config.stash.get(ACTIVE, [])  # the cluster even if a fixture failed
        return active[0] if active else None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        result = yield
        cluster = (getattr(item, "funcargs", None) or {}).get("hacluster")
        if isinstance(cluster, Cluster) and not self._meta_written:
            self._meta_written = True
            try:
                self._write_part("meta", {
                    "prefix": cluster.backend.settings.prefix,
                    "backend": cluster.backend.name,
                    "versions": versions.node_versions(cluster.nodes),
                })
            except Exception:  # recorded for the report; never the test's problem
                self._note(f"versions not collected:\n{traceback.format_exc()}")
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Iterator[None]:
        report = yield
        try:
            if report.failed:
                self._diagnose(item, report)
            if call.when == "teardown":
                self._record(item)
        except Exception:
            self._note(f"{item.nodeid}: report data not recorded:\n{traceback.format_exc()}")
        return report

    def _record(self, item: pytest.Item) -> None:
        """The scenario's record, as the main plugin kept it at the scenario's end."""
        if RECORD in item.stash:
            self._write_part("scenario", {"test": item.nodeid, "record": item.stash[RECORD]})

    def _diagnose(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """At the moment of failure, before teardown repairs the cluster."""
        cluster = self._cluster(item)
        dest = diagnostics.unique_dir(self.dir / DIAGNOSTICS, diagnostics.safe_name(item.nodeid))
        context = {
            "failure.txt": f"{item.nodeid}\nphase: {report.when}\n\n{report.longreprtext}",
        }
        scenario = (getattr(item, "funcargs", None) or {}).get("hacluster_scenario")
        if isinstance(scenario, Scenario):
            context["scenario.txt"] = _scenario_text(scenario)
            context.update(_oracle_inputs(scenario))
        nodes: dict[str, NodeShell] = {}
        if cluster is not None:
            try:
                nodes = dict(cluster.nodes)
            except Exception as exc:
                context["errors-nodes.txt"] = f"the cluster's nodes are not reachable: {exc}\n"
        started = time.monotonic()
        problems = diagnostics.collect(nodes, dest, context)
        relative = str(dest.relative_to(self.dir))
        item.user_properties.append(("hacluster.diagnostics", relative))
        self._write_part("diagnostics", {
            "test": item.nodeid, "path": relative, "phase": report.when,
            "seconds": round(time.monotonic() - started, 2), "problems": problems,
            "bytes": sum(p.stat().st_size for p in dest.rglob("*") if p.is_file()),
        })

    def _note(self, text: str) -> None:
        """A recording problem: kept in a part, so the report shows it, the test never does."""
        try:
            self._write_part("problem", {"text": text})
        except OSError:
            sys.stderr.write(f"hacluster report: {text}\n")

    # -- controller: outcomes, and the report at the end ----------------------------------------
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker is not None:
            return
        entry = self.tests.setdefault(report.nodeid, {
            "test": report.nodeid, "name": html.title_of(report.nodeid), "phases": {},
            "duration_s": 0.0, "failure": None, "xfail_reason": None, "worker": None,
        })
        entry["phases"][report.when] = report.outcome
        entry["duration_s"] = round(entry["duration_s"] + report.duration, 3)
        node = getattr(report, "node", None)  # xdist: the worker that ran it
        if node is not None:
            entry["worker"] = getattr(getattr(node, "gateway", None), "id", None)
        if hasattr(report, "wasxfail"):
            entry["xfail_reason"] = report.wasxfail or "expected to fail"
        if report.failed:
            text = f"[{report.when}] {report.longreprtext}"
            entry["failure"] = ((entry["failure"] + "\n\n") if entry["failure"] else "") + text
            entry["failure"] = entry["failure"][-FAILURE_TEXT_LIMIT:]
        if report.skipped and report.when in ("setup", "call") and not hasattr(report, "wasxfail"):
            entry["skip_reason"] = _skip_reason(report)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if self.worker is None and report.failed:
            self.tests[report.nodeid or "collection"] = {
                "test": report.nodeid or "collection", "name": "collection error",
                "phases": {"setup": "failed"}, "duration_s": 0.0, "worker": None,
                "failure": report.longreprtext[-FAILURE_TEXT_LIMIT:], "xfail_reason": None,
            }

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.worker is not None:
            return
        started = time.monotonic()
        try:
            doc = self.build(int(exitstatus))
            write_atomically(self.dir / "report.json", json.dumps(doc, indent=1))
            write_atomically(self.dir / "report.html", html.render(doc))
            shutil.rmtree(self.parts, ignore_errors=True)  # all of it is in report.json now
        except Exception:
            self.error = traceback.format_exc()
            with contextlib.suppress(OSError):
                (self.dir / "report-error.txt").write_text(self.error)
            if session.exitstatus == pytest.ExitCode.OK:
                session.exitstatus = pytest.ExitCode.INTERNAL_ERROR
            return
        self.written = {"verdict": doc["verdict"], "seconds": time.monotonic() - started}

    def build(self, exitstatus: int) -> dict[str, Any]:
        """report.json's document from the outcomes seen and every process's parts."""
        parts = _read_parts(self.parts)
        scenarios: dict[str, Any] = {}
        diag: dict[str, list[str]] = {}
        metas, problems = [], []
        for part in parts:
            if part["kind"] == "scenario":
                scenarios[part["test"]] = part["record"]  # a rerun of one test: the last one
            elif part["kind"] == "diagnostics":
                diag.setdefault(part["test"], []).append(part["path"])
            elif part["kind"] == "meta":
                metas.append(part)
            elif part["kind"] == "problem":
                problems.append(part["text"])
        tests = []
        for entry in self.tests.values():
            row = {k: v for k, v in entry.items() if k != "phases"}
            row["outcome"] = document.outcome(entry["phases"], entry["xfail_reason"] is not None)
            row["phases"] = dict(entry["phases"])
            tests.append(row)
        doc = document.build(self._run(exitstatus, metas, problems), tests, scenarios, diag)
        doc["diagnostics"] = [
            {k: p[k] for k in ("test", "path", "phase", "seconds", "bytes", "problems")}
            for p in parts if p["kind"] == "diagnostics"
        ]
        return doc

    def _run(self, exitstatus: int, metas: list[dict[str, Any]],
             problems: list[str]) -> dict[str, Any]:
        config = self.config
        try:
            desc = load_description(config)
        except Exception:  # the report is written all the same, without the description
            desc = None
        finished = time.time()
        first = metas[0] if metas else {}
        return {
            "id": uuid.uuid4().hex,
            "started_at": record.iso(self.started),
            "finished_at": record.iso(finished),
            "duration_s": round(finished - self.started, 1),
            "exitstatus": exitstatus,
            "backend": first.get("backend") or config.getoption("hacluster_backend")
            or config.getini("hacluster_backend"),
            "live_cluster": bool(config.getoption("hacluster")),
            "keep": bool(config.getoption("hacluster_keep")),
            "cluster_name": None if desc is None else desc.cluster_name,
            "nodes": {} if desc is None else {
                n.name: {"service_ip": n.service_ip, "interconnect_ip": n.interconnect_ip}
                for n in desc.nodes
            },
            "versions": first.get("versions") or {},
            "clusters": [
                {k: m.get(k) for k in ("worker", "process", "prefix", "backend", "versions")}
                for m in metas
            ],
            "timings_profile": None if desc is None else desc.timings.profile,
            # The detection settings in force and why (the seed's Heartbeat timings mapped).
            "detection": None if desc is None else timings.detection(desc.timings).to_dict(),
            "plugin_version": versions.plugin_version(),
            "pytest_version": pytest.__version__,
            "python_version": platform.python_version(),
            "host": platform.node(),
            "invocation": list(config.invocation_params.args),
            "report_dir": str(self.dir),
            "recording_problems": problems,
            "config": None if desc is None else record.config_record(desc),
        }

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.worker is not None:
            return
        tr = terminalreporter
        if self.error is not None:
            tr.section("hacluster report: NOT WRITTEN", red=True, bold=True)
            tr.write_line(self.error.rstrip())
            tr.write_line(f"(also in {self.dir / 'report-error.txt'}; the tests' results above "
                          "stand as they are)", red=True)
        elif self.written is not None:
            tr.write_sep("-", "hacluster report", bold=True)
            tr.write_line(
                f"{self.written['verdict']}: {self.dir / 'report.html'} "
                f"(and report.json; written in {self.written['seconds']:.1f}s)"
            )


def _skip_reason(report: pytest.TestReport) -> str | None:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return None


def _read_parts(folder: Path) -> list[dict[str, Any]]:
    parts = []
    for path in sorted(folder.glob("*.json")):
        parts.append(json.loads(path.read_text()))
    return sorted(parts, key=lambda p: (p.get("process", ""), p.get("seq", 0)))


def _oracle_inputs(scenario: Scenario) -> dict[str, str]:
    """What the scheduler was asked for each measured recovery (``oracleN-cib.xml``,
    ``oracleN-commands.txt``): with them, a prediction that differed from what happened can
    be run again by hand (``CIB_file=oracleN-cib.xml`` + the commands)."""
    files: dict[str, str] = {}
    for n, measured in enumerate(scenario.measurements, 1):
        prediction = measured.injected.prediction
        for name, text in getattr(prediction, "inputs", ()):
            files[f"oracle{n}-{name}"] = text
    return files


def _scenario_text(scenario: Scenario) -> str:
    """The scenario as far as it got: its events and measurements, for the diagnostics."""
    lines = [f"event {e.what} at {record.iso(e.wall)}" for e in scenario.faults.timeline.events]
    lines += [m.explain() for m in scenario.measurements]
    lines += [f"finding: {f}" for f in scenario.findings]
    return "\n".join(lines) + "\n"


__all__ = ["ReportPlugin", "check_directory", "write_atomically"]
