"""cib_readback against Pacemaker's own tools: every edit the suite makes, run with this machine's
crm_attribute/crm_resource (Pacemaker 2.1.5) on a CIB file (``CIB_file``), is read back as
taken; the same read on the CIB before the edit is not. The CIB is the project's own
(``data/crm_simulate/cib-iso8601-interval.xml``: s1, s2, groups web and webapp)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pytest_hacluster import faults as fm
from pytest_hacluster.cib_readback import ABSENT, ReadbackError, readback
from pytest_hacluster.oracle import Cib, Simulation
from tests.fakes import FakeCluster, apply_edit

CIB = Path(__file__).parent / "data" / "crm_simulate" / "cib-iso8601-interval.xml"

needs_pacemaker_tools = pytest.mark.skipif(
    shutil.which("crm_resource") is None or shutil.which("crm_attribute") is None,
    reason="needs Pacemaker's crm_attribute and crm_resource")


def operations() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """(name, edit, undo edit) of every crmsh operation a test makes, as the faults write them."""
    cluster, timeline, cib = FakeCluster(), fm.Timeline(), Cib(CIB.read_text())
    made = {
        "standby": fm.standby(cluster, timeline, "s2"),  # type: ignore[arg-type]
        "move": fm.move(cluster, timeline, "web", "s2"),  # type: ignore[arg-type]
        "ban": fm.ban(cluster, timeline, "webapp", "s1"),  # type: ignore[arg-type]
        "stop": fm.stop(cluster, timeline, "webapp"),  # type: ignore[arg-type]
        "set_meta": fm.set_meta(cluster, timeline, "web", "migration-threshold",  # type: ignore[arg-type]
                                "2"),
    }
    out = []
    for name, fault in made.items():
        do, undo = fault.simulation(cib), fault.undo_simulation(cib)
        assert isinstance(do, Simulation) and isinstance(undo, Simulation)
        (edit,), (undo_edit,) = do.edits, undo.edits
        out.append((name, edit, undo_edit))
    return out


OPERATIONS = operations()
# The transient attributes the oracle writes on its copy (a ping's loss, a failed start).
TRANSIENT = [
    ("crm_attribute", "--node", "s1", "--lifetime", "reboot", "--name", "pingd", "--update", "0"),
    ("crm_attribute", "--node", "s2", "--lifetime", "reboot", "--name",
     "fail-count-httpd#start_0", "--update", "INFINITY"),
]


def run(edit: tuple[str, ...], path: Path) -> None:
    subprocess.run(list(edit), check=True, capture_output=True, timeout=30,
                   env={**os.environ, "CIB_file": str(path)})


@needs_pacemaker_tools
@pytest.mark.parametrize(("name", "edit", "undo"), OPERATIONS, ids=[o[0] for o in OPERATIONS])
def test_each_operation_and_its_undo_read_back_as_pacemaker_writes_them(
    name: str, edit: tuple[str, ...], undo: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "cib.xml"
    path.write_text(CIB.read_text())
    done, undone = readback(edit), readback(undo)
    assert done is not None and undone is not None
    assert done.mismatch(path.read_text()) is not None  # not there before
    run(edit, path)
    assert done.mismatch(path.read_text()) is None
    assert undone.mismatch(path.read_text()) is not None
    run(undo, path)
    assert undone.mismatch(path.read_text()) is None
    assert done.mismatch(path.read_text()) is not None
    # The fakes the other unit tests use write the same places.
    faked = apply_edit(CIB.read_text(), edit)
    assert done.mismatch(faked) is None
    assert undone.mismatch(apply_edit(faked, undo)) is None


@needs_pacemaker_tools
@pytest.mark.parametrize("edit", TRANSIENT, ids=["pingd", "fail-count"])
def test_transient_node_attributes_are_read_from_the_status_section(
    edit: tuple[str, ...], tmp_path: Path
) -> None:
    path = tmp_path / "cib.xml"
    path.write_text(CIB.read_text())
    found = readback(edit)
    assert found is not None
    assert found.held(path.read_text()) == ABSENT
    run(edit, path)
    assert found.mismatch(path.read_text()) is None
    # Not where a permanent attribute of the same name would be.
    permanent = readback(tuple(a for a in edit if a not in ("--lifetime", "reboot")))
    assert permanent is not None and permanent.held(path.read_text()) == ABSENT


PROMOTABLE = ('<clone id="stateful-clone"><meta_attributes id="m"><nvpair id="m1" '
              'name="promotable" value="true"/></meta_attributes><primitive id="stateful" '
              'class="ocf" provider="pacemaker" type="Stateful"/></clone>')


@needs_pacemaker_tools
@pytest.mark.parametrize("flag", ["--promoted", "--master"])
def test_moving_the_promoted_role_is_read_back_with_its_role(flag: str, tmp_path: Path) -> None:
    """``--promoted`` (2.1 on) and ``--master`` (2.0; 2.1 still takes it) write a cli-prefer
    location for the Promoted role; 2.0's CIB names the role "Master"."""
    path = tmp_path / "cib.xml"
    path.write_text(CIB.read_text())
    subprocess.run(["cibadmin", "--create", "--scope", "resources", "--xml-text", PROMOTABLE],
                   check=True, capture_output=True, timeout=30,
                   env={**os.environ, "CIB_file": str(path)})
    edit = ("crm_resource", "--move", "--resource", "stateful-clone", "--node", "s2", flag)
    found = readback(edit)
    assert found is not None and found.held(path.read_text()) == ABSENT
    run(edit, path)
    assert found.mismatch(path.read_text()) is None
    as_2_0 = path.read_text().replace('role="Promoted"', 'role="Master"')
    assert 'role="Master"' in as_2_0 and found.mismatch(as_2_0) is None
    started = path.read_text().replace('role="Promoted"', 'role="Started"')
    assert found.mismatch(started) == ("the location constraint cli-prefer-stateful-clone is "
                                       "'s2 (Started)', not 's2 (Promoted)'")


def test_what_is_held_instead_is_named() -> None:
    move = readback(("crm_resource", "--move", "--resource", "web", "--node", "s2"))
    assert move is not None
    text = CIB.read_text().replace(
        "<constraints/>", '<constraints><rsc_location id="cli-prefer-web" rsc="web" '
        'role="Started" node="s1" score="INFINITY"/></constraints>')
    assert "cli-prefer-web" in text
    assert move.mismatch(text) == "the location constraint cli-prefer-web is 's1', not 's2'"
    stop = readback(("crm_resource", "--resource", "nosuch", "--meta", "--set-parameter",
                     "target-role", "--parameter-value", "Stopped"))
    assert stop is not None
    assert stop.held(text) == "no resource nosuch in the CIB"


def test_cibadmin_edits_are_not_read_back() -> None:
    assert readback(("cibadmin", "--delete", "--xpath", "//lrm_rsc_op[@id='x']")) is None


@pytest.mark.parametrize("edit", [
    ("crm_attribute", "--type", "crm_config", "--name", "stonith-enabled", "--update", "true"),
    ("crm_attribute", "--node", "s1", "--name", "standby"),
    ("crm_attribute", "--node", "s1", "--lifetime", "never", "--name", "a", "--update", "1"),
    ("crm_resource", "--resource", "web", "--cleanup"),
    ("crm_resource", "--move", "--resource", "web"),
    ("crm_resource", "--resource", "web", "--meta"),
    ("crm_node", "--list"),
    (),
], ids=["crm_config", "no-change", "lifetime", "cleanup", "move-without-node",
        "meta-without-change", "other-program", "empty"])
def test_an_edit_not_understood_is_an_error_naming_it(edit: tuple[str, ...]) -> None:
    with pytest.raises(ReadbackError, match="cannot read back"):
        readback(edit)


def test_a_text_that_is_no_cib_is_an_error() -> None:
    found = readback(("crm_attribute", "--node", "s1", "--name", "standby", "--update", "on"))
    assert found is not None
    with pytest.raises(ReadbackError, match="no CIB"):
        found.held("Could not connect to the CIB: Transport endpoint is not connected")
    with pytest.raises(ReadbackError, match="expected <cib>, got <crm_mon>"):
        found.held("<crm_mon/>")
