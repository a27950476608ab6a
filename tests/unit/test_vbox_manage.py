"""The VirtualBox stand-in's VBoxManage answers the calls vagrant makes, in VirtualBox's words.

Only registry calls here (no VM is started): the state dir is a temporary one.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest

from pytest_hacluster import hostonly
from pytest_hacluster.vbox import manage

PREFIX = "hacl-unit"


@pytest.fixture
def vbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("pytest_hacluster.statedir.STATE_ROOT", tmp_path)
    (tmp_path / PREFIX / "box" / "upper" / "etc").mkdir(parents=True)
    (tmp_path / PREFIX / "vms").mkdir()
    (tmp_path / PREFIX / "etc" / "vbox").mkdir(parents=True)  # the runner's /etc/vbox

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


def test_reports_a_current_virtualbox_that_restricts_host_only_addresses(vbox) -> None:
    version = hostonly.parse_version(vbox("--version"))
    assert version[0] == 7 and hostonly.validates(version)


def test_host_only_address_outside_networks_conf_is_refused_as_virtualbox_does(
    vbox, tmp_path: Path
) -> None:
    vbox("hostonlyif", "create")
    refused = vbox("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.1.1", "--netmask",
                   "255.255.255.0", status=1)
    assert refused.splitlines() == [
        "VBoxManage: error: Code E_ACCESSDENIED (0x80070005) - Access denied (extended info not "
        "available)",
        'VBoxManage: error: Context: "EnableStaticIPConfig(Bstr(pszIp).raw(), '
        'Bstr(pszNetmask).raw())" at line 242 of file VBoxManageHostonly.cpp',
    ]
    vbox("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.56.1", "--netmask",
         "255.255.255.0")  # the default range needs no networks.conf
    conf = tmp_path / PREFIX / "etc" / "vbox" / "networks.conf"
    conf.write_text("* 192.168.1.0/24 192.168.9.0/24\n")
    vbox("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.1.1", "--netmask",
         "255.255.255.0")
    assert "IPAddress:       192.168.1.1" in vbox("list", "hostonlyifs")
    conf.write_text("# nothing allowed\n")
    vbox("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.56.1", "--netmask",
         "255.255.255.0", status=1)


def test_bridgedifs_are_this_hosts_interfaces_in_virtualboxs_format(vbox) -> None:
    listed = hostonly.parse_bridgedifs(vbox("list", "bridgedifs"))
    assert all(not i.network.ip.is_loopback for i in listed)
    assert not [i for i in listed if i.network in ipaddress.ip_network("192.168.1.0/24")] or (
        pytest.skip("this host itself sits on 192.168.1.0/24"))


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
    vbox("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.56.1", "--netmask",
         "255.255.255.0")
    block = vbox("list", "hostonlyifs")
    assert "IPAddress:       192.168.56.1" in block
    assert re.search(r"^IPV6Address:\s+\S+", block, re.M)  # vagrant crashes on an empty one


def test_unknown_vm_is_a_virtualbox_error(vbox) -> None:
    out = vbox("showvminfo", "nope", status=1)
    assert "VBoxManage: error:" in out and "VBOX_E_OBJECT_NOT_FOUND" in out


def test_the_box_has_no_guest_additions(vbox) -> None:
    """As debian/bookworm64: vagrant reads no version (it warns and goes on), so no vboxsf."""
    uuid = _import(vbox)
    assert vbox("guestproperty", "get", uuid, "/VirtualBox/GuestAdd/Version") == "No value set!\n"
    info = vbox("showvminfo", uuid, "--machinereadable").splitlines()
    assert "GuestAdditionsRunLevel=0" in info
    assert not [line for line in info if line.startswith("GuestAdditionsVersion")]


def test_unknown_calls_are_logged_and_answered_empty(vbox, tmp_path: Path) -> None:
    assert vbox("list", "dhcpservers") == ""
    assert vbox("snapshot", "x", "list") == ""
    log = (tmp_path / PREFIX / "vboxmanage.log").read_text()
    assert "snapshot x list (unknown: answered empty)" in log
