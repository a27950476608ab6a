"""Fencing's pure parts and its device: configuration, rendering, the fence agent speaking the
fence-agents protocol to a real power controller on loopback, and Pacemaker's fencing record.

The log and history samples under data/fencing/ were captured from the lab (Debian 12,
Pacemaker 2.1.5, STONITH on, interconnect of s2 pulled); ``node-fail-stonith.xml`` is
data/crm_simulate/node-fail.xml with the ``<node_action>`` line crm_simulate printed on the lab
with STONITH on (``Fence (off)``) added to its actions.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_hacluster import config, fence_hacluster_lab, fencing, oracle, render
from pytest_hacluster.cluster_log import window
from pytest_hacluster.fence_history import FenceHistoryError, operations, parse_history
from pytest_hacluster.power_controller import PowerController

DATA = Path(__file__).parent / "data" / "fencing"
AGENT = Path(fence_hacluster_lab.__file__)


class FakeSwitch:
    """Two nodes whose power is a flag; records what it was asked to do."""

    def __init__(self) -> None:
        self.on = {"s1": True, "s2": True}
        self.calls: list[str] = []

    def node_names(self) -> tuple[str, ...]:
        return tuple(self.on)

    def is_on(self, node: str) -> bool:
        return self.on[node]

    def switch_off(self, node: str) -> None:
        self.calls.append(f"off {node}")
        self.on[node] = False

    def switch_on(self, node: str) -> None:
        self.calls.append(f"on {node}")
        self.on[node] = True


@pytest.fixture
def controller() -> Iterator[PowerController]:
    made = PowerController(FakeSwitch(), "127.0.0.1", 0)
    yield made
    made.close()


def agent(
    controller: PowerController, stdin: str, timeout: float = 10
) -> subprocess.CompletedProcess[str]:
    """The agent as Pacemaker's fencer runs it: options on stdin."""
    return subprocess.run(
        [sys.executable, str(AGENT)],
        input=f"ip=127.0.0.1\nipport={controller.port}\n{stdin}", capture_output=True,
        text=True, timeout=timeout, check=False,
    )


# -- configuration and rendering --------------------------------------------------------------

def test_fencing_is_off_by_default_and_renders_nothing() -> None:
    desc = config.Description()
    text = render.crm_configuration(desc, render.DEBIAN12)
    assert not desc.fencing.enabled
    assert "stonith-enabled=false" in text and "stonith:" not in text and "priority" not in text
    assert not any("fence" in f.path for f in render.node_files(desc, render.DEBIAN12, "s1"))


def test_fencing_on_renders_a_device_per_node_kept_off_its_target() -> None:
    desc = config.with_fencing(config.Description())
    text = render.crm_configuration(desc, render.DEBIAN12)
    assert "stonith-enabled=true" in text and "stonith-enabled=false" not in text
    assert "stonith-action=off" in text and "priority-fencing-delay=5s" in text
    for node in ("s1", "s2"):
        assert f"primitive fence_{node} stonith:fence_hacluster_lab" in text
        assert f"plug={node} pcmk_host_list={node} pcmk_host_check=static-list" in text
        assert f"location fence_{node}-not-on-{node} fence_{node} -inf: {node}" in text
    assert "group web vip_httpd httpd meta priority=2" in text
    assert "group webapp vip_tomcat tomcat meta priority=1" in text
    files = {f.path: f for f in render.node_files(desc, render.DEBIAN12, "s1")}
    assert files["/usr/sbin/fence_hacluster_lab"].mode == 0o755
    assert files["/usr/sbin/fence_hacluster_lab"].content == AGENT.read_text()


def test_fencing_delays_render_on_the_devices() -> None:
    desc = config.from_mapping({"fencing": {
        "enabled": True, "priority_fencing_delay": "", "delay_base": {"s1": "3s"},
        "delay_max": "2s"}})
    text = render.crm_configuration(desc, render.DEBIAN12)
    assert "priority-fencing-delay" not in text and "meta priority" not in text
    assert "pcmk_delay_base=3s" in text.split("primitive fence_s1")[1].split("location")[0]
    assert "pcmk_delay_base" not in text.split("primitive fence_s2")[1]
    assert text.count("pcmk_delay_max=2s") == 2


@pytest.mark.parametrize(("table", "words"), [
    ({"device": "ipmi"}, "fencing.device: 'ipmi' is not one of lab"),
    ({"action": "poweroff"}, "fencing.action: 'poweroff' is not one of off, reboot"),
    ({"priorities": {"db": 1}}, "fencing.priorities.db: no such group"),
    ({"priorities": {"web": "high"}}, "fencing.priorities.web: 'high' is not a non-negative"),
    ({"delay_base": {"s3": "1s"}}, "fencing.delay_base.s3: no such node"),
    ({"delay_max": "soon"}, "fencing.delay_max: 'soon' is not a duration"),
    ({"port": 70000}, "fencing.port: 70000 is not a TCP port"),
    ({"enabeld": True}, "unknown key 'enabeld'"),
])
def test_fencing_configuration_refused_names_the_key(table: dict[str, object], words: str) -> None:
    with pytest.raises(config.ConfigError, match=words.replace("(", r"\(")):
        config.from_mapping({"fencing": table})


def test_with_fencing_turns_it_on_and_keeps_the_rest() -> None:
    desc = config.from_mapping({"fencing": {"action": "reboot"}})
    on = config.with_fencing(desc)
    assert on.fencing.enabled and on.fencing.action == "reboot" and not desc.fencing.enabled


# -- the agent and the power controller -------------------------------------------------------

def test_agent_metadata_is_xml_naming_every_action() -> None:
    done = subprocess.run([sys.executable, str(AGENT)], input="action=metadata\n",
                          capture_output=True, text=True, timeout=10, check=True)
    root = ET.fromstring(done.stdout)
    assert root.get("name") == "fence_hacluster_lab"
    assert {a.get("name") for a in root.iter("action")} == set(fence_hacluster_lab.ACTIONS)
    assert {"ip", "ipport", "plug", "action"} <= {p.get("name") for p in root.iter("parameter")}


def test_agent_powers_a_node_off_and_on_and_reports_status(controller: PowerController) -> None:
    switch = controller.switch
    assert isinstance(switch, FakeSwitch)
    assert agent(controller, "action=status\nport=s2\n").returncode == 0
    off = agent(controller, "action=off\nport=s2\n")
    assert off.returncode == 0, off.stderr
    assert switch.on == {"s1": True, "s2": False}
    status = agent(controller, "action=status\nplug=s2\n")
    assert (status.returncode, status.stdout.strip()) == (2, "Status: OFF")
    assert agent(controller, "action=off\nplug=s2\n").returncode == 0  # already off: success
    assert agent(controller, "action=reboot\nplug=s2\n").returncode == 0
    assert switch.calls == ["off s2", "on s2"]
    listed = agent(controller, "action=list\n")
    assert listed.stdout.split() == ["s1,s1", "s2,s2"]
    assert agent(controller, "action=monitor\n").returncode == 0
    assert [e.request for e in controller.events][:2] == ["status s2", "off s2"]


def test_agent_takes_command_line_options_too(controller: PowerController) -> None:
    done = subprocess.run(
        [sys.executable, str(AGENT), "-o", "status", "-n", "s1", "-a", "127.0.0.1",
         f"--ipport={controller.port}"], capture_output=True, text=True, timeout=10, check=False)
    assert (done.returncode, done.stdout.strip()) == (0, "Status: ON")


@pytest.mark.parametrize(("stdin", "words"), [
    ("action=off\nplug=host\n", "'host' is not a node of this lab"),
    ("action=off\n", "action off needs plug="),
    ("action=explode\nplug=s1\n", "action 'explode' is not one of"),
    ("action=off\nplug=s1\nnonsense\n", "stdin line 'nonsense' is not name=value"),
])
def test_agent_refuses_what_it_cannot_do(
    controller: PowerController, stdin: str, words: str
) -> None:
    done = agent(controller, stdin)
    assert done.returncode == 1 and words in done.stderr, done.stderr
    assert controller.switch.on == {"s1": True, "s2": True}  # type: ignore[attr-defined]


def test_controller_answers_only_its_own_requests(controller: PowerController) -> None:
    assert controller.answer("reboot s1")
    assert controller.answer("reboot s1").startswith("error unknown request")  # type: ignore[union-attr]
    assert controller.answer("off s1 s2").startswith("error unknown request")  # type: ignore[union-attr]
    assert controller.answer("off ../../s1").startswith("error '../../s1' is not a node")  # type: ignore[union-attr]
    assert controller.switch.calls == []  # type: ignore[attr-defined]


def test_a_failing_device_makes_the_agent_fail(controller: PowerController) -> None:
    controller.fail("error")
    done = agent(controller, "action=off\nplug=s2\n")
    assert done.returncode == 1 and "device failure injected" in done.stderr
    assert agent(controller, "action=status\nplug=s2\n").returncode == 0  # status still works
    controller.fail(None)
    assert agent(controller, "action=off\nplug=s2\n").returncode == 0
    with pytest.raises(ValueError, match="'melt' is not one of error, hang"):
        controller.fail("melt")


def test_a_hanging_device_makes_the_agent_time_out(controller: PowerController) -> None:
    controller.fail("hang")
    t0 = time.monotonic()
    done = agent(controller, "action=off\nplug=s2\npower_timeout=0.5\n")
    assert done.returncode == 1 and "timed out" in done.stderr, done.stderr
    assert time.monotonic() - t0 < 5
    assert controller.switch.on["s2"]  # type: ignore[attr-defined]
    assert controller.events[-1].result == "hang"


def test_the_controller_stops_within_a_bound() -> None:
    made = PowerController(FakeSwitch(), "127.0.0.1", 0)
    t0 = time.monotonic()
    made.close()
    assert time.monotonic() - t0 < 2 and not any(
        t.name == "hacluster-power" and t.is_alive() for t in threading.enumerate()
        if t is made._thread)


# -- what Pacemaker recorded ------------------------------------------------------------------

def test_history_of_pacemaker_2_1_5_is_read() -> None:
    (event,) = parse_history((DATA / "history-2.1.5.xml").read_text())
    assert (event.action, event.target, event.status, event.delegate, event.origin) == (
        "off", "s2", "success", "s1", "s1")
    assert event.ok and event.completed == 1795995312.0  # 2026-11-29 23:35:12Z


def test_history_without_events_and_unreadable_history() -> None:
    empty = '<pacemaker-result><status code="0" message="OK"/></pacemaker-result>'
    assert parse_history(empty) == []
    with pytest.raises(FenceHistoryError, match="not XML"):
        parse_history("Error: no fencer")
    with pytest.raises(FenceHistoryError, match="without target"):
        parse_history('<r><list name="fencing history"><fence_event action="off" '
                      'status="success"/></list></r>')
    with pytest.raises(FenceHistoryError, match="is not 'YYYY-MM-DD HH:MM:SS"):
        parse_history('<r><list name="fencing history"><fence_event action="off" target="s1" '
                      'status="success" completed="yesterday"/></list></r>')


def _lines(text: str) -> list:
    return window("s1", text, 0, 4e9, slack=0)


def test_log_lines_give_the_fencing_time_request_to_confirmed() -> None:
    (op,) = operations(_lines((DATA / "pacemaker-2.1.5-fence.log").read_text()))
    assert (op.action, op.target, op.origin, op.delegate, op.ok) == ("off", "s2", "s1", "s1", True)
    assert op.took_s == pytest.approx(0.224, abs=0.001)
    assert op.delay_s == 0 and op.device_s == op.took_s
    assert str(op).startswith("s1 fenced (off) s2 via s1: OK (complete) in 0.22s")


def test_failed_attempts_are_separate_operations_with_their_delay() -> None:
    text = (DATA / "pacemaker-2.1.5-fence-fails.log").read_text()
    ops = operations(window("s2", text, 0, 4e9, slack=0))
    assert [(o.ok, o.result, o.delay_s) for o in ops] == [
        (False, "Error occurred (complete)", 5.0), (False, "Error occurred (complete)", 5.0)]
    assert ops[0].took_s == pytest.approx(6.716, abs=0.001)
    assert ops[0].device_s == pytest.approx(1.716, abs=0.001)


def test_the_same_result_logged_by_two_nodes_is_one_operation() -> None:
    line = ("Nov 29 23:35:12.586 {n} pacemaker-fenced    [142] (finalize_op) \tnotice: Operation "
            "'off' targeting s2 by s1 for pacemaker-controld.146@s1: OK (complete) | id=a1db9853")
    ops = operations(window("s1", line.format(n="s1"), 0, 4e9, slack=0)
                     + window("s3", line.format(n="s3"), 0, 4e9, slack=0))
    assert len(ops) == 1 and ops[0].requested is None and ops[0].took_s is None


def test_the_scheduler_predicts_the_fencing_of_a_failed_node() -> None:
    predicted = oracle.parse((DATA / "node-fail-stonith.xml").read_text(), "node s1 fails")
    assert predicted.fencing == (("s1", "off"),)
    without = oracle.parse(
        (Path(__file__).parent / "data" / "crm_simulate" / "node-fail.xml").read_text())
    assert without.fencing == ()


def test_a_fencing_action_the_oracle_does_not_understand_raises() -> None:
    text = (DATA / "node-fail-stonith.xml").read_text().replace("Fence (off)", "Fence off")
    with pytest.raises(oracle.OracleError, match="fencing action not understood"):
        oracle.parse(text)


def test_devices_are_a_registry_chosen_by_name() -> None:
    assert set(fencing.DEVICES) == set(config.FENCING_DEVICES)
    assert fencing.device_id("lb1.example.net") == "fence_lb1_example_net"


# -- the plugin: which scenarios run with and without fencing --------------------------------

MARKED = """
import pytest

@pytest.mark.hacluster_fencing
def test_with_stonith():
    pass

@pytest.mark.hacluster_no_fencing
def test_seed_split_brain():
    pass
"""


def test_fencing_scenarios_run_only_with_fencing_and_the_seeds_only_without(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_marked=MARKED)
    result = pytester.runpytest_subprocess("-rs", "--strict-markers")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*a scenario with STONITH on: run with --hacluster-fencing*"])
    result = pytester.runpytest_subprocess("-rs", "--strict-markers", "--hacluster-fencing")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*the seed's configuration without STONITH*"])
    pytester.makefile(".toml", pyproject='[tool.hacluster.fencing]\nenabled = true\n')
    result = pytester.runpytest_subprocess("-rs", "--strict-markers")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*the seed's configuration without STONITH*"])
