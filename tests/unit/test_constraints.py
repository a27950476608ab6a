"""Clones and constraints in the description: parsed, rendered in crm's syntax, refused naming
the key, and checked against a crm_mon state."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from pytest_hacluster import cluster, config, crm_status, export, invariants, oracle, render
from pytest_hacluster.config import ConfigError, from_mapping
from pytest_hacluster.constraint_check import clone_problems, constraint_problems
from pytest_hacluster.constraints import CloneSpec, Colocation, Location, Order

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "clone-and-constraints.toml"
DUMMY = {"agent": "ocf:pacemaker:Dummy"}


def described(**tables: Any) -> config.Description:
    return from_mapping({"primitives": {"dummy": DUMMY, "extra": DUMMY}, **tables})


def test_the_example_parses_into_crm_terms() -> None:
    d = config.load(EXAMPLE)
    assert [(p.id, p.agent) for p in d.primitives] == [("health", "ocf:pacemaker:Dummy")]
    assert d.clones == (CloneSpec("health-clone", "health", (), {"interleave": "true"}),)
    assert d.locations == (Location("web-prefers-s1", "web", "50", "s1"),)
    assert d.colocations == (Colocation("web-with-health", "INFINITY", "web", "health-clone"),)
    assert d.orders == (Order("health-before-web", "health-clone", "web", "Mandatory"),)
    # The seed's groups are untouched.
    assert [g.name for g in d.groups] == ["web", "webapp"]


def test_the_example_renders_after_the_seed_resources_in_crm_syntax() -> None:
    d = config.load(EXAMPLE)
    text = render.crm_configuration(d, render.DEBIAN12)
    seed = render.crm_configuration(config.Description(), render.DEBIAN12)
    assert text.startswith(seed.rstrip("\n").rsplit("\ngroup webapp", 1)[0])
    assert text.endswith(
        "group webapp vip_tomcat tomcat\n"
        "primitive health ocf:pacemaker:Dummy \\\n"
        "    op start interval=0 timeout=20 \\\n"
        "    op monitor interval=10 timeout=20 \\\n"
        "    op stop interval=0 timeout=20\n"
        "clone health-clone health \\\n"
        "    meta interleave=true\n"
        "location web-prefers-s1 web 50: s1\n"
        "colocation web-with-health INFINITY: web health-clone\n"
        "order health-before-web Mandatory: health-clone web\n"
    )
    assert render.configured_ids(d) == {
        "clone": {"health-clone"}, "location": {"web-prefers-s1"},
        "colocation": {"web-with-health"}, "order": {"health-before-web"},
    }


def test_the_default_description_renders_no_clone_or_constraint() -> None:
    assert render.configured_ids(config.Description()) == {
        "clone": set(), "location": set(), "colocation": set(), "order": set()}


def test_a_cloned_group_rules_and_symmetrical_render() -> None:
    d = described(
        clones={"base-clone": {"rsc": "base", "members": ["dummy", "extra"],
                               "meta": {"clone-max": 1, "globally-unique": False}}},
        locations={"base-on-lan": {"rsc": "base-clone", "score": "-INFINITY",
                                   "rule": "not_defined pingd or pingd lte 0"}},
        orders={"base-then-web": {"score": 0, "first": "base-clone", "then": "web",
                                  "symmetrical": False}},
    )
    lines = render.crm_configuration(d, render.DEBIAN12).splitlines()
    assert "group base dummy extra" in lines
    assert lines[lines.index("group base dummy extra") + 1:][:2] == [
        "clone base-clone base \\", "    meta clone-max=1 globally-unique=false"]
    assert "location base-on-lan base-clone rule -INFINITY: not_defined pingd or pingd lte 0" \
        in lines
    assert "order base-then-web 0: base-clone web symmetrical=false" in lines


@pytest.mark.parametrize("tables, key", [
    ({"clones": {"c": {"rsc": "dummy", "meta": {"clone-maximum": "2"}}}},
     "tool.hacluster.clones.c.meta.clone-maximum"),
    ({"clones": {"c": {"rsc": "dummy", "meta": {"clone-max": "two"}}}},
     "tool.hacluster.clones.c.meta.clone-max"),
    ({"clones": {"c": {"rsc": "dummy", "meta": {"interleave": "maybe"}}}},
     "tool.hacluster.clones.c.meta.interleave"),
    ({"clones": {"c": {"rsc": "dummy", "copies": 2}}}, "tool.hacluster.clones.c"),
    ({"clones": {"c": {"rsc": "nothing"}}}, "tool.hacluster.clones.c.rsc"),
    ({"clones": {"c": {"rsc": "httpd"}}}, "tool.hacluster.clones.c.rsc"),
    ({"clones": {"c": {"rsc": "web"}}}, "tool.hacluster.clones.c.rsc"),
    ({"clones": {"c": {"rsc": "g", "members": ["dummy", "nothing"]}}},
     "tool.hacluster.clones.c.members"),
    ({"clones": {"c": {"rsc": "dummy"}, "d": {"rsc": "dummy"}}}, "tool.hacluster.clones.d.rsc"),
    ({"clones": {"web": {"rsc": "dummy"}}}, "tool.hacluster.clones.web"),
    ({"locations": {"l": {"rsc": "web", "score": "100"}}}, "tool.hacluster.locations.l"),
    ({"locations": {"l": {"rsc": "web", "score": "lots", "node": "s1"}}},
     "tool.hacluster.locations.l.score"),
    ({"locations": {"l": {"rsc": "web", "score": "inf", "node": "s1"}}},
     "tool.hacluster.locations.l.score"),
    ({"locations": {"l": {"rsc": "web", "score": 100, "node": "s9"}}},
     "tool.hacluster.locations.l.node"),
    ({"locations": {"l": {"rsc": "webb", "score": 100, "node": "s1"}}},
     "tool.hacluster.locations.l.rsc"),
    ({"locations": {"l": {"rsc": "web", "score": 100, "node": "s1", "weight": 1}}},
     "tool.hacluster.locations.l"),
    ({"locations": {"l": {"rsc": "web", "score": 100, "rule": "date gt 2020-01-01"}}},
     "tool.hacluster.locations.l.rule"),
    ({"locations": {"l": {"rsc": "web", "score": 100, "rule": "a eq 1 and b eq 2 or c eq 3"}}},
     "tool.hacluster.locations.l.rule"),
    ({"colocations": {"c": {"score": "INFINITY", "rsc": "web"}}},
     "tool.hacluster.colocations.c.with-rsc"),
    ({"colocations": {"c": {"score": "always", "rsc": "web", "with-rsc": "webapp"}}},
     "tool.hacluster.colocations.c.score"),
    ({"colocations": {"c": {"score": "INFINITY", "rsc": "web", "with-rsc": "web"}}},
     "tool.hacluster.colocations.c.with-rsc"),
    ({"colocations": {"c": {"score": "INFINITY", "rsc": "web", "with-rsc": "dummy"},
                      }, "clones": {"dc": {"rsc": "dummy"}}},
     "tool.hacluster.colocations.c.with-rsc"),
    ({"orders": {"o": {"kind": "Mandatory", "score": 5, "first": "web", "then": "webapp"}}},
     "tool.hacluster.orders.o"),
    ({"orders": {"o": {"first": "web", "then": "webapp"}}}, "tool.hacluster.orders.o"),
    ({"orders": {"o": {"kind": "Always", "first": "web", "then": "webapp"}}},
     "tool.hacluster.orders.o.kind"),
    ({"orders": {"o": {"kind": "Mandatory", "first": "web", "then": "webapp",
                       "symmetrical": "no"}}}, "tool.hacluster.orders.o.symmetrical"),
    ({"orders": {"o": {"kind": "Mandatory", "first": "web", "then": "nothing"}}},
     "tool.hacluster.orders.o.then"),
    ({"orders": {"web-o": {"kind": "Mandatory", "then": "webapp"}}},
     "tool.hacluster.orders.web-o.first"),
    ({"orders": {"dummy": {"kind": "Mandatory", "first": "web", "then": "webapp"}}},
     "tool.hacluster.orders.dummy"),
    ({"primitives": {"p": {"agent": "Dummy"}}}, "tool.hacluster.primitives.p.agent"),
])
def test_refused_naming_the_key(tables: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as err:
        described(**tables) if "primitives" not in tables else from_mapping(tables)
    assert str(err.value).startswith(key + ":"), str(err.value)


@pytest.mark.parametrize("score", [0, -5, "INFINITY", "+INFINITY", "-INFINITY", "100", "-0"])
def test_scores_pacemaker_knows_are_accepted(score: int | str) -> None:
    d = from_mapping({"locations": {"l": {"rsc": "web", "score": score, "node": "s2"}}})
    assert d.locations[0].score == str(score)


# -- checked against crm_mon ------------------------------------------------------------------

def _state(dummy_on: tuple[str, ...], web_on: str, standby: str = "",
           webapp_on: str = "s2") -> crm_status.ClusterState:
    nodes = {n: crm_status.Node(n, True, n == standby) for n in ("s1", "s2")}
    dummy = crm_status.Resource("dummy", "ocf:pacemaker:Dummy",
                                tuple((n, "Started") for n in dummy_on), clone="dummy-clone")
    vip = crm_status.Resource.placed("vip_httpd", "ocf", "Started", (web_on,), "web")
    httpd = crm_status.Resource.placed("httpd", "ocf", "Started", (web_on,), "web")
    tomcat = crm_status.Resource.placed("tomcat", "ocf", "Started", (webapp_on,), "webapp")
    return crm_status.ClusterState(
        dc="s1", quorum=True, nodes=nodes,
        resources={"dummy": dummy, "vip_httpd": vip, "httpd": httpd, "tomcat": tomcat},
        groups={"web": crm_status.Group("web", (vip, httpd)),
                "webapp": crm_status.Group("webapp", (tomcat,))},
        failcounts={}, failed_actions=(),
        clones={"dummy-clone": crm_status.Clone("dummy-clone", "clone", "dummy", dummy.roles)},
    )


CLONED = {"clones": {"dummy-clone": {"rsc": "dummy"}}}


def test_a_clone_on_every_eligible_node_holds() -> None:
    d = described(**CLONED)
    assert clone_problems(d, _state(("s1", "s2"), "s1")) == []
    assert clone_problems(d, _state(("s1",), "s1")) == [
        "clone dummy-clone: 1 active instances ((('s1', 'Started'),)), expected 2 on "
        "['s1', 's2']"]
    # Standby: the instance there stops, one is expected.
    assert clone_problems(d, _state(("s1",), "s1", standby="s2")) == []
    assert clone_problems(d, _state(("s1", "s2"), "s1", standby="s2"))[0].startswith(
        "clone dummy-clone: active on s2, which may not run it")


def test_clone_max_and_bans_change_the_expected_instances() -> None:
    one = described(clones={"dummy-clone": {"rsc": "dummy", "meta": {"clone-max": 1}}})
    assert clone_problems(one, _state(("s2",), "s1")) == []
    assert len(clone_problems(one, _state(("s1", "s2"), "s1"))) == 1
    banned = described(**CLONED, locations={"no-s2": {"rsc": "dummy-clone",
                                                      "score": "-INFINITY", "node": "s2"}})
    assert clone_problems(banned, _state(("s1",), "s1")) == []
    assert constraint_problems(banned, _state(("s1", "s2"), "s1")) == [
        "location no-s2: dummy-clone is active on s2"]


def test_infinite_constraints_are_checked_finite_ones_left_to_the_scheduler() -> None:
    d = described(
        **CLONED,
        locations={"web-s2": {"rsc": "web", "score": "INFINITY", "node": "s2"},
                   "web-rather-s1": {"rsc": "web", "score": 50, "node": "s1"}},
        colocations={"web-with-dummy": {"score": "INFINITY", "rsc": "web",
                                        "with-rsc": "dummy-clone"},
                     "web-apart": {"score": "-INFINITY", "rsc": "web", "with-rsc": "webapp"}},
        orders={"dummy-first": {"kind": "Mandatory", "first": "dummy-clone", "then": "web"}},
    )
    state = _state(("s1",), "s2")
    problems = constraint_problems(d, state)
    assert problems == ["colocation web-with-dummy: web on ['s2'], dummy-clone only on ['s1']",
                        "colocation web-apart: web and webapp both on ['s2']"]
    assert constraint_problems(d, _state(("s1", "s2"), "s1")) == [
        "location web-s2: web is not active on s2 (on: s1)"]
    assert constraint_problems(d, _state(("s1", "s2"), "s2", webapp_on="s1")) == []
    nothing = _state((), "s2", webapp_on="s1")
    assert "order dummy-first: web is active, dummy-clone is not" in constraint_problems(d, nothing)


def test_a_cloned_group_on_one_node_is_no_doubled_resource() -> None:
    """The field case: instances of a cloned group on one node are not a resource doubled
    nor a group split for the invariant watcher."""
    text = (ROOT / "tests" / "unit" / "data" / "crm_mon" / "field"
            / "crmmon-xml-cloned-group.xml").read_text()
    state = crm_status.parse_xml(text)
    view = invariants.view_of(state, ["grrr", "grrr:0", "grrr:2"])
    assert view.doubled == {} and view.split == {}
    assert state.where("grrr") == {"wc1"}
    assert len(state.clones["apache2_clone"].roles) == 2


def test_an_ungrouped_primitive_on_two_nodes_is_doubled_a_cloned_one_is_not() -> None:
    d = described(**CLONED)
    assert d.single_resources == ("extra",)
    extra = crm_status.Resource("extra", "ocf:pacemaker:Dummy", (("s1", "Started"),
                                                                 ("s2", "Started")))
    state = _state(("s1", "s2"), "s1")
    state = dataclasses.replace(state, resources={**state.resources, "extra": extra})
    assert cluster.doubled_resources(d, state) == {"extra": ("s1", "s2")}
    view = invariants.view_of(state, [g.name for g in d.groups], d.single_resources)
    assert view.doubled == {"extra": ("s1", "s2")}


def test_health_waits_for_the_clone_instances_and_the_constraints() -> None:
    d = described(**CLONED, colocations={"web-with-dummy": {
        "score": "INFINITY", "rsc": "web", "with-rsc": "dummy-clone"}})
    nodes_and_groups = [p for p in cluster._state_problems(d, _state(("s2",), "s1"))]
    assert nodes_and_groups == [
        "clone dummy-clone: 1 active instances ((('s2', 'Started'),)), expected 2 on "
        "['s1', 's2']",
        "colocation web-with-dummy: web on ['s1'], dummy-clone only on ['s2']"]
    assert cluster._state_problems(d, _state(("s1", "s2"), "s1")) == []


def test_the_oracle_compares_a_cloned_group_by_its_configured_id() -> None:
    """The field case's instances grrr:0 and grrr:2 (an orphan) on wc1, grrr:1 stopped: one
    entry ``grrr`` whatever the scheduler numbered them."""
    text = (ROOT / "tests" / "unit" / "data" / "crm_mon" / "field"
            / "crmmon-xml-cloned-group.xml").read_text()
    assert oracle.group_placement(crm_status.parse_xml(text)) == {"grrr": "wc1+wc1"}


def test_the_vagrant_path_loads_the_same_rendering(tmp_path: Path) -> None:
    """provision/pacemaker.sh loads the export's resources.crm: the lab's rendering."""
    d = config.load(EXAMPLE)
    export.export(d, render.DEBIAN12, tmp_path / "rendered")
    text = (tmp_path / "rendered" / export.RESOURCES).read_text()
    assert text == render.crm_configuration(d, render.DEBIAN12)
    assert "clone health-clone health" in text and "order health-before-web" in text


def test_a_promotable_clone_has_its_promoted_instances() -> None:
    d = described(clones={"dummy-clone": {"rsc": "dummy", "meta": {"promotable": "true"}}})
    both = _state(("s1", "s2"), "s1")
    roles = (("s1", crm_status.PROMOTED), ("s2", crm_status.UNPROMOTED))
    promoted = dataclasses.replace(both, clones={"dummy-clone": crm_status.Clone(
        "dummy-clone", "promotable", "dummy", roles)})
    assert clone_problems(d, promoted) == []
    assert clone_problems(d, both) == [
        "clone dummy-clone: promoted on no node, expected 1 promoted instance(s) of 2"]


def test_ids_the_ping_check_renders_are_taken() -> None:
    with pytest.raises(ConfigError, match=r"^tool.hacluster.clones.ping_gw_clone: 'ping_gw_clone' "
                                          r"is already the ping check's"):
        described(ping_check=True, clones={"ping_gw_clone": {"rsc": "dummy"}})
    assert described(clones={"ping_gw_clone": {"rsc": "dummy"}}).clones[0].id == "ping_gw_clone"


@pytest.mark.parametrize("rule", ["pingd lte 0", "not_defined pingd or pingd number:lte 0",
                                  "#uname eq s1", "defined site and site string:ne b"])
def test_rules_in_crm_syntax_are_accepted(rule: str) -> None:
    d = from_mapping({"locations": {"l": {"rsc": "web", "score": "-INFINITY", "rule": rule}}})
    assert render.constraint_configuration(d) == [f"location l web rule -INFINITY: {rule}"]


@pytest.mark.parametrize("rule", ["pingd number lte 0", "pingd float:lte 0", "pingd lte",
                                  "defined", "pingd like 0", "and pingd lte 0"])
def test_rules_crm_would_not_read_are_refused(rule: str) -> None:
    with pytest.raises(ConfigError, match=r"^tool.hacluster.locations.l.rule: "):
        from_mapping({"locations": {"l": {"rsc": "web", "score": "-INFINITY", "rule": rule}}})
