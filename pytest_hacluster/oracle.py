"""Pacemaker's own scheduler as the oracle: what should a fault do, before it is injected.

Hand-written expectations ("web ends on the other node") repeat knowledge the scheduler
already has, and go stale as soon as a constraint, a stickiness or a fail-count differs. So
before a fault, ``crm_simulate`` runs on a copy of the live CIB with the fault expressed as its
input (a failed operation, a failed node, a standby flag or a constraint set on the copy); its
revised status is the expected placement of every resource and group, its transition summary
the resources expected to restart, stop or move. After the fault, once the cluster has
settled, ``compare`` lines that up with crm_mon.

Some faults cannot be said in the scheduler's terms (a frozen process, a split in two
partitions, a cable nothing watches): a fault says so with ``Unsimulable`` and its reason,
and the record keeps it.

The parsing and comparing half is pure; ``Oracle`` runs the tools on a node, with argument
lists only, through whatever backend the cluster has.
"""

from __future__ import annotations

import re
import shlex
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from pytest_hacluster import cib_readback, crm_status, dialect, duration, records
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.crm_status.model import configured_id
from pytest_hacluster.dialect import Dialect
from pytest_hacluster.shell import Result

SIMULATE_TIMEOUT_S = 30.0
# A failed monitor of a process that is gone: OCF_NOT_RUNNING.
RC_NOT_RUNNING = 7
# Any other failure (the apache agent's answer to a 403): OCF_ERR_GENERIC.
RC_ERROR = 1


class OracleError(RuntimeError):
    """crm_simulate's answer could not be read; says what was wrong."""


# -- what to ask ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FailedOp:
    """An operation result to inject (``--op-inject``): a failure the cluster will see."""

    resource: str
    operation: str  # "monitor", "start", ...
    node: str
    rc: int = RC_NOT_RUNNING

    def spec(self, cib: Cib) -> str:
        """``<rsc>_<op>_<interval ms>@<node>=<rc>``, the interval as the CIB defines it."""
        interval = cib.interval_ms(self.resource, self.operation)
        return f"{self.resource}_{self.operation}_{interval}@{self.node}={self.rc}"

    @property
    def replaced_history(self) -> tuple[str, ...]:
        """The edit that deletes the resource's ``<rsc>_last_failure_0`` entry on the node
        from the copy before the injection, which the real failure replaces whole.

        crm_simulate 2.1.5's ``--op-inject`` rewrites an existing last-failure entry in
        place and keeps its ``op-digest``. After a ``crm resource cleanup`` the re-probe that
        finds the resource running (rc 0 where 7 was expected) leaves such an entry with the
        probe's digest; an injected monitor failure then carries the probe's digest, the
        scheduler reads "resource parameters have changed" and clears the fail-count
        (``pe__clear_failcount``), so the prediction was "recover in place" where the cluster
        moves the group (missing index page, measured: 1 run in 10 under load, whenever the
        previous test's cleanup re-probe was the last failure entry). The real cluster
        writes the whole entry with the monitor's own digest. ``cibadmin --delete`` of an
        entry that is not there is no error."""
        entry = f"{self.resource}_last_failure_0"
        return ("cibadmin", "--delete", "--xpath",
                f"//node_state[@uname='{self.node}']/lrm/lrm_resources/"
                f"lrm_resource[@id='{self.resource}']/lrm_rsc_op[@id='{entry}']")


@dataclass(frozen=True)
class Simulation:
    """A fault in crm_simulate's terms.

    ``edits`` run against the CIB copy (``CIB_file``) before simulating: standby flags, move
    constraints, meta attributes, fail-counts. ``failed_ops`` and ``failed_nodes`` and
    ``joining_nodes`` are crm_simulate's own inputs. ``note`` says where the simulation is a
    simplification of what really happens.
    """

    what: str
    edits: tuple[tuple[str, ...], ...] = ()
    failed_ops: tuple[FailedOp, ...] = ()
    failed_nodes: tuple[str, ...] = ()
    joining_nodes: tuple[str, ...] = ()
    note: str = ""

    @property
    def copy_edits(self) -> tuple[tuple[str, ...], ...]:
        """Every edit of the CIB copy before crm_simulate runs: the failed operations'
        replaced history (``FailedOp.replaced_history``), then ``edits``."""
        return (*(op.replaced_history for op in self.failed_ops), *self.edits)

    @property
    def avoid(self) -> tuple[str, ...]:
        """Nodes that must not run the simulation: the one about to fail, or one still down."""
        return (*self.failed_nodes, *self.joining_nodes)

    def inputs(self, cib: Cib) -> list[str]:
        """crm_simulate's arguments for the fault (without ``-x``/``-S``)."""
        args: list[str] = []
        for op in self.failed_ops:
            args += ["--op-inject", op.spec(cib)]
        for node in self.failed_nodes:
            args += ["--node-fail", node]
        for node in self.joining_nodes:
            args += ["--node-up", node]
        return args


@dataclass(frozen=True)
class Unsimulable:
    """A fault crm_simulate cannot express (or could not be asked about), and why.

    ``failed`` is set when the oracle itself broke (crm_simulate errored, no node answered):
    unlike a fault the scheduler cannot model, that is a defect to report.
    """

    reason: str
    failed: bool = False

    def __str__(self) -> str:
        return ("could not ask the scheduler: " if self.failed else "not simulable: ") \
            + self.reason


def simulate_command(path: str, simulation: Simulation, cib: Cib,
                     saved: str | None = None) -> list[str]:
    """The whole crm_simulate command line on the CIB copy at ``path``: XML output, or (for a
    crm_simulate without it, ``dialect.py``) the resulting CIB saved to ``saved``."""
    output = ["--save-output", saved] if saved else ["--output-as=xml"]
    return ["crm_simulate", "--xml-file", path, "--simulate", *simulation.inputs(cib), *output]


# -- the CIB, as far as a simulation needs it ------------------------------------------------

class Cib:
    """The live CIB (``cibadmin -Q``): op intervals and configured agents, for faults to ask.

    Made from its text, or from a function that fetches it (``Cib.fetched``): then it is asked
    of a node only when something reads it, so a fault that needs no CIB costs no query.
    ``OracleError`` when the text is no CIB.
    """

    def __init__(self, text: str | Callable[[], str]) -> None:
        self._fetch = text if callable(text) else None
        self._text = None if callable(text) else text
        self._root: ET.Element | None = None

    @property
    def fetched(self) -> bool:
        """Whether the CIB's text is here (given, or fetched since)."""
        return self._text is not None

    @property
    def text(self) -> str:
        if self._text is None:
            assert self._fetch is not None
            self._text = self._fetch()
        return self._text

    @property
    def root(self) -> ET.Element:
        if self._root is None:
            try:
                root = ET.fromstring(self.text.strip())
            except ET.ParseError as exc:
                raise OracleError(f"cibadmin -Q gave no CIB ({exc})") from None
            if root.tag != "cib":
                raise OracleError(f"expected <cib>, got <{root.tag}>")
            self._root = root
        return self._root

    def primitive(self, resource: str) -> ET.Element | None:
        return next((p for p in self.root.iter("primitive") if p.get("id") == resource), None)

    def interval_ms(self, resource: str, operation: str) -> int:
        """The interval of ``operation`` as configured for ``resource`` (0 for start/stop)."""
        if operation != "monitor":
            return 0
        prim = self.primitive(resource)
        ops = [] if prim is None else [
            op for op in prim.iter("op") if op.get("name") == operation
            and op.get("role") in (None, "Started")
        ]
        if not ops:
            raise OracleError(f"no {operation} operation of {resource} in the CIB")
        try:  # as the scheduler reads it, or the injected key names an operation nobody runs
            return duration.interval_ms(ops[0].get("interval", "0"),
                                        f"interval of {resource}'s {operation} in the CIB")
        except duration.DurationError as exc:
            raise OracleError(str(exc)) from None

    def agent_primitives(self, provider: str, kind: str) -> list[ET.Element]:
        """Primitives of one agent (e.g. pacemaker/ping), wherever they sit (clones, groups)."""
        return [p for p in self.root.iter("primitive")
                if p.get("provider") == provider and p.get("type") == kind]

    def ping_attribute(self) -> str | None:
        """The node attribute a configured ``ocf:pacemaker:ping`` sets, or None if there is none."""
        for prim in self.agent_primitives("pacemaker", "ping"):
            names = [nv.get("value") for nv in prim.iter("nvpair") if nv.get("name") == "name"]
            return names[0] if names and names[0] else "pingd"
        return None


# -- the answer -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Action:
    """One line of the transition summary: a resource started, stopped, recovered or moved."""

    resource: str
    action: str  # start, stop, recover, move, restart, promote, demote, migrate, ...
    node: str | None = None
    source: str | None = None
    dest: str | None = None

    @property
    def changes_placement(self) -> bool:
        return self.source is not None and self.dest is not None and self.source != self.dest

    def __str__(self) -> str:
        if self.source is not None and self.dest is not None:
            return f"{self.action} {self.resource} {self.source} -> {self.dest}"
        where = self.node or self.source or self.dest  # a restart names only its source
        return f"{self.action} {self.resource}" + (f" on {where}" if where else "")


@dataclass(frozen=True)
class Prediction:
    """What the scheduler will do: placement afterwards, and the actions to get there."""

    what: str
    placement: dict[str, str | None]  # resource or clone -> oracle.where(): nodes and roles
    groups: dict[str, str | None]  # group -> the one node it runs whole on, or None
    actions: tuple[Action, ...] = ()
    note: str = ""
    # (node, action) of each fencing the transition starts with: <node_action task="Fence
    # (off)" node="s2"> in crm_simulate's <actions> (Pacemaker 2.1.5, STONITH on).
    fencing: tuple[tuple[str, str], ...] = ()
    # resource or clone -> (node, role) of each instance, as crm_status reads them
    roles: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    took_s: float | None = None  # cibadmin, edits and crm_simulate, on the node
    simulate_s: float | None = None  # crm_simulate alone
    # crm_simulate's errors when the simulated transition could not complete ("Transition
    # failed: terminated; An invalid transition was produced"): the revised status is then
    # where the simulation stopped, not where the plan ends, so it is recorded, not compared.
    invalid_transition: str = ""
    # What crm_simulate was given, for the diagnostics of a failed test: (file name, text)
    # pairs, the CIB copy as queried and the commands run on it (edits, then crm_simulate).
    inputs: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    def __str__(self) -> str:
        groups = records.placement(self.groups)
        acts = "; ".join(str(a) for a in self.actions) or "nothing to do"
        text = f"{self.what}: {groups} ({acts})" + (f" [{self.note}]" if self.note else "")
        if self.invalid_transition:
            text = (f"{self.what}: crm_simulate reported an invalid transition "
                    f"({self.invalid_transition}); planned: {acts}; where the simulation "
                    f"stopped: {groups}")
        return text


Expectation = Prediction | Unsimulable


def where(roles: tuple[tuple[str, str], ...]) -> str | None:
    """Where a resource or clone runs in which role, as one comparable value.

    ``roles`` are ``(node, role)`` pairs (``crm_status.Resource.roles``). None when stopped;
    ``"s1"`` for Started on s1; a role other than Started is named (``"s1 (Promoted)"``), so a
    promotion predicted on n1 that happens on n2 differs; several instances are joined in node
    order with ``+`` (``"n1 (Promoted)+n2 (Unpromoted)"``, ``"s1+s2"`` for a plain clone).
    """
    if not roles:
        return None
    shown = sorted(node if role == crm_status.STARTED else f"{node} ({role})"
                   for node, role in roles)
    return "+".join(shown)


def placement_of(state: ClusterState) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Resource and group placement of a state, the same way for predicted and observed.

    Resources are every primitive and every clone, promotable clone and bundle (by its id),
    each with its roles per node (``where``); groups the one node each runs whole on.
    """
    placement = {rid: where(r.roles) for rid, r in state.resources.items()}
    placement.update({cid: where(c.roles) for cid, c in state.clones.items()})
    return placement, group_placement(state)


def group_placement(state: ClusterState) -> dict[str, str | None]:
    """Group -> the one node it runs whole on (None: nowhere, or split). A cloned group's
    instances (``base:0``, ``base:1``) are one entry under the configured id, their nodes
    joined in order (``"s1+s2"``; ``partial`` for an instance not whole on one node): the
    scheduler numbers anonymous instances afresh each time, so ``base:0`` predicted on s1
    may be ``base:1`` there once it has happened."""
    out: dict[str, str | None] = {}
    instances: dict[str, list[str]] = {}
    for gid, g in state.groups.items():
        if g.clone is None:
            out[gid] = g.started_on
        elif g.role != crm_status.STOPPED:
            instances.setdefault(configured_id(gid), []).append(
                g.started_on or "partial")
        else:
            instances.setdefault(configured_id(gid), [])
    out.update({gid: "+".join(sorted(nodes)) or None for gid, nodes in instances.items()})
    return out


def parse(text: str, what: str = "", note: str = "") -> Prediction:
    """``crm_simulate --simulate --output-as=xml`` -> a Prediction.

    The revised cluster status has crm_mon's layout, so crm_mon's parser reads it: placement
    means the same on both sides of the comparison. When the simulated transition cannot
    complete, crm_simulate (2.1.5: lib/pacemaker/pcmk_simulate.c) still prints the revised
    status but ends with status code 1 and the errors "Transition failed: <why>" and "An
    invalid transition was produced": that comes back as a Prediction with
    ``invalid_transition`` set. Any other error raises ``OracleError`` with crm_simulate's words.
    """
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise OracleError(f"crm_simulate gave malformed XML ({exc})") from None
    status = root.find("status")
    revised = root.find("revised_cluster_status")
    invalid = ""
    if status is not None and status.get("code") not in (None, "0"):
        errors = [(e.text or "").strip() for e in status.iter("error")]
        if revised is not None and any(_INVALID_TRANSITION in e for e in errors):
            invalid = "; ".join(errors)
        else:
            raise OracleError(
                f"crm_simulate failed: {status.get('message')} {'; '.join(errors)}".strip())
    if revised is None:
        raise OracleError("crm_simulate's output has no <revised_cluster_status> (no -S?)")
    doc = ET.Element("pacemaker-result")
    doc.extend(child for child in revised if child.tag in ("nodes", "resources"))
    try:
        state = crm_status.parse_xml(ET.tostring(doc, encoding="unicode"))
    except crm_status.ParseError as exc:
        raise OracleError(f"crm_simulate's revised status: {exc}") from None
    placement, groups = placement_of(state)
    actions_elem = root.find("actions")
    actions = tuple(
        Action(
            resource=elem.get("resource", "?"), action=elem.get("action", "?"),
            node=elem.get("node"), source=elem.get("source"), dest=elem.get("dest"),
        )
        for elem in (actions_elem if actions_elem is not None else ())
        if elem.tag == "rsc_action"
    )
    roles = {rid: r.roles for rid, r in state.resources.items()}
    roles.update({cid: c.roles for cid, c in state.clones.items()})
    fencing = tuple(
        _fence_action(elem) for elem in (actions_elem if actions_elem is not None else ())
        if elem.tag == "node_action" and elem.get("task", "").startswith("Fence")
    )
    return Prediction(what=what, placement=placement, groups=groups, actions=actions, note=note,
                      roles=roles, invalid_transition=invalid, fencing=fencing)


_FENCE_TASK = re.compile(r"^Fence \((?P<action>[\w-]+)\)$")


def _fence_action(elem: ET.Element) -> tuple[str, str]:
    """``<node_action task="Fence (off)" node="s2">`` -> ("s2", "off"); anything else raises."""
    found = _FENCE_TASK.match(elem.get("task", ""))
    if found is None or not elem.get("node"):
        raise OracleError(f"crm_simulate's fencing action not understood: {elem.attrib}")
    return elem.get("node", ""), found["action"]


_INVALID_TRANSITION = "An invalid transition was produced"  # crm_simulate's own words


# -- predicted against observed ---------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """A prediction lined up with what crm_mon showed once the cluster had settled."""

    expected: Expectation
    groups: dict[str, str | None] = field(default_factory=dict)
    placement: dict[str, str | None] = field(default_factory=dict)

    @property
    def matched(self) -> bool | None:
        """True/False when there was a prediction; None when the fault was not simulable or
        the scheduler's transition was invalid (its revised status is no prediction)."""
        if not isinstance(self.expected, Prediction) or self.expected.invalid_transition:
            return None
        return not self.differences

    @property
    def verdict(self) -> str:
        if isinstance(self.expected, Prediction) and self.expected.invalid_transition:
            return "invalid_transition"
        return {True: "matched", False: "mismatch", None: "unsimulable"}[self.matched]

    @property
    def differences(self) -> list[str]:
        """Each group, resource and clone whose observed node or role is not the predicted one
        (none when there is no prediction to compare: unsimulable, or an invalid transition)."""
        if not isinstance(self.expected, Prediction) or self.expected.invalid_transition:
            return []
        diffs = []
        for kind, predicted, observed in (("group", self.expected.groups, self.groups),
                                          ("resource", self.expected.placement, self.placement)):
            for name, node in predicted.items():
                seen = observed.get(name, "absent")
                if seen != node:
                    diffs.append(f"{kind} {name}: predicted {node or 'stopped'}, "
                                 f"observed {seen or 'stopped'}")
        return diffs

    def __str__(self) -> str:
        observed = records.placement(self.groups)
        if not isinstance(self.expected, Prediction):
            return f"{self.expected}; observed: {observed}"
        predicted = records.placement(self.expected.groups)
        actions = "; ".join(str(a) for a in self.expected.actions) or "nothing to do"
        lines = [f"prediction {self.verdict}: {self.expected.what}",
                 *([f"  crm_simulate reported an invalid transition: "
                    f"{self.expected.invalid_transition}; 'predicted' is where the simulation "
                    "stopped, not compared"] if self.expected.invalid_transition else []),
                 f"  predicted: {predicted}",
                 f"  observed:  {observed}",
                 f"  predicted actions: {actions}"]
        lines += [f"  differs: {d}" for d in self.differences]
        if self.expected.note:
            lines.append(f"  note: {self.expected.note}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"verdict": self.verdict, "observed_groups": dict(self.groups),
                                "observed_placement": dict(self.placement)}
        if isinstance(self.expected, Prediction):
            data.update(
                what=self.expected.what, predicted_groups=dict(self.expected.groups),
                predicted_placement=dict(self.expected.placement),
                predicted_actions=[str(a) for a in self.expected.actions],
                differences=self.differences, note=self.expected.note,
                took_s=self.expected.took_s, simulate_s=self.expected.simulate_s,
                invalid_transition=self.expected.invalid_transition,
            )
        else:
            data.update(reason=self.expected.reason, oracle_failed=self.expected.failed)
        return data


def compare(expected: Expectation, state: ClusterState) -> Check:
    """Line the prediction up with the settled state (whole placement: without stickiness,
    one group's move often moves the other)."""
    placement, groups = placement_of(state)
    return Check(expected, groups=groups, placement=placement)


# -- asking the scheduler on a node -----------------------------------------------------------

Build = Callable[[Cib], "Simulation | Unsimulable | None"]


class OracleNode(Protocol):
    """What the oracle asks of a node: run a command (with ``CIB_file`` in its environment)
    and write the CIB copy."""

    def run(self, command: list[str], *, timeout: float = ..., check: bool = ...,
            env: Mapping[str, str] | None = ...) -> Result: ...

    def write(self, path: str, content: str, mode: int = ...) -> None: ...


class Oracle:
    """Runs crm_simulate on a node that stays up, on a copy of its CIB.

    ``nodes`` gives the cluster's nodes by name each time it is called (a node may come and
    go between faults)."""

    def __init__(self, nodes: Callable[[], Mapping[str, OracleNode]],
                 timeout: float = SIMULATE_TIMEOUT_S) -> None:
        self.nodes = nodes
        self.timeout = timeout
        self._words: Dialect | None = None  # the cluster's Pacemaker's, asked once

    def _dialect(self, node: OracleNode) -> Dialect:
        if self._words is None:
            version = node.run(["crm_mon", "--version"], timeout=self.timeout, check=True)
            self._words = dialect.for_version(crm_status.parse_version(version.stdout))
        return self._words

    def _candidates(self, avoid: tuple[str, ...]) -> list[str]:
        names = list(self.nodes())
        return [n for n in names if n not in avoid] or names

    def predict(self, build: Build, avoid: tuple[str, ...] = ()) -> Expectation | None:
        """Ask the scheduler what ``build(cib)`` will do. Never raises: an oracle that broke
        comes back as ``Unsimulable(failed=True)`` with the reason; None when there is
        nothing to ask (the fault has no simulation)."""
        last = "no node to run crm_simulate on"
        for name in self._candidates(avoid):
            try:
                return self._predict_on(name, build, avoid)
            except _WrongNode:
                continue
            except Exception as exc:  # an oracle never breaks the test it serves; it reports
                last = f"on {name}: {str(exc).strip().splitlines()[0] if str(exc) else exc!r}"
        return Unsimulable(last, failed=True)

    def _predict_on(self, name: str, build: Build, avoid: tuple[str, ...]) -> Expectation | None:
        node = self.nodes()[name]
        started = time.monotonic()

        def query() -> str:
            queried = node.run(["cibadmin", "--query"], timeout=self.timeout)
            if queried.exited == 127:
                raise _NoCibadmin()
            if not queried.ok:
                raise OracleError(f"cibadmin --query: {queried.describe()}")
            return queried.stdout

        # Queried only when the fault reads it or there is something to simulate: an undo
        # with nothing to measure, or a fault that cannot be simulated, costs no query.
        cib = Cib(query)
        try:
            simulation = build(cib)
            if not isinstance(simulation, Simulation):
                return simulation
            if name in simulation.avoid and len(self.nodes()) > 1:
                raise _WrongNode(name)
            text = cib.text
        except _NoCibadmin:
            return Unsimulable("no cibadmin on this stack")
        path = f"/tmp/hacluster-oracle-{uuid.uuid4().hex}.xml"
        env: Mapping[str, str] = {"CIB_file": path}
        node.write(path, text, mode=0o600)
        saved = None if self._dialect(node).simulate_xml else f"{path}.out"
        command = simulate_command(path, simulation, cib, saved)
        inputs = (("cib.xml", text), ("commands.txt", f"# {path} is cib.xml, edited in place\n"
                   + "".join(f"CIB_file={path} {shlex.join(c)}\n"
                             for c in (*simulation.copy_edits, command))))
        try:
            for edit in simulation.copy_edits:
                node.run(list(edit), timeout=self.timeout, env=env, check=True)
                self._confirm_edit(node, edit, env)
            t0 = time.monotonic()
            result = node.run(command, timeout=self.timeout)
            simulate_s = time.monotonic() - t0
            if saved is not None and result.exited != 127:
                found = self._read_saved(node, saved, result, simulation)
        finally:
            node.run(["rm", "-f", path, *([saved] if saved else [])], timeout=self.timeout)
        if result.exited == 127:
            return Unsimulable("no crm_simulate on this stack (Pacemaker 1.0 has ptest)")
        if saved is None:
            if not result.ok and not result.stdout.strip():
                raise OracleError(f"crm_simulate: {result.describe()}")
            found = parse(result.stdout, what=simulation.what, note=simulation.note)
        return replace(found, took_s=round(time.monotonic() - started, 3),
                       simulate_s=round(simulate_s, 3), inputs=inputs)


    def _confirm_edit(self, node: OracleNode, edit: tuple[str, ...],
                      env: Mapping[str, str]) -> None:
        """An edit of the copy read back from it (``cib_readback``): a prediction made on a
        copy without it would be a silent wrong answer (the scheduler asked about a cluster
        without the fault). ``OracleError`` naming the edit and what was read.

        ``cibadmin`` edits (deletions of history entries, which may find nothing to delete)
        are not read back."""
        try:
            expected = cib_readback.readback(edit)
        except cib_readback.ReadbackError as exc:
            raise OracleError(str(exc)) from None
        if expected is None:
            return
        read = node.run(["cibadmin", "--query"], timeout=self.timeout, env=env)
        if not read.ok:
            raise OracleError(f"the edit {shlex.join(edit)} could not be read back from the "
                              f"CIB copy: {read.describe()}")
        try:
            wrong = expected.mismatch(read.stdout)
        except cib_readback.ReadbackError as exc:
            raise OracleError(str(exc)) from None
        if wrong is not None:
            raise OracleError(f"the edit {shlex.join(edit)} did not take on the CIB copy: "
                              f"{wrong}")

    def _read_saved(self, node: OracleNode, saved: str, result: Result,
                    simulation: Simulation) -> Prediction:
        """Pacemaker 2.0 and 3.0 (``dialect.py``): the simulated outcome from the CIB
        crm_simulate saved, read by ``crm_mon --output-as=xml`` as the live cluster is. Its
        text output names no actions in a form worth parsing, so the prediction has placement
        and roles only."""
        invalid = ""
        if not result.ok:
            said = f"{result.stdout}\n{result.stderr}"
            if _INVALID_TRANSITION not in said:
                raise OracleError(f"crm_simulate: {result.describe()}")
            invalid = "; ".join(line.strip() for line in said.splitlines()
                                if "Transition failed" in line or _INVALID_TRANSITION in line)
        shown = node.run(["crm_mon", "-1", "--output-as=xml"], timeout=self.timeout,
                         env={"CIB_file": saved})
        if not shown.ok:
            raise OracleError(f"crm_mon of the simulated CIB: {shown.describe()}")
        try:
            state = crm_status.parse_xml(shown.stdout)
        except crm_status.ParseError as exc:
            raise OracleError(f"crm_mon of the simulated CIB: {exc}") from None
        placement, groups = placement_of(state)
        roles = {rid: r.roles for rid, r in state.resources.items()}
        roles.update({cid: c.roles for cid, c in state.clones.items()})
        note = "; ".join(n for n in (simulation.note, SAVED_NOTE) if n)
        return Prediction(what=simulation.what, placement=placement, groups=groups, note=note,
                          roles=roles, invalid_transition=invalid)


SAVED_NOTE = ("placement read from crm_simulate's saved CIB (this Pacemaker's crm_simulate gives "
              "no usable XML)")


class _NoCibadmin(Exception):
    """The node has no cibadmin (a stack without Pacemaker's CIB tools)."""


class _WrongNode(Exception):
    """The simulation asks for a node that is failing or down: another node must run it."""


__all__ = [
    "Action", "Check", "Cib", "Expectation", "FailedOp", "Oracle", "OracleError", "OracleNode",
    "Prediction", "Simulation", "Unsimulable", "compare", "parse", "placement_of",
    "simulate_command", "where",
]
