"""Diagnostics: bounded, never raising, one directory per failure, no secrets read."""

from __future__ import annotations

import threading
from pathlib import Path

from pytest_hacluster.report import diagnostics
from pytest_hacluster.shell import Result


class Node:
    def __init__(self, files: dict[str, str]) -> None:
        self.files = files
        self.asked: list[list[str]] = []

    def run(self, argv, *, timeout=60, check=False, **_kw) -> Result:
        self.asked.append(list(argv))
        assert timeout <= diagnostics.COMMAND_TIMEOUT_S and not check
        if argv[0] == "tail":
            path = argv[-1]
            if path in self.files:
                return Result(" ".join(argv), 0, self.files[path], "", 0.01)
            return Result(" ".join(argv), 1, "", f"tail: cannot open '{path}'", 0.01)
        if argv[0] == "find":
            return Result("find", 0, "/var/log/tomcat10/catalina.out\n"
                          "/var/log/tomcat10/catalina.2025-01-01.log\n", "", 0.01)
        return Result(" ".join(argv), 0, f"output of {argv[0]}\n", "", 0.01)


class DownNode:
    def run(self, argv, **_kw) -> Result:
        raise RuntimeError("node s2 is powered off")


class HangingNode:
    def run(self, argv, *, timeout=60, **_kw) -> Result:
        threading.Event().wait(min(timeout, 0.05))
        return Result(" ".join(argv), -9, "", "", timeout, timed_out=True)


def test_each_node_gets_queries_and_log_tails(tmp_path: Path) -> None:
    node = Node({"/var/log/pacemaker/pacemaker.log": "pcmk lines\n",
                 "/var/log/apache2/error.log": "AH00001\n",
                 "/var/log/tomcat10/catalina.out": "SEVERE\n"})
    problems = diagnostics.collect({"s1": node}, tmp_path, {"failure.txt": "boom"})
    assert problems == []
    assert (tmp_path / "failure.txt").read_text() == "boom"
    assert (tmp_path / "s1" / "cib.xml").read_text() == "output of cibadmin\n"
    assert (tmp_path / "s1" / "crm_verify.txt").exists()
    assert (tmp_path / "s1" / "crm_mon.txt").exists()
    logs = sorted(p.name for p in (tmp_path / "s1" / "logs").iterdir())
    assert logs == ["apache2_error.log", "pacemaker_pacemaker.log", "tomcat10_catalina.out"]
    assert not any("/etc/corosync" in " ".join(a) for a in node.asked)  # the authkey stays


def test_a_node_that_is_down_or_hangs_is_written_down_not_raised(tmp_path: Path) -> None:
    problems = diagnostics.collect(
        {"s1": DownNode(), "s2": HangingNode()}, tmp_path, {}, deadline_s=0.3
    )
    errors = (tmp_path / "errors.txt").read_text()
    assert "s1: `crm_mon" in errors and "powered off" in errors
    assert any(p.startswith("s2: ") and "timed out" in p for p in problems)
    assert errors.startswith("collected in ")


def test_no_nodes_at_all(tmp_path: Path) -> None:
    assert diagnostics.collect({}, tmp_path, {}) == [
        "no cluster nodes to ask (the cluster was never up)"]


def test_directories_are_never_reused(tmp_path: Path) -> None:
    first = diagnostics.unique_dir(tmp_path, "t")
    second = diagnostics.unique_dir(tmp_path, "t")
    assert (first.name, second.name) == ("t", "t-2")


def test_safe_name_of_a_test_id() -> None:
    assert diagnostics.safe_name("tests/a/test_x.py::test_y[s1-eth2]") == \
        "tests_a_test_x.py_test_y_s1-eth2"


def test_a_failed_tests_diagnostics_keep_what_the_scheduler_was_asked() -> None:
    from types import SimpleNamespace

    from pytest_hacluster.oracle import Prediction, Unsimulable
    from pytest_hacluster.report.plugin import _oracle_inputs

    asked = Prediction("standby s1", {}, {}, inputs=(("cib.xml", "<cib/>"),
                                                      ("commands.txt", "crm_simulate\n")))
    measured = [SimpleNamespace(injected=SimpleNamespace(prediction=p))
                for p in (asked, Unsimulable("a cable"), None, asked)]
    files = _oracle_inputs(SimpleNamespace(measurements=measured))  # type: ignore[arg-type]
    assert files == {"oracle1-cib.xml": "<cib/>", "oracle1-commands.txt": "crm_simulate\n",
                     "oracle4-cib.xml": "<cib/>", "oracle4-commands.txt": "crm_simulate\n"}
