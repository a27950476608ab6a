"""Split-brain analysis of the watcher's looks (pure)."""

from __future__ import annotations

from pytest_hacluster.split_brain import Look, doubled_intervals, each_side_alone, one_copy

VIP = "192.168.1.101"


def look(t: float, holders: tuple[str, ...], offline: dict[str, tuple[str, ...]]) -> Look:
    return Look(t, {VIP: holders}, {}, offline)


def test_doubled_intervals_open_and_close_with_the_looks() -> None:
    looks = [
        look(0, ("s1",), {"s1": (), "s2": ()}),
        look(1, ("s1", "s2"), {"s1": ("s2",), "s2": ("s1",)}),
        look(2, ("s1", "s2"), {"s1": ("s2",), "s2": ("s1",)}),
        look(3, ("s2",), {"s1": (), "s2": ()}),
    ]
    (d,) = doubled_intervals(looks)
    assert (d.start, d.end, d.nodes, d.duration(9)) == (1, 3, ("s1", "s2"), 2)
    assert [k.t for k in looks if each_side_alone(k)] == [1, 2]
    assert [k.t for k in looks if one_copy(k)] == [0, 3]


def test_a_split_still_on_has_no_end() -> None:
    (d,) = doubled_intervals([look(5, ("s1", "s2"), {})])
    assert d.end is None and d.duration(8) == 3
