"""A scenario's findings: declared violations said once, as expected, in words."""

from __future__ import annotations

from types import SimpleNamespace

from pytest_hacluster.invariants import Violation
from pytest_hacluster.scenario import Finding, Scenario

WHY = "seed configuration: one corosync link"


def test_declared_violations_are_one_finding_per_reason_and_node_changes_none() -> None:
    found: list[Finding] = []
    doubled = [
        Violation("vip_doubled", "192.168.1.101", ("s1", "s2"), 13.0, 40.0, "arp", WHY),
        Violation("vip_doubled", "192.168.1.101", ("s1", "s2"), 41.0, 42.0, "arp", WHY),
        Violation("resource_doubled", "httpd", ("s1", "s2"), 14.0, 39.0, "s1", WHY),
        Violation("node_change", "s2 online -> offline", ("s2",), 9.0, 45.0, "s1",
                  "caused by pull cable eth2 of s1"),
    ]
    fake = SimpleNamespace(
        watch=SimpleNamespace(started=10.0, stopped=60.0), violations=doubled,
        _declared={"vip_doubled": WHY, "resource_doubled": WHY},
        finding=lambda what, **figures: found.append(Finding(what, figures)),
    )
    Scenario.record_expected_violations(fake)  # type: ignore[arg-type]
    (one,) = found
    assert one.what == ("expected: a VIP answered ARP from two nodes, a resource active on two "
                        f"nodes ({WHY})")
    assert one.figures == {
        "vip_doubled": "192.168.1.101 on s1 and s2 from +3.0s for 27.0s",  # the longest window
        "resource_doubled": "httpd on s1 and s2 from +4.0s for 25.0s",
        "seen_by": "arp, s1",
    }
    assert "{" not in str(one) and "vip doubled: 192.168.1.101" in str(one)


def test_a_findings_figures_read_as_words_and_stay_structured_in_the_record() -> None:
    f = Finding("no split brain with a second corosync link",
                {"links_when_pulled": {"s1": {0: False, 1: True}}, "outage_s": 0.04})
    assert str(f) == ("no split brain with a second corosync link "
                      "(links when pulled: s1: 0 no, 1 yes; outage (s): 0.04)")
    assert f.to_record()["figures"] == {"links_when_pulled": {"s1": {"0": False, "1": True}},
                                        "outage_s": 0.04}


def test_the_expected_finding_reads_the_same_whichever_kind_showed_first() -> None:
    """Seen in a 10-run repeat: the split brain's finding listed its kinds in the order they
    first showed, so one run of ten read as a different verdict."""
    whats = []
    for order in (("group_split", "resource_doubled"), ("resource_doubled", "group_split")):
        found: list[Finding] = []
        fake = SimpleNamespace(
            watch=SimpleNamespace(started=10.0, stopped=60.0),
            violations=[Violation(k, "web", ("s1", "s2"), 13.0 + i, 20.0, "s1", WHY)
                        for i, k in enumerate(order)],
            _declared={"resource_doubled": WHY, "group_split": WHY},
            finding=lambda what, found=found, **figures: found.append(Finding(what, figures)),
        )
        Scenario.record_expected_violations(fake)  # type: ignore[arg-type]
        whats.append(found[0].what)
    assert whats[0] == whats[1]
