"""The rolling upgrade, rehearsed: each node in turn standby, stack stopped, root swapped for the
next Debian release's, started, rejoined, online; users probed and invariants watched all along
(``pytest_hacluster.upgrade``). Opt-in (``--hacluster-upgrade``), and last: the lab's nodes end
on another release. Debian 11 -> 12 (Pacemaker 2.0 -> 2.1) with ``--hacluster-stack=debian11``,
12 -> 13 (2.1 -> 3.0) with ``--hacluster-stack=debian12``; then the same steps back to the
release before (a rollback), from wherever the cluster is then (after the upgrade: back to
where it started; on ``debian13``: to 12)."""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.upgrade import NEXT_RELEASE, PREVIOUS_RELEASE, RollingUpgrade, Unsupported

pytestmark = [pytest.mark.hacluster, pytest.mark.hacluster_upgrade]

# Steps during which the node being upgraded holds no group: users must not notice them.
SILENT_STEPS = ("stop", "swap", "start", "rejoin")


@pytest.mark.parametrize("direction", ["upgrade", "rollback"])
def test_rolling_upgrade_node_by_node(hacluster: Cluster, hacluster_scenario: Scenario,
                                      direction: str,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    sc = hacluster_scenario
    first = hacluster.description.node_names[0]
    release = hacluster.backend.node_stack(first)
    to = (NEXT_RELEASE if direction == "upgrade" else PREVIOUS_RELEASE).get(release)
    if to is None:
        pytest.skip(f"no rolling {direction} from {release} among the lab's stacks: "
                    "upgrades start from --hacluster-stack=debian11 or debian12, rollbacks "
                    "from debian12 or debian13")
    upgrade = RollingUpgrade(hacluster, lambda: sc.probe.samples, to)
    sc.upgrade = upgrade
    try:
        upgrade.run()
    except Unsupported as exc:
        headline = str(exc).splitlines()[0]
        # The whole text (views, log lines) is the record's upgrade.unsupported.
        sc.finding(f"rolling {direction} {release} -> {to} not supported: {headline}",
                   release=release, to=to)
        hacluster.adopt_configuration()
        pytest.xfail(f"rolling {direction} {release} -> {to} refused (its finding says why)")
    hacluster.adopt_configuration()  # per-node Tomcat paths: the upgraded cluster's own
    record = upgrade.to_record(sc.probe.started or 0.0)
    before, after = record["versions"][0]["nodes"], record["versions"][-1]["nodes"]
    assert all(s["ok"] for s in record["steps"]), record["steps"]
    # Every node runs the next release's Pacemaker, which differs from the one it ran.
    assert len({v["pacemaker"] for v in after.values()}) == 1, after
    assert all(after[n]["pacemaker"] != before[n]["pacemaker"] for n in after), (before, after)
    # Mixed: after the first node started, the two nodes ran different Pacemakers.
    mixed = record["versions"][1]["nodes"]
    assert mixed[first]["pacemaker"] != mixed[hacluster.other_node(first)]["pacemaker"], mixed
    noticed = [s for s in record["steps"] if s["step"] in SILENT_STEPS
               and any(v > 0 for v in s["outage_s"].values())]
    assert not noticed, f"users lost service while an empty node was upgraded: {noticed}"
    slo = sc.slo.switchover
    for s in record["steps"]:
        worst = max(s["outage_s"].values(), default=0.0)
        if worst > slo.seconds:
            sc.finding(f"{s['step']} of {s['node']} during the upgrade: users without service "
                       f"{worst:.1f}s, over the switchover SLO {slo.seconds:g}s",
                       node=s["node"], step=s["step"], outage_s=worst)
    with capsys.disabled():
        print(f"\nrolling {direction} {release} -> {to}:")
        for s in record["steps"]:
            print(f"  {s['node']} {s['step']:8} {s['duration_s']:6.1f}s  outage "
                  + ", ".join(f"{u} {v:.1f}s" for u, v in s["outage_s"].items()))
