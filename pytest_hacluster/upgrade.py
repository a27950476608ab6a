"""The rolling upgrade, rehearsed: node by node as Pacemaker's and Debian's release notes say.

For each node in turn: put it in standby (its groups move to the other node), stop its cluster
stack (pacemaker, then corosync), swap its root for the next release's (its own files kept:
configuration, CIB, corosync key), start corosync and pacemaker, wait until it has rejoined the
cluster (a member again, still in standby), then take it out of standby. Users are probed and
the invariant watcher runs throughout (the scenario's); each step records when it ran, what
users lost during it, and each node's versions are asked after every step that can change them.

Two things the release notes ask of the operator are done here the way an operator would do
them, because the lab would otherwise measure the lab's own mistake:

- the tomcat agent's parameters that name a release's paths (Tomcat 9's ``/usr/share/tomcat9``
  on Debian 11, Tomcat 10's on 12 and 13; each release's Java) are made per node with rules
  (``per_node_params``) before the first node is touched, and the swapped node's set is changed
  with its release: during the mixed period each node starts Tomcat from its own paths
  (without it: ``tomcat start on s1 returned 'not installed'`` as soon as webapp moves to the
  upgraded node, seen on the first rehearsal);
- a node's files keep their owners by name across the swap (``node.translate_owners``).

What the cluster does not support is a finding, not a hang: a node that has not rejoined
within ``rejoin_timeout_s`` ends the rehearsal with ``Unsupported`` carrying both nodes' views
and the swapped node's log lines, after that node got its old release back and rejoined (step
``restore``), so the cluster is whole again for whatever runs next. The same steps towards the
release before (``PREVIOUS_RELEASE``) rehearse a rollback.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from pytest_hacluster import render
from pytest_hacluster.backends.base import NodeShell
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.faults import Event
from pytest_hacluster.probe import Sample
from pytest_hacluster.records import num
from pytest_hacluster.report import versions as node_versions
from pytest_hacluster.shell import Result
from pytest_hacluster.waiting import WaitTimeout, wait_until

# The release a rolling upgrade goes to from each stack (Debian's supported upgrade paths:
# one release at a time).
NEXT_RELEASE = {"debian11": "debian12", "debian12": "debian13"}
# Rolling back node by node: the same steps to the release before.
PREVIOUS_RELEASE = {new: old for old, new in NEXT_RELEASE.items()}
STEPS = ("standby", "stop", "swap", "start", "rejoin", "online")
COROSYNC_LOG = "/var/log/corosync/corosync.log"
PACEMAKER_LOG = "/var/log/pacemaker/pacemaker.log"
# Version components asked after the steps that can change them (the report's "over time").
COMPONENTS = ("pacemaker", "corosync", "apache", "tomcat")


class UpgradeBackend(Protocol):
    """What the rehearsal needs of a backend (``Backend``'s rolling-upgrade calls)."""

    def node_stack(self, node: str) -> str: ...

    def node_paths(self, node: str) -> render.Stack: ...

    def stop_stack(self, node: str, timeout: float = 180) -> None: ...

    def swap_root(self, node: str, stack: str,
                  progress: Callable[[str], None]) -> dict[str, object]: ...

    def start_stack(self, node: str) -> None: ...

    def node_log(self, node: str, path: str, lines: int = 40) -> str: ...


class UpgradeTarget(Protocol):
    """The cluster as the rehearsal sees it (``Cluster`` is one)."""

    description: Description

    @property
    def backend(self) -> UpgradeBackend: ...

    @property
    def nodes(self) -> Mapping[str, NodeShell]: ...

    def node(self, name: str) -> NodeShell: ...

    def state(self, node: str | None = None) -> ClusterState: ...

    def forget_versions(self) -> None: ...

    def wait_settled(self, timeout: float = 120) -> None: ...


class Unsupported(RuntimeError):
    """A step the cluster does not support (a mixed cluster that does not form): the message
    is the finding, with both nodes' views and the log lines that say why."""


@dataclass
class Step:
    """One step of one node: monotonic ``started``/``ended``; ``outage_s``/``lost`` per URL
    (seconds without service and failed samples within the step); ``versions`` asked after."""

    node: str
    name: str
    started: float
    ended: float | None = None
    ok: bool = False
    detail: str = ""
    outage_s: dict[str, float] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)

    def to_record(self, origin: float) -> dict[str, Any]:
        return {
            "node": self.node, "step": self.name, "started_s": num(self.started - origin),
            "duration_s": None if self.ended is None else num(self.ended - self.started),
            "ok": self.ok, "detail": self.detail,
            "outage_s": {u: num(v) for u, v in self.outage_s.items()}, "lost": dict(self.lost),
        }


def window_outage(samples: Iterable[Sample], url: str, start: float,
                  end: float) -> tuple[float, int]:
    """Seconds ``url`` was without service within [start, end] and the samples it lost there.

    A failed sample stands for the time until the next sample of the URL (the probe's view),
    clipped to the window; a failure still going at the last sample counts until ``end``.
    """
    ordered = sorted((s for s in samples if s.url == url), key=lambda s: s.t)
    down, lost = 0.0, 0
    for i, s in enumerate(ordered):
        if s.ok:
            continue
        until = ordered[i + 1].t if i + 1 < len(ordered) else end
        left, right = max(s.t, start), min(until, end)
        if right > left:
            down += right - left
        if start <= s.t <= end:
            lost += 1
    return down, lost


def per_node_params(primitive_xml: str, params_by_node: Mapping[str, Mapping[str, str]]) -> str:
    """The primitive ``primitive_xml`` with the named parameters per node.

    Every parameter named in ``params_by_node`` leaves the primitive's rule-less
    ``instance_attributes`` and goes into one set per node whose rule is ``#uname eq NODE``
    (ids ``<primitive>-params-<node>``; an earlier such set is replaced). The other parameters
    and everything else stay. Raises ValueError when the text is not one ``<primitive>``.
    """
    root = ET.fromstring(primitive_xml)
    if root.tag != "primitive" or not root.get("id"):
        raise ValueError(f"not a primitive with an id: {primitive_xml[:80]!r}")
    rid = root.get("id")
    names = {k for params in params_by_node.values() for k in params}
    for old in [e for e in root.findall("instance_attributes")
                if (e.get("id") or "").startswith(f"{rid}-params-")]:
        root.remove(old)
    for base in root.findall("instance_attributes"):
        if base.find("rule") is None:
            for pair in [p for p in base.findall("nvpair") if p.get("name") in names]:
                base.remove(pair)
    at = max((i for i, e in enumerate(root) if e.tag == "instance_attributes"), default=-1) + 1
    for node, params in sorted(params_by_node.items(), reverse=True):
        sid = f"{rid}-params-{node}"
        attrs = ET.Element("instance_attributes", {"id": sid, "score": "10"})
        rule = ET.SubElement(attrs, "rule", {"id": f"{sid}-rule", "score": "INFINITY"})
        ET.SubElement(rule, "expression", {"id": f"{sid}-rule-expr", "attribute": "#uname",
                                           "operation": "eq", "value": node})
        for name, value in params.items():
            ET.SubElement(attrs, "nvpair", {"id": f"{sid}-{name}", "name": name, "value": value})
        root.insert(at, attrs)
    return ET.tostring(root, encoding="unicode")


class RollingUpgrade:
    """One rolling upgrade of ``cluster`` to release ``to`` (``run``), measured by the
    scenario's probe (``samples``: its samples so far). ``to_record`` is its one record."""

    def __init__(self, cluster: UpgradeTarget, samples: Callable[[], list[Sample]], to: str,
                 order: Iterable[str] | None = None, rejoin_timeout_s: float = 120,
                 settle_timeout_s: float = 180) -> None:
        self.cluster = cluster
        self.samples = samples
        self.to = to
        self.order = list(order or cluster.description.node_names)
        self.rejoin_timeout_s = rejoin_timeout_s
        self.settle_timeout_s = settle_timeout_s
        self.before = {n: cluster.backend.node_stack(n) for n in self.order}
        self.steps: list[Step] = []
        self.versions: list[tuple[float, str, dict[str, dict[str, Any]]]] = []
        self.swaps: list[dict[str, object]] = []
        self.unsupported: str | None = None
        # When it began: node changes from then on are its own (invariants.NodeChanger).
        self.injected: Event | None = None
        self.changes_nodes = True

    def __str__(self) -> str:
        return f"the rolling upgrade to {self.to}"

    # -- the steps ----------------------------------------------------------------------------
    def run(self, progress: Callable[[str], None] = lambda _m: None) -> None:
        """Every node in ``order``, every step; raises ``Unsupported`` (recorded first) when a
        node does not rejoin, and the wait's ``WaitTimeout`` when another step never ends."""
        self._ask_versions("before")
        self._set_tomcat_params()
        now = time.monotonic()
        self.injected = Event(str(self), now, time.time(), now)
        for node in self.order:
            peer = next(n for n in self.cluster.description.node_names if n != node)
            self._step(node, "standby", lambda n=node, p=peer: self._standby(n, p))
            self._step(node, "stop", lambda n=node: self._stop(n))
            self._step(node, "swap", lambda n=node, p=peer: self._swap(n, p, progress))
            self._step(node, "start", lambda n=node: self._start(n))
            self._ask_versions(f"{node} started")
            try:
                self._step(node, "rejoin", lambda n=node, p=peer: self._rejoin(n, p))
            except Unsupported:
                self._give_back(node, peer, progress)
                raise Unsupported(self.unsupported) from None
            self._step(node, "online", lambda n=node, p=peer: self._online(n, p))
            progress(f"{node} upgraded to {self.to}")
        self._ask_versions("after")

    def _step(self, node: str, name: str, action: Callable[[], str]) -> None:
        step = Step(node, name, time.monotonic())
        self.steps.append(step)
        try:
            step.detail = action()
            step.ok = True
        finally:
            step.ended = time.monotonic()
            for url in sorted({s.url for s in self.samples()}):
                down, lost = window_outage(self.samples(), url, step.started, step.ended)
                step.outage_s[url], step.lost[url] = down, lost

    def _crm_attribute(self, on: str, node: str, value: str) -> Result:
        return self.cluster.node(on).run(
            ["crm_attribute", "--node", node, "--name", "standby", "--update", value],
            timeout=60, check=True)

    def _standby(self, node: str, peer: str) -> str:
        self._crm_attribute(peer, node, "on")
        state = self._wait_on(peer, lambda s: s.nodes[node].state == "standby"
                              and not _groups_on(s, node) and _all_started(self.cluster, s),
                              f"{node} in standby with every group started on {peer}")
        return f"groups on {_placement(self.cluster, state)}"

    def _stop(self, node: str) -> str:
        self.cluster.backend.stop_stack(node)
        return "pacemaker and corosync stopped"

    def _swap(self, node: str, peer: str, progress: Callable[[str], None]) -> str:
        done = self.cluster.backend.swap_root(node, self.to, progress)
        self.swaps.append(done)
        self._set_tomcat_params(on=peer)
        moves = ", ".join(f"{what} {a}->{b}" for what, a, b in done["moves"])  # type: ignore[attr-defined]
        return (f"{done['from']} -> {done['to']}; owners of {done['owners_changed']} paths "
                f"translated ({moves or 'no id differed'})")

    def _start(self, node: str) -> str:
        self.cluster.backend.start_stack(node)
        self.cluster.forget_versions()
        return "corosync and pacemaker started"

    def _rejoin(self, node: str, peer: str) -> str:
        def views() -> dict[str, str]:
            seen = {}
            for who in (peer, node):
                try:
                    state = self.cluster.state(node=who)
                    seen[who] = (f"{node} {state.nodes[node].state}, {peer} "
                                 f"{state.nodes[peer].state}, DC {state.dc}")
                except Exception as exc:  # a view that cannot be had is a view too
                    first = str(exc).splitlines()[0] if str(exc) else ""
                    seen[who] = f"no view ({type(exc).__name__}: {first[:160]})"
            return seen

        def joined(seen: dict[str, str]) -> bool:
            return all(f"{node} standby, {peer} online" in v for v in seen.values())

        try:
            seen = wait_until(views, joined, timeout=self.rejoin_timeout_s, interval=1.0,
                              what=f"{node} ({self.to}) to rejoin {peer} "
                                   f"({self.cluster.backend.node_stack(peer)}) as a member",
                              describe=lambda v: "; ".join(f"{k}: {t}" for k, t in v.items()))
        except WaitTimeout as exc:
            self.unsupported = self._why_not(node, peer, str(exc))
            raise Unsupported(self.unsupported) from None
        return "; ".join(f"{k} sees {t}" for k, t in seen.items())

    def _give_back(self, node: str, peer: str, progress: Callable[[str], None]) -> None:
        """The node that did not rejoin gets its old release back and rejoins (step
        ``restore``), so the cluster is whole again; when that fails too, the finding says so
        (``Unsupported`` is raised by the caller either way)."""
        back = self.before[node]

        def restore() -> str:
            self.cluster.backend.stop_stack(node)
            self.swaps.append(self.cluster.backend.swap_root(node, back, progress))
            self._set_tomcat_params(on=peer)
            self._start(node)
            self._ask_versions(f"{node} back on {back}")
            self._wait_on(peer, lambda s: s.nodes[node].state == "standby",
                          f"{node} ({back}) back as a member")
            return f"{node} back on {back}: {self._online(node, peer)}"

        try:
            self._step(node, "restore", restore)
        except Exception as exc:  # said in the finding; the finding is what is raised
            self.unsupported = (f"{self.unsupported}\nrestoring {node} to {back} failed too: "
                                f"{type(exc).__name__}: {exc}")

    def _online(self, node: str, peer: str) -> str:
        self._crm_attribute(peer, node, "off")
        self._wait_on(peer, lambda s: s.nodes[node].state == "online"
                      and s.nodes[peer].state == "online", f"{node} online")
        # Groups may fail back to the node (stickiness 0): that move is this step's outage.
        self.cluster.wait_settled(self.settle_timeout_s)
        state = self._wait_on(peer, lambda s: _all_started(self.cluster, s),
                              "every group started once settled")
        return f"groups on {_placement(self.cluster, state)}"

    def _wait_on(self, peer: str, ok: Callable[[ClusterState], bool], what: str) -> ClusterState:
        return wait_until(lambda: self.cluster.state(node=peer), ok,
                          timeout=self.settle_timeout_s, interval=0.5, what=what,
                          describe=lambda s: f"nodes {_node_states(s)}, groups "
                                             f"{_placement(self.cluster, s)}")

    def _why_not(self, node: str, peer: str, waited: str) -> str:
        """The finding: which releases, what each node saw, the swapped node's log lines."""
        lines = [f"a cluster of {self.cluster.backend.node_stack(node)} ({node}) and "
                 f"{self.cluster.backend.node_stack(peer)} ({peer}) did not form: {waited}"]
        for who in (node, peer):
            for path in (COROSYNC_LOG, PACEMAKER_LOG):
                tail = _interesting(self.cluster.backend.node_log(who, path, 400))
                if tail:
                    lines.append(f"--- {who}:{path}\n{tail}")
        return "\n".join(lines)

    def _set_tomcat_params(self, on: str | None = None) -> None:
        """The tomcat primitive's release paths per node, each node's own (see the module)."""
        desc = self.cluster.description
        tomcats = [p.id for g in desc.groups for p in g.primitives
                   if p.agent == "ocf:heartbeat:tomcat"]  # none in the apache profiles
        runner = self.cluster.node(on or desc.node_names[0])
        params = {n: render.tomcat_stack_params(self.cluster.backend.node_paths(n))
                  for n in desc.node_names}
        for rid in tomcats:
            xpath = f"//primitive[@id='{rid}']"
            current = runner.run(["cibadmin", "--query", "--xpath", xpath], timeout=60,
                                 check=True)
            changed = per_node_params(current.stdout, params)
            runner.run(["cibadmin", "--replace", "--xpath", xpath, "--xml-text", changed],
                       timeout=60, check=True)

    def _ask_versions(self, when: str) -> None:
        found = node_versions.node_versions(self.cluster.nodes, timeout=30)
        self.versions.append((time.monotonic(), when, {
            n: {c: v.get(c) for c in (*COMPONENTS, "error") if v.get(c) is not None}
            for n, v in found.items()}))

    # -- the record ---------------------------------------------------------------------------
    def to_record(self, origin: float) -> dict[str, Any]:
        """``{"from": {node: release}, "to", "order", "steps": [Step.to_record], "versions":
        [{"t_s", "when", "nodes": {node: {component: version}}}], "swaps": [swap_root's
        answers], "unsupported": the finding or None, "worst_step": {"node", "step",
        "outage_s"} or None}``; times in seconds since ``origin`` (the probe's start)."""
        worst = max(((max(s.outage_s.values(), default=0.0), s) for s in self.steps),
                    key=lambda pair: pair[0], default=None)
        return {
            "from": dict(self.before), "to": self.to, "order": list(self.order),
            "steps": [s.to_record(origin) for s in self.steps],
            "versions": [{"t_s": num(t - origin), "when": when, "nodes": nodes}
                         for t, when, nodes in self.versions],
            "swaps": list(self.swaps), "unsupported": self.unsupported,
            "worst_step": None if worst is None else {
                "node": worst[1].node, "step": worst[1].name, "outage_s": num(worst[0])},
        }


def _groups_on(state: ClusterState, node: str) -> list[str]:
    return [name for name, g in state.groups.items() if g.started_on == node]


def _all_started(cluster: UpgradeTarget, state: ClusterState) -> bool:
    return all(state.groups[g.name].started_on is not None for g in cluster.description.groups
               if g.name in state.groups)


def _placement(cluster: UpgradeTarget, state: ClusterState) -> str:
    return ", ".join(
        f"{g.name} on {getattr(state.groups.get(g.name), 'started_on', None) or 'nowhere'}"
        for g in cluster.description.groups)


def _node_states(state: ClusterState) -> str:
    return ", ".join(f"{n} {v.state}" for n, v in sorted(state.nodes.items()))


# (Not "version": every CIB operation's log line carries version=0.N.M.)
_WORTH = ("error", "crit", "fatal", "feature set", "schema", "exited with status", "staying down",
          "reject", "incompatible", "mismatch", "denied", "not supported")


def _interesting(text: str, keep: int = 25) -> str:
    """The last ``keep`` lines of a log tail that say something went wrong or about versions
    and membership."""
    lines = [ln for ln in text.splitlines() if any(w in ln.lower() for w in _WORTH)]
    return "\n".join(lines[-keep:])


__all__ = ["NEXT_RELEASE", "PREVIOUS_RELEASE", "STEPS", "RollingUpgrade", "Step", "Unsupported",
           "per_node_params", "window_outage"]
