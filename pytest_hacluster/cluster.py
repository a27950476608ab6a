"""The object a test holds: the cluster's nodes, an HTTP client on the users' side, its state.

Backend-neutral: it asks its backend for nodes and a client, runs Pacemaker's own tools on the
nodes, and parses what comes back with pure functions (``crm_status``). Nothing here asks which
backend it is talking to, and nothing here imports pytest.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from pytest_hacluster import cib_config, cluster_log, constraint_check, crm_status, dialect
from pytest_hacluster.backends.base import Backend, BackendError, NodeShell, Progress
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.http_client import HttpClient, Reply
from pytest_hacluster.oracle import Oracle
from pytest_hacluster.shell import CommandError, Result
from pytest_hacluster.waiting import WaitTimeout, wait_until

T = TypeVar("T")

# ``run_anywhere`` with three nodes or more: the command runs only where the node's partition
# has quorum (``crm_node --quorum`` prints 1), else the shell exits NO_QUORUM_EXIT.
NO_QUORUM_EXIT = 86
QUORATE_ONLY = f'[ "$(crm_node --quorum 2>/dev/null)" = 1 ] || exit {NO_QUORUM_EXIT}; exec "$@"'


class ClusterError(RuntimeError):
    """The cluster is not in the state a test or the bring-up needs; says what was seen."""


@dataclass(frozen=True)
class Health:
    """One look at the whole cluster: Pacemaker's view and the users' view, and what is wrong."""

    state: ClusterState | None
    replies: dict[str, Reply]
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


class Cluster:
    """A running cluster of a ``Description``, reached through a ``Backend``."""

    def __init__(self, description: Description, backend: Backend) -> None:
        self.description = description
        self.backend = backend
        self._http: HttpClient | None = None
        self._crm_mon: list[str] | None = None  # chosen once from crm_mon --version
        self._simulate_xml: bool | None = None  # crm_simulate has --output-as=xml (2.1 on)
        # Asked before every fault what Pacemaker will do; None turns predictions off.
        self.oracle: Oracle | None = Oracle(lambda: self.nodes)
        # The configuration the run started with (taken when the cluster is first clean):
        # clean() names what differs from it, repair() puts it back.
        self.configuration: cib_config.Snapshot | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self, progress: Progress, timeout: float | None = None) -> Health:
        """Bring the cluster up and wait until it serves; tear down whatever was made on failure."""
        started = time.monotonic()
        self.backend.up(progress)
        try:
            health = self.wait_healthy(progress, timeout, since=started)
            self.backend.finish_bringup()
            return health
        except BaseException:
            if not self.backend.settings.keep or not self.backend.reused:
                self.backend.down()
            raise

    def stop(self) -> None:
        self.backend.down()
        self._http = None

    # -- access -------------------------------------------------------------------------------
    @property
    def nodes(self) -> dict[str, NodeShell]:
        return self.backend.nodes()

    def node(self, name: str) -> NodeShell:
        try:
            return self.nodes[name]
        except KeyError:
            raise ClusterError(f"no node {name!r}; nodes are {', '.join(self.nodes)}") from None

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = self.backend.http()
        return self._http

    @property
    def urls(self) -> dict[str, str]:
        return self.description.urls

    def run_anywhere(self, command: list[str], timeout: float = 30) -> Result:
        """Run a cluster-wide query on the first node that answers it.

        With three nodes or more, only nodes of a partition with quorum are asked: a lone
        node's view is a minority's (it may be stopping everything), not the cluster's.
        Whether a node has quorum is asked in the same call (``crm_node --quorum``); only when
        no node with quorum ran the command are the nodes asked again as they come (a command
        that failed where there is quorum is not run again elsewhere). Two nodes are asked in
        order, as always. Raises ClusterError when no node ran it, CommandError with the last
        failure when none succeeded.
        """
        nodes = list(self.nodes.values())
        last = None
        if len(nodes) > 2:
            last = self._run_on_first(nodes, ["sh", "-c", QUORATE_ONLY, "sh", *command],
                                      timeout, skip_exit=NO_QUORUM_EXIT)
        if last is None:  # a pair, or no node with quorum ran it
            last = self._run_on_first(nodes, command, timeout)
        if last is None:
            raise ClusterError(f"no node could run {' '.join(command)}")
        if last.ok:
            return last
        raise CommandError("every node", last)

    @staticmethod
    def _run_on_first(nodes: list[NodeShell], command: list[str], timeout: float,
                      skip_exit: int | None = None) -> Result | None:
        """The first successful result of ``command`` over ``nodes``, else the last failure
        (None when no node ran it; a result with exit ``skip_exit`` counts as not run)."""
        last: Result | None = None
        for node in nodes:
            try:
                result = node.run(command, timeout=timeout)
            except (BackendError, RuntimeError):
                continue
            if skip_exit is not None and result.exited == skip_exit:
                continue
            last = result
            if last.ok:
                return last
        return last

    def log_window(self, start: float, end: float, tail_bytes: int = 2_000_000) -> list[str]:
        """Every node's cluster log lines (Pacemaker, corosync, resource agents) stamped between
        the wall-clock times ``start`` and ``end``, in time order, chatter dropped
        (``cluster_log.py``). A node that cannot answer (powered off) is left out."""
        script = 'for f do [ -r "$f" ] && tail -c "$0" -- "$f"; done; true'
        per_node = []
        for name, node in self.nodes.items():
            try:
                text = node.run(["sh", "-c", script, str(tail_bytes), *cluster_log.LOG_FILES],
                                timeout=20).stdout
            except (BackendError, RuntimeError):
                continue
            per_node.append(cluster_log.window(name, text, start, end))
        return [str(x) for x in cluster_log.merge(per_node)]

    def forget_versions(self) -> None:
        """A node now runs another Pacemaker (a rolling upgrade): the next command that
        depends on the version asks it again (crm_mon's output flags, the settled check)."""
        self._crm_mon = None
        self._simulate_xml = None

    def state(self, node: str | None = None) -> ClusterState:
        """Pacemaker's view, from ``crm_mon`` (a node that is down answers nothing).

        With ``node``, that node's own view: in a split cluster each side has its own. The
        command is chosen once, from ``crm_mon --version``: ``--output-as=xml`` on 2.0.3 and
        later, the legacy ``--as-xml`` on 1.1 and 2.0.0-2.0.2, text on 1.0
        (``crm_status.command_for_version``).
        """
        run = (lambda args: self.node(node).run(args, timeout=30, check=True)) if node \
            else self.run_anywhere
        if self._crm_mon is None:
            version = crm_status.parse_version(run(["crm_mon", "--version"]).stdout)
            self._crm_mon = crm_status.command_for_version(version)
        return crm_status.parse(run(list(self._crm_mon)).stdout)

    def group_node(self, group: str) -> str:
        """The node a group runs on, whole; a ClusterError says what was seen otherwise."""
        state = self.state()
        found = state.groups.get(group)
        if found is None or found.started_on is None:
            raise ClusterError(f"group {group} is not Started on one node: {found}")
        return found.started_on

    def other_node(self, node: str) -> str:
        """The one other node of a pair; ClusterError with more nodes (``other_nodes``)."""
        others = self.other_nodes(node)
        if len(others) != 1:
            raise ClusterError(
                f"{len(self.description.nodes)} nodes: no single node other than {node} "
                f"({', '.join(others)}); ask other_nodes()"
            )
        return others[0]

    def other_nodes(self, node: str) -> tuple[str, ...]:
        """Every described node but ``node``, in the description's order."""
        return tuple(n for n in self.description.node_names if n != node)

    def elsewhere(self, node: str) -> str:
        """Words for "a node other than ``node``": the other node's name in a pair."""
        others = self.other_nodes(node)
        return others[0] if len(others) == 1 else f"a node other than {node}"

    # -- repair between tests ------------------------------------------------------------------
    def clean(self) -> Health:
        """Healthy and with no fault's leftovers: no standby, constraint, fail-count or double."""
        health = self.health()
        extra: list[str] = []
        if health.state is not None:
            extra += clean_problems(self.description, health.state)
        extra += self._configuration_problems()
        if not health.problems and not extra:
            # Clean in crm_mon is not yet still: a group may be moving back after an online
            # (stickiness 0), and the next test would find it Stopping.
            try:
                extra += [f"still to do: {a}" for a in self.still_to_do() or []]
            except (ClusterError, CommandError) as exc:
                extra.append(f"transition unreadable: {str(exc).splitlines()[0]}")
        return Health(health.state, health.replies, (*health.problems, *extra))

    def repair(self, progress: Progress, timeout: float = 120) -> Health:
        """Bring the cluster back to clean, or raise naming what could not be repaired.

        Plug cables and power nodes on (an interrupted test on a kept lab); then, while waiting,
        mend what each look shows: clear move constraints, online standby nodes, clean up
        failures. A node that has just booted may show a partial view, so mending goes on
        until the cluster is clean. If resources are still doubly active (the aftermath of a
        split brain), power-cycle the node that is not the DC, as an operator restarts a
        node's stack, and wait again.
        """
        restored = self._safe(lambda: self.backend.restore_machines(progress), [])
        if restored:
            progress(f"repairing: {'; '.join(restored)}")
        health = self.clean()
        if health.ok:
            self._remember_configuration()
            return health
        progress(f"waiting for a clean cluster: {'; '.join(health.problems)}")
        try:
            health = self._wait_clean(timeout / 2)
            self._remember_configuration()
            return health
        except ClusterError as first:
            state = self._safe(self.state, None)
            doubled = state is not None and bool(doubled_resources(self.description, state))
            if not doubled:
                raise ClusterError(f"could not repair the cluster: {first}") from None
            holders = {n for ns in doubled_resources(self.description, state).values()
                       for n in ns}
            victim = next((n for n in self.description.node_names
                           if n != state.dc and n in holders),
                          next(n for n in self.description.node_names if n != state.dc))
            progress(f"still doubly active resources: restarting node {victim}'s stack")
            try:
                self.backend.power_off(victim)
                self.backend.power_on(victim, progress)
            except BackendError as exc:
                raise ClusterError(f"could not repair the cluster: {first}; {exc}") from None
            return self._wait_clean(timeout / 2)

    def _configuration_problems(self) -> list[str]:
        """From one query of the configuration: constraints a move left, and (once the run's
        starting configuration is known) what differs from it, one problem per section."""
        try:
            now = self.configuration_now()
        except (ClusterError, CommandError, cib_config.ConfigurationError) as exc:
            return [f"configuration unreadable: {str(exc).splitlines()[0]}"]
        problems = [f"constraint {c} left by move" for c in now.move_constraints]
        if self.configuration is not None:
            problems += [f"configuration {section} not as the run started: {', '.join(words)}"
                         for section, words in self.configuration.differences(now).items()]
        return problems

    def configuration_now(self) -> cib_config.Snapshot:
        """The CIB's configuration sections now (``cibadmin --query --scope configuration``)."""
        out = self.run_anywhere(["cibadmin", "--query", "--scope", "configuration"]).stdout
        return cib_config.Snapshot.from_cib(out)

    def adopt_configuration(self) -> None:
        """The configuration as it is now becomes the run's own: changed on purpose (a rolling
        upgrade gives a resource per-node parameters), not a leftover for repair to undo."""
        self.configuration = self._safe(self.configuration_now, None)

    def _remember_configuration(self) -> None:
        if self.configuration is None:
            self.configuration = self._safe(self.configuration_now, None)

    def _restore_configuration(self) -> None:
        """Put back each section that differs from the run's start (``cibadmin --replace``).

        A change to a cluster that outlives the run (the ssh backend) is put back only with the
        consent faults need: otherwise it may be its operators', and it stays a problem."""
        if self.configuration is None:
            return
        self.backend.check_fault_allowed("putting back the configuration the run began with")
        now = self.configuration_now()
        for section in self.configuration.differences(now):
            self.run_anywhere(["cibadmin", "--replace", "--scope", section,
                               "--xml-text", self.configuration.raw[section]])

    def _mend(self, health: Health) -> None:
        """One round of repairs for what ``health`` shows; each is harmless when repeated."""
        if any(p.startswith("configuration ") for p in health.problems):
            self._safe(self._restore_configuration, None)
        if any(p.endswith("left by move") for p in health.problems):
            for group in self.description.groups:  # what `crm resource move/ban` left
                self._safe(lambda g=group.name: self.run_anywhere(
                    ["crm_resource", "--clear", "--resource", g]), None)
        if health.state is not None:
            for name, node in health.state.nodes.items():
                if node.standby:
                    self._safe(lambda n=name: self.crm("node", "online", n), None)
        if any(p.startswith(("fail-count", "failed action")) for p in health.problems):
            self._safe(self.cleanup, None)

    def _wait_clean(self, timeout: float, mend_every: float = 5.0) -> Health:
        last_mend = [float("-inf")]

        def look() -> Health:
            health = self.clean()
            # Not at every look: a cleanup reprobes, and resources read Stopped meanwhile.
            if not health.ok and time.monotonic() - last_mend[0] >= mend_every:
                last_mend[0] = time.monotonic()
                self._mend(health)
            return health

        return _wait(look, lambda h: h.ok, timeout=timeout, interval=0.5,
                     what="a clean cluster", describe=lambda h: "; ".join(h.problems))

    @staticmethod
    def _safe(call: Callable[[], T], default: T) -> T:
        """Repair steps are best effort; what they could not do shows in the final check."""
        try:
            return call()
        except (ClusterError, CommandError, BackendError, RuntimeError,
                cib_config.ConfigurationError):
            return default

    # -- Pacemaker operations -----------------------------------------------------------------
    def crm(self, *args: str, timeout: float = 60) -> Result:
        """A crmsh command on the first node that runs it successfully (raises with its output)."""
        return self.run_anywhere(["crm", *args], timeout=timeout)

    def crm_load(self, text: str) -> None:
        """``crm configure load update`` of crmsh text, run on a node (crmsh logs stay there)."""
        last: Exception | None = None
        for node in self.nodes.values():
            try:
                node.write("/root/hacluster-update.crm", text, mode=0o600)
                node.run(["crm", "configure", "load", "update", "/root/hacluster-update.crm"],
                         timeout=60, check=True)
                return
            except (BackendError, RuntimeError) as exc:
                last = exc
        raise ClusterError(f"no node could load the configuration: {last}")

    def cleanup(self, resource: str | None = None, node: str | None = None) -> None:
        """``crm_resource --cleanup``: forget failures (fail-counts, failed actions) and reprobe."""
        args = ["crm_resource", "--cleanup"]
        args += ["--resource", resource] if resource else []
        args += ["--node", node] if node else []
        self.run_anywhere(args)

    def cli_constraints(self) -> list[str]:
        """Constraints left by ``crm resource move/ban`` (ids ``cli-prefer-*``, ``cli-ban-*``)."""
        return self.configuration_now().move_constraints

    def attribute(self, name: str) -> dict[str, str | None]:
        """A transient node attribute (e.g. ``pingd``) on every node, None where unset."""
        try:
            out = self.run_anywhere(["attrd_updater", "--query", "--all", "--name", name]).stdout
        except CommandError:  # "attribute does not exist" (exit 78): unset everywhere
            out = ""
        values: dict[str, str | None] = dict.fromkeys(self.description.node_names)
        for host, value in re.findall(r'host="([^"]+)" value="([^"]*)"', out):
            values[host] = value or None
        return values

    def wait_attribute(self, name: str, ok: Callable[[str | None], bool],
                       timeout: float = 60) -> dict[str, str | None]:
        return _wait(
            lambda: self.attribute(name), lambda v: all(ok(x) for x in v.values()),
            timeout=timeout, interval=0.5, what=f"node attribute {name} on every node",
            describe=lambda v: f"{name} = {v}",
        )

    def links(self) -> dict[str, dict[int, bool]]:
        """corosync's links per node: link number -> whether every peer is connected on it."""
        seen: dict[str, dict[int, bool]] = {}
        for name, node in self.nodes.items():
            out = node.run(["corosync-cfgtool", "-s"], timeout=15).stdout
            links: dict[int, bool] = {}
            for number, body in re.findall(r"LINK ID (\d+).*?\n((?:\s+.*\n?)*)", out):
                peers = re.findall(r"nodeid:\s*\d+:\s*(\w+)", body)
                links[int(number)] = all(p in ("connected", "localhost") for p in peers)
            seen[name] = links
        return seen

    def wait_links(self, count: int, timeout: float = 30) -> None:
        """Until every node has ``count`` corosync links, all connected."""
        _wait(
            self.links,
            lambda seen: all(len(v) == count and all(v.values()) for v in seen.values()),
            timeout=timeout, interval=0.25, what=f"{count} connected corosync link(s)",
            describe=lambda seen: f"links per node: {seen}",
        )

    def wait_settled(self, timeout: float = 120) -> None:
        """Until the cluster has nothing left to do: the DC's controller is idle (S_IDLE: no
        transition running, none to compute) and the transition computed from the live CIB
        has no actions (what ``crm_resource --wait`` checks), asked every 0.25 s with
        ``crmadmin`` and ``crm_simulate --live-check --simulate`` (read-only, about 0.1 s).

        Not ``crm_resource --wait`` itself: in Pacemaker 2.1 it sleeps 2 s before its first
        look although its comment says it means not to (``wait_till_stable`` in
        ``tools/crm_resource_runtime.c``: ``rc`` starts as ``pcmk_rc_ok``), so every call
        took 2.4 s on a settled lab, about twenty times a suite. The DC's state is asked too
        because an action under way (a start the CIB records as pending) gives an empty
        transition. Where that cannot be asked (``_settles_by_simulate``: 2.0, 3.0),
        ``crm_resource --wait``. Raises ``ClusterError`` naming what was still to do.
        """
        if not self._settles_by_simulate():
            self._wait_settled_by_crm_resource(timeout)
            return
        found = _wait(
            self.still_to_do, lambda left: left is None or not left, timeout=timeout,
            interval=0.25, what="the cluster to have nothing left to do",
            describe=lambda left: "still to do: " + "; ".join(left or []),
            failing="the cluster did not settle: ",
        )
        if found is None:
            self._wait_settled_by_crm_resource(timeout)

    def still_to_do(self) -> list[str] | None:
        """One look at what the cluster has left to do (``wait_settled``): empty when the DC
        is idle and the live transition has no actions; None where this Pacemaker cannot be
        asked so (then only ``crm_resource --wait`` can tell). Raises ``ClusterError``."""
        if not self._settles_by_simulate():
            return None
        script = ('dc=$(crmadmin --dc_lookup --quiet) && crmadmin --status="$dc" --quiet '
                  '&& crm_simulate --live-check --simulate --output-as=xml')
        result = self.run_anywhere(["sh", "-c", script], timeout=30)
        dc_state, _, xml_text = result.stdout.strip().partition("\n")
        actions = pending_actions(xml_text) if result.ok else None
        if actions is None:
            raise ClusterError(f"asking whether the cluster settled: {result.describe()}")
        return actions if dc_state.strip() == "S_IDLE" else [f"the DC is in {dc_state}"]

    def _settles_by_simulate(self) -> bool:
        """Whether ``still_to_do`` can ask crm_simulate, from the Pacemaker version
        (``dialect.py``), not by trying: 2.0.5's ``crmadmin --status`` hangs past 30 s, and
        3.0.0's crm_simulate XML has no transition, so it would read as "nothing to do" at
        once (both measured on Debian 11 and 13)."""
        if self._simulate_xml is None:
            version = crm_status.parse_version(
                self.run_anywhere(["crm_mon", "--version"], timeout=30).stdout)
            self._simulate_xml = dialect.for_version(version).simulate_xml
        return self._simulate_xml

    def _wait_settled_by_crm_resource(self, timeout: float) -> None:
        result = self.run_anywhere(
            ["crm_resource", "--wait", f"--timeout={int(timeout)}s"], timeout=timeout + 15
        )
        if not result.ok:
            raise ClusterError(f"the cluster did not settle: {result.describe()}")

    def crm_verify(self) -> Result:
        """``crm_verify -L``: the live configuration as Pacemaker judges it."""
        return self.run_anywhere(["crm_verify", "-L", "-V"])

    # -- health and waits ---------------------------------------------------------------------
    def health(self) -> Health:
        problems: list[str] = []
        try:
            state: ClusterState | None = self.state()
        except (ClusterError, CommandError, crm_status.ParseError) as exc:
            state = None
            problems.append(f"no cluster state: {str(exc).splitlines()[0]}")
        if state is not None:
            problems += _state_problems(self.description, state)
        replies = self.http.get_many(self.urls, timeout=1.0)
        problems += [r.describe() for r in replies.values() if not r.ok]
        return Health(state, replies, tuple(problems))

    def wait_healthy(
        self, progress: Progress | None = None, timeout: float | None = None,
        since: float | None = None,
    ) -> Health:
        """Wait (bounded) until every node is online, every group runs and every check answers.

        Progress shows what is still missing each time it changes, so a slow bring-up says why.
        ``timeout`` counts from ``since`` (the start of the bring-up) when given: the backend's
        own part of the bring-up spends the same budget.
        """
        timeout = self.description.timings.bringup_timeout_s if timeout is None else timeout
        start = time.monotonic() if since is None else since
        shown: list[tuple[str, ...]] = []

        def look() -> Health:
            health = self.health()
            if progress is not None and (not shown or shown[-1] != health.problems):
                shown.append(health.problems)
                waited = time.monotonic() - start
                progress(
                    f"+{waited:.1f}s "
                    + ("healthy" if health.ok else "not yet: " + "; ".join(health.problems))
                )
            return health

        try:
            return wait_until(
                look, lambda h: h.ok, timeout=max(0.0, timeout - (time.monotonic() - start)),
                interval=0.25, what="every group Started and every check (URL) answering",
                describe=lambda h: "; ".join(h.problems),
            )
        except WaitTimeout as exc:
            budget = WaitTimeout(exc.what, timeout, exc.last)  # the whole budget, not what was left
            raise ClusterError(f"{budget}\n{self.backend.failure_logs()}") from None


def doubled_resources(desc: Description, state: ClusterState) -> dict[str, tuple[str, ...]]:
    """Members of the described groups active on more than one node -> those nodes
    (``ClusterState.doubled``)."""
    return state.doubled((g.name for g in desc.groups), desc.single_resources)


def clean_problems(desc: Description, state: ClusterState) -> list[str]:
    """What keeps a healthy cluster from being clean for the next test: leftovers of faults."""
    # A standby node is already a health problem ("node s2 standby").
    problems = [
        f"{rsc} active on {' and '.join(nodes)}"
        for rsc, nodes in doubled_resources(desc, state).items()
    ]
    problems += [f"fail-count {c} for {r} on {n}" for (r, n), c in state.failcounts.items() if c]
    problems += [
        f"failed action {a.resource}_{a.operation} on {a.node}" for a in state.failed_actions
    ]
    return problems


def _state_problems(desc: Description, state: ClusterState) -> list[str]:
    """What keeps the cluster from being healthy: a node not online, a group not started
    whole on one node, a described clone without its instances, a described constraint with
    an infinite score broken (``constraint_check``)."""
    problems = []
    for name in desc.node_names:
        node = state.nodes.get(name)
        if node is None or node.state != "online":
            problems.append(f"node {name} {node.state if node else 'unknown'}")
    for group in desc.groups:
        g = state.groups.get(group.name)
        if g is None:
            problems.append(f"group {group.name} not configured")
        elif g.started_on is None:
            members = ", ".join(
                f"{r.id} " + (" ".join(f"{role} {node}" for node, role in r.roles) or "Stopped")
                for r in g.resources
            )
            problems.append(f"group {group.name} not started ({members})")
    problems += constraint_check.clone_problems(desc, state)
    return problems + constraint_check.constraint_problems(desc, state)


def _wait(
    observe: Callable[[], T], until: Callable[[T], bool], *, timeout: float, interval: float,
    what: str, describe: Callable[[T], str] = repr, failing: str = "",
) -> T:
    """``wait_until`` whose time-out is a ``ClusterError`` (``failing`` before its message)."""
    try:
        return wait_until(observe, until, timeout=timeout, interval=interval, what=what,
                          describe=describe)
    except WaitTimeout as exc:
        raise ClusterError(f"{failing}{exc}") from None


def pending_actions(xml_text: str) -> list[str] | None:
    """The actions in ``crm_simulate --simulate --output-as=xml`` output (``<actions>`` of
    ``rsc_action``, ...), each as ``action resource source [-> dest]`` (``move vip_tomcat s2
    -> s1``);
    None when the text is no such output (an older crm_simulate, an error)."""
    try:
        root = ET.fromstring(xml_text.strip())
    except ET.ParseError:
        return None
    actions = root.find("actions") if root.tag == "pacemaker-result" else None
    if actions is None:
        return None
    return [
        " ".join(str(v) for v in (a.get("action") or a.tag, a.get("resource"), a.get("source"),
                                  f"-> {a.get('dest')}" if a.get("dest") else None) if v)
        for a in actions
    ]
