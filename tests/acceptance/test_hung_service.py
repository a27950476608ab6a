"""A hung Apache (SIGSTOP): only the monitor's timeout notices. Slow by nature.

With the seed's options (monitor timeout 60 s, stop timeout 300 s) the monitor times out after
about a minute and the apache agent's stop waits half its timeout on the frozen process before
killing it: about four minutes in all (231.6 s measured here; shared/notes/lab-facts.md).
Opt-in with ``--hacluster-slow``; the fault's undo sends SIGCONT whatever happens.
"""

from __future__ import annotations

import signal

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.slo import Threshold

pytestmark = [pytest.mark.hacluster, pytest.mark.hacluster_slow]


def test_hung_apache_is_recovered_after_its_monitor_times_out(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    web = desc.groups[0]
    node = hacluster.group_node(web.name)
    ops = desc.service_ops
    assert ops.monitor.timeout is not None and ops.stop.timeout is not None
    # The apache agent's stop waits half its timeout for a graceful stop (WINCH), then sends
    # SIGTERM and waits up to 10 s more before SIGKILL: a frozen Apache takes the whole way.
    limit = Threshold(
        "hang", ops.monitor.interval + ops.monitor.timeout + ops.stop.timeout / 2 + 10
        + desc.slo.margin_s,
        "monitor interval + monitor timeout + half the stop timeout (graceful) + 10s (SIGTERM) "
        "+ margin",
    )
    hang = sc.faults.kill(node, web.service_resource, signal.SIGSTOP)
    m = sc.recover(
        hang, lambda s: s.groups[web.name].started_on is not None
        and any(a.resource == web.service_resource for a in s.failed_actions),
        f"{web.name} recovered after a monitor timeout", urls=desc.served_checks(web.name),
        threshold=limit,
        timeout=limit.seconds + 60, failed_resource=web.service_resource,
    )
    assert m.recovered and m.within(limit), m.explain()
    assert m.prediction is not None and m.prediction.matched is None  # a hang: unsimulable
    assert m.detected_s is not None
    assert m.detected_s >= ops.monitor.timeout, m.explain()  # the timeout path, not a crash
