"""fence_vbox on the Vagrant path (issue 19 §1): what one description renders for VirtualBox
runners, and what it refuses. The real agent's own check of these parameters is the
integration test ``tests/integration/test_fence_vbox.py``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pytest_hacluster import config, export, fencing, render
from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import LabBackend, LabError
from pytest_hacluster.backends.vagrant import VagrantBackend, VagrantError

VBOX = {"host": "192.168.1.1", "login": "vbox", "identity_file": "/root/.ssh/fence_vbox"}


def vbox_description(**extra: object) -> config.Description:
    return config.from_mapping({"fencing": {"enabled": True, "device": "vbox",
                                            "vbox": {**VBOX, **extra}}})


def test_fence_vbox_renders_a_device_per_node_naming_its_vm() -> None:
    text = render.crm_configuration(vbox_description(), render.DEBIAN12)
    for node in ("s1", "s2"):
        device = text.split(f"primitive fence_{node} ")[1].split("location")[0]
        assert device.startswith("stonith:fence_vbox")
        assert (f"params ip=192.168.1.1 ipport=22 username=vbox "
                f"identity_file=/root/.ssh/fence_vbox ssh=1 plug=hacluster-{node} "
                f"pcmk_host_list={node} pcmk_host_check=static-list") in device
        assert f"location fence_{node}-not-on-{node} fence_{node} -inf: {node}" in text
    assert "stonith-enabled=true" in text
    # Debian ships fence_vbox: nothing of the project's is written into the nodes for it
    assert not any("fence" in f.path for f in render.node_files(vbox_description(),
                                                                 render.DEBIAN12, "s1"))


def test_vm_names_and_the_vboxmanage_path_come_from_the_description() -> None:
    desc = vbox_description(vms={"s1": "prod web 1"}, vboxmanage_path="/opt/vb/VBoxManage",
                            port=2200)
    text = render.crm_configuration(desc, render.DEBIAN12)
    assert 'plug="prod web 1"' in text and "plug=hacluster-s2" in text
    assert text.count("vboxmanage_path=/opt/vb/VBoxManage") == 2
    assert text.count("ipport=2200") == 2


def test_the_export_names_the_vms_and_the_package_only_with_fence_vbox(tmp_path: Path) -> None:
    desc = vbox_description()
    nodes = json.loads(export.nodes_json(desc))["nodes"]
    assert [n["vm_name"] for n in nodes] == ["hacluster-s1", "hacluster-s2"]
    assert "FENCE_PACKAGES=fence-agents" in export.node_env(desc, render.DEBIAN12, "s1")
    for plain in (config.Description(), config.with_fencing(config.Description())):
        assert not any("vm_name" in n for n in json.loads(export.nodes_json(plain))["nodes"])
        assert "FENCE_PACKAGES=''" in export.node_env(plain, render.DEBIAN12, "s1")


def test_the_vagrantfile_and_cluster_sh_use_what_the_export_gives() -> None:
    root = Path(__file__).parents[2]
    vagrantfile = (root / "Vagrantfile").read_text()
    assert 'if node["vm_name"]' in vagrantfile and 'vb.name = node["vm_name"]' in vagrantfile
    assert "${FENCE_PACKAGES:-}" in (root / "provision" / "cluster.sh").read_text()


@pytest.mark.parametrize(("table", "words"), [
    ({}, "fencing.vbox: fence_vbox needs host, login, identity_file"),
    ({"host": "192.168.1.1"}, "fencing.vbox: fence_vbox needs login, identity_file"),
    ({**VBOX, "vms": {"s3": "x"}}, "fencing.vbox.vms.s3: no such node"),
    ({**VBOX, "port": 0}, "fencing.vbox.port: 0 is not a TCP port"),
    ({**VBOX, "passwd": "x"}, "unknown key 'passwd'"),
])
def test_fence_vbox_refuses_what_it_cannot_work_without(table: dict[str, object],
                                                       words: str) -> None:
    with pytest.raises(config.ConfigError, match=words):
        config.from_mapping({"fencing": {"enabled": True, "device": "vbox", "vbox": table}})


def test_fence_vbox_settings_are_not_needed_while_fencing_is_off() -> None:
    desc = config.from_mapping({"fencing": {"device": "vbox"}})
    assert not desc.fencing.enabled and fencing.packages(desc) == ()
    assert fencing.vm_names(desc) == {}


def test_the_lab_refuses_fence_vbox_before_anything_starts() -> None:
    lab = LabBackend(vbox_description(), Settings(prefix="hacl-unit"))
    with pytest.raises(LabError, match="fence device 'vbox' \\(fence_vbox\\) powers machines "
                                       "of the vagrant, ssh backend, not lab nodes"):
        lab.check()


def test_the_vagrant_backend_refuses_the_labs_device_and_takes_fence_vbox(
    tmp_path: Path,
) -> None:
    def vagrant(device: str) -> VagrantBackend:
        desc = config.from_mapping({"fencing": {"enabled": True, "device": device,
                                                "vbox": VBOX},
                                    "vagrant": {"env": {"PATH": str(tmp_path)}}})
        return VagrantBackend(desc, Settings(rootdir=tmp_path))

    with pytest.raises(VagrantError, match=r"fence device 'lab' \(fence_hacluster_lab\) cannot "
                                           r'power VirtualBox VMs: set .* device = "vbox"'):
        vagrant("lab").check()
    # fence_vbox passes this check: the next one is the runner's (no vagrant on this PATH)
    with pytest.raises(VagrantError, match="vagrant is not installed"):
        vagrant("vbox").check()
