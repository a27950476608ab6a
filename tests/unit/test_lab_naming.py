"""How the lab names what it makes: what gc relies on, and what the kernel accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import LabBackend, LabError, check_prefix, state_dir
from pytest_hacluster.config import Description, from_mapping


@pytest.mark.parametrize("prefix", ["hacl", "hacl-gw0", "hacl2", "hacl-it123456b"])
def test_good_prefixes(prefix: str) -> None:
    assert check_prefix(prefix) == prefix


@pytest.mark.parametrize("prefix", ["lab", "HACL", "hacl.x", "hacl x", "hacl-very-long-one"])
def test_bad_prefixes_are_refused_with_the_rule(prefix: str) -> None:
    with pytest.raises(LabError, match="must start with 'hacl'"):
        check_prefix(prefix)


def test_names_derive_from_the_prefix() -> None:
    lab = LabBackend(Description(), Settings(prefix="hacl-x"))
    assert lab.host_netns == "hacl-x.host"
    assert lab.node_netns("s1") == "hacl-x.s1"
    assert state_dir("hacl-x").name == "hacl-x"
    assert lab.host_link("s1", "eth2") == "s1-eth2"


def test_host_link_names_fit_the_kernel_limit() -> None:
    desc = from_mapping({"nodes": {
        "frontend-alpha": {"service_ip": "192.168.1.11", "interconnect_ip": "192.168.9.11"},
        "frontend-beta": {"service_ip": "192.168.1.12", "interconnect_ip": "192.168.9.12"},
    }})
    lab = LabBackend(desc, Settings(prefix="hacl"))
    names = {lab.host_link(n, nic) for n in desc.node_names for nic in ("eth1", "eth2")}
    assert len(names) == 4 and all(len(n) <= 15 for n in names), names


def test_fingerprint_follows_the_description() -> None:
    base = LabBackend(Description(), Settings(prefix="hacl")).fingerprint
    same = LabBackend(Description(), Settings(prefix="hacl2")).fingerprint
    other = LabBackend(from_mapping({"web": {"vip": "192.168.1.111"}}),
                       Settings(prefix="hacl")).fingerprint
    assert base == same != other


def test_gc_leaves_a_lab_brought_up_by_hand_unless_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new user's `hacluster-lab up` lab holds no claim once `up` returns: an unscoped gc
    # took it for a crashed run's leftover and removed it.
    from pytest_hacluster import cli, statedir

    monkeypatch.setattr(statedir, "STATE_ROOT", tmp_path)
    (tmp_path / "haclhand").mkdir()
    (tmp_path / "haclcrash").mkdir()
    statedir.mark_by_hand("haclhand", "`hacluster-lab up` (pid 1)")
    assert statedir.by_hand("haclcrash") is None
    kept = cli.why_gc_leaves("haclhand", named=False, force=False)
    assert kept is not None and "brought up by hand with `hacluster-lab up` (pid 1)" in kept
    assert cli.why_gc_leaves("haclhand", named=True, force=False) is None
    assert cli.why_gc_leaves("haclhand", named=False, force=True) is None
    assert cli.why_gc_leaves("haclcrash", named=False, force=False) is None
