"""Debian's real ``fence_vbox`` accepts what the Vagrant path renders for it (issue 19 §1).

The agent (fence-agents 4.12, Debian 12) is run as Pacemaker's fencer runs it: ``name=value``
lines on stdin, the parameters taken from the rendering of one description. Its ``metadata``
must name every rendered parameter, and its ``validate-all`` (which checks the options, the
identity file included, without logging in anywhere) must pass them without ignoring any.

``status``, ``list`` and ``off`` run for real against the VBoxManage stand-in: fence_vbox logs
in over ssh (127.0.0.1 only) to a harness sshd (below) and runs the stand-in's VBoxManage, which
powers a stand-in VM off (its network namespace's name then stays in the host's view until
the stand-in is removed, which the test does: the stand-in deleted it inside the harness's
mount namespace). What is not run: ``on``. The stand-in's ``startvm`` makes network
namespaces and mounts; run through the harness it would make them inside the harness's
private mount namespace, out of the host's view (and out of ``hacluster-lab gc``'s). Nor do the
nodes run the agent themselves: that needs an sshd the VMs can reach, which on this machine
would be a shell in the host's namespaces (README, "Fencing on VirtualBox runners").

Where the agent comes from: an installed ``fence-agents`` (``/usr/sbin/fence_vbox``), or
``HACLUSTER_FENCE_AGENTS=DIR`` naming a directory the packages were unpacked into, never
installed on the host::

    apt-get download fence-agents python3-pycurl python3-pexpect python3-ptyprocess
    for d in *.deb; do dpkg-deb -x "$d" DIR; done
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_hacluster import config, fencing, render
from pytest_hacluster.backends.lab import remove
from pytest_hacluster.vbox.standin import StandIn
from pytest_hacluster.waiting import wait_until
from tests.integration.labtools import prefix_base

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


# -- status, list and off against the VBoxManage stand-in ------------------------------------
#
# The "VirtualBox host" is this machine running the stand-in; fence_vbox reaches it the way it
# reaches a real one, over ssh, here on 127.0.0.1 only. The sshd is a test harness: the box
# layer's own sshd binary (this machine has none), run in a mount namespace of its own where
# /etc/passwd, group and shadow are the box's (which add the privilege-separation user sshd)
# and /run is a small tmpfs holding sshd's /run/sshd plus the host's /run/hacluster and
# /run/netns, so the host's files are not changed. Its one login is root with a key made for
# the test, forced into rbash whose PATH holds nothing but a VBoxManage that runs the
# stand-in's: the lock-down a real VirtualBox host's admin should use too.

STANDIN_PREFIX = f"{prefix_base()}-fv"

SSHD_CONFIG = """\
ListenAddress 127.0.0.1:{port}
HostKey {d}/host_key
AuthorizedKeysFile {d}/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile {d}/sshd.pid
AllowTcpForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
ForceCommand env -i PS1='[EXPECT]# ' HISTFILE=/dev/null PATH={d}/rbin TERM=dumb \
/bin/rbash --noprofile --norc -i
"""

RUN_SSHD = """\
set -e
for f in passwd group shadow; do mount --bind "{box}/etc/$f" "/etc/$f"; done
mount -t tmpfs -o mode=755,size=4m hacluster-sshd-run "{d}/run"
mkdir -p "{d}/run/sshd" "{d}/run/hacluster" "{d}/run/netns"
mount --rbind /run/hacluster "{d}/run/hacluster"
mount --rbind /run/netns "{d}/run/netns"
mount --rbind "{d}/run" /run
exec timeout {limit} "{box}/usr/sbin/sshd" -D -e -f "{d}/sshd_config"
"""

VBOXMANAGE = """\
#!/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin exec "{real}" "$@"
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def standin() -> Iterator[StandIn]:
    """A stand-in of this test's own with one VM, ``hacluster-s1``, imported from its box and
    running; gone afterwards."""
    _agent()  # skip before building anything when the agent is missing
    remove(STANDIN_PREFIX)
    made = StandIn(STANDIN_PREFIX)
    made.create()
    try:
        env = {**os.environ, **made.env()}
        ovfs = sorted(made.place.vagrant_home.glob("boxes/*/*/virtualbox/box.ovf"))
        assert ovfs, f"no box.ovf under {made.place.vagrant_home}"
        for argv in (["VBoxManage", "import", str(ovfs[0]), "--vsys", "0", "--vmname",
                      "hacluster-s1"],
                     ["VBoxManage", "startvm", "hacluster-s1", "--type", "headless"]):
            done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120,
                                  check=False)
            assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
        yield made
    finally:
        made.destroy()


@pytest.fixture
def vbox_host(standin: StandIn, tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """The harness sshd on 127.0.0.1 (port, client key), stopped afterwards (by its process
    group); the host's user files are checked unchanged."""
    box = standin.place.box_layer
    sshd = box / "usr/sbin/sshd"
    if not sshd.is_file():
        pytest.fail(f"the stand-in's box has no sshd at {sshd}")
    d = tmp_path / "vboxhost"
    (d / "rbin").mkdir(parents=True)
    (d / "run").mkdir()
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(d / name)],
                       check=True, timeout=30)
    (d / "authorized_keys").write_text((d / "client_key.pub").read_text())
    wrapper = d / "rbin/VBoxManage"
    wrapper.write_text(VBOXMANAGE.format(real=standin.place.bin_dir / "VBoxManage"))
    wrapper.chmod(0o755)
    port = _free_port()
    (d / "sshd_config").write_text(SSHD_CONFIG.format(port=port, d=d))
    users = {p: _digest(p) for p in ("/etc/passwd", "/etc/group", "/etc/shadow")}
    with open(d / "sshd.log", "w") as log:
        server = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             RUN_SSHD.format(box=box, d=d, limit=600)],
            stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    try:
        def listening() -> bool:
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", port)) == 0

        wait_until(listening, timeout=15, interval=0.1,
                   what=f"the harness sshd on 127.0.0.1:{port} (log: {d / 'sshd.log'})")
        yield port, d / "client_key"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=15)
    assert {p: _digest(p) for p in users} == users, "the host's user files changed"
    assert not Path("/run/sshd").exists(), "the harness left /run/sshd on the host"


def _fence(port: int, key: Path, action: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """fence_vbox ``action`` with the rendered parameters of node s1's device; (result, s)."""
    desc = config.from_mapping({"fencing": {"enabled": True, "device": "vbox", "vbox": {
        "host": "127.0.0.1", "port": port, "login": "root", "identity_file": str(key),
        "vms": {"s1": "hacluster-s1"}}}})
    params = fencing.vbox_params(desc, "s1")
    # The harness's host key goes to a known_hosts of the test's, not root's ~/.ssh.
    params["ssh_options"] = (f"-t -F /dev/null -o UserKnownHostsFile={key.parent}/known_hosts "
                             "-o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=no "
                             "-o IdentitiesOnly=yes")
    started = time.monotonic()
    result = _run(_stdin(params, action))
    return result, time.monotonic() - started


def test_status_list_and_off_against_the_standin(vbox_host: tuple[int, Path],
                                                 standin: StandIn) -> None:
    port, key = vbox_host
    listed, _ = _fence(port, key, "list")
    assert listed.returncode == 0, listed.stderr
    assert re.search(r"^hacluster-s1,[0-9a-f-]{36}$", listed.stdout, re.M), listed.stdout
    on, _ = _fence(port, key, "status")
    assert (on.returncode, on.stdout.strip()) == (0, "Status: ON"), on.stderr
    off, took = _fence(port, key, "off")
    assert off.returncode == 0 and "Success: Powered OFF" in off.stdout, off.stderr
    now, _ = _fence(port, key, "status")
    assert (now.returncode, now.stdout.strip()) == (2, "Status: OFF"), now.stderr
    running = subprocess.run(["VBoxManage", "list", "runningvms"], capture_output=True,
                             text=True, timeout=30, env={**os.environ, **standin.env()},
                             check=True).stdout
    assert "hacluster-s1" not in running, running
    print(f"fence_vbox off through ssh and the stand-in: {took:.1f}s")
