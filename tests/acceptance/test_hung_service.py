"""A hung service (SIGSTOP of the group's service primitive): only its monitor can notice, and
how is the agent's. Slow by nature; once per group of the described cluster.

- An OCF agent that asks the service (the apache agent fetches its status page, the tomcat
  agent its status URL) times out after the monitor's timeout (60 s in the seed); its stop then
  waits on the frozen process. The apache agent's stop waits half its timeout for a graceful
  stop, then SIGTERM and 10 s more before SIGKILL: about four minutes in all with the seed's
  options (231.6 s measured here; shared/notes/lab-facts.md). Any other agent is held to its
  whole stop timeout (the tomcat agent's ``catalina.sh stop`` waits the stop timeout - 5 s).
- An LSB ``status`` looks at the pid file and ``/proc`` only (Debian's ``status_of_proc``): a
  frozen process still exists, so the monitor passes and nothing notices while users are
  without the service. That is asserted for the monitor's interval + timeout + margin, and
  reported as a finding.

Opt-in with ``--hacluster-slow``; the fault's undo sends SIGCONT whatever happens.
"""

from __future__ import annotations

import signal

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.profiles import GroupSpec, Op, Primitive
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.slo import Threshold
from pytest_hacluster.waiting import WaitTimeout, wait_until

pytestmark = [pytest.mark.hacluster, pytest.mark.hacluster_slow]


def test_hung_service_as_its_monitor_sees_it(
    hacluster: Cluster, hacluster_scenario: Scenario, hacluster_group: GroupSpec
) -> None:
    """The group's service frozen where it runs: an OCF agent's monitor times out and the
    group is back within the monitor's interval + timeout + the agent's stop on a frozen
    process + margin; an LSB status never notices (see the module)."""
    sc = hacluster_scenario
    desc = hacluster.description
    spec = hacluster_group
    primitive = spec.primitive(spec.service_resource)
    ops = desc.ops_of(primitive)
    monitor, stop = ops["monitor"], ops["stop"]
    assert monitor.timeout is not None and stop.timeout is not None, ops
    node = hacluster.group_node(spec.name)
    if primitive.agent_class == "lsb":
        _hang_goes_unnoticed(hacluster, sc, spec, primitive, node, monitor)
        return
    limit = Threshold(
        "hang", monitor.interval + monitor.timeout + _stop_on_frozen(primitive, stop)[0]
        + desc.slo.margin_s,
        f"monitor interval + monitor timeout + {_stop_on_frozen(primitive, stop)[1]} + margin",
    )
    hang = sc.faults.kill(node, primitive.id, signal.SIGSTOP)
    m = sc.recover(
        hang, lambda s: s.groups[spec.name].started_on is not None
        and any(a.resource == primitive.id for a in s.failed_actions),
        f"{spec.name} recovered after a monitor timeout", urls=desc.served_checks(spec.name),
        threshold=limit, timeout=limit.seconds + 60, failed_resource=primitive.id,
    )
    assert m.recovered and m.within(limit), m.explain()
    assert m.prediction is not None and m.prediction.matched is None  # a hang: unsimulable
    assert m.detected_s is not None
    assert m.detected_s >= monitor.timeout, m.explain()  # the timeout path, not a crash


def _stop_on_frozen(primitive: Primitive, stop: Op) -> tuple[float, str]:
    """Seconds the agent's stop may spend on a frozen process, and the words saying why."""
    assert stop.timeout is not None
    if primitive.agent_type == "apache":
        # WINCH, then half the stop timeout waiting for the graceful stop, then SIGTERM and
        # 10 s more before SIGKILL: a frozen Apache takes the whole way.
        return stop.timeout / 2 + 10, "half the stop timeout (graceful) + 10s (SIGTERM)"
    return stop.timeout, "the stop timeout"


def _hang_goes_unnoticed(
    hacluster: Cluster, sc: Scenario, spec: GroupSpec, primitive: Primitive, node: str,
    monitor: Op,
) -> None:
    """An LSB status looks at the process, not the service: nothing is recorded for the
    monitor's interval + timeout + margin, the group stays, and its users lose the checks the
    frozen service answers until it is continued."""
    assert monitor.timeout is not None
    desc = hacluster.description
    window = monitor.interval + monitor.timeout + desc.slo.margin_s
    hang = sc.faults.kill(node, primitive.id, signal.SIGSTOP)
    try:
        noticed = wait_until(
            hacluster.state,
            lambda s: s.groups[spec.name].started_on != node
            or any(a.resource == primitive.id for a in s.failed_actions),
            timeout=window, interval=1.0,
            what=f"Pacemaker noticing {primitive.id} frozen on {node}",
        )
    except WaitTimeout:
        noticed = None
    hang.undo()
    back = sc.recover(
        hang, lambda s: s.groups[spec.name].started_on == node,
        f"{spec.name} answering again on {node} once continued",
        urls=desc.served_checks(spec.name), timeout=window + 60,
    )
    assert noticed is None, (
        f"{primitive.id}'s LSB status noticed a frozen process: "
        f"{noticed.failed_actions if noticed else ''}")
    assert back.recovered, back.explain()
    # Users were without it from the freeze until it was continued, the window and more.
    assert (back.worst_outage_s or 0) >= monitor.interval + monitor.timeout, back.explain()
    sc.finding(
        f"a frozen {primitive.id} ({primitive.agent}) went unnoticed: its LSB status looks at "
        f"the process, not the service; users were without {spec.name} until it was continued",
        node=node, watched_s=round(window, 1), outage_s=back.worst_outage_s,
    )
