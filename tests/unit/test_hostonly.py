"""VirtualBox's host-only rules (``hostonly``): versions, networks.conf, host interfaces."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from pytest_hacluster import hostonly

DATA = Path(__file__).parent / "data" / "vagrant"
SEED = [ipaddress.ip_network("192.168.1.0/24"), ipaddress.ip_network("192.168.9.0/24")]


@pytest.mark.parametrize(("text", "version"), [
    ("7.0.20r163906\n", (7, 0, 20)),
    ("6.1.26_Ubuntur145957\n", (6, 1, 26)),
    ("4.1.8_MacPortsr1234", (4, 1, 8)),
    ("7.0.14_OSE", (7, 0, 14)),
    ("WARNING: The character device /dev/vboxdrv does not exist.\n6.1.50r161033\n", (6, 1, 50)),
])
def test_versions_in_the_forms_virtualbox_prints(text: str, version: tuple[int, int, int]) -> None:
    assert hostonly.parse_version(text) == version


@pytest.mark.parametrize("text", ["", "VBoxManage: error: failed", "7.0"])
def test_an_unreadable_version_is_an_error_naming_it(text: str) -> None:
    with pytest.raises(hostonly.HostOnlyError, match="not a version"):
        hostonly.parse_version(text)


def test_the_rule_starts_with_6_1_28() -> None:
    assert not hostonly.validates((6, 1, 27))
    assert hostonly.validates((6, 1, 28)) and hostonly.validates((7, 0, 0))


def test_networks_conf_counts_only_star_lines() -> None:
    text = "# allowed\n* 10.0.0.0/8 192.168.0.0/16\n  * 2001::/64\nsomething else\n"
    assert [str(n) for n in hostonly.parse_networks_conf(text)] == [
        "10.0.0.0/8", "192.168.0.0/16", "2001::/64"]
    assert hostonly.parse_networks_conf("# only a comment\n") == ()  # allows nothing


def test_a_missing_networks_conf_means_the_default_range(tmp_path: Path) -> None:
    assert hostonly.allowed_ranges(tmp_path / "networks.conf") == (hostonly.DEFAULT_RANGES, False)
    (tmp_path / "networks.conf").write_text("* 0.0.0.0/0 ::/0\n")
    ranges, from_file = hostonly.allowed_ranges(tmp_path / "networks.conf")
    assert from_file and hostonly.outside(SEED, ranges) == []


def test_outside_asks_for_the_whole_network() -> None:
    ranges = hostonly.parse_networks_conf("* 192.168.1.0/25 192.168.8.0/21\n")
    assert hostonly.outside(SEED, ranges) == [SEED[0]]  # .128-.255 not allowed
    assert hostonly.outside(SEED, hostonly.DEFAULT_RANGES) == SEED


def test_vbox_etc_is_etc_vbox_unless_a_stand_in_says() -> None:
    assert hostonly.vbox_etc({}) == Path("/etc/vbox")
    assert hostonly.vbox_etc({hostonly.VBOX_ETC_ENV: "/run/x/etc/vbox"}) == Path("/run/x/etc/vbox")


def test_bridgedifs_of_virtualbox_7_as_vagrants_tests_record_it() -> None:
    found = hostonly.parse_bridgedifs((DATA / "bridgedifs_vagrant_7x_examples.txt").read_text())
    assert [(i.name, str(i.network), i.up) for i in found] == [
        ("en1: Wi-Fi (AirPort)", "10.0.0.49/24", True),
        ("bridge100", "192.168.61.1/24", True),
        ("bridge101", "192.168.22.1/24", True),
    ]  # the 0.0.0.0 ones have no address


def test_collisions_are_any_overlap_with_an_interface_that_is_up() -> None:
    lan = hostonly.parse_bridgedifs((DATA / "bridgedifs_office_lan.txt").read_text())
    assert [(str(n), i.name) for n, i in hostonly.collisions(SEED, lan)] == [
        ("192.168.1.0/24", "enp3s0")]
    wide = [hostonly.HostInterface("wlan0", ipaddress.IPv4Interface("192.168.0.7/16"), True)]
    assert len(hostonly.collisions(SEED, wide)) == 2  # not equal, but routing breaks all the same
    down = [hostonly.HostInterface("eth9", ipaddress.IPv4Interface("192.168.9.3/24"), False)]
    assert hostonly.collisions(SEED, down) == []


def test_an_unreadable_interface_address_is_an_error_naming_it() -> None:
    with pytest.raises(hostonly.HostOnlyError, match=r"'eth0' has IPAddress '192\.168\.1\.300'"):
        hostonly.parse_bridgedifs(
            "Name: eth0\nIPAddress: 192.168.1.300\nNetworkMask: 255.255.255.0\n")
