"""Unit tests for pytest_hacluster.crm_status, one fact per test.

Fixtures live in tests/unit/data/crm_mon (see its README): the seed's Pacemaker 1.0 text
verbatim, real Pacemaker 2.1.5 XML generated with crm_simulate, and one hand-made 1.1 XML.
Small inline snippets cover the text variants the seed does not show; they follow the printf
formats of Pacemaker 1.0/1.1's crm_mon.c.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pytest_hacluster.crm_status import (
    CRM_MON_XML_ARGS,
    INFINITY,
    ClusterState,
    FailedAction,
    Group,
    Node,
    ParseError,
    Resource,
    parse,
    parse_rc_change,
    parse_text,
    parse_xml,
)

DATA = Path(__file__).parent / "data" / "crm_mon"
SEED_DOCUMENT = Path("/work/shared/seed/000_d8fc63ba41d7fa23.txt")
SEED_FILES = sorted(DATA.glob("seed_*.txt"))
PCMK2_STATE_FILES = sorted(DATA.glob("pcmk2_*.xml"))


def read(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def load(name: str) -> ClusterState:
    return parse(read(name))


def members(state: ClusterState, group: str) -> list[str]:
    return [rsc.id for rsc in state.groups[group].resources]


# --------------------------------------------------------------------------------------------
# Every fixture
# --------------------------------------------------------------------------------------------


def test_there_are_nine_seed_samples() -> None:
    assert len(SEED_FILES) == 9


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_sample_parses_with_s1_online(path: Path) -> None:
    state = parse_text(path.read_text(encoding="utf-8"))
    assert state.nodes["s1"].state == "online"


@pytest.mark.skipif(not SEED_DOCUMENT.exists(), reason="seed document not on this machine")
@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_seed_sample_is_verbatim_from_seed_document(path: Path) -> None:
    assert path.read_text(encoding="utf-8") in SEED_DOCUMENT.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path", [p for p in PCMK2_STATE_FILES if "error" not in p.name], ids=lambda p: p.name
)
def test_pcmk2_sample_names_both_nodes(path: Path) -> None:
    state = parse_xml(path.read_text(encoding="utf-8"))
    assert set(state.nodes) == {"s1", "s2"}


@pytest.mark.parametrize("path", PCMK2_STATE_FILES, ids=lambda p: p.name)
def test_pcmk2_sample_was_made_with_the_documented_command(path: Path) -> None:
    assert f'request="{" ".join(CRM_MON_XML_ARGS)}"' in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Seed (Pacemaker 1.0.13 text)
# --------------------------------------------------------------------------------------------


def test_seed_tomcat_web_started_on_s1() -> None:
    assert load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt").groups["web"].started_on == "s1"


def test_seed_tomcat_webapp_started_on_s1() -> None:
    state = load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt")
    assert state.groups["webapp"].started_on == "s1"


def test_seed_tomcat_webapp_members_in_configuration_order() -> None:
    state = load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt")
    assert members(state, "webapp") == ["vip_tomcat", "tomcat"]


def test_seed_tomcat_tomcat_agent_normalised_to_single_colon() -> None:
    state = load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt")
    assert state.resources["tomcat"].agent == "ocf:heartbeat:tomcat"


def test_seed_tomcat_resource_knows_its_group() -> None:
    assert load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt").resources["vip_tomcat"].group == (
        "webapp"
    )


def test_seed_tomcat_empty_migration_summary_means_no_failcounts() -> None:
    assert load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt").failcounts == {}


def test_seed_tomcat_cut_header_leaves_dc_unknown() -> None:
    assert load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt").dc is None


def test_seed_tomcat_cut_header_leaves_quorum_unknown() -> None:
    assert load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt").quorum is None


def test_seed_tomcat_online_nodes() -> None:
    assert load("seed_tomcat_crm_mon_f_two_groups_on_s1.txt").online_nodes == {"s1", "s2"}


def test_seed_vagrant_dc_is_s1() -> None:
    assert load("seed_vagrant_crm_mon_A_web_on_s1.txt").dc == "s1"


def test_seed_vagrant_partition_with_quorum() -> None:
    assert load("seed_vagrant_crm_mon_A_web_on_s1.txt").quorum is True


def test_seed_vagrant_only_s1_is_dc() -> None:
    nodes = load("seed_vagrant_crm_mon_A_web_on_s1.txt").nodes
    assert [name for name, node in nodes.items() if node.is_dc] == ["s1"]


def test_seed_vagrant_node_attributes_are_not_nodes() -> None:
    assert set(load("seed_vagrant_crm_mon_A_web_on_s1.txt").nodes) == {"s1", "s2"}


def test_seed_vagrant_web_on_s1() -> None:
    assert load("seed_vagrant_crm_mon_A_web_on_s1.txt").where("web") == {"s1"}


def test_seed_manual_one_node_configured() -> None:
    assert set(load("seed_manual_crm_mon_A_one_node_no_resources.txt").nodes) == {"s1"}


def test_seed_manual_one_node_has_no_resources() -> None:
    assert load("seed_manual_crm_mon_A_one_node_no_resources.txt").resources == {}


def test_seed_manual_two_nodes_have_no_groups() -> None:
    assert load("seed_manual_crm_mon_A_two_nodes_no_resources.txt").groups == {}


def test_seed_manual_two_nodes_online() -> None:
    state = load("seed_manual_crm_mon_A_two_nodes_no_resources.txt")
    assert state.online_nodes == {"s1", "s2"}


def test_where_unknown_name_raises_key_error() -> None:
    state = load("seed_manual_crm_mon_A_two_nodes_no_resources.txt")
    with pytest.raises(KeyError, match="web"):
        state.where("web")


def test_seed_ungrouped_vip_has_no_group() -> None:
    assert load("seed_manual_crm_mon_A_ungrouped_vips.txt").resources["vip_httpd"].group is None


def test_seed_ungrouped_vip_placement() -> None:
    assert load("seed_manual_crm_mon_A_ungrouped_vips.txt").where("vip_samba") == {"s1"}


def test_seed_ungrouped_vips_form_no_group() -> None:
    assert load("seed_manual_crm_mon_A_ungrouped_vips.txt").groups == {}


def test_seed_samba_group_members() -> None:
    state = load("seed_manual_crm_mon_A_web_and_samba_groups.txt")
    assert members(state, "samba") == ["vip_samba", "nmb", "smb"]


def test_seed_samba_lsb_agent_kept() -> None:
    assert load("seed_manual_crm_mon_A_web_and_samba_groups.txt").resources["nmb"].agent == (
        "lsb:nmb"
    )


def test_seed_samba_started_on_s1() -> None:
    state = load("seed_manual_crm_mon_A_web_and_samba_groups.txt")
    assert state.groups["samba"].started_on == "s1"


def test_seed_abridged_sample_still_places_web() -> None:
    assert load("seed_active_node_crm_mon_f_abridged.txt").groups["web"].started_on == "s1"


def test_seed_pitfall_httpd_stopped() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").resources["httpd"].role == (
        "Stopped"
    )


def test_seed_pitfall_stopped_httpd_has_no_nodes() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").resources["httpd"].nodes == ()


def test_seed_pitfall_vip_still_on_s1() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").where("vip_httpd") == {"s1"}


def test_seed_pitfall_half_started_group_is_not_started() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").groups["web"].started_on is None


def test_seed_pitfall_half_started_group_is_where_its_vip_is() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").where("web") == {"s1"}


def test_seed_pitfall_failcount_infinity_on_s1() -> None:
    state = load("seed_pitfall_crm_mon_f_httpd_start_failed.txt")
    assert state.failcount("httpd", "s1") == INFINITY


def test_seed_pitfall_no_failcount_on_s2() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").failcount("httpd", "s2") == 0


def test_seed_pitfall_failcounts_exactly() -> None:
    state = load("seed_pitfall_crm_mon_f_httpd_start_failed.txt")
    assert state.failcounts == {("httpd", "s1"): 1_000_000}


def test_seed_pitfall_failed_action() -> None:
    assert load("seed_pitfall_crm_mon_f_httpd_start_failed.txt").failed_actions == (
        FailedAction("httpd", "start", "s1", 0, 1, "complete", ""),
    )


def test_seed_after_cleanup_no_failed_actions() -> None:
    assert load("seed_pitfall_crm_mon_f_after_cleanup.txt").failed_actions == ()


def test_seed_after_cleanup_web_started_on_s1() -> None:
    assert load("seed_pitfall_crm_mon_f_after_cleanup.txt").groups["web"].started_on == "s1"


# --------------------------------------------------------------------------------------------
# Pacemaker 2.1.5 XML
# --------------------------------------------------------------------------------------------


def test_pcmk2_all_started_web_on_s1() -> None:
    assert load("pcmk2_all_started.xml").groups["web"].started_on == "s1"


def test_pcmk2_all_started_webapp_on_s2() -> None:
    assert load("pcmk2_all_started.xml").groups["webapp"].started_on == "s2"


def test_pcmk2_all_started_dc() -> None:
    assert load("pcmk2_all_started.xml").dc == "s1"


def test_pcmk2_all_started_dc_flag_on_node() -> None:
    nodes = load("pcmk2_all_started.xml").nodes
    assert (nodes["s1"].is_dc, nodes["s2"].is_dc) == (True, False)


def test_pcmk2_all_started_quorum() -> None:
    assert load("pcmk2_all_started.xml").quorum is True


def test_pcmk2_all_started_no_failures() -> None:
    state = load("pcmk2_all_started.xml")
    assert (state.failcounts, state.failed_actions) == ({}, ())


def test_pcmk2_all_started_httpd_resource() -> None:
    assert load("pcmk2_all_started.xml").resources["httpd"] == Resource(
        id="httpd",
        agent="ocf:heartbeat:apache",
        roles=(("s1", "Started"),),
        group="web",
        failed=False,
        managed=True,
    )


def test_pcmk2_all_started_four_primitives() -> None:
    assert set(load("pcmk2_all_started.xml").resources) == {
        "vip_httpd",
        "httpd",
        "vip_tomcat",
        "tomcat",
    }


def test_pcmk2_standby_node_state() -> None:
    assert load("pcmk2_standby_s1.xml").nodes["s1"].state == "standby"


def test_pcmk2_standby_node_is_still_online() -> None:
    assert "s1" in load("pcmk2_standby_s1.xml").online_nodes


def test_pcmk2_standby_moves_web_to_s2() -> None:
    assert load("pcmk2_standby_s1.xml").where("web") == {"s2"}


def test_pcmk2_standby_dc_is_s2() -> None:
    assert load("pcmk2_standby_s1.xml").dc == "s2"


def test_pcmk2_offline_node_state() -> None:
    assert load("pcmk2_offline_s2.xml").nodes["s2"].state == "offline"


def test_pcmk2_offline_online_nodes() -> None:
    assert load("pcmk2_offline_s2.xml").online_nodes == {"s1"}


def test_pcmk2_offline_without_quorum() -> None:
    assert load("pcmk2_offline_s2.xml").quorum is False


def test_pcmk2_offline_webapp_failed_over_to_s1() -> None:
    assert load("pcmk2_offline_s2.xml").groups["webapp"].started_on == "s1"


def test_pcmk2_unclean_node() -> None:
    assert load("pcmk2_unclean_s2.xml").nodes["s2"] == Node(
        name="s2", online=False, standby=False, unclean=True, is_dc=False
    )


def test_pcmk2_unclean_node_still_reported_running_webapp() -> None:
    assert load("pcmk2_unclean_s2.xml").where("webapp") == {"s2"}


def test_pcmk2_monitor_failed_resource_flagged() -> None:
    httpd = load("pcmk2_monitor_failed.xml").resources["httpd"]
    assert (httpd.role, httpd.failed) == ("Started", True)


def test_pcmk2_monitor_failed_group_not_started() -> None:
    assert load("pcmk2_monitor_failed.xml").groups["web"].started_on is None


def test_pcmk2_monitor_failed_failcount_one() -> None:
    assert load("pcmk2_monitor_failed.xml").failcount("httpd", "s1") == 1


def test_pcmk2_monitor_failed_action() -> None:
    assert load("pcmk2_monitor_failed.xml").failed_actions == (
        FailedAction(
            resource="httpd",
            operation="monitor",
            node="s1",
            interval_ms=10000,
            rc=7,
            status="complete",
            exit_reason="Simulated action result",
            last_rc_change=parse_rc_change("2026-11-25 09:31:58Z"),
        ),
    )


def test_last_rc_change_reads_both_generations_formats() -> None:
    assert parse_rc_change("2026-11-25 09:37:22Z") == parse_rc_change("2026-11-25 09:37:22 +00:00")
    assert parse_rc_change("2026-11-25 09:37:22Z") == 1795599442.0
    assert parse_rc_change("Mon Oct  1 09:58:12 2018") is not None  # 1.1: local time
    assert parse_rc_change("yesterday") is None and parse_rc_change(None) is None


def test_pcmk2_monitor_recovered_web_started_again() -> None:
    assert load("pcmk2_monitor_failed_recovered.xml").groups["web"].started_on == "s1"


def test_pcmk2_monitor_recovered_failcount_kept() -> None:
    assert load("pcmk2_monitor_failed_recovered.xml").failcounts == {("httpd", "s1"): 1}


def test_pcmk2_start_failed_failcount_infinity() -> None:
    assert load("pcmk2_start_failed_infinity.xml").failcount("httpd", "s1") == INFINITY


def test_pcmk2_start_failed_no_failcount_on_s2() -> None:
    assert load("pcmk2_start_failed_infinity.xml").failcount("httpd", "s2") == 0


def test_pcmk2_start_failed_web_moved_to_s2() -> None:
    assert load("pcmk2_start_failed_infinity.xml").groups["web"].started_on == "s2"


def test_pcmk2_start_failed_action() -> None:
    (action,) = load("pcmk2_start_failed_infinity.xml").failed_actions
    assert (action.resource, action.operation, action.node, action.interval_ms, action.rc) == (
        "httpd",
        "start",
        "s1",
        0,
        1,
    )


def test_pcmk2_failcount_written_as_infinity_string() -> None:
    text = read("pcmk2_start_failed_infinity.xml").replace(
        'fail-count="1000000"', 'fail-count="INFINITY"'
    )
    assert 'fail-count="INFINITY"' in text
    assert parse_xml(text).failcount("httpd", "s1") == INFINITY


def test_pcmk2_stopped_group_is_nowhere() -> None:
    assert load("pcmk2_group_stopped.xml").where("webapp") == frozenset()


def test_pcmk2_stopped_group_members_stopped() -> None:
    group = load("pcmk2_group_stopped.xml").groups["webapp"]
    assert [(rsc.role, rsc.nodes) for rsc in group.resources] == [("Stopped", ()), ("Stopped", ())]


def test_pcmk2_stopped_group_not_started() -> None:
    assert load("pcmk2_group_stopped.xml").groups["webapp"].started_on is None


def test_pcmk2_stopped_group_leaves_web_alone() -> None:
    assert load("pcmk2_group_stopped.xml").groups["web"].started_on == "s1"


def test_pcmk2_multiple_active_resource_nodes() -> None:
    assert load("pcmk2_multiple_active.xml").resources["httpd"].nodes == ("s1", "s2")


def test_pcmk2_multiple_active_group_spans_both_nodes() -> None:
    assert load("pcmk2_multiple_active.xml").where("web") == {"s1", "s2"}


def test_pcmk2_multiple_active_group_not_started_on_one_node() -> None:
    assert load("pcmk2_multiple_active.xml").groups["web"].started_on is None


def test_pcmk2_cib_unavailable_is_parse_error_with_crm_mon_message() -> None:
    with pytest.raises(ParseError, match="Could not connect to the CIB"):
        load("pcmk2_error_cib_unavailable.xml")


def test_pcmk2_text_is_refused_by_parse_text() -> None:
    with pytest.raises(ParseError, match="line 1"):
        parse_text(read("pcmk2_text_monitor_failed.txt"))


# --------------------------------------------------------------------------------------------
# Hand-made Pacemaker 1.1 XML (<crm_mon version="1.1.18">)
# --------------------------------------------------------------------------------------------


def test_pcmk11_dc() -> None:
    assert load("handmade_pcmk11_httpd_start_failed.xml").dc == "s2"


def test_pcmk11_quorum() -> None:
    assert load("handmade_pcmk11_httpd_start_failed.xml").quorum is True


def test_pcmk11_agent_double_colon_normalised() -> None:
    state = load("handmade_pcmk11_httpd_start_failed.xml")
    assert state.resources["vip_httpd"].agent == "ocf:heartbeat:IPaddr2"


def test_pcmk11_httpd_stopped_without_nodes() -> None:
    httpd = load("handmade_pcmk11_httpd_start_failed.xml").resources["httpd"]
    assert (httpd.role, httpd.nodes) == ("Stopped", ())


def test_pcmk11_webapp_started_on_s2() -> None:
    assert load("handmade_pcmk11_httpd_start_failed.xml").groups["webapp"].started_on == "s2"


def test_pcmk11_failcounts() -> None:
    assert load("handmade_pcmk11_httpd_start_failed.xml").failcounts == {
        ("httpd", "s1"): INFINITY,
        ("vip_tomcat", "s2"): 1,
        ("tomcat", "s2"): 2,
    }


def test_pcmk11_start_failure() -> None:
    assert load("handmade_pcmk11_httpd_start_failed.xml").failed_actions[0] == FailedAction(
        "httpd", "start", "s1", 0, 1, "complete", "none",
        parse_rc_change("Mon Oct  1 09:58:12 2018"),
    )


def test_pcmk11_failure_without_task_split_from_op_key() -> None:
    action = load("handmade_pcmk11_httpd_start_failed.xml").failed_actions[2]
    assert (action.resource, action.operation, action.interval_ms) == (
        "vip_tomcat",
        "monitor",
        10000,
    )


def test_pcmk11_failure_timed_out_status() -> None:
    assert load("handmade_pcmk11_httpd_start_failed.xml").failed_actions[2].status == "Timed Out"


# --------------------------------------------------------------------------------------------
# Text variants not in the seed (formats from Pacemaker 1.0/1.1 crm_mon.c)
# --------------------------------------------------------------------------------------------

HEADER_10 = """\
============
Last updated: Mon Oct  6 17:36:38 2014
Stack: Heartbeat
Current DC: s2 (5f1e0e8a-0000-4000-8000-000000000002) - partition WITHOUT quorum
Version: 1.0.13-a83fae5
2 Nodes configured, unknown expected votes
2 Resources configured.
============

"""
WEB_ON_S2 = """\
 Resource Group: web
     vip_httpd\t(ocf::heartbeat:IPaddr2):\tStarted s2
     httpd\t(ocf::heartbeat:apache):\tStarted s2
"""


def text_state(nodes: str, resources: str = WEB_ON_S2, tail: str = "") -> ClusterState:
    return parse_text(HEADER_10 + nodes + "\n" + resources + tail)


def test_text_standby_node_line() -> None:
    state = text_state("Node s1 (0ae70a20-2a06-4775-98d8-4e6cdddfb170): standby\nOnline: [ s2 ]\n")
    assert state.nodes["s1"].state == "standby"


def test_text_standby_node_counts_as_online() -> None:
    state = text_state("Node s1 (0ae70a20-2a06-4775-98d8-4e6cdddfb170): standby\nOnline: [ s2 ]\n")
    assert state.online_nodes == {"s1", "s2"}


def test_text_offline_list() -> None:
    state = text_state("Online: [ s2 ]\nOFFLINE: [ s1 ]\n")
    assert state.nodes["s1"] == Node("s1", online=False, standby=False)


def test_text_offline_standby_node_reads_offline() -> None:
    state = text_state("Node s1 (uuid-1): OFFLINE (standby)\nOnline: [ s2 ]\n")
    assert (state.nodes["s1"].state, state.nodes["s1"].standby) == ("offline", True)


def test_text_unclean_offline_node() -> None:
    state = text_state("Node s1 (uuid-1): UNCLEAN (offline)\nOnline: [ s2 ]\n")
    assert (state.nodes["s1"].online, state.nodes["s1"].unclean) == (False, True)


def test_text_node_line_without_uuid() -> None:
    assert text_state("Node s1: standby\nOnline: [ s2 ]\n").nodes["s1"].standby is True


def test_text_partition_without_quorum() -> None:
    assert text_state("Online: [ s1 s2 ]\n").quorum is False


def test_text_dc_from_header() -> None:
    assert text_state("Online: [ s1 s2 ]\n").dc == "s2"


def test_text_no_dc() -> None:
    text = "Current DC: NONE\n1 Nodes configured, unknown expected votes\n\nOFFLINE: [ s1 ]\n"
    state = parse_text(text)
    assert (state.dc, state.quorum) == (None, None)


def test_text_multiple_active_brief_form() -> None:
    state = text_state("Online: [ s1 s2 ]\n", "httpd (ocf::heartbeat:apache): Started [ s2 s1 ]\n")
    assert state.resources["httpd"].nodes == ("s2", "s1")


def test_text_multiple_active_pacemaker_10_tab_form() -> None:
    state = text_state(
        "Online: [ s1 s2 ]\n", " httpd\t(ocf::heartbeat:apache) Started [\ts2\ts1 ]\n"
    )
    assert state.where("httpd") == {"s1", "s2"}


def test_text_unmanaged_failed_resource() -> None:
    state = text_state(
        "Online: [ s1 s2 ]\n",
        " httpd\t(ocf::heartbeat:apache):\tStarted s1 (unmanaged) FAILED\n",
    )
    httpd = state.resources["httpd"]
    assert (httpd.role, httpd.nodes, httpd.managed, httpd.failed) == (
        "Started",
        ("s1",),
        False,
        True,
    )


def test_text_failed_role_form_of_pacemaker_11() -> None:
    state = text_state("Online: [ s1 s2 ]\n", " httpd\t(ocf::heartbeat:apache):\tFAILED s1\n")
    httpd = state.resources["httpd"]
    assert (httpd.role, httpd.nodes, httpd.failed) == ("Failed", ("s1",), True)


def test_text_group_ends_at_shallower_resource() -> None:
    resources = WEB_ON_S2 + " other\t(ocf::heartbeat:Dummy):\tStarted s1\n"
    state = text_state("Online: [ s1 s2 ]\n", resources)
    assert (members(state, "web"), state.resources["other"].group) == (["vip_httpd", "httpd"], None)


def test_text_clone_set_summary() -> None:
    resources = " Clone Set: clnPing [prmPing]\n     Started: [ s1 s2 ]\n"
    state = text_state("Online: [ s1 s2 ]\n", resources)
    assert state.where("prmPing") == {"s1", "s2"}


def test_text_failcount_infinity_spelled_out() -> None:
    tail = (
        "\nMigration summary:\n* Node s1: \n   httpd: migration-threshold=3 fail-count=INFINITY\n"
    )
    assert text_state("Online: [ s1 s2 ]\n", tail=tail).failcount("httpd", "s1") == INFINITY


def test_text_failcount_with_last_failure_of_pacemaker_11() -> None:
    tail = (
        "\nMigration Summary:\n* Node s2:\n"
        "   httpd: migration-threshold=1000000 fail-count=2"
        " last-failure='Mon Oct  1 09:52:44 2018'\n"
    )
    assert text_state("Online: [ s1 s2 ]\n", tail=tail).failcounts == {("httpd", "s2"): 2}


def test_text_failed_monitor_of_resource_with_underscores() -> None:
    tail = (
        "\nFailed actions:\n"
        "    vip_httpd_monitor_10000 (node=s2, call=12, rc=7, status=complete): not running\n"
    )
    assert text_state("Online: [ s1 s2 ]\n", tail=tail).failed_actions == (
        FailedAction("vip_httpd", "monitor", "s2", 10000, 7, "complete", ""),
    )


def test_text_failed_action_wrapped_by_last_run_of_pacemaker_10() -> None:
    tail = (
        "\nFailed actions:\n"
        "    httpd_monitor_10000 (node=s1, call=12, rc=7, status=Timed Out, "
        "last-run=Mon Oct  6 17:36:38 2014\n"
        ", queued=0ms, exec=0ms\n"
        "): not running\n"
    )
    (action,) = text_state("Online: [ s1 s2 ]\n", tail=tail).failed_actions
    assert (action.operation, action.interval_ms, action.status) == (
        "monitor",
        10000,
        "Timed Out",
    )


def test_text_failed_action_of_pacemaker_11() -> None:
    tail = (
        "\nFailed Actions:\n"
        "* tomcat_monitor_10000 on s2 'not running' (7): call=47, status=complete, "
        "exitreason='none',\n"
        "    last-rc-change='Mon Oct  1 09:52:44 2018', queued=0ms, exec=0ms\n"
    )
    assert text_state("Online: [ s1 s2 ]\n", tail=tail).failed_actions == (
        FailedAction("tomcat", "monitor", "s2", 10000, 7, "complete", "none"),
    )


def test_text_migrate_to_operation_key() -> None:
    tail = "\nFailed actions:\n    vm_1_migrate_to_0 (node=s1, call=3, rc=1, status=complete): x\n"
    (action,) = text_state("Online: [ s1 s2 ]\n", tail=tail).failed_actions
    assert (action.resource, action.operation) == ("vm_1", "migrate_to")


# --------------------------------------------------------------------------------------------
# Garbage in, ParseError out
# --------------------------------------------------------------------------------------------


def test_empty_text_is_parse_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse("")


def test_whitespace_only_text_is_parse_error() -> None:
    with pytest.raises(ParseError, match="empty"):
        parse_text(" \n\n \n")


def test_garbage_text_is_parse_error_naming_the_line() -> None:
    with pytest.raises(ParseError, match=r"line 1: .*'hello world'"):
        parse("hello world\n")


def test_header_without_nodes_is_parse_error() -> None:
    with pytest.raises(ParseError, match="no node lines"):
        parse_text(HEADER_10)


def test_garbage_inside_group_is_parse_error() -> None:
    with pytest.raises(ParseError, match=r"line 15: .*not a resource"):
        text_state("Online: [ s1 s2 ]\n", WEB_ON_S2 + "     this is not a resource\n")


def test_unknown_node_state_is_parse_error() -> None:
    with pytest.raises(ParseError, match="unknown node state"):
        text_state("Node s1 (uuid-1): sleeping\nOnline: [ s2 ]\n")


def test_failcount_before_node_is_parse_error() -> None:
    tail = "\nMigration summary:\n   httpd: migration-threshold=1000000 fail-count=1\n"
    with pytest.raises(ParseError, match="before any"):
        text_state("Online: [ s1 s2 ]\n", tail=tail)


def test_non_numeric_failcount_is_parse_error() -> None:
    tail = (
        "\nMigration summary:\n* Node s1:\n   httpd: migration-threshold=1000000 fail-count=many\n"
    )
    with pytest.raises(ParseError, match="many"):
        text_state("Online: [ s1 s2 ]\n", tail=tail)


def test_garbled_failed_action_is_parse_error() -> None:
    tail = "\nFailed actions:\n    httpd_start_0 (node=s1, call=10): unknown error\n"
    with pytest.raises(ParseError, match="rc="):
        text_state("Online: [ s1 s2 ]\n", tail=tail)


def test_truncated_xml_is_parse_error() -> None:
    text = read("pcmk2_all_started.xml")
    with pytest.raises(ParseError, match="malformed"):
        parse(text[: len(text) // 2])


def test_other_xml_root_is_parse_error() -> None:
    with pytest.raises(ParseError, match="<cib>"):
        parse_xml("<cib><configuration/><status/></cib>")


def test_xml_without_nodes_section_is_parse_error() -> None:
    with pytest.raises(ParseError, match="no <nodes>"):
        parse_xml(
            '<pacemaker-result api-version="2.25"><status code="0" message="OK"/>'
            "</pacemaker-result>"
        )


def test_xml_with_empty_nodes_is_parse_error() -> None:
    with pytest.raises(ParseError, match="no nodes"):
        parse_xml('<crm_mon version="1.1.18"><nodes/><resources/></crm_mon>')


def test_xml_node_without_online_attribute_is_parse_error() -> None:
    with pytest.raises(ParseError, match="online"):
        parse_xml(
            '<crm_mon version="1.1.18"><nodes><node name="s1" standby="false"/></nodes></crm_mon>'
        )


def test_xml_garbage_failcount_is_parse_error() -> None:
    text = read("pcmk2_monitor_failed.xml").replace('fail-count="1"', 'fail-count="lots"')
    with pytest.raises(ParseError, match="lots"):
        parse_xml(text)


# --------------------------------------------------------------------------------------------
# Dispatch and the dataclasses themselves
# --------------------------------------------------------------------------------------------


def test_parse_dispatches_xml_despite_leading_whitespace() -> None:
    assert parse("\n  " + read("pcmk2_standby_s1.xml")).dc == "s2"


def test_parse_dispatches_text() -> None:
    assert parse(read("seed_vagrant_crm_mon_A_web_on_s1.txt")).dc == "s1"


def test_parse_error_is_a_value_error() -> None:
    assert issubclass(ParseError, ValueError)


def test_failcount_absent_is_zero() -> None:
    assert load("pcmk2_all_started.xml").failcount("tomcat", "s2") == 0


def test_node_offline_state_ignores_standby() -> None:
    assert Node("s1", online=False, standby=True).state == "offline"


def test_node_online_state() -> None:
    assert Node("s1", online=True, standby=False).state == "online"


def test_empty_group_is_not_started() -> None:
    assert Group("web", ()).started_on is None


def test_group_split_over_nodes_is_not_started() -> None:
    group = Group(
        "web",
        (
            Resource.placed("vip_httpd", "ocf:heartbeat:IPaddr2", "Started", ("s1",), "web"),
            Resource.placed("httpd", "ocf:heartbeat:apache", "Started", ("s2",), "web"),
        ),
    )
    assert (group.started_on, group.nodes) == (None, {"s1", "s2"})


def test_state_is_frozen() -> None:
    state = load("pcmk2_all_started.xml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.dc = "s2"  # type: ignore[misc]


def test_crm_mon_xml_args() -> None:
    assert CRM_MON_XML_ARGS == ["crm_mon", "-1", "--output-as=xml", "--include=failcounts,failures"]
