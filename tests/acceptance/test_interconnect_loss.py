"""Scenario 7: the interconnect cable (eth2) pulled.

With the seed's configuration (corosync only on the interconnect, no STONITH,
``no-quorum-policy=ignore``) each side loses the other within the token and consensus time,
becomes DC and starts the groups it lacks: every VIP is up on both nodes. That split brain is
what the configuration predicts, so it is a strict expected failure: reported with figures,
and an unexpected outcome (no split brain at all) fails the run loudly. With a second corosync
link on the service LAN, the same cable pull changes nothing users can see.
"""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.split_brain import Look, SplitWatch, each_side_alone, one_copy

pytestmark = pytest.mark.hacluster


class SplitBrain(AssertionError):
    """A VIP was held by two nodes at once."""


def doubled_everywhere(look: Look) -> bool:
    return all(len(v) > 1 for v in look.holders.values())


@pytest.mark.xfail(
    strict=True, raises=SplitBrain,
    reason="seed configuration: one corosync link, no STONITH, no-quorum-policy=ignore",
)
def test_interconnect_loss_with_the_seeds_single_link(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    node = hacluster.group_node(desc.web.name)
    with SplitWatch(hacluster) as watch:
        pull = sc.faults.pull_cable(node, desc.interconnect_nic)
        assert pull.injected is not None
        t0 = pull.injected.t
        alone = watch.wait_for(each_side_alone, sc.slo.node_loss.seconds, after=t0)
        both = watch.wait_for(doubled_everywhere, sc.slo.node_loss.seconds, after=t0)
        pull.undo()
        assert pull.undone is not None
        merged = watch.wait_for(one_copy, sc.slo.converge.seconds, after=pull.undone.t)
    doubled = watch.doubled()
    now = watch.snapshot()[-1].t
    sc.finding(
        "split brain: " + (", ".join(
            f"{d.vip} on {' and '.join(d.nodes)} from {d.start - t0:+.0f}s for "
            f"{d.duration(now):.0f}s" + ("" if d.end is not None else " (still)")
            for d in doubled) or "none"),
        each_side_alone_s=None if alone is None else round(alone.t - t0, 1),
        every_vip_doubled_s=None if both is None else round(both.t - t0, 1),
        views_when_split=None if both is None else both.views,
        one_copy_after_plug_s=None if merged is None else round(merged.t - pull.undone.t, 1),
        converge_slo_s=sc.slo.converge.seconds,
    )
    assert alone is not None, f"each side never reported the other offline: {watch.snapshot()}"
    if doubled:
        raise SplitBrain(str(sc.findings[-1]))


def test_interconnect_loss_with_a_second_corosync_link(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    sc.faults.redundant_link()
    node = hacluster.group_node(desc.web.name)
    before = {g.name: hacluster.group_node(g.name) for g in desc.groups}
    with SplitWatch(hacluster) as watch:
        pull = sc.faults.pull_cable(node, desc.interconnect_nic)
        assert pull.injected is not None
        # The window in which the single-link cluster splits: nothing may happen in it.
        split = watch.wait_for(
            lambda k: each_side_alone(k) or any(len(v) > 1 for v in k.holders.values()),
            sc.slo.node_loss.seconds, after=pull.injected.t,
        )
    assert split is None, f"split brain despite the second link: {split}"
    assert watch.doubled() == []
    assert {g.name: hacluster.group_node(g.name) for g in desc.groups} == before
    links = hacluster.links()
    assert all(not v[0] and v[1] for v in links.values()), links
    assert sc.probe.outages() == [], sc.probe.outages()
    sc.finding("no split brain with a second corosync link", links_when_pulled=links)
