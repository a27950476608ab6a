"""The Vagrant path for real, on the VirtualBox stand-in: the real ``vagrant`` CLI, the project's
Vagrantfile and provision/, python-vagrant, sshd and fabric, and a real cluster in the "VMs".

One bring-up serves four runs of ``pytest --hacluster`` as a user types them:

1. ``--hacluster-backend=vagrant --hacluster-keep``: ``vagrant up`` (streamed), the acceptance
   tests, a cable pulled with ``VBoxManage controlvm setlinkstate``, a power cut with
   ``controlvm poweroff`` and the node booted again; the machines stay up;
2. ``--hacluster-backend=ssh`` against those machines through their forwards on 127.0.0.1;
3. ``--hacluster-backend=vagrant --hacluster-keep`` again: the running machines are reused;
4. ``--hacluster-backend=vagrant`` without keep: ``vagrant up`` finds them up, then
   ``vagrant destroy``.

Then the stand-in is removed and nothing of it may remain. Before that, a run interrupted while
vagrant boots must leave no VM; after it, ``hacluster-lab gc`` must clean up a crashed
stand-in. HTTP checks run inside the stand-in's namespace (``http_from = netns:...``): nothing
is sent to 192.168.x from the root namespace.
The stand-in is named ``<base>-vb`` from ``HACLUSTER_TEST_PREFIX`` (``labtools.prefix_base``:
``hv`` gives ``haclhv-vb``), or ``HACLUSTER_STANDIN_PREFIX`` when set.

It models a current runner: VirtualBox 7.0, the default box without guest additions (the
Vagrantfile's rsync folder is the only way in), and a ``networks.conf`` allowing the seed's
networks, written as a runner's admin would (``StandIn.allow``). Without that line the real
vagrant refuses the seed's addresses, in its own words, as on a real runner.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_hacluster import cluster_key, hostonly
from pytest_hacluster.backends.lab import remove
from pytest_hacluster.vbox.standin import StandIn
from tests.integration.labtools import (
    REPO,
    Spawned,
    cli_argv,
    leftovers,
    prefix_base,
    pytest_argv,
)

PREFIX = os.environ.get("HACLUSTER_STANDIN_PREFIX") or f"{prefix_base()}-vb"
SEED_NETWORKS = ["192.168.1.0/24", "192.168.9.0/24"]
RUN_TIMEOUT_S = 900

if shutil.which("vagrant") is None:
    pytest.skip(
        "the Vagrant path needs the vagrant CLI: apt-get install -y --no-install-recommends "
        "vagrant (.ci/run installs it)",
        allow_module_level=True,
    )

CABLE_TEST = '''
"""A pulled cable, the way VirtualBox pulls it (VBoxManage controlvm setlinkstateN off)."""
from pytest_hacluster.waiting import wait_until


def test_pulled_service_cable_takes_the_group_off_the_lan_and_back(hacluster):
    nic = hacluster.description.service_nic
    owner = hacluster.state().groups[hacluster.description.web.name].started_on
    url = hacluster.urls["web"]
    hacluster.backend.set_cable(owner, nic, False)
    try:
        wait_until(lambda: hacluster.http.get(url, timeout=1), lambda r: not r.ok,
                   timeout=20, interval=0.5, what=f"{url} to stop answering",
                   describe=lambda r: r.describe())
        carrier = hacluster.nodes[owner].run(["cat", f"/sys/class/net/{nic}/carrier"])
        assert carrier.stdout.strip() == "0"  # the node sees it: no carrier, not just loss
    finally:
        hacluster.backend.set_cable(owner, nic, True)
    hacluster.wait_healthy(timeout=120)


def test_power_cut_moves_the_group_and_the_node_comes_back(hacluster, hacluster_scenario):
    """controlvm poweroff, then vagrant up + the cluster stack, as VirtualBox would; a fault of
    the scenario, so the invariant watcher knows the node changes are its doing."""
    url = hacluster.urls["web"]
    owner = hacluster.state().groups[hacluster.description.web.name].started_on
    other = next(n for n in hacluster.description.node_names if n != owner)
    crash = hacluster_scenario.faults.crash(owner)
    wait_until(lambda: hacluster.http.get(url, timeout=1),
               lambda r: r.ok and r.node == other, timeout=120, interval=0.5,
               what=f"{url} served by {other}", describe=lambda r: r.describe())
    crash.undo()
    hacluster.wait_healthy(timeout=180)
    assert hacluster.state().nodes[owner].state == "online"
'''

SSH_FAULT_TEST = '''
import pytest
from pytest_hacluster.backends.base import FaultNotSupported


def test_an_existing_cluster_has_no_cable_to_pull(hacluster):
    with pytest.raises(FaultNotSupported, match="cannot pull cables"):
        hacluster.backend.set_cable("s1", "eth1", False)
'''


def _free_port() -> int:
    """A free port below the ephemeral range: a port the kernel may hand to any outgoing
    connection meanwhile would make vagrant's collision check fail at random."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for port in random.sample(range(20000, low), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free port below the ephemeral range")


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    remove(PREFIX)  # what a crashed earlier run left
    made = StandIn(PREFIX)
    made.create(allow=tuple(SEED_NETWORKS))
    try:
        yield made
    finally:
        made.destroy()


@pytest.fixture(scope="module")
def project(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project: the Vagrantfile and provision/, [tool.hacluster] for the stand-in."""
    root = tmp_path_factory.mktemp("vagrant-project")
    shutil.copy(REPO / "Vagrantfile", root / "Vagrantfile")
    shutil.copytree(REPO / "provision", root / "provision")
    (root / "cable").mkdir()
    (root / "cable" / "test_cable.py").write_text(CABLE_TEST)
    (root / "sshfaults").mkdir()
    (root / "sshfaults" / "test_ssh_faults.py").write_text(SSH_FAULT_TEST)
    env = standin.env()
    ports = {"s1": _free_port(), "s2": _free_port()}
    keys = {n: f"{root}/.vagrant/machines/{n}/virtualbox/private_key" for n in ports}
    (root / "pyproject.toml").write_text(
        "[tool.pytest.ini_options]\naddopts = \"-ra\"\n\n"
        + "".join(f"[tool.hacluster.nodes.{n}]\nssh_port = {p}\n" for n, p in ports.items())
        + f'\n[tool.hacluster.vagrant]\nhttp_from = "netns:{standin.netns}"\n'
        f'env = {{ PATH = "{env["PATH"].split(":")[0]}:${{PATH}}", '
        f'VAGRANT_HOME = "{env["VAGRANT_HOME"]}", '
        f'{hostonly.VBOX_ETC_ENV} = "{env[hostonly.VBOX_ETC_ENV]}" }}\n'
        f'\n[tool.hacluster.ssh]\nuser = "vagrant"\nsudo = true\ntrust_new_hosts = true\n'
        f'http_from = "netns:{standin.netns}"\n'
        "hosts = { " + ", ".join(f'{n} = "127.0.0.1:{p}"' for n, p in ports.items()) + " }\n"
        "keys = { " + ", ".join(f'{n} = "{k}"' for n, k in keys.items()) + " }\n"
    )
    return root


def _pytest(project: Path, *args: str) -> Spawned:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return Spawned(pytest_argv("-c", str(project / "pyproject.toml"), "--rootdir", str(project),
                               "--hacluster", *args), env=env)


def _listeners(port: int) -> list[str]:
    """Local addresses listening on ``port`` in this (the root) namespace."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, _, hexport = local.rpartition(":")
                if state == "0A" and int(hexport, 16) == port:
                    found.append(addr)
    return found


def _vagrant(standin: StandIn, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The stand-in's vagrant (the real one, seeing the runner's /etc/vbox) in the project."""
    return subprocess.run(["vagrant", *args], cwd=project, env={**os.environ, **standin.env()},
                          capture_output=True, text=True, timeout=600, check=False)


def test_without_networks_conf_the_seeds_networks_are_refused(
    standin: StandIn, project: Path
) -> None:
    """A fresh runner (VirtualBox 7.0, no networks.conf): the preflight says what to add before
    anything boots; past it, the real vagrant refuses the seed's address in its own words."""
    host_etc_vbox = Path("/etc/vbox").exists()
    conf = standin.allow([])
    try:
        run = _pytest(project, "--hacluster-backend=vagrant", str(project / "cable"))
        assert run.finish(timeout=300) != 0, run.output
        assert (f"as root, add the line `* 192.168.1.0/24 192.168.9.0/24` to {conf}"
                in run.output)
        assert "Booting VM" not in run.output and "vagrant up done" not in run.output

        exported = subprocess.run(
            [sys.executable, "-m", "pytest_hacluster.export", "--out", ".hacluster/rendered"],
            cwd=project, capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, "PYTHONPATH": str(REPO)})
        assert exported.returncode == 0, exported.stderr
        done = _vagrant(standin, project, "up", "s1", "--no-provision")
        out = done.stdout + done.stderr
        assert done.returncode != 0, out
        assert "The IP address configured for the host-only network is not within the" in out
        assert "Address: 192.168.1.121" in out and "Ranges: 192.168.56.0/21" in out
        assert "Booting VM" not in out
    finally:
        _vagrant(standin, project, "destroy", "--force")
        cluster_key.forget(project)
        standin.allow(SEED_NETWORKS)
    assert Path("/etc/vbox").exists() == host_etc_vbox  # the host's /etc as it was


def test_interrupt_during_vagrant_up_on_virtualbox_standin_leaves_no_vm(
    standin: StandIn, project: Path
) -> None:
    """Ctrl-C while vagrant boots the first machine: vagrant stops, destroy runs, no VM stays."""
    run = _pytest(project, "--hacluster-backend=vagrant", str(project / "cable"))
    try:
        run.wait_for_line("Booting VM...", timeout=120)
        run.proc.send_signal(signal.SIGINT)
        code = run.finish(timeout=300)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    assert code != 0, run.output
    assert "vagrant destroy failed" not in run.output
    assert not [n for n in os.listdir("/run/netns") if n.startswith(f"{PREFIX}.vm")]
    assert list(standin.place.vms_dir.iterdir()) == []  # imported before the boot: destroyed
    assert not (project / ".hacluster" / "authkey").exists()
    for line in (project / "pyproject.toml").read_text().splitlines():
        if line.startswith("ssh_port = "):  # no forward outlives its VM
            port = int(line.split("=")[1])
            assert _listeners(port) == [], (port, subprocess.run(
                ["ss", "-ltnp"], capture_output=True, text=True, check=False).stdout)


def test_vagrant_and_ssh_backends_on_virtualbox_standin(standin: StandIn, project: Path) -> None:
    # The seed's expected results; the fault scenarios run on the lab (minutes each on a VM).
    acceptance = [str(REPO / "tests" / "acceptance" / m)
                  for m in ("test_services.py", "test_detection_timing.py")]
    cable = str(project / "cable")

    # One fault scenario too: the probe, a kill over ssh with sudo, repair, on the VMs.
    kill = str(REPO / "tests" / "acceptance" / "test_kill_service.py")
    run = _pytest(project, "--hacluster-backend=vagrant", "--hacluster-keep", *acceptance, cable,
                  f"{kill}::test_killed_service_restarts_in_place[httpd]")
    code = run.finish(timeout=RUN_TIMEOUT_S)
    assert code == 0, run.output
    assert "hacluster: vagrant: ==> s2: Running provisioner: pacemaker (shell)..." in run.output
    assert "vagrant up done in" in run.output and " passed" in run.output
    assert "ok SIGKILL httpd on" in run.output  # measured from the stand-in's namespace
    for line in (project / "pyproject.toml").read_text().splitlines():
        if line.startswith("ssh_port = "):  # the forwards listen on loopback only
            assert _listeners(int(line.split("=")[1])) == ["0100007F"]
    root_addrs = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True,
                                check=True).stdout
    assert "192.168." not in root_addrs
    # The key: made on the host 0600, copied one way by rsync, the same on both nodes; the box
    # has no guest additions, so there is no vboxsf to mount.
    key = project / ".hacluster" / "authkey"
    assert key.stat().st_mode & 0o777 == 0o600
    for node in ("s1", "s2"):
        guest = _vagrant(standin, project, "ssh", node, "-c",
                         "sudo cmp /vagrant/.hacluster/authkey /etc/corosync/authkey && "
                         "echo same-key; test -e /sbin/mount.vboxsf || echo no-helper; "
                         "sudo mount -t vboxsf vagrant /mnt 2>/dev/null || echo no-vboxsf")
        assert guest.stdout.split() == ["same-key", "no-helper", "no-vboxsf"], guest

    run = _pytest(project, "--hacluster-backend=ssh", *acceptance, str(project / "sshfaults"))
    code = run.finish(timeout=RUN_TIMEOUT_S)
    assert code == 0, run.output
    assert "node s1: vagrant@127.0.0.1:" in run.output

    run = _pytest(project, "--hacluster-backend=vagrant", "--hacluster-keep", *acceptance,
                  "-k", "both_nodes_online")
    code = run.finish(timeout=RUN_TIMEOUT_S)
    assert code == 0, run.output
    assert "reusing the running machines s1, s2" in run.output
    assert "vagrant up done" not in run.output  # kept machines are used as they are

    run = _pytest(project, "--hacluster-backend=vagrant", *acceptance, "-k", "both_nodes_online")
    code = run.finish(timeout=RUN_TIMEOUT_S)
    assert code == 0, run.output
    assert not [n for n in os.listdir("/run/netns") if n.startswith(f"{PREFIX}.vm")]
    assert not (project / ".hacluster" / "authkey").exists()
    assert list((standin.place.vms_dir).iterdir()) == []

    standin.destroy()
    assert leftovers(PREFIX) == []
    assert not [line for line in subprocess.run(
        ["ps", "-eo", "args"], capture_output=True, text=True, check=True
    ).stdout.splitlines() if "pytest_hacluster.vbox" in line and PREFIX in line]


def test_gc_removes_a_crashed_virtualbox_standin(tmp_path: Path) -> None:
    """A stand-in whose owner died with a VM running: `hacluster-lab gc` takes it all away."""
    prefix = f"{PREFIX}-gc"
    remove(prefix)
    # Made by a process that then ends without cleaning up: its claim on the state dir goes
    # with it, as when a run crashes (gc leaves a stand-in whose owner still runs alone).
    subprocess.run(
        [sys.executable, "-c", "import sys; from pytest_hacluster.vbox.standin import StandIn; "
         "StandIn(sys.argv[1]).create(allow=('192.168.1.0/24',))", prefix],
        check=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    standin = StandIn(prefix)
    try:
        vbox = [str(standin.place.bin_dir / "VBoxManage")]

        def call(*args: str) -> str:
            return subprocess.run([*vbox, *args], capture_output=True, text=True, timeout=60,
                                  check=True).stdout

        port = _free_port()
        call("hostonlyif", "create")
        call("hostonlyif", "ipconfig", "vboxnet0", "--ip", "192.168.1.1", "--netmask",
             "255.255.255.0")
        call("import", "/dev/null", "--vsys", "0", "--vmname", "crashed")
        call("modifyvm", "crashed", "--nic2", "hostonly", "--hostonlyadapter2", "vboxnet0",
             "--natpf1", f"ssh,tcp,127.0.0.1,{port},,22")
        call("sharedfolder", "add", "crashed", "--name", "vagrant", "--hostpath", str(tmp_path))
        assert "successfully started" in call("startvm", "crashed", "--type", "headless")
        assert _listeners(port) == ["0100007F"]
        assert "running" in call("showvminfo", "crashed", "--machinereadable")
        assert leftovers(prefix)  # namespaces, processes, mounts of a running VM
    finally:
        done = subprocess.run(cli_argv("gc", "--prefix", prefix), capture_output=True,
                              text=True, timeout=120, check=False,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.returncode == 0, done.stderr
    assert leftovers(prefix) == []
    assert _listeners(port) == []
