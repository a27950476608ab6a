"""The stand-in's registry: VMs and host-only interfaces, one JSON file under a lock.

VBoxManage is a new process per call and vagrant calls it many times per second, so the state
lives on disk; ``flock`` keeps two calls (two vagrant processes, or vagrant and a fault) from
overwriting each other's changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pytest_hacluster.statedir import PREFIX_RE, PREFIX_RULE, state_dir

# A current VirtualBox (7.0.20, July 2024): the host-only range rules of 6.1.28+ apply (see
# hostonly.py), and vagrant 2.3.4's newest driver is 7.0's. Its guest additions are not in the
# box (debian/bookworm64 ships none), so no guest-side version is ever reported.
VERSION = "7.0.20r163906"
STATE_FILE = "vbox.json"


@dataclass
class Nic:
    """One network adapter as ``modifyvm --nicN ...`` configured it."""

    type: str = "none"  # nat, hostonly, none
    hostonly: str = ""
    mac: str = ""
    cable: bool = True


@dataclass
class Vm:
    """One registered VM. ``short`` names its namespace and host-side links (``vm1``)."""

    uuid: str
    name: str
    short: str
    nics: dict[str, Nic] = field(default_factory=dict)
    forwards: dict[str, list[str]] = field(default_factory=dict)  # name -> natpf fields
    shared: dict[str, str] = field(default_factory=dict)  # share name -> host path
    extradata: dict[str, str] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)  # other modifyvm options, recorded


@dataclass
class HostOnlyIf:
    name: str
    ip: str = ""
    netmask: str = "255.255.255.0"


@dataclass
class Registry:
    vms: dict[str, Vm] = field(default_factory=dict)
    hostonlyifs: dict[str, HostOnlyIf] = field(default_factory=dict)
    counter: int = 0

    def find(self, ref: str) -> Vm | None:
        """A VM by UUID or name, as VBoxManage accepts either."""
        if ref in self.vms:
            return self.vms[ref]
        return next((vm for vm in self.vms.values() if vm.name == ref), None)

    @classmethod
    def from_json(cls, data: dict) -> Registry:
        vms = {}
        for uuid, raw in data.get("vms", {}).items():
            nics = {k: Nic(**v) for k, v in raw.pop("nics", {}).items()}
            vms[uuid] = Vm(**raw, nics=nics)
        ifs = {k: HostOnlyIf(**v) for k, v in data.get("hostonlyifs", {}).items()}
        return cls(vms, ifs, data.get("counter", 0))


class Place:
    """Where one stand-in keeps everything: ``/run/hacluster/<prefix>`` (the lab's state dir)."""

    def __init__(self, prefix: str) -> None:
        if not PREFIX_RE.match(prefix):
            raise ValueError(f"stand-in prefix {prefix!r} is invalid: {PREFIX_RULE}")
        self.prefix = prefix
        self.dir = state_dir(prefix)

    @property
    def host_netns(self) -> str:
        return f"{self.prefix}.host"

    def vm_netns(self, vm: Vm) -> str:
        return f"{self.prefix}.{vm.short}"

    @property
    def vms_dir(self) -> Path:
        return self.dir / "vms"

    @property
    def box_layer(self) -> Path:
        return self.dir / "box" / "upper"

    @property
    def bin_dir(self) -> Path:
        return self.dir / "bin"

    @property
    def vagrant_home(self) -> Path:
        return self.dir / "vagrant.d"

    @property
    def etc(self) -> Path:
        """The runner's /etc as far as VirtualBox goes: laid over the real /etc in vagrant's
        view (``runner_etc``); holds only ``vbox/``."""
        return self.dir / "etc"

    @property
    def vbox_etc(self) -> Path:
        """What this stand-in's runner has as ``/etc/vbox`` (``networks.conf`` in it)."""
        return self.etc / "vbox"

    @property
    def log(self) -> Path:
        return self.dir / "vboxmanage.log"

    @contextlib.contextmanager
    def registry(self) -> Iterator[Registry]:
        """The registry, locked for the block; changes are saved when the block ends cleanly."""
        path = self.dir / STATE_FILE
        with open(self.dir / "vbox.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            data = json.loads(path.read_text()) if path.exists() else {}
            reg = Registry.from_json(data)
            yield reg
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(reg), indent=1))
            os.replace(tmp, path)
