"""Stacks of other Debian releases: the choice, the root cache, and files placed in such a root."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pytest_hacluster import cli, packages, render, roots
from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import LabBackend
from pytest_hacluster.config import ConfigError, Description, from_mapping, with_stack
from pytest_hacluster.node import group_id, place, user_id


def _fake_root(root: Path) -> Path:
    """A root laid out as Debian's: merged /usr, Java behind absolute alternatives links."""
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "bin").symlink_to("usr/bin")
    jvm = root / "usr/lib/jvm/java-11-openjdk-amd64/bin"
    jvm.mkdir(parents=True)
    (jvm / "java").write_text("")
    (root / "etc" / "alternatives").mkdir(parents=True)
    (root / "etc/alternatives/java").symlink_to("/usr/lib/jvm/java-11-openjdk-amd64/bin/java")
    (root / "usr/bin/java").symlink_to("/etc/alternatives/java")
    (root / "usr/bin/tini").write_text("")
    (root / "etc/passwd").write_text(
        "root:x:0:0::/root:/bin/sh\nhacluster:x:4242:4343::/:/bin/sh\n"
    )
    (root / "etc/group").write_text("root:x:0:\nhaclient:x:4343:\n")
    return root


def test_symlinks_are_followed_inside_the_root_not_on_this_machine(tmp_path: Path) -> None:
    root = _fake_root(tmp_path)
    java = packages.resolve_in(root, "/usr/bin/java")
    assert java == root / "usr/lib/jvm/java-11-openjdk-amd64/bin/java"
    assert packages.resolve_in(root, "/bin/tini") == root / "usr/bin/tini"
    # /etc/os-release exists on this machine, not in the root: absent, not the host's.
    assert packages.resolve_in(root, "/etc/os-release") is None


def test_missing_is_asked_of_the_root(tmp_path: Path) -> None:
    root = _fake_root(tmp_path)
    required = (("java", "default-jre-headless"), ("tini", "tini"), ("corosync", "corosync"),
                ("/usr/share/tomcat9/bin/catalina.sh", "tomcat9"))
    assert packages.missing(required, root) == [
        ("corosync", "corosync"), ("/usr/share/tomcat9/bin/catalina.sh", "tomcat9"),
    ]


def test_debian11_needs_tomcat9_and_its_own_paths() -> None:
    rel = roots.release("debian11")
    assert rel.suite == "bullseye"
    assert "tomcat9" in rel.packages and "tomcat10" not in rel.packages
    assert {"pacemaker", "corosync", "crmsh", "tini", "mount"} <= set(rel.packages)
    assert ("/usr/share/tomcat9/bin/catalina.sh", "tomcat9") in rel.required
    crm = render.crm_configuration(Description(), rel.stack)
    assert "catalina_home=/usr/share/tomcat9" in crm
    assert "java_home=/usr/lib/jvm/java-11-openjdk-amd64" in crm
    files = {f.path for f in render.node_files(Description(), rel.stack, "s1")}
    assert "/etc/tomcat9/server.xml" in files
    assert "/var/lib/tomcat9/webapps/ROOT/index.html" in files
    assert roots.release("debian13").stack.catalina_home == "/usr/share/tomcat10"


def test_an_unknown_stack_is_refused_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"tool.hacluster.stack: no stack 'debian14' \(known: "
                       r"debian11, debian12, debian13"):
        from_mapping({"stack": "debian14"})
    with pytest.raises(ConfigError, match="--hacluster-stack: no stack 'sid'"):
        with_stack(Description(), "sid", "--hacluster-stack")
    assert from_mapping({"stack": "debian13"}).stack == "debian13"
    assert with_stack(Description(), "", "--x").stack == ""


def test_this_machines_release_is_read_from_os_release(tmp_path: Path) -> None:
    os_release = tmp_path / "os-release"
    os_release.write_text('PRETTY_NAME="Debian GNU/Linux 12"\nVERSION_CODENAME=bookworm\n')
    assert roots.this_machine_suite(os_release) == "bookworm"
    os_release.write_text("ID=debian\n")
    assert roots.this_machine_suite(os_release) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")
def test_owners_of_placed_files_are_the_roots_not_this_machines(tmp_path: Path) -> None:
    lower = _fake_root(tmp_path / "lower")
    (lower / "var/lib/pacemaker").mkdir(parents=True)
    os.chmod(lower / "var/lib/pacemaker", 0o750)
    assert (user_id(lower, "hacluster"), group_id(lower, "haclient")) == (4242, 4343)
    with pytest.raises(KeyError, match="no entry 'tomcat'"):
        user_id(lower, "tomcat")
    upper = tmp_path / "upper"
    upper.mkdir()
    place(upper, render.File("/var/lib/pacemaker/cib/cib.xml", "<cib/>", 0o600, "hacluster",
                             "haclient"), lower)
    st = (upper / "var/lib/pacemaker/cib/cib.xml").stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (4242, 4343, 0o600)
    # the parent copied from the root (0750), not from this machine
    assert (upper / "var/lib/pacemaker").stat().st_mode & 0o777 == 0o750


def test_the_cache_lists_and_removes_roots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache" / "roots"
    monkeypatch.setattr(roots, "ROOT_CACHE", cache)
    assert roots.cached() == []
    (cache / "debian11" / "etc").mkdir(parents=True)
    (cache / "debian11" / "etc" / "hostname").write_text("x" * 100)
    (cache / "debian11.json").write_text(json.dumps({
        "suite": "bullseye", "packages": ["pacemaker"], "built": "2026-11-29T23:00:00+0000",
        "build_s": 61.5}))
    (cache / "debian13.partial").mkdir()
    (listed,) = roots.cached(with_size=True)
    assert (listed.name, listed.suite, listed.build_s, listed.size_bytes) == (
        "debian11", "bullseye", 61.5, 100)
    assert roots.leftovers() == [cache / "debian13.partial"]
    with pytest.raises(roots.RootError, match=r"lower dir of lab\(s\) hacl-x"):
        roots.remove("debian11", ["hacl-x"])
    assert cli.main(["roots"]) == 0
    assert "debian11\tbullseye" in capsys.readouterr().out
    assert cli.main(["roots", "--remove", "all"]) == 0
    assert cli.main(["gc", "--prefix", "hacl-st-none", "--roots"]) == 0
    assert not cache.exists()


def test_a_lab_of_another_release_uses_that_releases_paths() -> None:
    lab = LabBackend(with_stack(Description(), "debian11", "--x"), Settings(prefix="hacl-st-u"))
    if roots.is_this_machine(roots.release("debian11")):
        pytest.skip("this machine is Debian 11")
    assert not lab.stack_is_this_machine
    assert lab.stack.catalina_home == "/usr/share/tomcat9"
    host = LabBackend(Description(), Settings(prefix="hacl-st-u"))
    assert host.stack_is_this_machine and host.fingerprint != lab.fingerprint


def test_the_description_knows_the_stacks_roots_can_build() -> None:
    from pytest_hacluster import config, roots

    assert tuple(roots.RELEASES) == config.STACKS


def test_the_origin_says_which_root_and_whether_it_is_built(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_hacluster.records import describe_origin

    cache = tmp_path / "roots"
    monkeypatch.setattr(roots, "ROOT_CACHE", cache)
    monkeypatch.setattr(roots, "this_machine_suite", lambda *a: "bookworm")
    rel = roots.release("debian11")
    before = roots.origin(rel)
    root = cache / rel.cache_name
    assert (before["name"], before["suite"], before["root"], before["built"]) == (
        "debian11", "bullseye", str(root), None)
    assert describe_origin(before).endswith("(not built yet: the bring-up builds it)")
    root.mkdir(parents=True)
    record = {"suite": "bullseye", "packages": list(rel.packages),
              "built": "2026-11-29T23:00:00+0000", "build_s": 61.5}
    (cache / f"{rel.cache_name}.json").write_text(json.dumps(record))
    built = roots.origin(rel)
    assert (built["built"], built["build_s"], built["this_machine"]) == (
        "2026-11-29T23:00:00+0000", 61.5, False)
    assert describe_origin(built) == (
        f"debian11 (Debian bullseye), root {root} built "
        "2026-11-29T23:00:00+0000 in 61.5 s")
    # A root whose record says other packages is rebuilt at bring-up: not the one that will run.
    (cache / f"{rel.cache_name}.json").write_text(
        json.dumps({**record, "packages": ["pacemaker"]}))
    assert roots.origin(rel)["built"] is None
    host = roots.origin(roots.release("debian12"))
    assert (host["name"], host["root"], host["this_machine"]) == ("debian12", "/", True)
    assert describe_origin(roots.origin(None)) == (
        "this machine (Debian bookworm), root / (this machine's own packages)")
    lab = LabBackend(with_stack(Description(), "debian11", "--x"), Settings(prefix="hacl-st-u"))
    assert lab.stack_origin() == roots.origin(rel)


def test_a_nodes_release_is_the_root_it_shows(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from pytest_hacluster.node import Node

    monkeypatch.setattr(roots, "this_machine_suite", lambda *a: "bookworm")
    lab = LabBackend(with_stack(Description(), "debian11", "--x"), Settings(prefix="hacl-st-u"))
    lab._nodes = {"s1": Node("s1", "n1", tmp_path, lower=roots.root_dir("debian11")),
                  "s2": Node("s2", "n2", tmp_path, lower=Path("/"))}
    assert (lab.node_stack("s1"), lab.node_stack("s2")) == ("debian11", "debian12")
    assert lab.node_paths("s1").catalina_home == "/usr/share/tomcat9"
    lab._nodes["s1"].lower = roots.root_dir("debian13")  # what swap_root does
    assert lab.node_stack("s1") == "debian13"
    assert lab.node_paths("s1").java_home == "/usr/lib/jvm/java-21-openjdk-amd64"


def test_machines_the_backend_did_not_build_say_where_they_come_from() -> None:
    from pytest_hacluster.backends.ssh import SshBackend
    from pytest_hacluster.backends.vagrant import VagrantBackend
    from pytest_hacluster.records import describe_origin

    ssh = SshBackend(Description(), Settings(prefix="hacl-st-u"))
    assert describe_origin(ssh.stack_origin()) == "as installed, the ssh backend's machines"
    vagrant = VagrantBackend(Description(), Settings(prefix="hacl-st-u"))
    assert describe_origin(vagrant.stack_origin()) == (
        f"debian12, Vagrant box {Description().vagrant.box}")


def test_every_root_carries_samba_for_the_apache_samba_profile() -> None:
    """The LSB scripts lsb:nmbd and lsb:smbd run are required in every root; the clients the
    checks run (smbclient, nmblookup) are this machine's, not the root's."""
    for rel in roots.RELEASES.values():
        assert "samba" in rel.packages, rel.name
        assert set(packages.SAMBA_SERVER) <= set(rel.required)
        assert not set(packages.SAMBA_CLIENTS) & set(rel.required)


def test_another_package_list_is_another_root_built_beside_the_old(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed package list must not reuse the stale root, nor remove it under labs running
    on it: the new list gets a root of its own name, the old one stays until gc."""
    cache = tmp_path / "roots"
    monkeypatch.setattr(roots, "ROOT_CACHE", cache)
    monkeypatch.setattr(roots, "this_machine_suite", lambda *a: "bookworm")
    monkeypatch.setattr(roots, "check_root", lambda rel, root: None)
    builds: list[tuple[str, ...]] = []

    def fake_build(rel: roots.Release, progress: object = None) -> roots.CachedRoot:
        builds.append(rel.packages)
        target = roots.root_dir(rel.cache_name)
        target.mkdir(parents=True)
        (cache / f"{rel.cache_name}.json").write_text(json.dumps(
            {"suite": rel.suite, "packages": list(rel.packages)}))
        return roots.CachedRoot(rel.cache_name, target, rel.suite, rel.packages, "", 1.0, None)

    monkeypatch.setattr(roots, "build", fake_build)
    rel = roots.release("debian13")
    old = roots.lower_dir(rel)
    assert roots.lower_dir(rel) == old and len(builds) == 1  # cached: reused, not rebuilt
    monkeypatch.setattr(roots, "EXTRA_PACKAGES", (*roots.EXTRA_PACKAGES, "strace"))
    new = roots.lower_dir(rel)
    assert new != old and old.is_dir() and len(builds) == 2 and "strace" in builds[1]
    assert new.name.startswith("debian13-") and old.name.startswith("debian13-")
    assert roots.release_of_root(new) is roots.release_of_root(old) is rel
    assert roots.release_of_root(cache / "debian13") is rel  # an earlier version's name
    assert roots.release_of_root(tmp_path / "debian13") is None
    assert roots.names_of("debian13") == sorted([old.name, new.name])
    assert roots.names_of(new.name) == [new.name]


def test_a_samba_cluster_on_another_stack_needs_the_clients_here(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks run smbclient and nmblookup on this machine (in the lab's host namespace),
    whatever release the nodes run: their absence is named before anything is built."""
    from pytest_hacluster.config import with_profile

    monkeypatch.setattr(roots, "this_machine_suite", lambda *a: "bookworm")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(packages, "missing", lambda required, root=None: [
        (t, p) for t, p in required if p == "smbclient"])
    desc = with_stack(with_profile(Description(), "apache-samba", "--x"), "debian13", "--x")
    lab = LabBackend(desc, Settings(prefix="hacl-st-u"))
    with pytest.raises(Exception, match=r"smbclient.*apt-get install -y --no-install-recommends"
                                        r" smbclient"):
        lab.check()
