"""Invariant analysis of the watcher's samples (pure): intervals, views, what is expected."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from pytest_hacluster import crm_status
from pytest_hacluster.invariants import (
    Look,
    View,
    Violation,
    arp_observations,
    classify,
    doubled_everywhere,
    each_side_alone,
    intervals,
    one_copy,
    view_observations,
    view_of,
)

VIP = "192.168.1.101"
ONLINE = {"s1": "online", "s2": "online"}


def view(states: dict[str, str] = ONLINE, **kw: object) -> View:
    return View(groups=kw.get("groups", {}), node_states=dict(states),  # type: ignore[arg-type]
                doubled=kw.get("doubled", {}), split=kw.get("split", {}))  # type: ignore[arg-type]


def test_an_interval_opens_and_closes_per_source() -> None:
    doubled = arp_observations({VIP: ("s1", "s2")})
    samples = [
        (0.0, "arp", arp_observations({VIP: ("s1",)})),
        (1.0, "arp", doubled),
        (1.5, "s1", set()),  # another source does not close it
        (2.0, "arp", doubled),
        (3.0, "arp", set()),
    ]
    (v,) = intervals(samples)
    assert (v.kind, v.subject, v.nodes, v.start, v.end, v.seen_by) == (
        "vip_doubled", VIP, ("s1", "s2"), 1.0, 3.0, "arp"
    )
    assert v.duration(99) == 2.0


def test_a_violation_still_on_has_no_end() -> None:
    (v,) = intervals([(5.0, "arp", arp_observations({VIP: ("s1", "s2")}))])
    assert v.end is None and v.duration(8.0) == 3.0
    assert "still at the end" in v.describe(origin=4.0, now=8.0)
    assert v.to_dict(origin=4.0, now=8.0)["duration_s"] == 3.0


def test_views_show_doubles_splits_and_node_changes() -> None:
    v = view({"s1": "online", "s2": "offline"}, doubled={"httpd": ("s1", "s2")},
             split={"web": ("s1", "s2")})
    assert view_observations(v, ONLINE) == {
        ("resource_doubled", "httpd", ("s1", "s2")),
        ("group_split", "web", ("s1", "s2")),
        ("node_change", "s2 online -> offline", ("s2",)),
    }
    assert view_observations(view(), ONLINE) == set()


def test_view_of_reads_crm_mon_state() -> None:
    def rsc(rid: str, group: str, nodes: tuple[str, ...]) -> crm_status.Resource:
        return crm_status.Resource.placed(rid, "ocf", "Started", nodes, group)

    vip, httpd = rsc("vip_httpd", "web", ("s1",)), rsc("httpd", "web", ("s1", "s2"))
    state = crm_status.ClusterState(
        dc="s1", quorum=True,
        nodes={"s1": crm_status.Node("s1", True, False), "s2": crm_status.Node("s2", True, True)},
        resources={"vip_httpd": vip, "httpd": httpd},
        groups={"web": crm_status.Group("web", (vip, httpd))},
        failcounts={}, failed_actions=(),
    )
    v = view_of(state, ["web"])
    assert v.node_states == {"s1": "online", "s2": "standby"}
    assert v.doubled == {"httpd": ("s1", "s2")}
    assert v.split == {"web": ("s1", "s2")}
    assert v.groups == {"web": None}


def test_node_changes_after_a_fault_that_causes_them_are_expected() -> None:
    crash = SimpleNamespace(injected=SimpleNamespace(t=10.0), changes_nodes=True)
    kill = SimpleNamespace(injected=SimpleNamespace(t=0.0), changes_nodes=False)
    before = Violation("node_change", "s1 online -> offline", ("s1",), 5.0, 6.0, "s2")
    after = Violation("node_change", "s1 online -> offline", ("s1",), 12.0, None, "s2")
    doubled = Violation("resource_doubled", "httpd", ("s1", "s2"), 12.0, 13.0, "s1")
    classify([before, after, doubled], [kill, crash], {})  # type: ignore[list-item]
    assert before.expected is None
    assert after.expected is not None and after.expected.startswith("caused by")
    assert doubled.expected is None


def test_declared_kinds_are_expected_with_the_tests_reason() -> None:
    doubled = Violation("vip_doubled", VIP, ("s1", "s2"), 1.0, 2.0, "arp")
    classify([doubled], [], {"vip_doubled": "seed configuration"})
    assert doubled.expected == "seed configuration"


@pytest.mark.parametrize(
    ("holders", "offline", "alone", "one", "everywhere"),
    [
        ({VIP: ("s1",)}, {"s1": (), "s2": ()}, False, True, False),
        ({VIP: ("s1", "s2")}, {"s1": ("s2",), "s2": ("s1",)}, True, False, True),
        ({VIP: ("s2",)}, {"s1": ("s2",), "s2": ()}, False, False, False),
        ({}, {"s1": (), "s2": ()}, False, True, False),
    ],
)
def test_look_conditions(
    holders: dict[str, tuple[str, ...]], offline: dict[str, tuple[str, ...]],
    alone: bool, one: bool, everywhere: bool,
) -> None:
    views = {
        n: view({m: "offline" if m in off else "online" for m in ("s1", "s2")})
        for n, off in offline.items()
    }
    look = Look(0.0, holders, views)
    assert look.offline == offline
    assert (each_side_alone(look), one_copy(look), doubled_everywhere(look)) == (
        alone, one, everywhere
    )
