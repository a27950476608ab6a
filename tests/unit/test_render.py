"""The one rendering: the seed's resource options, corosync, Apache and Tomcat files."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pytest_hacluster import config, render
from pytest_hacluster.config import Description, from_mapping
from pytest_hacluster.render import DEBIAN12, Directory, File

SEED = Description()


def test_crm_configuration_has_the_seed_resources_and_options() -> None:
    crm = render.crm_configuration(SEED, DEBIAN12)
    assert "property no-quorum-policy=ignore stonith-enabled=false dc-deadtime=10s\n" in crm
    flat = " ".join(crm.replace("\\\n", " ").split())
    assert (
        "primitive vip_httpd ocf:heartbeat:IPaddr2 params ip=192.168.1.101 nic=eth1 "
        "cidr_netmask=24 op monitor interval=10" in flat
    )
    assert (
        "primitive vip_tomcat ocf:heartbeat:IPaddr2 params ip=192.168.1.102 nic=eth1 "
        "cidr_netmask=24 op monitor interval=10" in flat
    )
    ops = (
        "op start interval=0 timeout=90 on-fail=restart "
        "op monitor interval=10 timeout=60 on-fail=restart "
        "op stop interval=0 timeout=300 on-fail=block"
    )
    assert f"statusurl=http://192.168.1.101/ client=wget {ops}" in flat
    assert f"statusurl=http://192.168.1.102:8080/ {ops}" in flat
    assert "group web vip_httpd httpd" in flat
    assert "group webapp vip_tomcat tomcat" in flat
    # Lab pitfall 2: the tomcat RA needs its pid file named explicitly.
    assert f"catalina_pid={render.tomcat_pid_file(DEBIAN12)}" in flat


def test_crm_configuration_follows_overrides() -> None:
    d = from_mapping({"service_ops": {"monitor": {"interval": 5, "timeout": 20}},
                      "web": {"vip": "192.168.1.50"}})
    flat = " ".join(render.crm_configuration(d, DEBIAN12).replace("\\\n", " ").split())
    assert "op monitor interval=5 timeout=20 on-fail=restart" in flat
    assert "ip=192.168.1.50 " in flat and "statusurl=http://192.168.1.50/" in flat


def test_corosync_conf_uses_interconnect_and_described_timing() -> None:
    conf = render.corosync_conf(SEED)
    assert "ring0_addr: 192.168.9.121" in conf and "ring0_addr: 192.168.9.122" in conf
    assert "192.168.1.12" not in conf
    # The seed's deadtime 10 s, mapped in timings.py: token + consensus = 10 s.
    assert "token: 4545" in conf and "consensus: 5455" in conf
    assert "token_retransmits_before_loss_const: 4" in conf and "token_warning: 70" in conf
    assert "two_node: 1" in conf
    fast = render.corosync_conf(SEED, token_ms=1000)
    assert "token: 1000" in fast and "consensus: 1200" in fast


THREE = from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": {
    "service_ip": "192.168.1.123", "interconnect_ip": "192.168.9.123", "ssh_port": 2322}}})


def test_three_nodes_render_a_quorum_that_means_something() -> None:
    conf = render.corosync_conf(THREE)
    assert "two_node" not in conf  # votequorum's majority: a lone node loses quorum
    # corosync would add 650 ms per node beyond two to the token: detection stays described.
    assert "consensus: 5455\n    token_coefficient: 0\n" in conf
    assert "token_coefficient" not in render.corosync_conf(SEED)
    assert "ring0_addr: 192.168.9.123\n        name: s3\n        nodeid: 3" in conf
    crm = render.crm_configuration(THREE, DEBIAN12)
    assert "property no-quorum-policy=stop stonith-enabled=false dc-deadtime=10s\n" in crm
    assert "192.168.1.123\ts3" in render.hosts(THREE)
    assert "ucast eth2 192.168.9.123" in render.ha_cf(THREE) and "node s3" in render.ha_cf(THREE)


@pytest.mark.skipif(shutil.which("corosync") is None, reason="corosync is not installed")
def test_corosync_parser_accepts_the_rendered_conf(tmp_path: Path) -> None:
    """corosync's own parser; ``-t`` then stops at "no local node address" (none is local here),
    so the verdict read is the parser's, and a broken file shows the check is real."""
    good = tmp_path / "good.conf"
    good.write_text(render.corosync_conf(SEED))
    three = tmp_path / "three.conf"
    three.write_text(render.corosync_conf(THREE))
    bad = tmp_path / "bad.conf"
    bad.write_text(render.corosync_conf(SEED).replace("nodelist {", "nodelist {{"))
    out = [
        subprocess.run(["corosync", "-t", "-c", str(p)], capture_output=True, text=True,
                       check=False, timeout=30)
        for p in (good, three, bad)
    ]
    assert "parser error" not in out[0].stdout + out[0].stderr
    assert "parser error" not in out[1].stdout + out[1].stderr
    assert "parser error" in out[2].stdout + out[2].stderr


def test_apache_proxies_app_to_tomcat_vip_over_ajp() -> None:
    conf = render.apache_proxy_conf(SEED, DEBIAN12, SEED.node("s1"))
    assert "<Location /app/>" in conf
    assert "ProxyPass ajp://192.168.1.102:8009/ connectiontimeout=2 timeout=10\n" in conf
    assert "mod_proxy_ajp.so" in conf
    assert "ServerName s1" in conf


@pytest.mark.parametrize(("settings", "line"), [
    ({"proxy_connect_timeout_s": 7}, "ProxyPass ajp://192.168.1.102:8009/ connectiontimeout=7 "
                                     "timeout=10\n"),
    ({"proxy_timeout_s": 30}, "ProxyPass ajp://192.168.1.102:8009/ connectiontimeout=2 "
                              "timeout=30\n"),
    ({"proxy_timeout_s": 0}, "ProxyPass ajp://192.168.1.102:8009/ connectiontimeout=2\n"),
    # the seed's file exactly: Apache's Timeout applies to both
    ({"proxy_connect_timeout_s": 0, "proxy_timeout_s": 0}, "ProxyPass ajp://192.168.1.102:8009/\n"),
])
def test_proxy_timeouts_are_the_proxypass_parameters(
    settings: dict[str, int], line: str
) -> None:
    desc = config.from_mapping(settings)
    assert line in render.apache_proxy_conf(desc, DEBIAN12, desc.nodes[0])


@pytest.mark.parametrize("key", ["proxy_connect_timeout_s", "proxy_timeout_s"])
def test_proxy_timeouts_refuse_what_is_not_whole_seconds(key: str) -> None:
    for bad in (-1, 1.5, "2s"):
        with pytest.raises(config.ConfigError, match=key):
            config.from_mapping({key: bad})


def test_tomcat_server_xml_has_http_and_ajp_connectors() -> None:
    root = ET.fromstring(render.tomcat_server_xml(SEED))
    connectors = {c.get("protocol"): c.attrib for c in root.iter("Connector")}
    assert connectors["HTTP/1.1"]["port"] == "8080"
    assert connectors["AJP/1.3"] == {
        "protocol": "AJP/1.3", "address": "0.0.0.0", "port": "8009", "secretRequired": "false",
    }


def test_pages_carry_the_node_marker() -> None:
    page = render.index_page(render.APACHE_TITLE, SEED.node("s2"))
    assert f"{render.NODE_MARKER} s2" in page and render.APACHE_TITLE in page


def test_node_files_are_complete_and_per_node() -> None:
    files = {f.path: f for f in render.node_files(SEED, DEBIAN12, "s2")}
    assert set(files) == {
        "/etc/hosts", "/etc/hostname", "/etc/corosync/corosync.conf",
        "/etc/apache2/ports.conf", "/etc/apache2/conf-enabled/httpd-proxy.conf",
        "/var/www/html/index.html",
        "/etc/tomcat10/server.xml", "/var/lib/tomcat10/temp",
        "/var/lib/tomcat10/webapps/ROOT/index.html",
        "/var/lib/tomcat10/webapps/ROOT/META-INF/context.xml",
        "/usr/local/sbin/hacluster-active-only",
    }
    assert isinstance(files["/var/lib/tomcat10/temp"], Directory)
    hostname = files["/etc/hostname"]
    assert isinstance(hostname, File) and hostname.content == "s2\n"
    hosts = files["/etc/hosts"]
    assert isinstance(hosts, File)
    assert "192.168.1.121\ts1" in hosts.content and "192.168.1.122\ts2" in hosts.content
    server_xml = files["/etc/tomcat10/server.xml"]
    assert (server_xml.mode, server_xml.group) == (0o640, "tomcat")
    # No secret is ever rendered: the authkey is generated per cluster by the backend.
    assert not any("authkey" in path for path in files)


def test_a_second_corosync_link_runs_over_the_service_lan() -> None:
    conf = render.corosync_conf(dataclasses.replace(SEED, redundant_link=True))
    assert "linknumber: 1" in conf
    assert "ring1_addr: 192.168.1.121" in conf and "ring1_addr: 192.168.1.122" in conf
    assert "ring1_addr" not in render.corosync_conf(SEED)


def test_ping_check_is_optional_and_keeps_groups_off_an_unreachable_lan() -> None:
    assert "ocf:pacemaker:ping" not in render.crm_configuration(SEED, DEBIAN12)
    crm = render.crm_configuration(dataclasses.replace(SEED, ping_check=True), DEBIAN12)
    assert "host_list=192.168.1.1" in crm
    for group in ("web", "webapp"):
        assert f"location {group}_on_connected {group}" in crm
    assert render.ping_ids(SEED)[-1] == "ping_gw_clone"


def test_the_seed_apache_answers_403_without_an_index_page() -> None:
    conf = render.apache_proxy_conf(SEED, DEBIAN12, SEED.nodes[0])
    assert '<LocationMatch "^/+$">\n    Options -Indexes' in conf


# -- every accepted value changes the cluster --------------------------------------------------

FIELD = Path(__file__).parent / "data" / "field-cases"


def _listens(text: str) -> list[str]:
    return [line.split()[1] for line in text.splitlines()
            if line.split()[:1] == ["Listen"]]


def test_http_port_makes_apache_listen_there() -> None:
    from pytest_hacluster.config import load

    desc = load(FIELD / "config-http-port.toml")
    files = {f.path: f for f in render.node_files(desc, DEBIAN12, "s1")
             if isinstance(f, File)}
    ports = files["/etc/apache2/ports.conf"].content
    assert _listens(ports) == ["8081", "443", "443"]  # 443 only inside the ssl IfModules
    assert "Listen 80\n" not in ports
    assert _listens(files["/etc/apache2/conf-enabled/httpd-proxy.conf"].content) == []
    flat = " ".join(render.crm_configuration(desc, DEBIAN12).replace("\\\n", " ").split())
    assert "statusurl=http://192.168.1.101:8081/" in flat
    assert _listens(render.apache_ports_conf(SEED)) == ["80", "443", "443"]


def test_where_listen_is_in_the_main_config_another_port_is_added() -> None:
    desc = from_mapping({"http_port": 8081})
    assert _listens(render.apache_proxy_conf(desc, render.CENTOS6, desc.nodes[0])) == ["8081"]
    assert _listens(render.apache_proxy_conf(SEED, render.CENTOS6, SEED.nodes[0])) == []
    assert not any(f.path.endswith("ports.conf")
                   for f in render.node_files(desc, render.CENTOS6, "s1"))


def test_resource_and_operation_defaults_are_rendered_in_their_sections() -> None:
    desc = from_mapping({"rsc_defaults": {"resource-stickiness": "INFINITY",
                                          "migration-threshold": 1},
                         "op_defaults": {"timeout": "120s"}})
    crm = render.crm_configuration(desc, DEBIAN12)
    assert "\nrsc_defaults migration-threshold=1 resource-stickiness=INFINITY\n" in crm
    assert "\nop_defaults timeout=120s\n" in crm
    assert "resource-stickiness" not in crm.split("\n", 1)[0]  # not in the property line
    assert "rsc_defaults" not in render.crm_configuration(SEED, DEBIAN12)


def test_intervals_written_as_pacemaker_durations_are_rendered_as_read() -> None:
    desc = from_mapping({"service_ops": {"monitor": {"interval": "PT15S", "timeout": "1min"}},
                         "vip_monitor_interval": "500ms"})
    flat = " ".join(render.crm_configuration(desc, DEBIAN12).replace("\\\n", " ").split())
    assert "op monitor interval=15 timeout=60 on-fail=restart" in flat
    assert "cidr_netmask=24 op monitor interval=500ms" in flat
