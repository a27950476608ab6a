"""The Vagrant path: export.py, provision/*.sh and the Vagrantfile agree with the rendering.

Nothing here starts a VM, a daemon or sends a packet: the shell is run only on files under
tmp_path (with fake crm tools on PATH), the Vagrantfile is loaded by plain Ruby with a
recording stand-in for ``Vagrant.configure``.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pytest_hacluster import cluster_key, render
from pytest_hacluster import export as export_mod
from pytest_hacluster.config import Description, from_mapping
from pytest_hacluster.export import ExportError, export, main
from pytest_hacluster.profiles import PROFILES
from pytest_hacluster.render import CENTOS6, DEBIAN12, Directory, File, Stack

REPO = Path(__file__).resolve().parents[2]
PROVISION = REPO / "provision"
VAGRANTFILE = REPO / "Vagrantfile"
CRM_MON_DATA = Path(__file__).parent / "data" / "crm_mon"
SCRIPTS = sorted(p for p in PROVISION.glob("*.sh") if p.name != "lib.sh")
CENTOS6_SCRIPTS = sorted((PROVISION / "centos6").glob("*.sh"))
ALL_SHELL = sorted([*PROVISION.glob("*.sh"), *CENTOS6_SCRIPTS])

# A description unlike the seed in every value the Vagrant path carries, so a test cannot pass
# by finding the seed's numbers hard-coded somewhere.
OTHER = {
    "service_nic": "ens5",
    "interconnect_nic": "ens6",
    "netmask": 16,
    "gateway": "10.20.0.1",
    "web": {"vip": "10.20.0.101"},
    "webapp": {"vip": "10.20.0.102"},
    "timings": {"bringup_timeout_s": 7},
    "nodes": {
        "alpha": {
            "service_ip": "10.20.0.11",
            "interconnect_ip": "10.30.0.11",
            "ssh_port": 3022,
        },
        "beta": {
            "service_ip": "10.20.0.12",
            "interconnect_ip": "10.30.0.12",
            "ssh_port": 3122,
        },
    },
}


@pytest.fixture
def seed() -> Description:
    return Description()


@pytest.fixture
def other() -> Description:
    return from_mapping(OTHER)


def _files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _manifest(out: Path, node: str) -> list[tuple[str, str, int, str, str]]:
    rows = []
    for line in (out / node / "manifest.tsv").read_text().splitlines():
        kind, path, mode, owner, group = line.split("\t")
        rows.append((kind, path, int(mode, 8), owner, group))
    return rows


def _node_env(out: Path, node: str) -> dict[str, str]:
    """node.env as bash sees it after ``source``: quoting mistakes show up here."""
    script = 'set -a; source "$1"; env -0'
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script, "sh", str(out / node / "node.env")],
        capture_output=True,
        check=True,
        env={"PATH": os.environ["PATH"]},
    )
    pairs = (item.split("=", 1) for item in proc.stdout.decode().split("\0") if "=" in item)
    return dict(pairs)


# -- (a) export writes exactly the rendering ------------------------------------------------


@pytest.mark.parametrize("which", ["seed", "other"])
def test_export_writes_exactly_the_rendered_files(which: str, request, tmp_path: Path) -> None:
    desc = request.getfixturevalue(which)
    out = tmp_path / "rendered"
    export(desc, DEBIAN12, out)
    for node in desc.node_names:
        items = render.node_files(desc, DEBIAN12, node)
        files = {i.path: i for i in items if isinstance(i, File)}
        root = out / node / "files"
        on_disk = {"/" + str(p.relative_to(root)): p for p in _files_under(root)}
        assert set(on_disk) == set(files)
        for path, item in files.items():
            assert on_disk[path].read_text() == item.content, path
        expected = [
            ("file" if isinstance(i, File) else "dir", i.path, i.mode, i.owner, i.group)
            for i in items
        ]
        assert _manifest(out, node) == expected


def test_manifest_keeps_modes_and_owners_that_differ_from_the_defaults(tmp_path: Path) -> None:
    """server.xml (0640 root:tomcat) and the temp dir (0750 tomcat:tomcat) are the cases the
    provisioners would get wrong with a plain copy."""
    export(Description(), DEBIAN12, tmp_path / "r")
    rows = {row[1]: row for row in _manifest(tmp_path / "r", "s1")}
    assert rows["/etc/tomcat10/server.xml"] == (
        "file", "/etc/tomcat10/server.xml", 0o640, "root", "tomcat"
    )
    assert rows["/var/lib/tomcat10/temp"] == ("dir", "/var/lib/tomcat10/temp", 0o750, "tomcat",
                                              "tomcat")


def test_resources_crm_is_the_crm_configuration(other: Description, tmp_path: Path) -> None:
    export(other, DEBIAN12, tmp_path / "r")
    assert (tmp_path / "r" / "resources.crm").read_text() == render.crm_configuration(
        other, DEBIAN12
    )


def test_export_returns_every_file_it_wrote(seed: Description, tmp_path: Path) -> None:
    written = export(seed, DEBIAN12, tmp_path / "r")
    assert set(written) == _files_under(tmp_path / "r")
    assert len(written) == len(set(written))


def test_export_replaces_an_earlier_export_entirely(seed: Description, tmp_path: Path) -> None:
    out = tmp_path / "r"
    export(seed, DEBIAN12, out)
    stale = out / "s1" / "files" / "etc" / "gone.conf"
    stale.write_text("from an older rendering\n")
    export(seed, DEBIAN12, out)
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r"]  # no staging dir left behind


def test_export_refuses_to_replace_a_directory_that_is_not_an_export(
    seed: Description, tmp_path: Path
) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not an earlier export"):
        export(seed, DEBIAN12, out)
    assert (out / "notes.txt").read_text() == "keep me"


# -- (b) no secret ----------------------------------------------------------------------------


def test_export_writes_no_key_material(seed: Description, tmp_path: Path) -> None:
    # The authkey the host keeps beside the export must never be picked up by it; nodes.json
    # only names its file, for the Vagrantfile to check.
    hacluster = tmp_path / ".hacluster"
    hacluster.mkdir()
    key = os.urandom(256)
    (hacluster / "authkey").write_bytes(key)
    written = export(seed, DEBIAN12, hacluster / "rendered")
    assert written
    for path in _files_under(hacluster / "rendered"):
        assert "authkey" not in str(path.relative_to(hacluster))
        data = path.read_bytes()
        assert key not in data
        text = data.decode("utf-8")  # 256 random bytes are (almost surely) not UTF-8
        if path.name == "nodes.json":
            assert json.loads(text)["cluster_key"] == "authkey"
            text = text.replace('"cluster_key": "authkey"', "")
        assert "authkey" not in text.lower(), path


def test_export_refuses_a_secret_even_if_the_rendering_had_one(
    seed: Description, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def with_key(desc, stack, node):
        return [File("/etc/corosync/authkey", "not really a key", 0o400)]

    monkeypatch.setattr(export_mod.render, "node_files", with_key)
    with pytest.raises(ExportError, match="never exported"):
        export(seed, DEBIAN12, tmp_path / "r")
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "item",
    [
        File("relative/path", ""),
        File("/etc/../etc/passwd", ""),
        File("/etc/with space", ""),
        Directory("/var/x", owner="Bad User"),
    ],
)
def test_export_refuses_what_the_manifest_cannot_carry(
    item, seed: Description, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_mod.render, "node_files", lambda d, s, n: [item])
    with pytest.raises(ExportError):
        export(seed, DEBIAN12, tmp_path / "r")


# -- the shell's side of the manifest ---------------------------------------------------------


def test_node_env_gives_the_scripts_the_description_and_the_stack(
    other: Description, tmp_path: Path
) -> None:
    export(other, DEBIAN12, tmp_path / "r")
    env = _node_env(tmp_path / "r", "beta")
    assert env["HACLUSTER_NODE"] == "beta"
    assert env["CLUSTER_NODES"] == "alpha beta"
    assert (env["SERVICE_NIC"], env["SERVICE_IP"]) == ("ens5", "10.20.0.12")
    assert (env["INTERCONNECT_NIC"], env["INTERCONNECT_IP"]) == ("ens6", "10.30.0.12")
    assert env["BRINGUP_TIMEOUT_S"] == "7"
    assert env["STACK_NAME"] == "debian12"
    assert env["STACK_DOCROOT"] == DEBIAN12.docroot
    assert env["STACK_CATALINA_BASE"] == DEBIAN12.catalina_base
    assert env["STACK_JAVA_HOME"] == DEBIAN12.java_home


def _install_calls(scripts: list[Path] = SCRIPTS) -> list[tuple[str, list[str]]]:
    """(script, prefix words) of every ``install_rendered "$HACLUSTER_NODE" ...`` line."""
    calls = []
    for script in scripts:
        for line in script.read_text().splitlines():
            if not line.startswith("install_rendered "):
                continue
            words = shlex.split(line, comments=True)
            assert words[1] == "$HACLUSTER_NODE", line
            calls.append((script.name, words[2:]))
    return calls


@pytest.mark.parametrize(("stack", "scripts"), [(DEBIAN12, SCRIPTS), (CENTOS6, CENTOS6_SCRIPTS)],
                         ids=["debian12", "centos6"])
def test_every_rendered_path_is_installed_by_exactly_one_script(
    stack: Stack, scripts: list[Path], seed: Description, tmp_path: Path
) -> None:
    """A file render.node_files gains must not be silently left off the nodes (every
    profile's files)."""
    export(seed, stack, tmp_path / "r")
    env = _node_env(tmp_path / "r", "s1")
    calls = _install_calls(scripts)
    assert calls, "no install_rendered calls found in the stack's scripts"
    items = {item.path: item for profile in PROFILES
             for item in render.node_files(from_mapping({"profile": profile}), stack, "s1")}
    for item in items.values():
        owners = []
        for script, words in calls:
            prefixes = [re.sub(r"\$\{?(\w+)\}?", lambda m: env[m.group(1)], w) for w in words]
            if not prefixes or any(
                item.path == p.rstrip("/") or item.path.startswith(p.rstrip("/") + "/")
                for p in prefixes
            ):
                owners.append(script)
        assert len(owners) == 1, f"{item.path} is installed by {owners or 'no script'}"


def _can_install_as_owners(desc: Description) -> str | None:
    if os.geteuid() != 0:
        return "install_rendered sets owners: needs root"
    for item in render.node_files(desc, DEBIAN12, desc.node_names[0]):
        try:
            pwd.getpwnam(item.owner)
            grp.getgrnam(item.group)
        except KeyError:
            return f"user or group of {item.path} ({item.owner}:{item.group}) not on this host"
    return None


def _run_lib(share: Path, root: Path, body: str) -> subprocess.CompletedProcess[str]:
    assert root.is_absolute() and str(root).startswith(str(share)), root  # never the real /
    env = {
        "PATH": os.environ["PATH"],
        "HACLUSTER_SHARE": str(share),
        "HACLUSTER_ROOT": str(root),
    }
    script = f'set -euo pipefail; source {shlex.quote(str(PROVISION / "lib.sh"))}; {body}'
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", script],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )


@pytest.fixture
def share(seed: Description, tmp_path: Path) -> Path:
    """The seed exported as provisioners see it; installs go into ``share/root``, never ``/``."""
    reason = _can_install_as_owners(seed)
    if reason:
        pytest.skip(reason)
    export(seed, DEBIAN12, tmp_path / "share" / ".hacluster" / "rendered")
    return tmp_path / "share"


def test_install_rendered_installs_the_manifest_with_modes_and_owners(
    seed: Description, share: Path
) -> None:
    root = share / "root"
    first = _run_lib(share, root, "install_rendered s2")
    assert first.returncode == 0, first.stderr
    items = render.node_files(seed, DEBIAN12, "s2")
    for item in items:
        target = root / item.path.lstrip("/")
        st = target.stat()
        assert (st.st_mode & 0o7777, pwd.getpwuid(st.st_uid).pw_name,
                grp.getgrgid(st.st_gid).gr_name) == (item.mode, item.owner, item.group), item.path
        if isinstance(item, File):
            assert target.read_text() == item.content
        else:
            assert target.is_dir()
    assert first.stdout.count("installed ") == len(items)

    again = _run_lib(share, root, "install_rendered s2")
    assert again.returncode == 0, again.stderr
    assert "installed" not in again.stdout  # a rerun changes nothing

    (root / "var/www/html/index.html").chmod(0o600)
    body = 'install_rendered s2 "/var/www/html/"; changed /var/www/html/index.html'
    fixed = _run_lib(share, root, body)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout.splitlines() == [
        "hacluster: installed /var/www/html/index.html (0644 root:root)"
    ]
    assert (root / "var/www/html/index.html").stat().st_mode & 0o777 == 0o644


def test_install_rendered_limits_itself_to_the_prefixes(share: Path) -> None:
    root = share / "root"
    proc = _run_lib(share, root, "install_rendered s1 /etc/hosts /etc/corosync")
    assert proc.returncode == 0, proc.stderr
    assert {str(p.relative_to(root)) for p in _files_under(root)} == {
        "etc/hosts", "etc/corosync/corosync.conf"
    }


def test_cluster_secret_is_the_hosts_key_and_never_made_on_a_node(tmp_path: Path) -> None:
    missing = _run_lib(tmp_path, tmp_path / "root", "cluster_secret authkey")
    assert missing.returncode != 0
    assert f"{tmp_path}/.hacluster/authkey is missing. The host makes it" in missing.stderr
    assert "vagrant rsync" in missing.stderr
    assert not (tmp_path / ".hacluster").exists()  # nothing made here
    cluster_key.ensure(tmp_path, "debian12")
    found = _run_lib(tmp_path, tmp_path / "root", 'cluster_secret authkey; echo "$CLUSTER_SECRET"')
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == f"{tmp_path}/.hacluster/authkey"


def test_install_rendered_fails_loudly_without_an_export(tmp_path: Path) -> None:
    proc = _run_lib(tmp_path, tmp_path / "root", "install_rendered s1")
    assert proc.returncode != 0
    assert "manifest.tsv is missing" in proc.stderr
    assert not (tmp_path / "root").exists()


@pytest.mark.parametrize(
    ("fixture", "nodes", "up"),
    [
        ("pcmk2_all_started.xml", "s1 s2", True),
        ("pcmk2_offline_s2.xml", "s1 s2", False),
        ("pcmk2_offline_s2.xml", "s1", True),
        ("pcmk2_error_cib_unavailable.xml", "s1 s2", False),
    ],
)
def test_cluster_up_reads_crm_mon_xml(fixture: str, nodes: str, up: bool, tmp_path: Path) -> None:
    path = shlex.quote(str(CRM_MON_DATA / fixture))
    body = f'CLUSTER_NODES={shlex.quote(nodes)}; cluster_up "$(cat {path})"'
    proc = _run_lib(tmp_path, tmp_path / "root", body)
    assert (proc.returncode == 0) is up, (fixture, nodes, proc.stderr)


# -- pacemaker.sh with fake crm tools: the bounded wait ---------------------------------------

FAKE_CRM_MON = """#!/bin/sh
for a in "$@"; do
  [ "$a" = --output-as=xml ] && exec cat "$FAKE_XML"
done
echo "fake crm_mon -1: Node List: * Online: [ s1 ] * OFFLINE: [ s2 ]"
"""
FAKE_RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "$FAKE_LOG"
"""


def _pacemaker_sh(
    tmp_path: Path, xml: str, timeout_s: int
) -> tuple[subprocess.CompletedProcess[str], Path, Path]:
    """Run the real pacemaker.sh on node s2 of an export, with crm tools faked on PATH."""
    share = tmp_path / "share"
    rendered = share / ".hacluster" / "rendered"
    export(from_mapping({"timings": {"bringup_timeout_s": timeout_s}}), DEBIAN12, rendered)
    (share / "provision").mkdir()
    shutil.copy(PROVISION / "lib.sh", share / "provision" / "lib.sh")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fakes = {"crm_mon": FAKE_CRM_MON, "crm": FAKE_RECORDER, "crm_verify": FAKE_RECORDER}
    for name, text in fakes.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "calls.log"
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "HACLUSTER_SHARE": str(share),
        "FAKE_XML": str(CRM_MON_DATA / xml),
        "FAKE_LOG": str(log),
    }
    proc = subprocess.run(
        ["bash", str(PROVISION / "pacemaker.sh"), "s2"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    return proc, log, rendered


def test_pacemaker_sh_loads_the_resources_once_the_cluster_is_up(tmp_path: Path) -> None:
    proc, log, rendered = _pacemaker_sh(tmp_path, "pcmk2_all_started.xml", 30)
    assert proc.returncode == 0, proc.stderr
    assert log.read_text().splitlines() == [
        f"crm configure load update {rendered}/resources.crm",
        "crm_verify -L",
    ]


def test_pacemaker_sh_gives_up_after_the_bound_with_the_last_output(tmp_path: Path) -> None:
    t0 = time.monotonic()
    proc, log, _ = _pacemaker_sh(tmp_path, "pcmk2_offline_s2.xml", 2)
    elapsed = time.monotonic() - t0
    assert proc.returncode != 0
    assert "did not come up within 2s" in proc.stderr
    assert "fake crm_mon -1: Node List" in proc.stderr  # what was last seen
    assert not log.exists()  # nothing was configured
    assert elapsed < 20


# -- (c) the scripts are valid bash and shellcheck-clean --------------------------------------


@pytest.mark.parametrize("script", ALL_SHELL, ids=lambda p: p.name)
def test_provision_script_parses(script: Path) -> None:
    proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("script", SCRIPTS + CENTOS6_SCRIPTS,
                         ids=lambda p: str(p.relative_to(PROVISION)))
def test_provision_script_is_strict_and_executable(script: Path) -> None:
    text = script.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(script, os.X_OK)


def test_provision_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip(
            "shellcheck is not installed (apt-get install -y --no-install-recommends shellcheck)"
        )
    proc = subprocess.run(
        [shellcheck, "-x", *map(str, ALL_SHELL)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_expected_scripts_exist() -> None:
    assert [p.name for p in SCRIPTS] == [
        "apache.sh", "cluster.sh", "httpd-proxy.sh", "pacemaker.sh", "samba.sh", "tomcat.sh"
    ]


# -- (d) the Vagrantfile: node data from nodes.json, the seed's provisioning order -----------


def test_nodes_json_carries_the_seed_addresses_and_ports(seed: Description, tmp_path: Path) -> None:
    export(seed, DEBIAN12, tmp_path / "r")
    data = json.loads((tmp_path / "r" / "nodes.json").read_text())
    assert data["format"] == export_mod.FORMAT
    assert data["netmask"] == "255.255.255.0"
    assert (data["service_nic"], data["interconnect_nic"]) == ("eth1", "eth2")
    assert data["nodes"] == [
        {"name": "s1", "service_ip": "192.168.1.121", "interconnect_ip": "192.168.9.121",
         "ssh_port": 2122},
        {"name": "s2", "service_ip": "192.168.1.122", "interconnect_ip": "192.168.9.122",
         "ssh_port": 2222},
    ]


def test_nodes_json_follows_the_description(other: Description, tmp_path: Path) -> None:
    export(other, DEBIAN12, tmp_path / "r")
    data = json.loads((tmp_path / "r" / "nodes.json").read_text())
    assert data["netmask"] == "255.255.0.0"
    assert [(n["name"], n["service_ip"], n["interconnect_ip"], n["ssh_port"])
            for n in data["nodes"]] == [
        (n.name, n.service_ip, n.interconnect_ip, n.ssh_port) for n in other.nodes
    ]


def test_vagrantfile_keeps_no_copy_of_the_node_data(seed: Description) -> None:
    text = VAGRANTFILE.read_text()
    for node in seed.nodes:
        for value in (node.service_ip, node.interconnect_ip, str(node.ssh_port)):
            assert value not in text
    assert "nodes.json" in text


@pytest.mark.parametrize(("stack", "scripts"), [(DEBIAN12, SCRIPTS), (CENTOS6, CENTOS6_SCRIPTS)],
                         ids=["debian12", "centos6"])
def test_the_export_names_every_provision_script_of_its_stack(
    stack: Stack, scripts: list[Path], seed: Description, tmp_path: Path
) -> None:
    """Each profile names the scripts of its services, in the seed's order; together they
    name every script of the stack."""
    named_by: dict[str, list[str]] = {}
    for profile in PROFILES:
        export(from_mapping({"profile": profile}), stack, tmp_path / profile)
        provision = json.loads((tmp_path / profile / "nodes.json").read_text())["provision"]
        named_by[profile] = provision["every_node"] + provision["last_node"]
        assert all((REPO / provision["dir"] / f"{name}.sh").is_file()
                   for name in named_by[profile])
        assert provision["last_node"] == ["pacemaker"]  # the seed's pacemaker.sh comes last
    assert {name for named in named_by.values() for name in named} == {p.stem for p in scripts}
    first = "cluster" if stack is DEBIAN12 else "heartbeat"
    assert named_by["apache-tomcat"] == [first, "apache", "tomcat", "httpd-proxy", "pacemaker"]
    assert named_by["apache"] == [first, "apache", "httpd-proxy", "pacemaker"]
    assert named_by["apache-samba"] == [first, "apache", "httpd-proxy", "samba", "pacemaker"]
    assert 'path: "#{provision["dir"]}/#{script}.sh"' in VAGRANTFILE.read_text()


# One way, host to guest: the default box has no guest additions (no vboxsf), and the cluster's
# key reaches the nodes with the rest of the folder.
RSYNC_FOLDER = [".", "/vagrant", {"type": "rsync",
                                  "rsync__exclude": [".git/", ".venv/", ".vagrant/", "out/"]}]

# Plain Ruby stands in for Vagrant: it records what the Vagrantfile configures, as JSON.
RUBY_HARNESS = r"""
require "json"
$top = {}
$machines = {}
class FakeVM
  def initialize(data) @data = data end
  def box=(v) @data["box"] = v end
  def hostname=(v) @data["hostname"] = v end
  def network(type, **o) (@data["networks"] ||= []) << {"type" => type.to_s}.merge(s(o)) end
  def synced_folder(src, dst, **o) (@data["synced_folders"] ||= []) << [src, dst, s(o)] end
  def provision(name, **o) (@data["provisioners"] ||= []) << {"name" => name.to_s}.merge(s(o)) end
  def define(name, &blk) d = {}; $machines[name.to_s] = d; blk.call(FakeConfig.new(d)) end
  def s(o) o.to_h { |k, v| [k.to_s, v] } end
end
class FakeConfig
  attr_reader :vm
  def initialize(data) @vm = FakeVM.new(data) end
end
module Vagrant
  def self.configure(version)
    raise "version #{version}" unless version == "2"
    yield FakeConfig.new($top)
  end
end
load ARGV[0]
puts JSON.generate({"top" => $top, "machines" => $machines})
"""


def _load_vagrantfile(project: Path, extra_env: dict[str, str] | None = None,
                      with_key: bool = True):
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.skip("ruby is not installed (apt-get install -y --no-install-recommends ruby)")
    shutil.copy(VAGRANTFILE, project / "Vagrantfile")
    rendered = project / ".hacluster" / "rendered" / "nodes.json"
    if with_key and rendered.is_file():  # the export's command makes it beside the export
        cluster_key.ensure(project, json.loads(rendered.read_text())["stack"])
    harness = project / "harness.rb"
    harness.write_text(RUBY_HARNESS)
    env = {"PATH": os.environ["PATH"], **(extra_env or {})}
    return subprocess.run(
        [ruby, str(harness), str(project / "Vagrantfile")],
        capture_output=True, text=True, env=env, timeout=60, check=False, cwd=project,
    )


def test_vagrantfile_syntax() -> None:
    ruby = shutil.which("ruby")
    if ruby is None:
        pytest.skip("ruby is not installed (apt-get install -y --no-install-recommends ruby)")
    proc = subprocess.run([ruby, "-c", str(VAGRANTFILE)], capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("which", ["seed", "other"])
def test_vagrantfile_builds_the_nodes_from_nodes_json(which: str, request, tmp_path: Path) -> None:
    desc = request.getfixturevalue(which)
    export(desc, DEBIAN12, tmp_path / ".hacluster" / "rendered")
    proc = _load_vagrantfile(tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["top"]["box"] == "debian/bookworm64"
    assert got["top"]["synced_folders"] == [RSYNC_FOLDER]
    assert list(got["machines"]) == list(desc.node_names)  # vagrant brings them up in order
    netmask = json.loads((tmp_path / ".hacluster/rendered/nodes.json").read_text())["netmask"]
    for node in desc.nodes:
        m = got["machines"][node.name]
        assert m["hostname"] == node.name
        assert m["networks"] == [
            {"type": "private_network", "ip": node.service_ip, "netmask": netmask},
            {"type": "private_network", "ip": node.interconnect_ip, "netmask": netmask},
            {"type": "forwarded_port", "id": "ssh", "guest": 22, "host": node.ssh_port,
             "host_ip": "127.0.0.1"},
        ]
        expected = ["cluster", "apache", "tomcat", "httpd-proxy"]
        if node.name == desc.node_names[-1]:
            expected.append("pacemaker")  # the seed's pacemaker.sh: last, on the last node
        assert [p["name"] for p in m["provisioners"]] == expected
        for p in m["provisioners"]:
            assert p == {"name": p["name"], "type": "shell",
                         "path": f"provision/{p['name']}.sh", "args": [node.name]}
            assert (REPO / p["path"]).is_file()


def test_vagrantfile_takes_the_box_from_the_export(tmp_path: Path) -> None:
    desc = from_mapping({"vagrant": {"box": "bento/debian-12"}})
    export(desc, DEBIAN12, tmp_path / ".hacluster" / "rendered")
    proc = _load_vagrantfile(tmp_path)
    assert proc.returncode == 0, proc.stderr
    top = json.loads(proc.stdout)["top"]
    assert top["box"] == "bento/debian-12"
    assert top["synced_folders"] == [RSYNC_FOLDER]


def test_vagrantfile_stops_before_boot_without_the_clusters_key(tmp_path: Path) -> None:
    export(Description(), DEBIAN12, tmp_path / ".hacluster" / "rendered")
    proc = _load_vagrantfile(tmp_path, with_key=False)
    assert proc.returncode != 0 and proc.stdout == ""  # Vagrant.configure never ran
    assert f"the cluster's key {tmp_path}/.hacluster/authkey is missing" in proc.stderr
    assert export_mod.EXPORT_COMMAND in proc.stderr


def test_vagrantfile_runs_the_documented_stack_for_a_centos_box(tmp_path: Path) -> None:
    desc = from_mapping({"vagrant": {"box": "centos65_64"}})
    export(desc, render.stack_for_box("centos65_64"), tmp_path / ".hacluster" / "rendered")
    for name in render.CENTOS6_FILES:
        (tmp_path / name).write_bytes(b"")
    proc = _load_vagrantfile(tmp_path)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    assert got["top"]["box"] == "centos65_64"
    s2 = got["machines"]["s2"]["provisioners"]
    assert [p["path"] for p in s2] == [
        f"provision/centos6/{n}.sh"
        for n in ("heartbeat", "apache", "tomcat", "httpd-proxy", "pacemaker")
    ]  # the seed's Vagrantfile, script for script


def test_vagrantfile_stops_before_boot_without_the_tarballs(tmp_path: Path) -> None:
    desc = from_mapping({"vagrant": {"box": "centos65_64"}})
    export(desc, CENTOS6, tmp_path / ".hacluster" / "rendered")
    proc = _load_vagrantfile(tmp_path)
    assert proc.returncode != 0 and proc.stdout == ""  # Vagrant.configure never ran
    assert "pacemaker-1.0.13-2.1.el6.x86_64.repo.tar.gz and apache-tomcat-7.0.56.tar.gz" in (
        proc.stderr
    )


def test_vagrantfile_without_an_export_names_the_command(tmp_path: Path) -> None:
    proc = _load_vagrantfile(tmp_path)
    assert proc.returncode != 0
    assert export_mod.EXPORT_COMMAND in proc.stderr
    assert proc.stdout == ""


def test_vagrantfile_rejects_an_export_of_another_format(seed: Description, tmp_path: Path) -> None:
    rendered = tmp_path / ".hacluster" / "rendered"
    export(seed, DEBIAN12, rendered)
    data = json.loads((rendered / "nodes.json").read_text())
    (rendered / "nodes.json").write_text(json.dumps({**data, "format": 0}))
    proc = _load_vagrantfile(tmp_path)
    assert proc.returncode != 0
    assert "format 0" in proc.stderr and export_mod.EXPORT_COMMAND in proc.stderr


# -- the command line -------------------------------------------------------------------------


def test_main_exports_the_configured_description(tmp_path: Path, capsys) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.hacluster.nodes.s1]\nssh_port = 4022\n'
                         '[tool.hacluster.nodes.s2]\nssh_port = 4222\n')
    out = tmp_path / "out"
    assert main(["--out", str(out), "--config", str(pyproject)]) == 0
    ports = [n["ssh_port"] for n in json.loads((out / "nodes.json").read_text())["nodes"]]
    assert ports == [4022, 4222]
    assert "s1, s2" in capsys.readouterr().out


def test_main_reports_a_bad_config_in_one_line(tmp_path: Path, capsys) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.hacluster]\nservce_nic = 'eth1'\n")
    assert main(["--out", str(tmp_path / "out"), "--config", str(pyproject)]) == 2
    err = capsys.readouterr().err
    assert "servce_nic" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_main_refuses_a_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--out", str(tmp_path / "out"), "--config", str(tmp_path / "nope.toml")])
    assert exc.value.code == 2


def test_module_runs_as_a_command(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest_hacluster.export", "--out", ".hacluster/rendered"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / ".hacluster" / "rendered" / "nodes.json").is_file()
    key = tmp_path / ".hacluster" / "authkey"  # made beside the Vagrantfile, never shown
    assert key.stat().st_mode & 0o777 == 0o600
    assert "the cluster's key: .hacluster/authkey (made now, mode 0600, not shown)" in proc.stdout
    again = subprocess.run(
        [sys.executable, "-m", "pytest_hacluster.export", "--out", ".hacluster/rendered"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert "(kept," in again.stdout  # one key per cluster: a second export keeps it
