"""The Vagrant path with another profile and another node count, as a user would take it: the
project's Vagrantfile and provision/, ``profile = "apache-samba"`` and the three nodes of
``docs/examples/three-nodes.toml`` in ``[tool.hacluster]``, the real ``vagrant up`` on the
VirtualBox stand-in, then ``pytest --hacluster --hacluster-backend=vagrant`` on what it made.

Checked as users see it, from the stand-in's namespace (``http_from = netns:...``; nothing goes
to 192.168.x from the root namespace): the Samba share's file and the NetBIOS name answer through
``vip_samba`` from the node running group ``samba``, Apache's page through ``vip_httpd``, all
three nodes online in one cluster, and a killed ``smbd`` restarted in place by its LSB monitor.
The provisioners that ran are read from vagrant's own output (``samba (shell)`` on every node,
``pacemaker (shell)`` once, on the last).

Opt-in: it runs only when asked for by its marker, ``pytest -m vagrant_profiles
tests/integration``; three machines booted one after the other by vagrant and provisioned take
about 5-6 minutes, a third of CI's whole run (README, "Trying it without VirtualBox").
The stand-in is named ``<base>-vs`` (``labtools.prefix_base``), apart from
``test_vagrant_standin.py``'s ``<base>-vb``, so both can run at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_hacluster import cluster_key, hostonly
from pytest_hacluster.backends.lab import remove
from pytest_hacluster.vbox.standin import StandIn
from tests.integration.labtools import REPO, Spawned, leftovers, prefix_base, pytest_argv
from tests.integration.test_vagrant_standin import SEED_NETWORKS, _free_port, _listeners

PREFIX = f"{prefix_base()}-vs"
THREE_NODES = REPO / "docs" / "examples" / "three-nodes.toml"
PROFILE = "apache-samba"
RUN_TIMEOUT_S = 1500

pytestmark = pytest.mark.vagrant_profiles


@pytest.fixture(scope="module", autouse=True)
def opted_in(request: pytest.FixtureRequest) -> None:
    """Skip unless ``-m`` names the marker (autouse: before the stand-in is made)."""
    if "vagrant_profiles" not in (request.config.option.markexpr or ""):
        pytest.skip("opt-in, about 5-6 minutes: `pytest -m vagrant_profiles tests/integration` "
                    "runs the Vagrant path with apache-samba on three nodes")


def _nodes_toml(ports: dict[str, int]) -> str:
    """The example's nodes as written there, each ssh port moved to a free one on loopback."""
    nodes = tomllib.loads(THREE_NODES.read_text())["tool"]["hacluster"]["nodes"]
    assert sorted(nodes) == sorted(ports), f"{THREE_NODES} describes {sorted(nodes)}"
    out = []
    for name, spec in nodes.items():
        out.append(f"[tool.hacluster.nodes.{name}]\n")
        out += [f'{key} = "{value}"\n' for key, value in spec.items() if key != "ssh_port"]
        out.append(f"ssh_port = {ports[name]}\n\n")
    return "".join(out)


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
def project(standin: StandIn, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A user's project: the Vagrantfile, provision/, and [tool.hacluster] naming the profile
    and the example's three nodes."""
    root = tmp_path_factory.mktemp("vagrant-samba-project")
    shutil.copy(REPO / "Vagrantfile", root / "Vagrantfile")
    shutil.copytree(REPO / "provision", root / "provision")
    env = standin.env()
    ports = {n: _free_port() for n in ("s1", "s2", "s3")}
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "-ra -v"\n\n'
        f'[tool.hacluster]\nprofile = "{PROFILE}"\n\n'
        + _nodes_toml(ports)
        + f'[tool.hacluster.vagrant]\nhttp_from = "netns:{standin.netns}"\n'
        f'env = {{ PATH = "{env["PATH"].split(":")[0]}:${{PATH}}", '
        f'VAGRANT_HOME = "{env["VAGRANT_HOME"]}", '
        f'{hostonly.VBOX_ETC_ENV} = "{env[hostonly.VBOX_ETC_ENV]}" }}\n'
    )
    try:
        yield root
    finally:
        subprocess.run(["vagrant", "destroy", "--force"], cwd=root,
                       env={**os.environ, **standin.env()}, capture_output=True, timeout=600,
                       check=False)
        cluster_key.forget(root)


def test_samba_profile_on_three_vagrant_machines(standin: StandIn, project: Path) -> None:
    acceptance = REPO / "tests" / "acceptance"
    start = time.monotonic()
    run = Spawned(pytest_argv(
        "-c", str(project / "pyproject.toml"), "--rootdir", str(project), "--hacluster",
        "--hacluster-backend=vagrant",
        str(acceptance / "test_services.py"),
        f"{acceptance / 'test_kill_service.py'}::test_killed_service_restarts_in_place[smb]",
    ), env={**os.environ, "PYTHONPATH": str(REPO)})
    code = run.finish(timeout=RUN_TIMEOUT_S)
    took = time.monotonic() - start
    assert code == 0, run.output
    print(f"vagrant path, {PROFILE} on three nodes: {took:.0f} s from pytest to nothing left")

    out = run.output
    # Rendered and provisioned: Samba on every node, the cluster configured once, on the last.
    for node in ("s1", "s2", "s3"):
        assert f"==> {node}: Running provisioner: samba (shell)..." in out, node
    assert "==> s3: Running provisioner: pacemaker (shell)..." in out
    assert "==> s1: Running provisioner: pacemaker (shell)..." not in out
    # What users see, through vip_samba: the share's file and the NetBIOS name, each a passed
    # test of its own (the ids name the checks), and three nodes in one cluster.
    for passed in ("test_url_serves_its_page_from_the_group_node[share] PASSED",
                   "test_url_serves_its_page_from_the_group_node[netbios] PASSED",
                   "test_url_serves_its_page_from_the_group_node[web] PASSED",
                   "test_group_runs_whole_on_exactly_one_node[samba] PASSED",
                   "test_both_nodes_online PASSED",
                   "test_killed_service_restarts_in_place[smb] PASSED"):
        assert passed in out, passed

    # Without --hacluster-keep: the machines are destroyed, their forwards gone.
    assert not [n for n in os.listdir("/run/netns") if n.startswith(f"{PREFIX}.vm")]
    assert list(standin.place.vms_dir.iterdir()) == []
    for line in (project / "pyproject.toml").read_text().splitlines():
        if line.startswith("ssh_port = "):
            assert _listeners(int(line.split("=")[1])) == []
    standin.destroy()
    assert leftovers(PREFIX) == []
