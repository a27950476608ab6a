"""The seed's three clusters as profiles, and groups described as data."""

from __future__ import annotations

import pytest

from pytest_hacluster import render
from pytest_hacluster.config import ConfigError, Description, from_mapping
from pytest_hacluster.faults import process_match
from pytest_hacluster.profiles import PROFILES
from pytest_hacluster.render import DEBIAN12


def flat(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


def test_the_default_profile_is_the_2015_pair() -> None:
    d = Description()
    assert d.profile == "apache-tomcat"
    assert [g.members for g in d.groups] == [("vip_httpd", "httpd"), ("vip_tomcat", "tomcat")]
    assert d.urls == {"web": "http://192.168.1.101/", "app": "http://192.168.1.101/app/",
                      "tomcat": "http://192.168.1.102:8080/"}
    assert from_mapping({"profile": "apache-tomcat"}) == d


def test_apache_alone_has_one_group_and_no_proxy() -> None:
    d = from_mapping({"profile": "apache"})
    assert [g.name for g in d.groups] == ["web"]
    assert d.urls == {"web": "http://192.168.1.101/"}
    crm = flat(render.crm_configuration(d, DEBIAN12))
    assert "tomcat" not in crm and "group web vip_httpd httpd" in crm
    files = {f.path: f for f in render.node_files(d, DEBIAN12, "s1")}
    proxy = files["/etc/apache2/conf-enabled/httpd-proxy.conf"]
    assert isinstance(proxy, render.File) and "ProxyPass" not in proxy.content
    assert not any("tomcat" in path for path in files)


def test_apache_samba_keeps_the_2013_ids_and_options() -> None:
    d = from_mapping({"profile": "apache-samba"})
    crm = flat(render.crm_configuration(d, DEBIAN12))
    assert "primitive vip_samba ocf:heartbeat:IPaddr2 params ip=192.168.1.100 " in crm
    ops = ("op start interval=0 timeout=15 on-fail=restart "
           "op monitor interval=15 timeout=15 on-fail=restart "
           "op stop interval=0 timeout=15 on-fail=block")
    # The seed's ids (nmb, smb); Debian 12's init scripts are nmbd and smbd.
    assert f"primitive nmb lsb:nmbd {ops} primitive smb lsb:smbd {ops}" in crm
    assert "group samba vip_samba nmb smb" in crm
    assert d.urls["share"] == "smb://192.168.1.100/share/hacluster.txt"
    assert d.urls["netbios"] == "netbios://192.168.1.100/HACLUSTER-SMB"
    files = {f.path: f for f in render.node_files(d, DEBIAN12, "s2")}
    conf = files["/etc/samba/smb.conf"]
    assert isinstance(conf, render.File)
    assert "netbios name = HACLUSTER-SMB" in conf.content and "[share]" in conf.content
    page = files["/srv/hacluster-share/share/hacluster.txt"]
    assert isinstance(page, render.File) and page.content == "hacluster-node: s2\n"
    # The slowest monitor sets the restart SLO.
    assert d.slowest_monitor_interval == 15


def test_every_profile_renders_and_checks() -> None:
    for name in PROFILES:
        d = from_mapping({"profile": name})
        render.crm_configuration(d, DEBIAN12)
        for node in d.node_names:
            render.node_files(d, DEBIAN12, node)


def test_option_profile_wins_over_the_file() -> None:
    d = from_mapping({"profile": "apache"}, profile="apache-samba")
    assert d.profile == "apache-samba" and [g.name for g in d.groups] == ["web", "samba"]


def test_keys_still_override_a_profile() -> None:
    d = from_mapping({"profile": "apache-samba", "groups": {"samba": {
        "vip": "192.168.1.110",
        "primitives": {"smb": {"ops": {"monitor": {"interval": "20s"}}, "meta": {
            "migration-threshold": "2"}}},
    }}})
    samba = d.group("samba")
    assert samba.vip == "192.168.1.110"
    ops = d.ops_of(samba.primitive("smb"))
    assert (ops["monitor"].interval, ops["monitor"].timeout, ops["stop"].on_fail) == (20, 15,
                                                                                      "block")
    assert "meta migration-threshold=2" in flat(render.crm_configuration(d, DEBIAN12))


def test_a_group_of_ones_own() -> None:
    d = from_mapping({"profile": "apache", "groups": {"db": {
        "vip_resource": "vip_db", "vip": "192.168.1.103",
        "primitives": {"pgsql": {"agent": "ocf:heartbeat:pgsql", "params": {
            "pgctl": "/usr/lib/postgresql/15/bin/pg_ctl", "start_opt": "-p 5432"},
            "process": "postgres"}},
        "checks": {"pg": {"kind": "tcp", "port": 5432}},
    }}})
    assert d.urls["pg"] == "tcp://192.168.1.103:5432"
    crm = flat(render.crm_configuration(d, DEBIAN12))
    assert ('primitive pgsql ocf:heartbeat:pgsql params pgctl=/usr/lib/postgresql/15/bin/pg_ctl '
            'start_opt="-p 5432" op start interval=0 timeout=90') in crm
    assert "group db vip_db pgsql" in crm

    class Target:
        description = d

    assert process_match(Target(), "pgsql") == ["-x", "postgres"]  # type: ignore[arg-type]
    assert process_match(Target(), "httpd") == ["-x", "apache2|httpd"]  # type: ignore[arg-type]


@pytest.mark.parametrize(("table", "says"), [
    ({"profile": "nginx"}, "tool.hacluster.profile: no profile 'nginx' (known: apache-tomcat, "),
    ({"groups": {"web": {"colour": "red"}}}, "tool.hacluster.groups.web: unknown key 'colour'"),
    ({"groups": {"db": {"vip": "192.168.1.103"}}},
     "tool.hacluster.groups.db: a new group needs vip_resource, primitives"),
    ({"groups": {"web": {"primitives": {"x": {"params": {}}}}}},
     "groups.web.primitives.x: a new primitive needs agent"),
    ({"groups": {"web": {"primitives": {"httpd": {"agent": "apache"}}}}},
     "groups.web.primitives.httpd.agent: 'apache' is not class:provider:type"),
    ({"groups": {"web": {"primitives": {"httpd": {"ops": {"watch": {"interval": 5}}}}}}},
     "groups.web.primitives.httpd.ops.watch: not one of Pacemaker's operations"),
    ({"groups": {"web": {"primitives": {"httpd": {"ops": {"stop": {"on_fail": "panic"}}}}}}},
     "httpd.ops.stop.on_fail: 'panic' is not one of"),
    ({"groups": {"web": {"primitives": {"httpd": {"meta": {"stickyness": "1"}}}}}},
     "httpd.meta.stickyness: not a resource meta-attribute"),
    ({"groups": {"web": {"primitives": {"httpd": {"flavour": "x"}}}}},
     "groups.web.primitives.httpd: unknown key 'flavour'"),
    ({"groups": {"web": {"checks": {"web": {"kind": "gopher"}}}}},
     "groups.web.checks.web.kind: 'gopher' is not one of http, smb, netbios, tcp"),
    ({"groups": {"web": {"checks": {"ssh": {"kind": "tcp"}}}}},
     "groups.web.checks.ssh.port: 0 is not a TCP port"),
    ({"groups": {"web": {"checks": {"web": {"port": "ssh_port"}}}}},
     "groups.web.checks.web.port: 'ssh_port' is not a port number or one of"),
    ({"groups": {"web": {"checks": {"web": {"served_by": "db"}}}}},
     "groups.web.checks.web.served_by: no group 'db'"),
    ({"groups": {"web": {"checks": {"tomcat": {"path": "/x"}}}}}, "must be unique across"),
    ({"groups": {"web": {"checks": {"web": {"extra": 1}}}}},
     "groups.web.checks.web: unknown key 'extra'"),
    ({"groups": "web"}, "tool.hacluster.groups: expected a table of groups"),
])
def test_what_is_not_understood_is_refused_naming_the_key(table: dict, says: str) -> None:
    with pytest.raises(ConfigError) as err:
        from_mapping(table)
    assert says in str(err.value)


def test_an_unknown_profile_option_names_the_option() -> None:
    with pytest.raises(ConfigError, match="--hacluster-profile: no profile 'x'"):
        from_mapping({}, profile="x")


def test_a_group_is_still_reachable_as_an_attribute() -> None:
    d = Description()
    assert d.web is d.groups[0]
    with pytest.raises(AttributeError, match="no attribute or group 'samba'"):
        _ = d.samba
