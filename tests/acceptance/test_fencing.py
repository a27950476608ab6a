"""Scenarios with STONITH on (issue 19): run only with ``--hacluster-fencing``.

The cluster is the seed's plus fencing (``[tool.hacluster.fencing]``): a ``stonith:`` device
per node driven by Pacemaker's fencer, powering lab nodes off through the lab's power
controller. Fencing is read from Pacemaker itself (the fencer's history and its log lines,
``fence_history.py``) and checked against the lab's own record of power requests
(``power_controller.py``). The invariant watcher runs as in every scenario: any VIP or
resource on two nodes fails the test, because with fencing none is expected.

Two nodes or more (``docs/examples/three-nodes.toml``): each scenario asserts what Pacemaker does
for the described number of nodes. Where three or more differ from a pair (references to
Pacemaker 2.1.5's source, tag ``Pacemaker-2.1.5``):

- A pair splits into two sides that both keep quorum (corosync ``two_node``), so both may
  fence: the configured delays decide the survivor, or the nodes race. From three nodes on, a
  pulled interconnect leaves one node alone without quorum, and a partition without quorum does
  not fence (``pe_can_fence()`` in ``lib/pengine/utils.c``: true only with quorum or
  ``no-quorum-policy=ignore``; ``pcmk_sched_allocate.c``: "Unclean nodes will not be fenced
  until quorum is attained"). The quorate majority fences the lone node, whatever the delays
  say; no race is possible.
- ``priority-fencing-delay`` delays nothing then: ``node_priority_fencing_delay()`` in
  ``lib/pengine/pe_actions.c`` returns 0 when the fencing partition has more than half of the
  members ("No need to delay if we have more than half of the cluster members"). The fence is
  requested at once.
- A crashed node, or one whose corosync is killed, is fenced by the remaining nodes, which keep
  quorum; its groups may start on any of them, only after the fence (as in a pair).
"""

from __future__ import annotations

import time

import pytest

from pytest_hacluster import fence_watch
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.duration import interval_ms
from pytest_hacluster.faults import Fault
from pytest_hacluster.fence_history import FenceOperation
from pytest_hacluster.fencing import default_priorities
from pytest_hacluster.fencing_faults import FenceDeviceFails, KillCorosync
from pytest_hacluster.oracle import Prediction
from pytest_hacluster.power_controller import PowerEvent
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import WaitTimeout, wait_until

pytestmark = [pytest.mark.hacluster, pytest.mark.hacluster_fencing]

FENCE_TARGET_S = 2.0  # issue 19: Pacemaker's request to the node confirmed off, in the lab
LAB_RECORD_AGREEMENT_S = 0.2  # issue 19: fencing's time against the lab's power-off record


def _fencing_after(hacluster: Cluster, start: float, timeout: float,
                   enough: int = 1) -> fence_watch.Fencing:
    """Wait (bounded) until ``enough`` fencing operations since ``start`` (wall) are logged."""
    return wait_until(
        lambda: fence_watch.observe(hacluster.nodes, start, time.time()),
        lambda f: len(f.operations) >= enough, timeout=timeout, interval=0.5,
        what=f"{enough} fencing operation(s) in the cluster logs",
        describe=lambda f: str([str(op) for op in f.operations]),
    )


def _offs(sc: Scenario, since: float) -> list[PowerEvent]:
    """The lab's record: power-off requests the fence agents made since ``since`` (wall)."""
    return [e for e in sc.cluster.backend.power_controller().events
            if e.action == "off" and e.received >= since]


def _check_predicted_fencing(fault: Fault, fenced: fence_watch.Fencing) -> list[str]:
    """The scheduler's fencing for the fault (crm_simulate --node-fail, STONITH on) against
    the fencing observed; returns the predicted actions for the record."""
    assert fault.injected is not None
    predicted = fault.injected.prediction
    if not isinstance(predicted, Prediction):
        return []  # predictions off (cluster.oracle = None) or not simulable
    observed = [(op.target, op.action) for op in fenced.operations if op.ok]
    assert list(predicted.fencing) == observed, (
        f"Pacemaker's scheduler predicted fencing {predicted.fencing}, observed {observed}"
    )
    return [f"{action} {node}" for node, action in predicted.fencing]


def _check_fence_time(op: FenceOperation, offs: list[PowerEvent]) -> float:
    """The fence's time against the issue's target and the lab's own record; returns the
    difference between the fencer's confirmation and the lab's power-off."""
    assert op.device_s is not None, f"no request logged for {op}"
    assert op.device_s <= FENCE_TARGET_S, (
        f"fencing took {op.device_s}s beyond the configured delay (target {FENCE_TARGET_S}s)"
    )
    lab = [e for e in offs if e.node == op.target and e.ok]
    assert lab, f"the lab's power controller has no power-off of {op.target}: {offs}"
    gap = abs(op.confirmed - lab[-1].done)
    assert gap <= LAB_RECORD_AGREEMENT_S, (
        f"fencing confirmed at {op.confirmed:.3f}, the lab powered {op.target} off at "
        f"{lab[-1].done:.3f}: {gap:.3f}s apart"
    )
    return gap


def _expected_survivor(hacluster: Cluster) -> str | None:
    """The node the configuration makes win a two-node split: the one whose fencing waits
    longest (``pcmk_delay_base``), else with ``priority-fencing-delay`` the node running the
    heavier group (``web`` by default); None when nothing decides it (a race)."""
    desc = hacluster.description
    fencing = desc.fencing
    if fencing.delay_base:
        return max(desc.node_names,
                   key=lambda n: interval_ms(fencing.delay_base.get(n, "0"), "delay_base"))
    if fencing.priority_fencing_delay:
        priorities = fencing.priorities or default_priorities(desc)
        heaviest = max(priorities, key=lambda g: int(priorities[g]))
        return hacluster.group_node(heaviest)
    return None


def test_interconnect_pulled_fences_exactly_one_node_and_the_configured_one_survives(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    """A pair: the delays decide which side survives. Three nodes or more: the pulled node is
    alone without quorum and the majority, quorate, fences it at once (module docstring)."""
    sc = hacluster_scenario
    desc = hacluster.description
    fencing = desc.fencing
    hacluster.wait_settled()  # a rejoined node's groups may still be moving back
    quorate = desc.quorum_matters
    if quorate:
        # The node running the first group is left alone: its group must move, fenced first.
        pulled = hacluster.group_node(desc.groups[0].name)
        expected: tuple[str, ...] | None = hacluster.other_nodes(pulled)
    else:
        pulled = hacluster.group_node(desc.groups[-1].name)  # either side: the cable joins both
        winner = _expected_survivor(hacluster)
        expected = None if winner is None else (winner,)
    start = time.time()
    pull = sc.faults.pull_cable(pulled, desc.interconnect_nic)
    assert pull.injected is not None

    def one_node_gone(s: ClusterState) -> bool:
        online = {n for n, node in s.nodes.items() if node.online}
        return (len(online) == len(desc.nodes) - 1 and (s.quorum is True or not quorate)
                and all(s.groups[g.name].started_on in online for g in desc.groups))

    m = sc.recover(pull, one_node_gone, "one node fenced, every group on the others",
                   threshold=sc.slo.node_loss)
    try:
        fenced = _fencing_after(hacluster, start, sc.slo.node_loss.seconds)
    except WaitTimeout:
        # Both nodes shot each other: no fencer is left to log a result, the lab's power
        # record is the only witness (seen once in 10 runs without any delay).
        record = _offs(sc, start)
        shot = sorted({e.node for e in record if e.ok and e.node})
        if len(shot) > 1:
            lab = "; ".join(f"{e.request}: {e.result} at {e.done - start:+.2f}s" for e in record)
            pytest.fail(f"fence race: {' and '.join(shot)} were both powered off by their "
                        f"fence agents, no node left to run the services (the lab's power "
                        f"record: {lab})\n{m.explain()}")
        raise
    # A second fence (the race the delays prevent) would come within the longest delay.
    delays = [fencing.priority_fencing_delay, fencing.delay_max, *fencing.delay_base.values()]
    wait_s = max(interval_ms(d, "delay") / 1000 for d in delays if d) if any(delays) else 0
    try:
        raced = _fencing_after(hacluster, start, wait_s + 2, enough=2)
    except WaitTimeout:
        raced = None
    offs = _offs(sc, start)
    op = fenced.operations[0]
    victim = op.target
    survivors = hacluster.other_nodes(victim)
    sc.finding(
        "interconnect pulled with STONITH: one node fenced, the other(s) kept the services",
        operations=[str(o) for o in fenced.operations], fenced=fenced.fenced(),
        survivor=", ".join(survivors),
        expected_survivor=None if expected is None else ", ".join(expected),
        fenced_by=op.origin, nodes=len(desc.nodes), quorate_majority=quorate,
        power_offs=[f"{e.request}: {e.result}" for e in offs],
        fence_s=op.took_s, priority_delay_s=op.delay_s,
        fenced_after_pull_s=round(op.confirmed - pull.injected.wall, 2),
        # 3+ nodes: crm_simulate --node-fail of the pulled node, the majority's decision; a
        # pair's split is unsimulable (two clusters deciding), so nothing is compared there
        predicted_fencing=_check_predicted_fencing(pull, fenced),
    )
    assert raced is None, (
        f"more than one fencing: {[str(o) for o in raced.operations]}; lab power "
        f"record: {[e.to_record() for e in _offs(sc, start)]}"
    )
    assert len(fenced.fenced()) == 1, [str(o) for o in fenced.operations]
    assert [e.node for e in offs if e.ok] == [victim], offs
    if expected is not None:
        assert survivors == expected, (
            f"{', '.join(survivors)} survived, the configuration says {', '.join(expected)}"
        )
    if quorate:
        # Only the quorate side can fence (pe_can_fence), and with more than half of the
        # members it asks for no priority delay (node_priority_fencing_delay).
        assert op.origin in survivors, f"{op} was not requested by the majority"
        assert op.delay_s == 0, f"{op}: a majority's fencing is not delayed by priority"
    assert m.recovered and m.within(sc.slo.node_loss), m.explain()
    _check_fence_time(op, offs)
    assert sc.watch.not_watched == [], sc.watch.not_watched


def test_node_crash_is_fenced_before_its_groups_start_on_the_survivor(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    hacluster.wait_settled()  # a rejoined node's groups may still be moving back
    victim = hacluster.group_node(desc.groups[0].name)
    survivors = hacluster.other_nodes(victim)
    crash = sc.faults.crash(victim)
    assert crash.injected is not None
    m = sc.recover(
        crash,
        lambda s: not s.nodes[victim].online
        and all(s.groups[g.name].started_on in survivors for g in desc.groups),
        f"every group on {' or '.join(survivors)}, {victim} fenced", threshold=sc.slo.node_loss,
    )
    assert m.recovered and m.within(sc.slo.node_loss), m.explain()
    fenced = _fencing_after(hacluster, crash.injected.wall, sc.slo.node_loss.seconds)
    op = fenced.operations[0]
    assert fenced.fenced() == [victim] and op.ok, [str(o) for o in fenced.operations]
    assert op.requested is not None, str(op)
    # The group's first check answered again (probe, monotonic), in the crash event's wall clock.
    first = desc.served_checks(desc.groups[0].name)[0]  # the probe names URLs as cluster.urls
    outages = m.outages.get(first, [])
    assert outages and outages[-1].end is not None, m.explain()
    answered = crash.injected.wall + (outages[-1].end - crash.injected.t)
    assert op.confirmed < answered, (
        f"{desc.groups[0].name} answered from {hacluster.elsewhere(victim)} at "
        f"{answered:.3f}, before {victim} was fenced at {op.confirmed:.3f}"
    )
    detection = op.requested - crash.injected.wall
    start = answered - op.confirmed
    sc.finding(
        "node crash with STONITH: the lost node fenced before its services started elsewhere",
        operation=str(op), fenced_by=op.origin, nodes=len(desc.nodes),
        outage_s=round(m.outage_s(first) or 0, 2),
        detection_s=round(detection, 2),
        fencing_s=op.took_s, of_it_priority_delay_s=op.delay_s, start_s=round(start, 2),
        predicted_fencing=_check_predicted_fencing(crash, fenced),
    )
    _check_fence_time(op, _offs(sc, crash.injected.wall))


def test_corosync_killed_on_a_node_gets_it_fenced(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    hacluster.wait_settled()  # a rejoined node's groups may still be moving back
    victim = hacluster.group_node(desc.groups[-1].name)
    survivors = hacluster.other_nodes(victim)
    kill = sc.faults.add(KillCorosync(hacluster, sc.faults.timeline, victim))
    assert kill.injected is not None
    m = sc.recover(
        kill,
        lambda s: not s.nodes[victim].online
        and all(s.groups[g.name].started_on in survivors for g in desc.groups),
        f"{victim} fenced, every group on {' or '.join(survivors)}", threshold=sc.slo.node_loss,
    )
    fenced = _fencing_after(hacluster, kill.injected.wall, sc.slo.node_loss.seconds)
    sc.finding("corosync killed with STONITH: that node fenced",
               operations=[str(op) for op in fenced.operations], nodes=len(desc.nodes),
               fence_s=fenced.operations[0].took_s,
               predicted_fencing=_check_predicted_fencing(kill, fenced))
    assert fenced.fenced() == [victim], [str(op) for op in fenced.operations]
    assert fenced.operations[0].origin in survivors, str(fenced.operations[0])
    assert m.recovered and m.within(sc.slo.node_loss), m.explain()
    _check_fence_time(fenced.operations[0], _offs(sc, kill.injected.wall))


def test_fencing_fails_and_nothing_of_the_lost_node_starts_elsewhere(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    hacluster.wait_settled()  # a rejoined node's groups may still be moving back
    victim = hacluster.group_node(desc.groups[0].name)
    survivors = hacluster.other_nodes(victim)
    asked = survivors[0]  # any remaining node: they share one membership and one CIB
    device = sc.faults.add(FenceDeviceFails(
        hacluster, sc.faults.timeline, hacluster.backend.power_controller(), "error"))
    crash = sc.faults.crash(victim)
    assert device.injected is not None and crash.injected is not None
    try:
        failing = _fencing_after(hacluster, crash.injected.wall, sc.slo.node_loss.seconds)
        assert failing.failed(), [str(op) for op in failing.operations]
        # Pacemaker retries and then gives up (stonith-max-attempts): in all that time the
        # lost node's group must stay stopped, since the node is not known to be off.
        try:
            # (crm_mon shows the lost node's resources still Started there: it is unclean.)
            started = wait_until(
                lambda: [f"{r.id} on {', '.join(sorted(set(r.nodes) & set(survivors)))}"
                         for r in hacluster.state(asked).groups[desc.groups[0].name].resources
                         if set(r.nodes) & set(survivors)],
                bool, timeout=10, interval=0.5,
                what=f"{desc.groups[0].name} started on {' or '.join(survivors)} while "
                f"fencing {victim} fails",
            )
        except WaitTimeout:
            started = None
        shown = hacluster.node(asked).run(["crm_mon", "-1", "--fence-history=1"]).stdout
        failed = fence_watch.observe(hacluster.nodes, crash.injected.wall, time.time())
        sc.finding(
            f"fencing of the lost node fails: {desc.groups[0].name} stays stopped",
            node=victim, nodes=len(desc.nodes), failed_attempts=len(failed.failed()),
            first=str(failed.failed()[0]),
            shown_by_crm_mon="Failed Fencing Actions" in shown,
        )
        assert started is None, f"{started} started without fencing {victim}"
        assert "Failed Fencing Actions" in shown, shown
        assert all(not e.ok for e in _offs(sc, crash.injected.wall)), "a power-off succeeded"
    finally:
        # The device works again: the fencer's next attempt must now succeed (the lost node is
        # still unclean), before the node is powered on, or that attempt would shoot it again.
        device.undo()
        assert device.undone is not None
        try:
            healed: fence_watch.Fencing | None = wait_until(
                lambda: fence_watch.observe(hacluster.nodes, device.undone.wall, time.time()),
                lambda f: victim in f.fenced(), timeout=sc.slo.node_loss.seconds, interval=0.5,
                what=f"fencing of {victim} to succeed once the device works again",
            )
        except WaitTimeout:
            healed = None
        if healed is None:  # the fencer gave up (stonith-max-attempts): an operator's ack
            hacluster.run_anywhere(["stonith_admin", "--confirm", victim])
        hacluster.run_anywhere(["stonith_admin", "--cleanup", "--history", victim])
    assert healed is not None, f"fencing of {victim} did not succeed once the device worked"
    sc.finding("device working again: the lost node fenced", node=victim,
               after_heal_s=round(healed.operations[-1].confirmed - device.undone.wall, 2))
