"""The VirtualBox stand-in's VBoxManage answers the calls vagrant makes, in VirtualBox's words.

Only registry calls here (no VM is started): the state dir is a temporary one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_hacluster.vbox import manage

PREFIX = "hacl-unit"


@pytest.fixture
def vbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("pytest_hacluster.statedir.STATE_ROOT", tmp_path)
    (tmp_path / PREFIX / "box" / "upper" / "etc").mkdir(parents=True)
    (tmp_path / PREFIX / "vms").mkdir()

    def call(*args: str, status: int = 0) -> str:
        import contextlib
        import io

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            got = manage.main(["--prefix", PREFIX, *args])
        assert got == status, err.getvalue()
        return out.getvalue() + err.getvalue()

    return call


def _import(vbox) -> str:
    dry = vbox("import", "-n", "/boxes/box.ovf")
    name = re.search(r'Suggested VM name "(.+?)"', dry).group(1)
    assert re.search(r'Suggested VM settings file name ".+\.vbox"', dry)
    vbox("import", "/boxes/box.ovf", "--vsys", "0", "--vmname", f"{name}_1")
    listed = vbox("list", "vms")
    return re.match(r'^"(.+?)" \{(.+?)\}$', listed.strip()).group(2)


def test_reports_a_version_vagrant_accepts_the_seeds_networks_with(vbox) -> None:
    assert vbox("--version").startswith("6.1.26r")


def test_import_modify_and_show_as_vagrant_reads_it(vbox, tmp_path: Path) -> None:
    uuid = _import(vbox)
    assert (tmp_path / PREFIX / "vms" / "vm1" / "upper" / "etc").is_dir()  # the box, copied
    vbox("modifyvm", uuid, "--name", "project_s1")
    vbox("modifyvm", uuid, "--nic2", "hostonly", "--hostonlyadapter2", "vboxnet0",
         "--cableconnected2", "on", "--macaddress2", "080027AABBCC")
    vbox("modifyvm", uuid, "--natpf1", "ssh,tcp,127.0.0.1,2122,,22")
    vbox("sharedfolder", "add", uuid, "--name", "vagrant", "--hostpath", "/home/u/project")
    info = vbox("showvminfo", uuid, "--machinereadable")
    for line in ('name="project_s1"', 'VMState="poweroff"', 'nic1="nat"', 'nic2="hostonly"',
                 'hostonlyadapter2="vboxnet0"', 'macaddress2="080027AABBCC"',
                 'Forwarding(0)="ssh,tcp,127.0.0.1,2122,,22"',
                 'SharedFolderNameMachineMapping1="vagrant"'):
        assert line in info.splitlines()
    vbox("modifyvm", uuid, "--natpf1", "delete", "ssh")
    assert "Forwarding(" not in vbox("showvminfo", "project_s1", "--machinereadable")


def test_hostonly_interfaces_carry_an_ipv6_line(vbox) -> None:
    assert vbox("hostonlyif", "create").strip() == "Interface 'vboxnet0' was successfully created"
    vbox("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.1.1", "--netmask",
         "255.255.255.0")
    block = vbox("list", "hostonlyifs")
    assert "IPAddress:       192.168.1.1" in block
    assert re.search(r"^IPV6Address:\s+\S+", block, re.M)  # vagrant crashes on an empty one


def test_unknown_vm_is_a_virtualbox_error(vbox) -> None:
    out = vbox("showvminfo", "nope", status=1)
    assert "VBoxManage: error:" in out and "VBOX_E_OBJECT_NOT_FOUND" in out


def test_guest_additions_report_the_same_version(vbox) -> None:
    uuid = _import(vbox)
    assert vbox("guestproperty", "get", uuid, "/VirtualBox/GuestAdd/Version") == "Value: 6.1.26\n"


def test_unknown_calls_are_logged_and_answered_empty(vbox, tmp_path: Path) -> None:
    assert vbox("list", "bridgedifs") == ""
    assert vbox("snapshot", "x", "list") == ""
    log = (tmp_path / PREFIX / "vboxmanage.log").read_text()
    assert "snapshot x list (unknown: answered empty)" in log
