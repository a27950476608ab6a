"""The vagrant backend's error paths: one clear message each, before anything boots.

Nothing here runs VirtualBox or the real vagrant: a missing tool is a PATH without it, and
``vagrant`` itself is a script replaying recorded output where a real run would take minutes.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from pytest_hacluster import cluster_key, hostonly
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


# VirtualBox as the preflight asks it: the version and the host's bridgeable interfaces, from
# files the test writes (the default: a 7.0 runner off the cluster's networks).
FAKE_VBOXMANAGE = """#!/bin/sh
here=$(dirname "$0")
case "$1" in
--version) cat "$here/version.txt" ;;
list) [ "$2" = bridgedifs ] && cat "$here/bridgedifs.txt" ;;
esac
"""
VBOX7 = "7.0.20r163906\n"


def _tool(bin_dir: Path, name: str, text: str = "#!/bin/sh\nexit 0\n") -> None:
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text(text)
    (bin_dir / name).chmod(0o755)


def _vboxmanage(bin_dir: Path, version: str = VBOX7,
                bridgedifs: str = "bridgedifs_vagrant_7x_examples.txt") -> None:
    _tool(bin_dir, "VBoxManage", FAKE_VBOXMANAGE)
    (bin_dir / "version.txt").write_text(version)
    (bin_dir / "bridgedifs.txt").write_text((DATA / bridgedifs).read_text())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A Vagrant project with the real Vagrantfile and provision/, a VAGRANT_HOME, and a
    VirtualBox configuration directory allowing the seed's networks."""
    shutil.copy(REPO / "Vagrantfile", tmp_path / "Vagrantfile")
    shutil.copytree(REPO / "provision", tmp_path / "provision")
    (box_dir(tmp_path / "home", "debian/bookworm64") / "0" / "virtualbox").mkdir(parents=True)
    (tmp_path / "etc-vbox").mkdir()
    (tmp_path / "etc-vbox" / "networks.conf").write_text("* 192.168.1.0/24 192.168.9.0/24\n")
    return tmp_path


def backend(project: Path, bin_dir: Path, **vagrant: object) -> VagrantBackend:
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "VAGRANT_HOME": str(project / "home"),
           hostonly.VBOX_ETC_ENV: str(project / "etc-vbox")}
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
    _vboxmanage(project / "bin")
    b = backend(project, project / "bin", box="centos65_64")
    with pytest.raises(VagrantError, match=r"box 'centos65_64' is not added.*vagrant box add"):
        b.check()


def test_missing_tarballs_of_the_documented_stack(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin")
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
    _vboxmanage(project / "bin")
    backend(project, project / "bin").check()


def test_failed_provision_shows_the_provisioners_output_and_destroys(project: Path) -> None:
    bin_dir = project / "bin"
    _tool(bin_dir, "vagrant", FAKE_VAGRANT)
    _vboxmanage(bin_dir)
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
    assert any("the cluster's key: made in" in line for line in seen)


def test_up_makes_the_clusters_key_on_the_host_before_vagrant_up(project: Path) -> None:
    """0600 from the start, 256 random bytes, a fresh one per cluster, never shown."""
    bin_dir = project / "bin"
    _tool(bin_dir, "vagrant", FAKE_VAGRANT.replace(
        'up) cat', 'up) stat -c %a .hacluster/authkey > key-at-up.txt; cat'))
    _vboxmanage(bin_dir)
    (bin_dir / "up.txt").write_text("==> s1: Booting VM...\n")
    (project / ".hacluster").mkdir()
    (project / ".hacluster" / "authkey").write_bytes(b"a crashed run's key")
    seen: list[str] = []
    with pytest.raises(VagrantError):
        VagrantBackend.up(backend(project, bin_dir), seen.append)
    assert (project / "key-at-up.txt").read_text().strip() == "600"  # there when vagrant ran
    assert not (project / ".hacluster" / "authkey").exists()  # gone with the machines
    assert not any("crashed" in line for line in seen)


def test_cluster_key_is_made_once_0600_and_never_replaced(tmp_path: Path) -> None:
    key, made = cluster_key.ensure(tmp_path, "debian12")
    assert made and key == tmp_path / ".hacluster" / "authkey"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 256
    again, made_again = cluster_key.ensure(tmp_path, "debian12")
    assert (again, made_again) == (key, False)
    heartbeat, _ = cluster_key.ensure(tmp_path, "centos6")
    lines = heartbeat.read_text().splitlines()
    assert lines[0] == "auth 1" and re.fullmatch(r"1 sha1 [0-9a-f]{64}", lines[1])
    cluster_key.forget(tmp_path)
    assert not key.exists() and not heartbeat.exists()
    with pytest.raises(KeyError, match="'rhel9'"):
        cluster_key.ensure(tmp_path, "rhel9")


# -- the preflight: VirtualBox's host-only rules --------------------------------------------


def _check_message(project: Path, **vagrant: object) -> str:
    with pytest.raises(VagrantError) as err:
        backend(project, project / "bin", **vagrant).check()
    return str(err.value)


def test_preflight_without_networks_conf_on_virtualbox_7(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin")
    (project / "etc-vbox" / "networks.conf").unlink()
    message = _check_message(project)
    conf = project / "etc-vbox" / "networks.conf"
    assert message == (
        f"VirtualBox 7.0.20 takes host-only addresses only from the ranges of networks.conf "
        f"(without {conf} only 192.168.56.0/21, fe80::/10); the cluster's 192.168.1.0/24, "
        f"192.168.9.0/24 are outside, so vagrant would refuse them: as root, add the line "
        f"`* 192.168.1.0/24 192.168.9.0/24` to {conf}"
    )


def test_preflight_names_only_the_network_networks_conf_lacks(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin")
    conf = project / "etc-vbox" / "networks.conf"
    conf.write_text("# lab networks\n* 192.168.1.0/24\n")
    message = _check_message(project)
    assert f"({conf} allows 192.168.1.0/24)" in message
    assert "the cluster's 192.168.9.0/24 is outside" in message
    assert message.endswith(f"add the line `* 192.168.9.0/24` to {conf}")


def test_preflight_accepts_any_networks_before_virtualbox_6_1_28(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin", version="6.1.26_Ubuntur145957\n")
    (project / "etc-vbox" / "networks.conf").write_text("# nothing allowed\n")
    backend(project, project / "bin").check()


def test_preflight_reports_a_host_interface_on_the_clusters_network(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin", bridgedifs="bridgedifs_office_lan.txt")
    message = _check_message(project)
    assert message == (
        "host interface enp3s0 is on 192.168.1.57/24 (192.168.1.0/24), which overlaps the "
        "cluster's network 192.168.1.0/24: vagrant refuses such a host-only network (or the "
        "host routes the cluster's traffic onto that LAN). Run on a runner off that network, or "
        "give the cluster other addresses in [tool.hacluster] (nodes, groups' VIPs, gateway)"
    )  # docker0 (172.17.0.0/16, down) is no concern


def test_preflight_lists_every_problem_one_line_each(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin", bridgedifs="bridgedifs_office_lan.txt")
    (project / "etc-vbox" / "networks.conf").unlink()
    lines = _check_message(project, box="centos65_64").splitlines()
    assert [line.split(" ", 2)[:2] for line in lines] == [
        ["VirtualBox", "7.0.20"], ["host", "interface"], ["the", "box"]]


def test_preflight_names_a_bad_networks_conf_line(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin")
    (project / "etc-vbox" / "networks.conf").write_text("* 192.168.1.0/24\n* 192.168.9/24x\n")
    message = _check_message(project)
    assert "networks.conf line 2: '192.168.9/24x' is not an address range" in message


def test_preflight_refuses_a_version_it_cannot_read(project: Path) -> None:
    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin", version="WARNING: The vboxdrv kernel module is not loaded.\n")
    assert "`VBoxManage --version` printed 'WARNING: The vboxdrv" in _check_message(project)


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
    cluster_key.ensure(project, render.stack_for_box(box).name)
    env = {**os.environ, "VAGRANT_HOME": str(project / "empty-vagrant-home"),
           "VAGRANT_CHECKPOINT_DISABLE": "1"}
    done = subprocess.run(["vagrant", "validate", "--ignore-provider"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "validated successfully" in done.stdout


def test_preflight_command_for_a_runners_setup(project: Path, capsys) -> None:
    """What the nightly workflow runs first: the box from the description, then the checks."""
    from pytest_hacluster.vagrant_preflight import main

    _tool(project / "bin", "vagrant")
    _vboxmanage(project / "bin", bridgedifs="bridgedifs_office_lan.txt")
    env = {"PATH": f"{project / 'bin'}:/usr/bin:/bin", "VAGRANT_HOME": str(project / "home"),
           hostonly.VBOX_ETC_ENV: str(project / "etc-vbox")}
    (project / "pyproject.toml").write_text(
        '[tool.hacluster.vagrant]\nbox = "debian/bookworm64"\nenv = { '
        + ", ".join(f'{k} = "{v}"' for k, v in env.items()) + " }\n")
    config = str(project / "pyproject.toml")
    assert main(["--config", config, "--print-box"]) == 0
    assert capsys.readouterr().out == "debian/bookworm64\n"
    assert main(["--config", config]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("error: host interface enp3s0 is on 192.168.1.57")
    _vboxmanage(project / "bin")
    assert main(["--config", config]) == 0
    assert capsys.readouterr().out == (
        "preflight passed: box debian/bookworm64, host-only networks 192.168.1.0/24, "
        "192.168.9.0/24\n")
