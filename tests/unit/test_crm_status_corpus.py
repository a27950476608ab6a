"""The corpus (tests/unit/data/crm_mon/corpus): real crm_mon outputs of Pacemaker 1.0, 1.1,
2.0, 2.1 and 3.0, XML and text, each read to the right answer written in answers.toml, and the
field cases (../shared/field-cases) of issue 14, one kind each."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from pytest_hacluster.crm_status import ClusterState, ParseError, parse

CORPUS = Path(__file__).parent / "data" / "crm_mon" / "corpus"
ANSWERS: dict[str, dict[str, Any]] = tomllib.loads((CORPUS / "answers.toml").read_text())
SAMPLES = sorted(p for p in CORPUS.iterdir() if p.name.startswith("pcmk"))


def test_every_sample_has_an_answer_and_there_are_at_least_30() -> None:
    assert sorted(p.name for p in SAMPLES) == sorted(ANSWERS)
    assert len(SAMPLES) >= 30


def test_the_corpus_spans_every_version_and_both_formats() -> None:
    prefixes = {re.match(r"pcmk(\d{2})", p.name)[1] for p in SAMPLES}  # type: ignore[index]
    assert {"10", "11", "20", "21", "30"} <= prefixes
    assert {".xml", ".txt"} <= {p.suffix for p in SAMPLES}


def answer_of(state: ClusterState) -> dict[str, Any]:
    roles = {r.id: r.roles for r in state.resources.values() if r.clone is None and r.group is None}
    roles.update({cid: c.roles for cid, c in state.clones.items()})
    return {
        "dc": state.dc or "",
        "quorum": "unknown" if state.quorum is None else state.quorum,
        "nodes": {n: x.state for n, x in state.nodes.items()},
        "roles": {k: sorted(f"{n} {r}" for n, r in v) for k, v in roles.items()},
        "groups": {g: x.started_on or "" for g, x in state.groups.items()},
    }


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_sample_reads_to_its_right_answer(path: Path) -> None:
    want = ANSWERS[path.name]
    if "refused" in want:
        with pytest.raises(ParseError) as err:
            parse(path.read_text(encoding="utf-8"))
        assert str(err.value).startswith(want["refused"])
        return
    assert answer_of(parse(path.read_text(encoding="utf-8"))) == want


# -- the field cases of issue 14, each a kind -------------------------------------------------


def field(name: str) -> ClusterState:
    mapping = {"crmmon-10text-promotable-roles.txt": "pcmk1013_field_promotable_roles.txt",
               "crmmon-1115text-counts-line.txt": "pcmk1115_field_counts_line.txt"}
    data = Path(__file__).parent / "data" / "crm_mon"
    path = CORPUS / mapping[name] if name in mapping else data / "field" / name
    return parse(path.read_text(encoding="utf-8"))


def test_field_10_text_promotable_roles_are_per_node() -> None:
    state = field("crmmon-10text-promotable-roles.txt")
    ms = state.clones["powergres_drbd.drbd.ms_drbd"]
    assert ms.kind == "promotable"
    assert (ms.role_on("n1"), ms.role_on("n2")) == ("Promoted", "Unpromoted")
    assert ms.promoted_on == ("n1",)
    assert state.groups["powergres.pgsql-drbd.group_pgsql"].started_on == "n1"
    assert (state.dc, state.quorum) == ("n1", True)


def test_field_1115_text_counts_line_is_a_header() -> None:
    state = field("crmmon-1115text-counts-line.txt")
    assert (state.dc, state.quorum) == ("n1.example.net", False)
    assert {n: x.state for n, x in state.nodes.items()} == {
        "n1.example.net": "online", "n2.example.net": "offline"}
    assert state.resources["virtual-ip"].role == "Stopped"


def test_field_xml_pending_node_is_neither_online_nor_standby() -> None:
    state = field("crmmon-xml-pending-node.xml")
    assert state.nodes["pn02"].state == "pending"
    assert state.online_nodes == {"pn01"}


def test_field_xml_cloned_group_instances_stay_apart() -> None:
    state = field("crmmon-xml-cloned-group.xml")
    grrr = {g: (x.started_on, x.role, x.orphaned, x.clone) for g, x in state.groups.items()}
    assert grrr == {
        "grrr:0": ("wc1", "Started", False, "apache2_clone"),
        "grrr:1": (None, "Stopped", False, "apache2_clone"),
        "grrr:2": ("wc1", "Started", True, "apache2_clone"),
    }
    assert state.nodes["wc2"].state == "unclean" and not state.nodes["wc2"].online
    assert state.clones["apache2_clone"].groups == ("grrr:0", "grrr:1", "grrr:2")
