"""The cluster description: seed defaults, overrides, and one clear error per bad key."""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_hacluster import config
from pytest_hacluster.config import ConfigError, Description, from_mapping, load


def test_defaults_are_the_seed() -> None:
    d = Description()
    assert [(n.name, n.service_ip, n.interconnect_ip, n.ssh_port) for n in d.nodes] == [
        ("s1", "192.168.1.121", "192.168.9.121", 2122),
        ("s2", "192.168.1.122", "192.168.9.122", 2222),
    ]
    web = d.group("web")
    assert (web.name, web.vip_resource, web.vip, web.service_resource) == (
        "web", "vip_httpd", "192.168.1.101", "httpd")
    assert (d.group("webapp").name, d.group("webapp").vip_resource, d.group("webapp").vip) == (
        "webapp", "vip_tomcat", "192.168.1.102")
    assert d.urls == {
        "web": "http://192.168.1.101/",
        "app": "http://192.168.1.101/app/",
        "tomcat": "http://192.168.1.102:8080/",
    }
    assert (d.service_ops.monitor.interval, d.service_ops.monitor.timeout) == (10, 60)
    assert d.service_ops.stop.on_fail == "block"


def test_overrides_merge_over_seed() -> None:
    d = from_mapping({
        "web": {"vip": "192.168.1.111"},
        "service_ops": {"monitor": {"interval": 5}},
        "rsc_defaults": {"resource-stickiness": 100},
    })
    assert d.group("web").vip == "192.168.1.111"
    assert d.group("web").vip_resource == "vip_httpd"
    assert d.service_ops.monitor.interval == 5
    assert d.service_ops.monitor.timeout == 60
    assert d.rsc_defaults["resource-stickiness"] == "100"
    assert d.urls["app"] == "http://192.168.1.111/app/"


def test_nodes_can_be_renamed() -> None:
    d = from_mapping({"nodes": {
        "alpha": {"service_ip": "192.168.1.11", "interconnect_ip": "192.168.9.11"},
        "beta": {"service_ip": "192.168.1.12", "interconnect_ip": "192.168.9.12"},
    }})
    assert d.node_names == ("alpha", "beta")
    assert d.node("beta").ssh_port == 2222


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"nodez": {}}, "tool.hacluster: unknown key 'nodez'"),
        ({"web": {"vip": "192.168.1.300"}}, "web.vip: '192.168.1.300' is not an IPv4"),
        ({"web": {"vip": "10.0.0.5"}}, "tool.hacluster.web.vip: 10.0.0.5 is outside"),
        ({"webapp": {"vip": "192.168.1.101"}}, "already used by tool.hacluster.groups.web.vip"),
        ({"service_ops": {"stop": {"on_fail": "explode"}}}, "service_ops.stop.on_fail"),
        ({"service_ops": {"monitor": {"interval": "10 seconds"}}}, "monitor.interval"),
        ({"service_ops": {"monitor": {"interval": True}}}, "monitor.interval"),
        ({"service_ops": {"start": {"timeout": "PT90S"}}}, "start.timeout: 'PT90S'"),
        ({"interconnect_nic": "eth1"}, "interconnect_nic: must differ"),
        ({"nodes": {"s1": {}}}, "expected 2 to 5 nodes, got 1 (s1)"),
        ({"timings": {"token_ms": -1}}, "timings.token_ms"),
        ({"app_path": "app"}, "app_path"),
    ],
)
def test_bad_values_name_their_key(table: dict, named: str) -> None:
    with pytest.raises(ConfigError) as err:
        from_mapping(table)
    assert named in str(err.value)


def test_load_reads_tool_hacluster(tmp_path: Path) -> None:
    p = tmp_path / "pyproject.toml"
    p.write_text('[tool.hacluster]\ncluster_name = "prod"\n[tool.hacluster.webapp]\n'
                 'vip = "192.168.1.99"\n')
    d = load(p)
    assert (d.cluster_name, d.group("webapp").vip) == ("prod", "192.168.1.99")


def test_load_without_file_or_table_is_seed(tmp_path: Path) -> None:
    assert load(tmp_path / "absent.toml") == Description()
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    assert load(tmp_path / "pyproject.toml") == Description()


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    p = tmp_path / "pyproject.toml"
    p.write_text("[tool.hacluster\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(p)


def test_slo_and_probe_tables_are_read_and_checked() -> None:
    desc = config.from_mapping({"slo": {"restart_s": 15}, "probe": {"interval_s": 0.05}})
    assert desc.slo.restart_s == 15.0 and desc.probe.interval_s == 0.05
    with pytest.raises(config.ConfigError, match=r"tool\.hacluster\.slo\.restart_s: expected a "
                       "positive number"):
        config.from_mapping({"slo": {"restart_s": "fast"}})
    with pytest.raises(config.ConfigError, match=r"tool\.hacluster\.slo: unknown key 'outage'"):
        config.from_mapping({"slo": {"outage": 3}})
    with pytest.raises(config.ConfigError, match=r"tool\.hacluster\.probe: interval_s"):
        config.from_mapping({"probe": {"interval_s": 2, "timeout_s": 1}})


# -- the configuration means what it says (field cases in data/field-cases/) -----------------

FIELD = Path(__file__).parent / "data" / "field-cases"


def test_fqdn_node_names_are_accepted() -> None:
    d = load(FIELD / "config-fqdn-nodes.toml")
    assert d.node_names == ("lb1.example.net", "lb2.example.net")
    assert d.node("lb2.example.net").ssh_port == 2222


@pytest.mark.parametrize("name", ["s1", "lb1.example.net", "Node-A", "n1", "a" * 63,
                                  "web-01.dc2.example.com"])
def test_host_names_pacemaker_and_vagrant_take_are_accepted(name: str) -> None:
    d = from_mapping({"nodes": {
        name: {"service_ip": "192.168.1.11", "interconnect_ip": "192.168.9.11"},
        "other": {"service_ip": "192.168.1.12", "interconnect_ip": "192.168.9.12"},
    }})
    assert d.node_names[0] == name


@pytest.mark.parametrize(("name", "says"), [
    ("web_1", "Vagrant"), ("-s1", "not a host name"), ("s1.", "not a host name"),
    ("a..b", "not a host name"), ("a" * 64 + ".x", "not a host name"), ("s 1", "not a host"),
    ("OTHER", "the same node name"),
])
def test_host_names_that_would_break_later_are_refused(name: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says) as err:
        from_mapping({"nodes": {
            name: {"service_ip": "192.168.1.11", "interconnect_ip": "192.168.9.11"},
            "other": {"service_ip": "192.168.1.12", "interconnect_ip": "192.168.9.12"},
        }})
    assert "tool.hacluster.nodes." in str(err.value)


def test_two_nodes_on_one_forwarded_ssh_port_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"nodes\.s2\.ssh_port: 2122 is already .*s1's"):
        from_mapping({"nodes": {"s1": {"ssh_port": 2122}, "s2": {"ssh_port": 2122}}})
    with pytest.raises(ConfigError, match=r"ssh\.hosts\.s2: 10\.0\.0\.5:22 is also where s1"):
        from_mapping({"ssh": {"hosts": {"s1": "10.0.0.5", "s2": "10.0.0.5:22"}}})
    d = from_mapping({"ssh": {"hosts": {"s1": "127.0.0.1:2122", "s2": "127.0.0.1:2222"}}})
    assert d.ssh.hosts["s2"] == "127.0.0.1:2222"


@pytest.mark.parametrize("nic", ["bond0.2176", "enp0s8", "br-lan", "vlan_7", "eth1", "ETH9",
                                 "a" * 15])
def test_vlan_bond_and_predictable_interface_names_are_accepted(nic: str) -> None:
    assert from_mapping({"service_nic": nic}).service_nic == nic


@pytest.mark.parametrize("nic", ["a" * 16, "eth0:1", "eth/1", "..", "", "eth 1"])
def test_interface_names_linux_refuses_are_refused(nic: str) -> None:
    with pytest.raises(ConfigError, match=r"service_nic: .* is not a Linux interface name"):
        from_mapping({"service_nic": nic})


@pytest.mark.parametrize("rid", ["WebGroup", "VIP_httpd", "_web", "web.1", "Web-App"])
def test_resource_ids_of_any_case_pacemaker_allows_are_accepted(rid: str) -> None:
    assert from_mapping({"web": {"name": rid}}).groups[0].name == rid


@pytest.mark.parametrize(("rid", "says"), [
    ("1web", "not a Pacemaker id"), ("web:0", "not a Pacemaker id"), ("-x", "not a Pacemaker id"),
    ("vip_tomcat", r"webapp\.vip_resource: .vip_tomcat. is already tool\.hacluster\.web\."),
])
def test_resource_ids_pacemaker_refuses_are_refused(rid: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        from_mapping({"web": {"service_resource": rid}})


def test_resource_defaults_in_properties_are_refused_naming_the_table() -> None:
    with pytest.raises(ConfigError) as err:
        load(FIELD / "config-rsc-defaults-as-properties.toml")
    assert str(err.value) == (
        "tool.hacluster.properties.resource-stickiness: a resource meta-attribute, not a "
        "cluster option (Pacemaker ignores it in crm_config): put it in "
        "[tool.hacluster.rsc_defaults]"
    )
    with pytest.raises(ConfigError, match=r"properties\.migration-threshold: .*rsc_defaults"):
        from_mapping({"properties": {"migration-threshold": 1}})
    with pytest.raises(ConfigError, match=r"properties\.record-pending: .*op_defaults"):
        from_mapping({"properties": {"record-pending": True}})


def test_dc_deadtime_in_properties_is_refused_naming_its_source() -> None:
    with pytest.raises(ConfigError, match=r"properties\.dc-deadtime: set from .*initdead_s"):
        from_mapping({"properties": {"dc-deadtime": "30s"}})


def test_resource_and_operation_defaults_have_their_tables() -> None:
    d = from_mapping({"rsc_defaults": {"resource-stickiness": "INFINITY",
                                       "migration-threshold": 1},
                      "op_defaults": {"timeout": "120s", "record-pending": True}})
    assert d.rsc_defaults == {"resource-stickiness": "INFINITY", "migration-threshold": "1"}
    assert d.op_defaults == {"timeout": "120s", "record-pending": "true"}
    with pytest.raises(ConfigError, match=r"rsc_defaults\.stickyness: not one of Pacemaker's "
                       "resource meta-attributes"):
        from_mapping({"rsc_defaults": {"stickyness": 1}})
    with pytest.raises(ConfigError, match=r"op_defaults\.timeout: 'PT2M'.*without ISO 8601"):
        from_mapping({"op_defaults": {"timeout": "PT2M"}})


@pytest.mark.parametrize(("written", "seconds"), [
    (10, 10), ("10", 10), ("10s", 10), ("PT10S", 10), ("500ms", 0.5), ("2min", 120),
    ("PT1M30S", 90),
])
def test_intervals_are_read_as_pacemaker_reads_them(written: object, seconds: float) -> None:
    d = from_mapping({"service_ops": {"monitor": {"interval": written}},
                      "vip_monitor_interval": written})
    assert d.service_ops.monitor.interval == seconds
    assert d.vip_monitor_interval == seconds


@pytest.mark.parametrize(("written", "says"), [
    ("P1DT2H", "one short"), ("1.5s", "drops the fraction"), ("10 secs", "first letters"),
    ("soon", "'soon' is not a duration"),
])
def test_intervals_pacemaker_reads_otherwise_are_refused(written: str, says: str) -> None:
    with pytest.raises(ConfigError, match=rf"service_ops\.monitor\.interval: .*{says}"):
        from_mapping({"service_ops": {"monitor": {"interval": written}}})


def test_timeouts_take_units_but_not_iso8601() -> None:
    d = from_mapping({"service_ops": {"stop": {"timeout": "5min"}}})
    assert d.service_ops.stop.timeout == 300
    with pytest.raises(ConfigError, match=r"stop\.timeout: 'PT5M': Pacemaker reads timeouts "
                       r"without ISO 8601"):
        from_mapping({"service_ops": {"stop": {"timeout": "PT5M"}}})


def test_http_port_is_accepted() -> None:
    d = load(FIELD / "config-http-port.toml")
    assert d.http_port == 8081 and d.urls["web"] == "http://192.168.1.101:8081/"


# -- more than two nodes -------------------------------------------------------------------

S3 = {"service_ip": "192.168.1.123", "interconnect_ip": "192.168.9.123", "ssh_port": 2322}


def test_the_issues_third_node_beside_the_seeds_two() -> None:
    d = from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": S3}})
    assert [(n.name, n.service_ip, n.interconnect_ip, n.ssh_port) for n in d.nodes] == [
        ("s1", "192.168.1.121", "192.168.9.121", 2122),
        ("s2", "192.168.1.122", "192.168.9.122", 2222),
        ("s3", "192.168.1.123", "192.168.9.123", 2322),
    ]
    # Quorum means something from three nodes on: Pacemaker's default, written out.
    assert d.properties == {"stonith-enabled": "false", "no-quorum-policy": "stop"}
    assert d.no_quorum_policy == "stop" and d.quorum_matters


def test_two_nodes_keep_the_seeds_ignore() -> None:
    d = from_mapping({"nodes": {"s1": {}, "s2": {}}})
    assert d.properties["no-quorum-policy"] == "ignore"
    assert not d.quorum_matters


def test_a_described_policy_wins_over_the_node_count_default() -> None:
    d = from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": S3},
                      "properties": {"stonith-enabled": "false", "no-quorum-policy": "ignore"}})
    assert d.no_quorum_policy == "ignore" and not d.quorum_matters
    # A properties table without the option: Pacemaker's default applies (stop).
    d = from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": S3},
                      "properties": {"stonith-enabled": "false"}})
    assert "no-quorum-policy" not in d.properties and d.quorum_matters


def test_five_nodes_are_accepted_and_six_refused() -> None:
    five = {f"n{i}": {"service_ip": f"192.168.1.{130 + i}",
                      "interconnect_ip": f"192.168.9.{130 + i}", "ssh_port": 3000 + i}
            for i in range(1, 6)}
    assert len(from_mapping({"nodes": five}).nodes) == 5
    six = {**five, "n6": {"service_ip": "192.168.1.136", "interconnect_ip": "192.168.9.136",
                          "ssh_port": 3006}}
    with pytest.raises(ConfigError, match=r"nodes: expected 2 to 5 nodes, got 6"):
        from_mapping({"nodes": six})


@pytest.mark.parametrize("key", ["service_ip", "interconnect_ip", "ssh_port"])
def test_a_node_beyond_the_seeds_names_the_key_it_lacks(key: str) -> None:
    partial = {k: v for k, v in S3.items() if k != key}
    with pytest.raises(ConfigError, match=rf"tool\.hacluster\.nodes\.s3\.{key}: required"):
        from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": partial}})


@pytest.mark.parametrize(
    ("s3", "named"),
    [
        ({**S3, "service_ip": "192.168.1.122"}, r"nodes\.s3\.service_ip: 192\.168\.1\.122 is "
                                                r"already used by tool\.hacluster\.nodes\.s2"),
        ({**S3, "interconnect_ip": "192.168.8.123"}, r"nodes\.s3\.interconnect_ip: "
                                                     r"192\.168\.8\.123 is not on s1's"),
        ({**S3, "ssh_port": 2222}, r"nodes\.s3\.ssh_port: 2222 is already .*s2's"),
        ({**S3, "service_ip": "192.168.2.123"}, r"nodes\.s3\.service_ip: .* is outside"),
    ],
)
def test_a_third_nodes_clashes_name_its_key(s3: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        from_mapping({"nodes": {"s1": {}, "s2": {}, "s3": s3}})


def test_a_third_node_alone_is_not_added_to_the_seeds_pair() -> None:
    with pytest.raises(ConfigError, match=r"got 1 \(s3\); the table lists every node"):
        from_mapping({"nodes": {"s3": S3}})
