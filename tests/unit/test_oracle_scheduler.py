"""The oracle against the real scheduler: crm_simulate of this machine (Pacemaker 2.1.5) run on
CIB files, through the same code a fault uses (``KillService.simulation`` -> ``simulate_command``
-> ``parse``). The CIBs are the field case ``oracle-cib-iso8601-interval.xml`` (the project's own
CIB with httpd's monitor written ``interval="PT10S"``) and that CIB with ``interval="10"``.

``data/crm_simulate/invalid-transition.xml`` is crm_simulate 2.1.5's answer for the same CIB with
two mandatory orderings ``web`` then ``webapp`` and ``webapp`` then ``web`` (a loop
``crm_verify`` does not flag) and ``--node-fail s1``: the transition cannot complete, crm_simulate
says "Transition failed: terminated" / "An invalid transition was produced" with status code 1,
and still prints a revised status. ``test_an_invalid_transition_*`` makes it again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_hacluster import faults as fm
from pytest_hacluster import oracle
from pytest_hacluster.oracle import Cib, Prediction, Simulation, Unsimulable
from pytest_hacluster.shell import Result
from tests.unit.test_oracle import FakeCluster, state

DATA = Path(__file__).parent / "data" / "crm_simulate"
ISO_CIB = DATA / "cib-iso8601-interval.xml"
LOOP = ('<constraints><rsc_order id="o1" first="web" then="webapp" kind="Mandatory"/>'
        '<rsc_order id="o2" first="webapp" then="web" kind="Mandatory"/></constraints>')

needs_crm_simulate = pytest.mark.skipif(
    shutil.which("crm_simulate") is None, reason="needs Pacemaker's crm_simulate")


def simulate(cib_text: str, build: Simulation | Unsimulable | None, tmp_path: Path) -> Prediction:
    """What a fault's oracle does on a node, done here on a file: crm_simulate, then parse."""
    assert isinstance(build, Simulation), build
    path = tmp_path / "cib.xml"
    path.write_text(cib_text)
    command = oracle.simulate_command(str(path), build, Cib(cib_text))
    out = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False,
                         env={**os.environ, "CIB_shadow_dir": str(tmp_path)})
    return oracle.parse(out.stdout, what=build.what)


def kill_httpd_on_s1(cib: Cib) -> Simulation | Unsimulable:
    cluster = FakeCluster()
    return fm.KillService(cluster, fm.Timeline(), "s1", "httpd").simulation(cib)  # type: ignore[arg-type]


def test_an_iso8601_interval_gives_the_injected_key_pacemaker_uses() -> None:
    cib = Cib(ISO_CIB.read_text())
    assert cib.interval_ms("httpd", "monitor") == 10_000
    sim = kill_httpd_on_s1(cib)
    assert isinstance(sim, Simulation)
    assert sim.inputs(cib) == ["--op-inject", "httpd_monitor_10000@s1=7"]


@needs_crm_simulate
@pytest.mark.parametrize("interval", ["PT10S", "10"])
def test_sigkill_of_httpd_predicts_the_same_whatever_the_interval_is_written_as(
    interval: str, tmp_path: Path
) -> None:
    text = ISO_CIB.read_text().replace('interval="PT10S"', f'interval="{interval}"')
    assert f'interval="{interval}"' in text
    p = simulate(text, kill_httpd_on_s1(Cib(text)), tmp_path)
    assert p.groups == {"web": "s1", "webapp": "s2"}
    assert [str(a) for a in p.actions] == ["recover httpd on s1"]
    assert p.placement["httpd"] == "s1" and not p.invalid_transition


def test_a_monitor_interval_pacemaker_rejects_is_an_error_naming_it() -> None:
    cib = Cib(ISO_CIB.read_text().replace('interval="PT10S"', 'interval="pt10s"'))
    with pytest.raises(oracle.OracleError, match="interval of httpd's monitor in the CIB: 'pt10s'"):
        cib.interval_ms("httpd", "monitor")


def test_an_invalid_transition_is_recorded_as_such() -> None:
    p = oracle.parse((DATA / "invalid-transition.xml").read_text(), what="node s1 fails")
    assert p.invalid_transition == ("Transition failed: terminated; "
                                    "An invalid transition was produced")
    assert "start httpd on s2" in [str(a) for a in p.actions]  # the plan is kept
    assert p.groups == {"web": None, "webapp": None}  # where the simulation stopped
    check = oracle.compare(p, state("s2", "s2"))
    assert check.matched is None and check.verdict == "invalid_transition"
    assert check.differences == []
    text = str(check)
    assert "could not ask" not in text
    assert "invalid transition: Transition failed: terminated" in text
    assert check.to_dict()["invalid_transition"].startswith("Transition failed")
    assert "invalid transition" in str(p)


def test_other_failures_still_raise_with_crm_simulates_words() -> None:
    text = (DATA / "invalid-transition.xml").read_text().replace(
        "An invalid transition was produced", "Something else broke")
    with pytest.raises(oracle.OracleError, match="Something else broke"):
        oracle.parse(text)


@needs_crm_simulate
def test_an_invalid_transition_is_provoked_by_an_ordering_loop(tmp_path: Path) -> None:
    text = ISO_CIB.read_text().replace("<constraints/>", LOOP)
    p = simulate(text, Simulation("node s1 fails", failed_nodes=("s1",)), tmp_path)
    assert "An invalid transition was produced" in p.invalid_transition
    assert oracle.compare(p, state("s2", "s2")).verdict == "invalid_transition"


# -- the whole oracle on a file: the copy's edits too ----------------------------------------

PROBE_CIB = DATA / "cib-probe-last-failure.xml"


class FileNode:
    """A node whose commands run here, on CIB files only: the edits have ``CIB_file`` set and
    crm_simulate reads ``--xml-file``, so no live cluster is asked or changed; crm_simulate's
    working copy goes to ``shadow_dir``, not this machine's /var/lib/pacemaker/cib."""

    def __init__(self, shadow_dir: Path) -> None:
        self.runs: list[list[str]] = []
        self.shadow_dir = shadow_dir

    def run(self, command: list[str], *, timeout: float = 60, check: bool = False,
            input: str | None = None, env: dict[str, str] | None = None) -> Result:
        self.runs.append(list(command))
        if command == ["cibadmin", "--query"] and not (env or {}).get("CIB_file"):
            return Result("cibadmin --query", 0, PROBE_CIB.read_text(), "", 0.0)  # the live one
        if not ((env or {}).get("CIB_file") or command[0] in ("rm", "crm_mon")
                or command[:2] == ["crm_simulate", "--xml-file"]):
            raise AssertionError(f"a command on the live cluster: {command}")
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, "CIB_shadow_dir": str(self.shadow_dir),
                                   **(env or {})}, check=False)
        result = Result(" ".join(command), done.returncode, done.stdout, done.stderr, 0.0)
        if check and not result.ok:
            raise AssertionError(result.describe())
        return result

    def write(self, path: str, content: str, mode: int = 0o644, owner: str = "root:root") -> None:
        Path(path).write_text(content)


def remove_index_page_on_s2(cib: Cib) -> Simulation | Unsimulable:
    cluster = FakeCluster()
    page = fm.RemoveFile(cluster, fm.Timeline(), "s2",  # type: ignore[arg-type]
                         f"{cluster.backend.stack.docroot}/index.html")
    return page.simulation(cib)


@needs_crm_simulate
def test_a_cleanup_reprobe_left_as_last_failure_does_not_hide_the_injected_failure(
    tmp_path: Path,
) -> None:
    """The CIB the oracle was given in a failed run (missing index page on s2, right after
    the previous test's ``crm resource cleanup httpd s2``): httpd's last-failure entry is the
    re-probe that found it running. Pacemaker moves web off s2 (start fails, INFINITY); the
    oracle must say so."""
    node = FileNode(tmp_path)
    said = oracle.Oracle(lambda: {"s1": node}).predict(remove_index_page_on_s2)
    assert isinstance(said, Prediction), said
    assert said.groups == {"web": "s1", "webapp": "s2"}, said
    assert "recover httpd s2 -> s1" in [str(a) for a in said.actions], said.actions
    # The entry was taken out of the copy first, as the real failure replaces it.
    deletes = [c for c in node.runs if c[:2] == ["cibadmin", "--delete"]]
    assert deletes and "lrm_rsc_op[@id='httpd_last_failure_0']" in deletes[0][-1]


@needs_crm_simulate
def test_crm_simulate_keeps_the_probes_digest_when_the_entry_stays(tmp_path: Path) -> None:
    """Why the deletion: without it, crm_simulate 2.1.5 injects the failure into the old
    entry, keeps the probe's op-digest, and the scheduler clears the fail-count ("resource
    parameters have changed"): recover in place, the wrong answer."""
    path = tmp_path / "cib.xml"
    path.write_text(PROBE_CIB.read_text())
    env = {**os.environ, "CIB_file": str(path), "CIB_shadow_dir": str(tmp_path)}
    subprocess.run(["crm_attribute", "--node", "s2", "--lifetime", "reboot", "--name",
                    "fail-count-httpd#start_0", "--update", "INFINITY"],
                   env=env, check=True, capture_output=True, timeout=60)
    done = subprocess.run(["crm_simulate", "--xml-file", str(path), "--simulate", "--op-inject",
                           "httpd_monitor_10000@s2=1", "--output-as=xml"],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    p = oracle.parse(done.stdout)
    assert p.groups == {"web": "s2", "webapp": "s1"}
