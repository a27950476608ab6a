"""Debian's real ``fence_vbox`` accepts what the Vagrant path renders for it (issue 19 §1).

The agent (fence-agents 4.12, Debian 12) is run as Pacemaker's fencer runs it: ``name=value``
lines on stdin, the parameters taken from the rendering of one description. Its ``metadata``
must name every rendered parameter, and its ``validate-all`` (which checks the options, the
identity file included, without logging in anywhere) must pass them without ignoring any.

What is not run here: ``status``, ``list``, ``off`` and ``on``. They log in over ssh to the
VirtualBox host and run ``VBoxManage`` there. This machine has no sshd, and the only
"VirtualBox host" is the stand-in (``pytest_hacluster/vbox``), whose VBoxManage acts in the
host's own mount and PID namespaces: an sshd the stand-in's VMs could reach would give a node a
shell on the host unless locked to a forced command that runs nothing but VBoxManage, which is
not built. README, "Fencing on VirtualBox runners", says the same.

Where the agent comes from: an installed ``fence-agents`` (``/usr/sbin/fence_vbox``), or
``HACLUSTER_FENCE_AGENTS=DIR`` naming a directory the packages were unpacked into, never
installed on the host::

    apt-get download fence-agents python3-pycurl python3-pexpect python3-ptyprocess
    for d in *.deb; do dpkg-deb -x "$d" DIR; done
"""

from __future__ import annotations

import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_hacluster import config, fencing, render

PYTHON = "/usr/bin/python3"  # the agent's own interpreter (#!/usr/bin/python3), with pexpect


def _agent() -> tuple[Path, dict[str, str]]:
    """The fence_vbox to run and the environment it needs; skips naming how to get one."""
    root = os.environ.get("HACLUSTER_FENCE_AGENTS")
    if root:
        base = Path(root)
        agent = base / "usr/sbin/fence_vbox"
        if not agent.is_file():
            pytest.fail(f"HACLUSTER_FENCE_AGENTS={root}: no usr/sbin/fence_vbox under it")
        path = [str(base / "usr/share/fence"), str(base / "usr/lib/python3/dist-packages")]
        return agent, {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    if Path("/usr/sbin/fence_vbox").is_file():
        return Path("/usr/sbin/fence_vbox"), dict(os.environ)
    pytest.skip("Debian's fence_vbox is not here: install fence-agents, or unpack it, "
                "python3-pycurl, python3-pexpect and python3-ptyprocess with dpkg-deb -x into "
                "DIR and set HACLUSTER_FENCE_AGENTS=DIR")


def _run(stdin: str) -> subprocess.CompletedProcess[str]:
    agent, env = _agent()
    return subprocess.run([PYTHON, str(agent)], input=stdin, capture_output=True, text=True,
                          env=env, timeout=30, check=False)


def _description(identity_file: Path) -> config.Description:
    return config.from_mapping({"fencing": {"enabled": True, "device": "vbox", "vbox": {
        "host": "192.168.1.1", "login": "vbox", "identity_file": str(identity_file),
        "vms": {"s2": "hacluster s2 (prod)"}, "vboxmanage_path": "/usr/bin/VBoxManage"}}})


def _stdin(params: dict[str, str], action: str) -> str:
    """What Pacemaker's fencer writes to an agent: one ``name=value`` line each."""
    return "".join(f"{k}={v}\n" for k, v in {"action": action, **params}.items())


def test_its_metadata_names_every_parameter_the_rendering_gives(tmp_path: Path) -> None:
    result = _run("action=metadata\n")
    assert result.returncode == 0, result.stderr
    names = {p.get("name") for p in ET.fromstring(result.stdout).iter("parameter")}
    desc = _description(tmp_path / "key")
    rendered = render.crm_configuration(desc, render.DEBIAN12)
    for node in desc.node_names:
        params = fencing.vbox_params(desc, node)
        assert set(params) <= names, f"not fence_vbox parameters: {set(params) - names}"
        assert f"primitive fence_{node} stonith:fence_vbox" in rendered


@pytest.mark.parametrize("node", ["s1", "s2"])
def test_validate_all_accepts_the_rendered_parameters(tmp_path: Path, node: str) -> None:
    key = tmp_path / "fence_vbox"
    key.write_text("not read by validate-all, only checked to exist\n")
    key.chmod(0o600)
    result = _run(_stdin(fencing.vbox_params(_description(key), node), "validate-all"))
    assert result.returncode == 0, result.stderr
    assert "Ignoring unknown option" not in result.stderr, result.stderr


def test_validate_all_refuses_a_key_that_is_not_on_the_node(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-key"
    result = _run(_stdin(fencing.vbox_params(_description(missing), "s1"), "validate-all"))
    assert result.returncode != 0
    assert f"Identity file {missing} does not exist" in result.stderr
