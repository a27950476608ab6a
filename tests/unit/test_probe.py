"""The probe: pure outage analysis, and the sampler against a real server on loopback."""

from __future__ import annotations

import itertools

from pytest_hacluster.http_client import Inline
from pytest_hacluster.probe import Outage, Probe, Sample, outages, served_by, story
from pytest_hacluster.waiting import wait_until
from tests.unit.conftest import LoopbackServer


def sample(t: float, ok: bool, node: str | None = "s1", url: str = "web") -> Sample:
    return Sample(url, t, 200 if ok else None, None if ok else "connection refused", 0.01,
                  node if ok else None)


def test_outage_runs_from_first_failure_to_first_success_after_it() -> None:
    samples = [sample(0.0, True), sample(0.1, False), sample(0.2, False), sample(0.3, True,
               "s2"), sample(0.4, False), sample(0.5, True)]
    assert outages(reversed(samples), "web") == [
        Outage("web", 0.1, 0.3, 2), Outage("web", 0.4, 0.5, 1)
    ]


def test_an_outage_not_over_when_sampling_stopped_has_no_end() -> None:
    found = outages([sample(0.0, True), sample(0.1, False)], "web")
    assert found == [Outage("web", 0.1, None, 1)]
    assert found[0].duration is None


def test_other_urls_do_not_count() -> None:
    assert outages([sample(0.1, False, url="tomcat")], "web") == []


def test_served_by_tells_the_urls_story() -> None:
    samples = [sample(0.0, True), sample(0.1, True), sample(0.2, False), sample(0.3, True, "s2")]
    assert served_by(samples, "web") == [(0.0, "s1"), (0.2, None), (0.3, "s2")]
    assert story(samples, "web", origin=0.2) == "-0.2s s1 -> +0.0s down -> +0.1s s2"


def test_probe_samples_at_its_rate_and_sees_an_outage(loopback_server: LoopbackServer) -> None:
    url = loopback_server.url
    runner = Inline(Probe.workers_needed(1, 0.02, 0.2))
    probe = Probe(runner, {"lo": url}, interval=0.02, timeout=0.2, max_s=20)
    try:
        with probe:
            wait_until(lambda: len(probe.samples), lambda n: n >= 10, timeout=10, interval=0.01,
                       what="ten samples")
            loopback_server.stop()
            wait_until(lambda: probe.last("lo"), lambda s: s is not None and not s.ok,
                       timeout=10, interval=0.01, what="a failed sample")
    finally:
        runner.close()
    samples = probe.samples
    assert all(s.node == "s1" for s in samples if s.ok)
    (outage,) = probe.outages("lo")
    assert outage.end is None and outage.lost >= 1
    gaps = [b.t - a.t for a, b in itertools.pairwise(samples)]
    assert max(gaps) < 0.5, "the rate held"
