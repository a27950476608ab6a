"""A scenario as plain data: the figures a reader needs, on one clock, with no secrets."""

from __future__ import annotations

import dataclasses
import json

from pytest_hacluster import oracle
from pytest_hacluster.config import Description, SshConfig, VagrantConfig
from pytest_hacluster.invariants import Violation
from pytest_hacluster.report import record
from tests import reportdata


def test_a_killed_service_becomes_a_record_with_slo_and_measured_figures() -> None:
    rec = reportdata.record_of(reportdata.kill_httpd())
    json.dumps(rec)  # JSON types only
    (fault,) = rec["faults"]
    assert fault["node"] == "s1" and fault["injected_s"] == 5.0
    assert fault["injected_at"].startswith("2025-10-09T")
    (m,) = rec["failovers"]
    assert m["target_node"] == "s1"
    assert m["slo"] == {"name": "restart", "seconds": 20,
                        "why": "monitor interval 10s + margin 10s"}
    assert abs(m["outage_s"]["web"] - 9.9) < 0.11 and m["outage_s"]["tomcat"] == 0.0
    assert m["detected_s"] == 9.0 and m["settled_s"] == 11.3 and m["within_slo"]
    assert m["placement"] == {"web": "s1", "webapp": "s2"}
    assert m["failcounts_after"] == {"httpd@s1": 1}
    assert m["failcounts_before"] is None  # not measured by this Failover: null, not invented
    assert m["prediction"] is None and m["log_lines"] == []


def test_probe_samples_are_rows_on_the_scenario_clock() -> None:
    rec = reportdata.record_of(reportdata.kill_httpd())
    probe = rec["probe"]
    assert probe["columns"] == ["t_s", "url", "status", "node", "latency_s", "error"]
    assert probe["samples"][0] == [0.0, "web", 200, "s1", 0.004, None]
    down = [r for r in probe["samples"] if r[1] == "web" and r[2] is None]
    assert down[0][0] > 5.0 and down[0][5] == "connection refused"


def test_fields_added_later_are_picked_up_when_present() -> None:
    sc = reportdata.kill_httpd()

    predicted = oracle.Prediction("SIGKILL httpd on s1", {"httpd": "s1"}, {"web": "s1"})
    m = sc.measurements[0]
    m.prediction = oracle.Check(predicted, {"web": "s1"}, {"httpd": "s1"})
    m.log_lines, m.failcounts_before = ["a", "b"], {"httpd@s1": 0}
    sc.violations = [
        Violation("vip_doubled", "192.168.1.101", ("s1", "s2"), reportdata.T0 + 2,
                  reportdata.T0 + 5, "arp", None)
    ]
    rec = reportdata.record_of(sc)
    out = rec["failovers"][0]
    assert out["prediction"]["verdict"] == "matched"
    assert out["prediction"]["predicted_groups"] == {"web": "s1"}
    assert out["prediction_text"].startswith("prediction matched: SIGKILL httpd on s1")
    assert out["log_lines"] == ["a", "b"] and out["failcounts_before"] == {"httpd@s1": 0}
    (v,) = rec["violations"]
    assert (v["kind"], v["subject"], v["nodes"], v["seen_by"], v["expected"]) == (
        "vip_doubled", "192.168.1.101", ["s1", "s2"], "arp", None
    )
    assert v["duration_s"] == 3.0 and v["ended"] is True
    assert "vip_doubled: 192.168.1.101 on s1 and s2" in v["text"]
    assert rec["watch"]["looks_per_s"]["arp"] > 0


def test_configuration_in_effect_has_its_secrets_removed() -> None:
    desc = dataclasses.replace(
        Description(),
        ssh=SshConfig(key="/home/ci/.ssh/id_cluster", keys={"s1": "/keys/s1"}),
        vagrant=VagrantConfig(env={"VAGRANT_CLOUD_TOKEN": "sekrit-token-123"}),
    )
    conf = record.config_record(desc)
    text = json.dumps(conf)
    for secret in ("id_cluster", "/keys/s1", "sekrit-token-123"):
        assert secret not in text
    assert conf["ssh"]["keys"] == {"s1": record.REDACTED}
    assert conf["vagrant"]["env"] == {"VAGRANT_CLOUD_TOKEN": record.REDACTED}
    assert conf["timings"]["deadtime_s"] == 10.0  # timings are not secrets: kept
    assert conf["nodes"][0]["name"] == "s1"


def test_a_group_on_no_single_node_reads_as_such_not_on_nowhere() -> None:
    from pytest_hacluster import records

    assert records.placement({"web": "s1", "webapp": None}) == (
        "web on s1, webapp not running whole on a node")
