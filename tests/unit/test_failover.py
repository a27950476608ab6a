"""The figures of a failover, from synthetic samples and CIB history."""

from __future__ import annotations

import json

from pytest_hacluster import oracle
from pytest_hacluster.crm_status import ClusterState, FailedAction
from pytest_hacluster.failover import Failover, detection_s, junit_properties
from pytest_hacluster.faults import Event
from pytest_hacluster.oracle import Prediction, Unsimulable
from pytest_hacluster.probe import Outage
from pytest_hacluster.slo import Threshold

EVENT = Event("SIGKILL httpd on s1", t=100.0, wall=1000.4, done=100.05)


def failover(**outages: list[Outage]) -> Failover:
    return Failover("SIGKILL httpd on s1", EVENT, 0.1, Threshold("restart", 20, "why"),
                    slo_urls=("web",), outages=dict(outages))


def test_outage_adds_up_every_outage_of_a_url_and_none_is_zero() -> None:
    f = failover(web=[Outage("web", 100.1, 105.0, 49), Outage("web", 106.0, 107.0, 10)],
                 tomcat=[])
    assert round(f.outage_s("web") or 0, 2) == 5.9
    assert f.outage_s("tomcat") == 0.0
    assert f.lost("web") == 59
    assert "web 5.9s (59 lost, 2 outages)" in f.summary()


def test_a_url_kept_down_on_purpose_is_said_so_not_not_back() -> None:
    f = failover(web=[Outage("web", 100.1, 103.0, 29)], app=[Outage("app", 100.2, None, 50)],
                 tomcat=[Outage("tomcat", 100.2, None, 43)])
    assert "app not back (50 lost)" in f.summary()
    f.kept_down = ("app", "tomcat")
    assert "app down on purpose (50 lost), tomcat down on purpose (43 lost)" in f.summary()
    assert f.to_record(origin=90.0)["kept_down"] == ["app", "tomcat"]


def test_within_judges_only_the_slo_urls_and_needs_the_url_back() -> None:
    assert failover(web=[Outage("web", 100.1, 110.0, 99)],
                    tomcat=[Outage("tomcat", 100.1, 140.0, 300)]).within()
    assert not failover(web=[Outage("web", 100.1, 130.0, 299)]).within()
    assert not failover(web=[Outage("web", 100.1, None, 299)]).within()


def test_junit_properties_are_the_records_figures_flat_under_the_same_names() -> None:
    f = failover(web=[Outage("web", 100.1, 105.0, 49)])
    f.detected_s, f.settled_s, f.placement = 7.6, 9.25, {"web": "s1"}
    record = f.to_record(origin=90.0)
    json.dumps(record)  # JSON types only
    props = dict(junit_properties(record))
    assert props["outage_s.web"] == record["outage_s"]["web"] == 4.9
    assert props["detected_s"] == record["detected_s"] == 7.6
    assert props["settled_s"] == record["settled_s"] == 9.25
    assert props["slo.name"] == "restart" and props["slo.seconds"] == 20
    assert props["placement.web"] == "s1" and props["within_slo"] is True
    assert record["injected_s"] == 10.0
    assert record["outages"]["web"] == [{"start_s": 10.1, "end_s": 15.0, "lost": 49}]
    assert all(not isinstance(v, dict | list) for v in props.values())


def state_with(*actions: FailedAction) -> ClusterState:
    return ClusterState(None, None, {}, {}, {}, {}, tuple(actions))


def test_detection_is_the_first_failure_recorded_after_the_fault() -> None:
    old = FailedAction("httpd", "monitor", "s1", 10000, 7, "complete", last_rc_change=900.0)
    new = FailedAction("httpd", "monitor", "s1", 10000, 7, "complete", last_rc_change=1008.0)
    other = FailedAction("tomcat", "monitor", "s2", 10000, 7, "complete", last_rc_change=1001.0)
    assert round(detection_s(state_with(old, new, other), "httpd", EVENT) or 0, 1) == 7.6
    assert detection_s(state_with(old), "httpd", EVENT) is None


def test_the_prediction_is_in_the_record_and_a_mismatch_is_not_as_predicted() -> None:
    expected = Prediction("failed monitor of httpd on s1", {"httpd": "s1"},
                          {"web": "s1", "webapp": "s2"},
                          (oracle.Action("httpd", "recover", node="s1"),), took_s=0.05)
    f = failover(web=[Outage("web", 100.1, 105.0, 49)])
    assert f.as_predicted  # nothing asked: nothing to hold against it
    f.prediction = oracle.Check(expected, {"web": "s1", "webapp": "s2"}, {"httpd": "s1"})
    assert f.as_predicted
    props = dict(junit_properties(f.to_record(origin=90.0)))
    assert props["prediction.verdict"] == "matched"
    assert props["prediction.predicted_groups.web"] == "s1"
    assert props["prediction.predicted_actions"] == "recover httpd on s1"
    assert props["prediction.took_s"] == 0.05
    f.prediction = oracle.Check(expected, {"web": "s2", "webapp": "s1"}, {"httpd": "s2"})
    assert not f.as_predicted
    assert f.within()  # the SLO and the prediction are separate verdicts
    text = f.explain()
    assert "prediction mismatch" in text and "predicted: web on s1, webapp on s2" in text
    assert "observed:  web on s2, webapp on s1" in text and "prediction mismatch" in f.summary()
    f.prediction = oracle.Check(Unsimulable("a split"), {"web": "s1"})
    props = dict(junit_properties(f.to_record(origin=90.0)))
    assert f.as_predicted and props["prediction.reason"] == "a split"
