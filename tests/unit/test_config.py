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
    assert (d.web.name, d.web.vip_resource, d.web.vip, d.web.service_resource) == (
        "web", "vip_httpd", "192.168.1.101", "httpd")
    assert (d.webapp.name, d.webapp.vip_resource, d.webapp.vip) == (
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
        "properties": {"resource-stickiness": 100},
    })
    assert d.web.vip == "192.168.1.111"
    assert d.web.vip_resource == "vip_httpd"
    assert d.service_ops.monitor.interval == 5
    assert d.service_ops.monitor.timeout == 60
    assert d.properties["resource-stickiness"] == "100"
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
        ({"webapp": {"vip": "192.168.1.101"}}, "already used by tool.hacluster.web.vip"),
        ({"service_ops": {"stop": {"on_fail": "explode"}}}, "service_ops.stop.on_fail"),
        ({"service_ops": {"monitor": {"interval": "10s"}}}, "monitor.interval"),
        ({"interconnect_nic": "eth1"}, "interconnect_nic: must differ"),
        ({"nodes": {"s1": {}}}, "exactly two nodes"),
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
    assert (d.cluster_name, d.webapp.vip) == ("prod", "192.168.1.99")


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
