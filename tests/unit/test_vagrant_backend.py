"""The vagrant backend's error paths: one clear message each, before anything boots.

Nothing here runs VirtualBox or the real vagrant: a missing tool is a PATH without it, and
``vagrant`` itself is a script replaying recorded output where a real run would take minutes.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pytest_hacluster.backends.base import FaultNotSupported, Settings
from pytest_hacluster.backends.vagrant import VagrantBackend, VagrantError, vagrant_env
from pytest_hacluster.backends.vagrant_output import box_dir
from pytest_hacluster.config import from_mapping

REPO = Path(__file__).resolve().parents[2]
DATA = Path(__file__).parent / "data" / "vagrant"

FAKE_VAGRANT = """#!/bin/sh
# Replays recorded output; records its calls.
echo "$*" >> "$(dirname "$0")/calls.log"
case "$1" in
status) printf '1,s1,state,not_created\\n1,s2,state,not_created\\n' ;;
up) cat "$(dirname "$0")/up.txt"; exit 1 ;;
destroy) echo "==> s1: Destroying VM and associated drives..." ;;
esac
"""


def _tool(bin_dir: Path, name: str, text: str = "#!/bin/sh\nexit 0\n") -> None:
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text(text)
    (bin_dir / name).chmod(0o755)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Vagrant project with the real Vagrantfile and provision/, and a VAGRANT_HOME."""
    shutil.copy(REPO / "Vagrantfile", tmp_path / "Vagrantfile")
    shutil.copytree(REPO / "provision", tmp_path / "provision")
    (box_dir(tmp_path / "home", "debian/bookworm64") / "0" / "virtualbox").mkdir(parents=True)
    return tmp_path


def backend(project: Path, bin_dir: Path, **vagrant: object) -> VagrantBackend:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "VAGRANT_HOME": str(project / "home")}
    desc = from_mapping({"vagrant": {"env": env, **vagrant}})
    return VagrantBackend(desc, Settings(rootdir=project))


def test_missing_vagrant_is_one_clear_error(project: Path) -> None:
    empty = project / "bin"
    empty.mkdir()
    b = backend(project, empty)
    b.env["PATH"] = str(empty)  # nothing at all, not even /usr/bin
    with pytest.raises(VagrantError, match=r"vagrant is not installed.*apt-get install"):
        b.check()


def test_missing_virtualbox_points_to_the_stand_in(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    b = backend(project, project / "bin")
    b.env["PATH"] = str(project / "bin")
    with pytest.raises(VagrantError, match=r"VBoxManage is not on PATH.*stand-in"):
        b.check()


def test_missing_box_names_the_add_command(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _tool(project / "bin", "VBoxManage")
    b = backend(project, project / "bin", box="centos65_64")
    with pytest.raises(VagrantError, match=r"box 'centos65_64' is not added.*vagrant box add"):
        b.check()


def test_missing_tarballs_of_the_documented_stack(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _tool(project / "bin", "VBoxManage")
    (box_dir(project / "home", "centos65_64") / "0" / "virtualbox").mkdir(parents=True)
    (project / "apache-tomcat-7.0.56.tar.gz").write_bytes(b"")
    b = backend(project, project / "bin", box="centos65_64")
    with pytest.raises(VagrantError) as err:
        b.check()
    assert "centos6 stack, which needs pacemaker-1.0.13-2.1.el6.x86_64.repo.tar.gz next" in str(
        err.value
    )
    assert "apache-tomcat" not in str(err.value)


def test_missing_vagrantfile(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    (project / "Vagrantfile").unlink()
    with pytest.raises(VagrantError, match="no Vagrantfile in"):
        backend(project, project / "bin").check()


def test_all_present_passes_the_check(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _tool(project / "bin", "VBoxManage")
    backend(project, project / "bin").check()


def test_failed_provision_shows_the_provisioners_output_and_destroys(project: Path) -> None:
    bin_dir = project / "bin"
    _tool(bin_dir, "vagrant", FAKE_VAGRANT)
    _tool(bin_dir, "VBoxManage")
    (bin_dir / "up.txt").write_text((DATA / "up_failed_provision.txt").read_text())
    (project / ".hacluster").mkdir()
    (project / ".hacluster" / "authkey").write_bytes(os.urandom(256))  # a crashed run's
    b = backend(project, bin_dir)
    seen: list[str] = []
    with pytest.raises(VagrantError) as err:
        b.up(seen.append)
    message = str(err.value)
    assert "`vagrant up --provider=virtualbox` failed (exit 1)" in message
    assert "hacluster: error: the service address 192.168.1.121 is not on eth1" in message
    assert "responded with a non-zero exit status" in message
    assert any("Running provisioner: cluster" in line for line in seen)  # streamed as progress
    calls = (bin_dir / "calls.log").read_text().splitlines()
    assert calls[-1].startswith("destroy --force")
    assert not (project / ".hacluster" / "authkey").exists()
    assert (project / ".hacluster" / "rendered" / "nodes.json").is_file()


def test_vagrant_env_expands_the_runners_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin")
    desc = from_mapping({"vagrant": {"box": "b/x", "env": {"PATH": "/standin/bin:${PATH}"}}})
    env = vagrant_env(desc)
    assert env["PATH"] == "/standin/bin:/usr/bin"
    assert "HACLUSTER_BOX" not in env  # the box goes through nodes.json
    assert env["VAGRANT_CHECKPOINT_DISABLE"] == "1"


def test_only_the_clusters_nics_have_cables(project: Path) -> None:
    with pytest.raises(FaultNotSupported, match="eth1 and eth2"):
        backend(project, project / "bin").set_cable("s1", "eth0", False)


@pytest.mark.parametrize("box", ["debian/bookworm64", "centos65_64"])
def test_the_real_vagrant_validates_the_vagrantfile(box: str, project: Path) -> None:
    """``vagrant validate --ignore-provider``: the real CLI, no provider needed (about 2 s)."""
    if shutil.which("vagrant") is None:
        pytest.skip("vagrant is not installed (apt-get install -y --no-install-recommends "
                    "vagrant)")
    import subprocess

    from pytest_hacluster import render
    from pytest_hacluster.export import export

    desc = from_mapping({"vagrant": {"box": box}})
    export(desc, render.stack_for_box(box), project / ".hacluster" / "rendered")
    for name in render.required_files(render.stack_for_box(box)):
        (project / name).write_bytes(b"")
    env = {**os.environ, "VAGRANT_HOME": str(project / "empty-vagrant-home"),
           "VAGRANT_CHECKPOINT_DISABLE": "1"}
    done = subprocess.run(["vagrant", "validate", "--ignore-provider"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validated successfully" in done.stdout
