"""Every accepted key of ``[tool.hacluster]`` changes what it says (field case kind "config
accepted but rendered wrong": ``http_port = 8081`` once moved the statusurl but not Apache).

The keys the cluster's own files carry are changed one at a time, and the rendering (the crm
configuration and every node's files: what the lab writes, ``provision/`` exports and the
report shows) must differ from the seed's and carry the new value where a user would look
for it. Every other key is listed with the part of the run that reads it, so a key added
later without either fails here first.
"""

from __future__ import annotations

import dataclasses

import pytest

from pytest_hacluster import render
from pytest_hacluster.config import Description, from_mapping
from pytest_hacluster.render import DEBIAN12, File

SEED = Description()


def rendering(desc: Description) -> dict[str, str]:
    """What the cluster is made of: the crm configuration and each node's files by path."""
    out = {"crm configure": render.crm_configuration(desc, DEBIAN12)}
    for name in desc.node_names:
        for item in render.node_files(desc, DEBIAN12, name):
            if isinstance(item, File):
                out[f"{name}:{item.path}"] = str(item.content)
    return out


# (key as written in [tool.hacluster], its table, what must appear in the file named)
RENDERED = [
    ("cluster_name", {"cluster_name": "prodweb"}, "s1:/etc/corosync/corosync.conf",
     "cluster_name: prodweb"),
    ("service_nic", {"service_nic": "ens4"}, "crm configure", "nic=ens4"),
    ("netmask", {"netmask": 25}, "crm configure", "cidr_netmask=25"),
    ("http_port", {"http_port": 8081}, "s1:/etc/apache2/ports.conf", "Listen 8081"),
    ("tomcat_port", {"tomcat_port": 8181}, "s1:/etc/tomcat10/server.xml", 'port="8181"'),
    ("ajp_port", {"ajp_port": 8010}, "s1:/etc/tomcat10/server.xml", 'port="8010"'),
    ("app_path", {"app_path": "/shop/"}, "s1:/etc/apache2/conf-enabled/httpd-proxy.conf",
     "/shop/"),
    ("proxy_connect_timeout_s", {"proxy_connect_timeout_s": 5},
     "s1:/etc/apache2/conf-enabled/httpd-proxy.conf", "connectiontimeout=5"),
    ("proxy_timeout_s", {"proxy_timeout_s": 45},
     "s1:/etc/apache2/conf-enabled/httpd-proxy.conf", "timeout=45"),
    ("vip_monitor_interval", {"vip_monitor_interval": 20}, "crm configure",
     "op monitor interval=20"),
    ("service_ops", {"service_ops": {"monitor": {"interval": 30}}}, "crm configure",
     "op monitor interval=30 timeout=60"),
    ("properties", {"properties": {"no-quorum-policy": "ignore", "stonith-enabled": "false",
                                   "cluster-recheck-interval": "5min"}}, "crm configure",
     "cluster-recheck-interval=5min"),
    ("rsc_defaults", {"rsc_defaults": {"resource-stickiness": "100"}}, "crm configure",
     "resource-stickiness=100"),
    ("op_defaults", {"op_defaults": {"record-pending": "true"}}, "crm configure",
     "record-pending=true"),
    ("timings", {"timings": {"deadtime_s": 20}}, "s1:/etc/corosync/corosync.conf", None),
    ("redundant_link", {"redundant_link": True}, "s1:/etc/corosync/corosync.conf",
     "linknumber: 1"),
    ("ping_check", {"ping_check": True}, "crm configure", "ocf:pacemaker:ping"),
    ("nodes", {"nodes": {
        "s1": {"service_ip": "192.168.1.131", "interconnect_ip": "192.168.9.131",
               "ssh_port": 2122},
        "s2": {"service_ip": "192.168.1.122", "interconnect_ip": "192.168.9.122",
               "ssh_port": 2222}}}, "s2:/etc/hosts", "192.168.1.131"),
    ("profile", {"profile": "apache"}, "crm configure", None),
    ("groups", {"groups": {"web": {"vip": "192.168.1.111"}}}, "crm configure",
     "ip=192.168.1.111"),
    ("fencing", {"fencing": {"enabled": True}}, "crm configure", "stonith-enabled=true"),
    ("primitives", {"primitives": {"health": {"agent": "ocf:pacemaker:Dummy"}}},
     "crm configure", "primitive health ocf:pacemaker:Dummy"),
    ("clones", {"primitives": {"health": {"agent": "ocf:pacemaker:Dummy"}},
                "clones": {"health-clone": {"rsc": "health", "meta": {"interleave": "true"}}}},
     "crm configure", "clone health-clone health"),
    ("locations", {"locations": {"web-prefers-s1": {"rsc": "web", "score": 50, "node": "s1"}}},
     "crm configure", "location web-prefers-s1 web 50: s1"),
    ("colocations", {"colocations": {"apart": {"score": "-INFINITY", "rsc": "web",
                                               "with-rsc": "webapp"}}},
     "crm configure", "colocation apart -INFINITY: web webapp"),
    ("orders", {"orders": {"app-first": {"kind": "Optional", "first": "webapp",
                                         "then": "web"}}},
     "crm configure", "order app-first Optional: webapp web"),
]

# Keys the cluster's files do not carry, and the part of the run that reads them (each has
# its own tests there).
READ_AT_RUN_TIME = {
    "stack": "roots.py: which Debian release's cluster stack the lab's nodes run",
    "interconnect_nic": "corosync binds addresses, not names: the lab names the node's "
    "interface (backends/lab.py), the Vagrant path's nodes.json carries it (export.py), the "
    "pulled-cable faults pull it; Heartbeat's ha.cf (CentOS 6 stack) names it",
    "gateway": "the lab backend: the service LAN's gateway address (ping check target too)",
    "slo": "slo.py: the acceptance thresholds",
    "probe": "probe.py: the client-side sampling",
    "vagrant": "backends/vagrant.py: box, environment, where HTTP checks run",
    "ssh": "backends/ssh.py: how the nodes are reached",
}


def test_every_key_is_rendered_or_read_at_run_time() -> None:
    keys = {f.name for f in dataclasses.fields(Description)}
    listed = {key for key, *_ in RENDERED} | set(READ_AT_RUN_TIME)
    assert keys == listed, f"unlisted: {sorted(keys - listed)}, gone: {sorted(listed - keys)}"


@pytest.mark.parametrize(("key", "table", "where", "says"), RENDERED,
                         ids=[key for key, *_ in RENDERED])
def test_a_rendered_key_changes_the_files_and_says_its_value(
    key: str, table: dict, where: str, says: str | None
) -> None:
    seed, changed = rendering(SEED), rendering(from_mapping(table))
    assert changed != seed, f"{key} accepted and rendered nothing different"
    if says is not None:
        assert where in changed, f"{key}: no {where} in the rendering ({sorted(changed)})"
        assert says in changed[where], f"{key}: {says!r} not in {where}:\n{changed[where]}"
        assert says not in seed.get(where, ""), f"{key}: the seed already says {says!r}"


# The tables' own keys, one at a time, the same way.
NESTED = [
    ("timings.profile", {"timings": {"profile": "fast"}}, "s1:/etc/corosync/corosync.conf", None),
    ("timings.keepalive_s", {"timings": {"keepalive_s": 1}}, "s1:/etc/corosync/corosync.conf",
     None),
    ("timings.warntime_s", {"timings": {"warntime_s": 5}}, "s1:/etc/corosync/corosync.conf",
     None),
    ("timings.deadtime_s", {"timings": {"deadtime_s": 20}}, "s1:/etc/corosync/corosync.conf",
     None),
    ("timings.initdead_s", {"timings": {"initdead_s": 30}}, "crm configure", "dc-deadtime=30s"),
    ("timings.token_ms", {"timings": {"token_ms": 4000}}, "s1:/etc/corosync/corosync.conf",
     "token: 4000"),
    ("timings.consensus_ms", {"timings": {"token_ms": 4000, "consensus_ms": 6000}},
     "s1:/etc/corosync/corosync.conf", "consensus: 6000"),
    ("service_ops.start", {"service_ops": {"start": {"timeout": 120}}}, "crm configure",
     "op start interval=0 timeout=120"),
    ("service_ops.stop", {"service_ops": {"stop": {"timeout": 200}}}, "crm configure",
     "op stop interval=0 timeout=200"),
    ("fencing.action", {"fencing": {"enabled": True, "action": "reboot"}}, "crm configure",
     "stonith-action=reboot"),
    ("fencing.priority_fencing_delay",
     {"fencing": {"enabled": True, "priority_fencing_delay": "7s"}}, "crm configure",
     "priority-fencing-delay=7s"),
    ("fencing.priorities", {"fencing": {"enabled": True, "priorities": {"web": "5"}}},
     "crm configure", "priority=5"),
    ("fencing.delay_base", {"fencing": {"enabled": True, "delay_base": {"s1": "3s"}}},
     "crm configure", "pcmk_delay_base=3s"),
    ("fencing.delay_max", {"fencing": {"enabled": True, "delay_max": "4s"}}, "crm configure",
     "pcmk_delay_max=4s"),
    ("fencing.port", {"fencing": {"enabled": True, "port": 7411}}, "crm configure", "7411"),
    ("fencing.timeout", {"fencing": {"enabled": True, "timeout": "40s"}}, "crm configure",
     "stonith-timeout=40s"),
]


@pytest.mark.parametrize(("key", "table", "where", "says"), NESTED,
                         ids=[key for key, *_ in NESTED])
def test_a_rendered_table_key_changes_the_files_and_says_its_value(
    key: str, table: dict, where: str, says: str | None
) -> None:
    base = {"fencing": {"enabled": True}} if "fencing" in table else {}
    seed, changed = rendering(from_mapping(base)), rendering(from_mapping(table))
    assert changed != seed, f"{key} accepted and rendered nothing different"
    if says is not None:
        assert says in changed[where], f"{key}: {says!r} not in {where}:\n{changed[where]}"
        assert says not in seed.get(where, ""), f"{key}: already {says!r} without it"
