"""Faults a test injects on purpose, each with its undo and the moments both happened.

Backend-neutral: a fault is either a command on a node (kill a process, ``crm node standby``,
``crm resource move``, remove a file) or one of the few things only a backend can do (pull a
cable, cut the power), asked of it through ``Backend``. A backend that cannot do a fault says
so with ``FaultNotSupported`` at injection, before anything changed.

Every fault is registered with the test's ``Faults`` when made; the test's fixture undoes them
all, newest first, whatever the outcome, and then has the cluster repaired.

Before a fault is injected (and before it is undone), Pacemaker's scheduler is asked what it
will do (``oracle``): each fault says how crm_simulate can express it (``simulation``), or
why it cannot (``Unsimulable``). The answer travels with the fault's ``Event``.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pytest_hacluster import cib_readback, render
from pytest_hacluster.oracle import (
    RC_ERROR,
    Cib,
    Expectation,
    FailedOp,
    Simulation,
    Unsimulable,
)
from pytest_hacluster.records import iso, num
from pytest_hacluster.shell import CommandError

if TYPE_CHECKING:
    from pytest_hacluster.backends.base import NodeShell
    from pytest_hacluster.config import Description
    from pytest_hacluster.crm_status import ClusterState
    from pytest_hacluster.oracle import Oracle
    from pytest_hacluster.shell import Result


class FaultBackend(Protocol):
    """What faults ask of the backend: consent, and what only a backend can do."""

    @property
    def stack(self) -> render.Stack: ...

    def check_fault_allowed(self, fault: str) -> None: ...

    def set_cable(self, node: str, nic: str, plugged: bool) -> None: ...

    def power_off(self, node: str) -> None: ...

    def power_on(self, node: str, progress: Callable[[str], None]) -> None: ...


class FaultTarget(Protocol):
    """What faults use of the cluster (``cluster.Cluster`` is one; the unit tests share one
    fake, ``tests/fakes.py``): its description, backend and oracle, its nodes, its state and
    the few cluster-wide commands and waits the configuration changes need."""

    description: Description
    oracle: Oracle | None

    @property
    def backend(self) -> FaultBackend: ...

    @property
    def nodes(self) -> Mapping[str, NodeShell]: ...

    def node(self, name: str) -> NodeShell: ...

    def state(self, node: str | None = None) -> ClusterState: ...

    def crm(self, *args: str, timeout: float = 60) -> Result: ...

    def crm_load(self, text: str) -> None: ...

    def run_anywhere(self, command: list[str], timeout: float = 30) -> Result: ...

    def cleanup(self, resource: str | None = None, node: str | None = None) -> None: ...

    def wait_attribute(self, name: str, ok: Callable[[str | None], bool],
                       timeout: float = 60) -> dict[str, str | None]: ...

    def wait_links(self, count: int, timeout: float = 30) -> None: ...

    def wait_settled(self, timeout: float = 120) -> None: ...


class FaultError(RuntimeError):
    """A fault could not be injected or undone; says which and what the node answered."""


@dataclass(frozen=True)
class Event:
    """Something a test did to the cluster: monotonic time (to line up with the probe) and
    wall-clock time (to line up with the CIB's operation history), before and after."""

    what: str
    t: float
    wall: float
    done: float
    prediction: Expectation | None = None  # the scheduler's, asked just before; None: not asked
    node: str | None = None  # the node it was aimed at, when it was one
    failcounts_before: dict[str, int] | None = None  # "resource@node" -> count; None: not read

    def at(self, origin: float) -> str:
        return f"{self.t - origin:+.1f}s {self.what}"

    def to_record(self, origin: float) -> dict[str, Any]:
        """``what``, ``t_s``/``done_s`` (seconds from ``origin``, a monotonic time) and ``at``
        (wall clock, ISO 8601 UTC)."""
        return {"what": self.what, "t_s": num(self.t - origin), "done_s": num(self.done - origin),
                "at": iso(self.wall)}


class Timeline:
    """The test's events in order; thread-safe, since undo may run from a signal's unwinding."""

    def __init__(self) -> None:
        self._events: list[Event] = []
        self._lock = threading.Lock()

    def run(self, what: str, action: Callable[[], object],
            prediction: Expectation | None = None, node: str | None = None,
            failcounts_before: dict[str, int] | None = None) -> Event:
        t, wall = time.monotonic(), time.time()
        action()
        event = Event(what, t, wall, time.monotonic(), prediction, node, failcounts_before)
        with self._lock:
            self._events.append(event)
        return event

    @property
    def events(self) -> list[Event]:
        with self._lock:
            return list(self._events)


class Fault(ABC):
    """One fault; ``inject`` once, ``undo`` any number of times (only the first does anything)."""

    kind: str = "fault"
    # Whether node states may change because of it (the invariant watcher allows that then).
    changes_nodes: bool = False
    node: str | None = None  # the node it is aimed at, when it is aimed at one

    def __init__(self, cluster: FaultTarget, timeline: Timeline) -> None:
        self.cluster = cluster
        self.timeline = timeline
        self.injected: Event | None = None
        self.undone: Event | None = None
        # Set before the injection runs: one that raised half-way may have changed something,
        # and undo() must still take it back (a ping check whose wait failed left its clone).
        self.attempted = False
        self.failcounts_before: dict[str, int] | None = None

    @property
    @abstractmethod
    def target(self) -> str:
        """The node or resource the fault is aimed at."""

    def __str__(self) -> str:
        return f"{self.kind} {self.target}"

    def to_record(self, origin: float) -> dict[str, Any]:
        """The fault for the record: what, kind, target, node, and when it was injected and
        undone (``*_s``: seconds from ``origin``, a monotonic time; ``*_at``: ISO 8601 UTC)."""
        injected, undone = self.injected, self.undone
        return {
            "what": str(self), "kind": self.kind, "target": self.target, "node": self.node,
            "injected_s": None if injected is None else num(injected.t - origin),
            "injected_at": None if injected is None else iso(injected.wall),
            "undone_s": None if undone is None else num(undone.t - origin),
            "undone_at": None if undone is None else iso(undone.wall),
        }

    def inject(self) -> Fault:
        if self.injected is not None:
            raise FaultError(f"{self} was already injected")
        self.cluster.backend.check_fault_allowed(str(self))  # consent, before anything changes
        self.failcounts_before = self._failcounts()
        self.attempted = True
        self.injected = self.timeline.run(str(self), self._inject, self._predict(self.simulation),
                                          self.node, self.failcounts_before)
        return self

    def measured(self) -> Event:
        """What a recovery from this fault is measured from: its injection, with the
        scheduler's prediction now due (the undo's once undone). ``FaultError`` before the
        fault was injected."""
        if self.injected is None:
            raise FaultError(f"{self} was never injected: there is nothing to measure")
        return dataclasses.replace(self.injected, prediction=self.expected)

    def _failcounts(self) -> dict[str, int] | None:
        """Fail-counts just before the fault, for the record (None: crm_mon did not answer)."""
        try:
            state = self.cluster.state()
        except (CommandError, RuntimeError, ValueError):
            return None
        return {f"{r}@{n}": c for (r, n), c in state.failcounts.items()}

    def undo(self) -> None:
        """Take the fault back: once, and also after an injection that raised half-way
        (each ``_undo`` is harmless where the fault did nothing)."""
        if not self.attempted or self.undone is not None:
            return
        self.undone = self.timeline.run(
            f"undo {self}", self._undo, self._predict(self.undo_simulation), self.node
        )

    @property
    def expected(self) -> Expectation | None:
        """The scheduler's prediction for the state now due: the undo's once undone."""
        if self.undone is not None:
            return self.undone.prediction
        return self.injected.prediction if self.injected is not None else None

    def _predict(self, build: Callable[[Cib], Simulation | Unsimulable | None]
                 ) -> Expectation | None:
        oracle = self.cluster.oracle
        return None if oracle is None else oracle.predict(build, self.avoid)

    @property
    def avoid(self) -> tuple[str, ...]:
        """Nodes the oracle must not run on (one about to lose power, or still without it)."""
        return ()

    def simulation(self, cib: Cib) -> Simulation | Unsimulable | None:
        """This fault as crm_simulate's input, or why it cannot be one."""
        return Unsimulable(f"no simulation for {self.kind} faults")

    def undo_simulation(self, cib: Cib) -> Simulation | Unsimulable | None:
        """The undo as crm_simulate's input; None where nothing is measured after it."""
        return None

    def __enter__(self) -> Fault:
        return self.inject() if self.injected is None else self

    def __exit__(self, *exc: object) -> None:
        self.undo()

    @abstractmethod
    def _inject(self) -> None: ...

    def _undo(self) -> None:
        """Most faults are repaired by the cluster itself; those that are not override this."""
        return None


# -- processes --------------------------------------------------------------------------------

# pkill arguments for the agents whose processes have other names on other stacks: Apache is
# ``apache2`` on Debian and ``httpd`` on CentOS; Tomcat is a JVM whose command line names its
# bootstrap class whatever the Java or Tomcat version. Other primitives name their ``process``.
AGENT_PROCESSES: dict[str, list[str]] = {
    "ocf:heartbeat:apache": ["-x", "apache2|httpd"],
    "ocf:heartbeat:tomcat": ["-f", r"org\.apache\.catalina\.startup\.Bootstrap"],
}


def process_match(cluster: FaultTarget, resource: str) -> list[str]:
    """``pkill`` arguments that match a service resource's processes on either stack."""
    desc = cluster.description
    for group in desc.groups:
        for prim in group.primitives:
            if prim.id != resource:
                continue
            if prim.process:
                return ["-x", prim.process]
            if prim.agent in AGENT_PROCESSES:
                return list(AGENT_PROCESSES[prim.agent])
            raise FaultError(f"no known processes for resource {resource!r} ({prim.agent}): "
                             "describe its process")
    services = ", ".join(p.id for g in desc.groups for p in g.primitives)
    raise FaultError(f"no known processes for resource {resource!r}; services are {services}")


class KillService(Fault):
    """Signal every process of a service on one node (SIGKILL: a crash; SIGSTOP: a hang)."""

    kind = "kill"

    def __init__(self, cluster: FaultTarget, timeline: Timeline, node: str, resource: str,
                 sig: signal.Signals = signal.SIGKILL) -> None:
        super().__init__(cluster, timeline)
        self.node, self.resource, self.signal = node, resource, signal.Signals(sig)
        self.match = process_match(cluster, resource)

    @property
    def target(self) -> str:
        return f"{self.resource} on {self.node}"

    def __str__(self) -> str:
        return f"{self.signal.name} {self.target}"

    def _send(self, sig: signal.Signals) -> None:
        result = self.cluster.node(self.node).run(
            ["pkill", "--signal", sig.name.removeprefix("SIG"), *self.match], timeout=15
        )
        if result.exited == 1:
            raise FaultError(f"{self}: no {self.resource} process runs on {self.node}")
        if not result.ok:
            raise CommandError(self.node, result)

    def simulation(self, cib: Cib) -> Simulation | Unsimulable:
        if self.signal == signal.SIGSTOP:
            return Unsimulable(
                "a frozen process: the scheduler only learns of it when the monitor times out, "
                "and what the agent's stop does with a frozen process is the agent's, not the "
                "scheduler's"
            )
        return Simulation(
            f"failed monitor of {self.resource} on {self.node}",
            failed_ops=(FailedOp(self.resource, "monitor", self.node),),
        )

    def _inject(self) -> None:
        self._send(self.signal)

    def _undo(self) -> None:
        if self.signal == signal.SIGSTOP:  # a hung process stays hung until continued
            self._send(signal.SIGCONT)


# -- machines ---------------------------------------------------------------------------------

class PullCable(Fault):
    """A NIC's cable out (carrier lost on the node's side) and back in."""

    kind = "pull cable"

    def __init__(self, cluster: FaultTarget, timeline: Timeline, node: str, nic: str) -> None:
        super().__init__(cluster, timeline)
        self.node, self.nic = node, nic

    @property
    def target(self) -> str:
        return f"{self.nic} of {self.node}"

    @property
    def changes_nodes(self) -> bool:  # type: ignore[override]
        """The interconnect carries the membership: each side may see the other go."""
        return self.nic == self.cluster.description.interconnect_nic

    def simulation(self, cib: Cib) -> Simulation | Unsimulable:
        desc = self.cluster.description
        if self.nic != desc.service_nic and desc.quorum_matters:
            # Three nodes or more: the others keep quorum and decide for the cluster; to them
            # the node is gone, as in a crash (no STONITH to wait for). The node itself has
            # no quorum and stops what it runs (no-quorum-policy), which is no decision of
            # the majority's scheduler.
            return Simulation(
                f"{self.node} leaves the majority's membership", failed_nodes=(self.node,),
                note=f"the majority's decision; {self.node}, without quorum, stops its "
                     f"resources (no-quorum-policy={desc.no_quorum_policy})",
            )
        if self.nic != desc.service_nic:
            return Unsimulable(
                "a split: each side decides alone, and crm_simulate models one cluster"
            )
        ping = cib.ping_attribute()
        if ping is None:
            return Unsimulable(
                "nothing in the configuration watches the service LAN, so the scheduler gets "
                "no input from a pulled cable (a ping resource would make it visible)"
            )
        return Simulation(
            f"{ping}=0 on {self.node} (its ping check loses the gateway)",
            edits=(("crm_attribute", "--node", self.node, "--lifetime", "reboot",
                    "--name", ping, "--update", "0"),),
            note="the scheduler sees the ping attribute drop, not the cable",
        )

    def undo_simulation(self, cib: Cib) -> Unsimulable:
        if self.nic != self.cluster.description.service_nic:
            return Unsimulable("two partitions merging: crm_simulate models one cluster")
        return Unsimulable(
            "a cable plugged back in: the scheduler gets no input of its own from it"
        )

    def _inject(self) -> None:
        self.cluster.backend.set_cable(self.node, self.nic, plugged=False)

    def _undo(self) -> None:
        self.cluster.backend.set_cable(self.node, self.nic, plugged=True)


class Crash(Fault):
    """Power off: every process of the node gone at once. Undo boots it and starts its stack."""

    kind = "crash"
    changes_nodes = True

    def __init__(self, cluster: FaultTarget, timeline: Timeline, node: str) -> None:
        super().__init__(cluster, timeline)
        self.node = node

    @property
    def target(self) -> str:
        return self.node

    @property
    def avoid(self) -> tuple[str, ...]:
        return (self.node,)

    def simulation(self, cib: Cib) -> Simulation:
        return Simulation(f"node {self.node} fails", failed_nodes=(self.node,))

    def undo_simulation(self, cib: Cib) -> Simulation:
        # A rejoining node's history is wiped and its resources probed again; the copy still
        # has what it ran before the crash, which would read as resources active twice.
        return Simulation(
            f"node {self.node} joins again", joining_nodes=(self.node,),
            edits=(("cibadmin", "--delete", "--xpath",
                    f"//node_state[@uname='{self.node}']/lrm"),),
        )

    def _inject(self) -> None:
        self.cluster.backend.power_off(self.node)

    def _undo(self) -> None:
        self.cluster.backend.power_on(self.node, lambda _msg: None)


# -- Pacemaker operations (the seed's operations list) ---------------------------------------

class CrmOperation(Fault):
    """A crmsh command and the one that takes it back: standby/online, move/unmove, ..."""

    def __init__(self, cluster: FaultTarget, timeline: Timeline, kind: str, target: str,
                 do: tuple[str, ...], undo: tuple[str, ...],
                 edit: tuple[str, ...] | None = None,
                 undo_edit: tuple[str, ...] | None = None) -> None:
        super().__init__(cluster, timeline)
        self.kind, self._target, self._do, self._undo_args = kind, target, do, undo
        self.changes_nodes = kind == "standby"
        self.node = target if kind == "standby" else None
        # The same change made to a CIB copy with Pacemaker's own tools (CIB_file), and what
        # each leaves in the CIB (ReadbackError here, at once, for an edit not understood).
        self._edit, self._undo_edit = edit, undo_edit
        self._readbacks = tuple(None if e is None else cib_readback.readback(e)
                                for e in (edit, undo_edit))

    @property
    def target(self) -> str:
        return self._target

    def simulation(self, cib: Cib) -> Simulation | Unsimulable:
        if self._edit is None:
            return Unsimulable(f"no CIB edit known for {self.kind}")
        return Simulation(f"{' '.join(self._do)}", edits=(self._edit,))

    def undo_simulation(self, cib: Cib) -> Simulation | Unsimulable:
        if self._undo_edit is None:
            return Unsimulable(f"no CIB edit known for undoing {self.kind}")
        return Simulation(f"{' '.join(self._undo_args)}", edits=(self._undo_edit,))

    def _inject(self) -> None:
        self._confirm(self.cluster.crm(*self._do), self._do, self._readbacks[0])

    def _undo(self) -> None:
        self._confirm(self.cluster.crm(*self._undo_args), self._undo_args, self._readbacks[1])

    def _confirm(self, said: Result, args: tuple[str, ...],
                 expected: cib_readback.Readback | None) -> None:
        """The change read back from the live CIB (``expected``: what the equivalent edit
        leaves there): crmsh can exit 0 having done nothing.

        Measured on crmsh 4.4.1 (Debian 12): ``crm node standby s2`` while s2's service LAN is
        out prints ``WARNING: host "s2" is unreachable`` and exits 0, the standby attribute not
        set (crmsh asks the node over the network first); a test would then watch a standby
        that never happened. ``FaultError`` naming the command, what the CIB holds and what
        crmsh said; also when the CIB cannot be read."""
        if expected is None:
            return
        try:
            wrong = expected.mismatch(self.cluster.run_anywhere(["cibadmin", "--query"]).stdout)
        except (CommandError, RuntimeError, cib_readback.ReadbackError) as exc:
            wrong = f"the CIB could not be read back ({str(exc).splitlines()[0]})"
        if wrong is not None:
            crmsh = " ".join(f"{said.stdout} {said.stderr}".split()) or "nothing"
            raise FaultError(f"crm {' '.join(args)} exited 0 but did not take: {wrong}; "
                             f"crmsh said: {crmsh}")


def standby(cluster: FaultTarget, timeline: Timeline, node: str) -> CrmOperation:
    return CrmOperation(cluster, timeline, "standby", node,
                        ("node", "standby", node), ("node", "online", node),
                        edit=_node_attribute(node, "standby", "on"),
                        undo_edit=_node_attribute(node, "standby", "off"))


def _node_attribute(node: str, name: str, value: str) -> tuple[str, ...]:
    return ("crm_attribute", "--node", node, "--name", name, "--update", value)


def _meta(resource: str, name: str, value: str | None) -> tuple[str, ...]:
    change = ("--set-parameter", name, "--parameter-value", value) if value is not None \
        else ("--delete-parameter", name)
    return ("crm_resource", "--resource", resource, "--meta", *change)


def move(cluster: FaultTarget, timeline: Timeline, group: str, node: str) -> CrmOperation:
    """``crm resource move GROUP NODE``; undo is the seed's ``crm resource unmove GROUP``."""
    return CrmOperation(cluster, timeline, "move", f"{group} to {node}",
                        ("resource", "move", group, node), ("resource", "unmove", group),
                        edit=("crm_resource", "--move", "--resource", group, "--node", node),
                        undo_edit=("crm_resource", "--clear", "--resource", group))


def ban(cluster: FaultTarget, timeline: Timeline, group: str, node: str) -> CrmOperation:
    """``crm resource ban GROUP NODE`` (moves it away if it runs there); undo ``crm resource
    clear GROUP``."""
    return CrmOperation(cluster, timeline, "ban", f"{group} from {node}",
                        ("resource", "ban", group, node), ("resource", "clear", group),
                        edit=("crm_resource", "--ban", "--resource", group, "--node", node),
                        undo_edit=("crm_resource", "--clear", "--resource", group))


def stop(cluster: FaultTarget, timeline: Timeline, resource: str) -> CrmOperation:
    return CrmOperation(cluster, timeline, "stop", resource,
                        ("resource", "stop", resource), ("resource", "start", resource),
                        edit=_meta(resource, "target-role", "Stopped"),
                        undo_edit=_meta(resource, "target-role", "Started"))


def set_meta(cluster: FaultTarget, timeline: Timeline, resource: str, name: str,
             value: str) -> CrmOperation:
    """A meta attribute for one test (e.g. ``migration-threshold=2``), then removed."""
    return CrmOperation(cluster, timeline, "set meta", f"{name}={value} on {resource}",
                        ("resource", "meta", resource, "set", name, value),
                        ("resource", "meta", resource, "delete", name),
                        edit=_meta(resource, name, value), undo_edit=_meta(resource, name, None))


class RemoveFile(Fault):
    """A file taken away on one node (the seed's missing index page), put back on undo."""

    kind = "remove"

    def __init__(self, cluster: FaultTarget, timeline: Timeline, node: str, path: str) -> None:
        super().__init__(cluster, timeline)
        self.node, self.path = node, path
        self.kept = f"{path}.hacluster-removed"

    @property
    def target(self) -> str:
        return f"{self.path} on {self.node}"

    def simulation(self, cib: Cib) -> Simulation | Unsimulable:
        """A page missing from Apache's docroot: its monitor fails (403), the restart's start
        fails too (rc=1) and a failed start sets the fail-count to INFINITY. Two steps for the
        cluster, simulated as their sum: the monitor failure injected, the start's INFINITY set
        on the copy (an injected start failure would only add 1)."""
        docroot = self.cluster.backend.stack.docroot.rstrip("/") + "/"
        if not self.path.startswith(docroot):
            return Unsimulable(f"the scheduler cannot know what a missing {self.path} breaks")
        httpd = next((p.id for g in self.cluster.description.groups for p in g.primitives
                      if p.agent_type == "apache"), None)
        if httpd is None:
            return Unsimulable(f"no apache primitive serves {docroot}")
        return Simulation(
            f"failed monitor of {httpd} on {self.node}, then its start fails (INFINITY)",
            edits=(("crm_attribute", "--node", self.node, "--lifetime", "reboot",
                    "--name", f"fail-count-{httpd}#start_0", "--update", "INFINITY"),),
            failed_ops=(FailedOp(httpd, "monitor", self.node, RC_ERROR),),
            note="two steps in reality (monitor fails, the restart's start fails), "
            "simulated at once",
        )

    def _inject(self) -> None:
        self.cluster.node(self.node).run(["mv", "-f", self.path, self.kept], timeout=15, check=True)

    def _undo(self) -> None:
        # Only what the injection moved aside (it may have failed before moving anything).
        self.cluster.node(self.node).run(
            ["sh", "-c", 'if [ -e "$1" ]; then mv -f "$1" "$2"; fi', "sh", self.kept, self.path],
            timeout=15, check=True)


# -- configuration changes a test makes and takes back ---------------------------------------

class RedundantLink(Fault):
    """A second corosync link over the service LAN, added at runtime (``corosync-cfgtool -R``).

    Not a fault but a change made and undone the same way: the rendered corosync.conf of the
    description with ``redundant_link`` set is written to every node and reloaded; undo writes
    the described one back. Waits (bounded) until both links connect.
    """

    kind = "corosync link 1"

    @property
    def target(self) -> str:
        return f"on {self.cluster.description.service_nic}"

    def _apply(self, redundant: bool) -> None:
        desc = dataclasses.replace(self.cluster.description, redundant_link=redundant)
        conf = render.corosync_conf(desc)
        for node in self.cluster.nodes.values():
            node.write("/etc/corosync/corosync.conf", conf)
        self.cluster.run_anywhere(["corosync-cfgtool", "-R"])
        self.cluster.wait_links(2 if redundant else 1)

    def simulation(self, cib: Cib) -> Unsimulable:
        return Unsimulable("corosync's links are below the scheduler: nothing to simulate")

    def _inject(self) -> None:
        self._apply(True)

    def _undo(self) -> None:
        self._apply(False)


class PingCheck(Fault):
    """``ocf:pacemaker:ping`` on the gateway with a location rule per group, then removed."""

    kind = "ping check"

    @property
    def target(self) -> str:
        return f"gateway {self.cluster.description.gateway}"

    def simulation(self, cib: Cib) -> Unsimulable:
        return Unsimulable(
            "a configuration change whose effect depends on the ping attribute the new "
            "resource has yet to set"
        )

    def _inject(self) -> None:
        self.cluster.crm_load(render.ping_configuration(self.cluster.description))
        self.cluster.wait_attribute("pingd", lambda v: v is not None and int(v) > 0)
        self.cluster.wait_settled()  # the new clone can make the scheduler rearrange groups

    def _undo(self) -> None:
        # The rules, then the clone (its primitive inside), each with one cibadmin call
        # (about 0.02 s); Pacemaker stops the instances it no longer has a configuration for.
        # crmsh needed three calls of about 1.5 s each: a running resource must be stopped
        # before its delete, and its delete of a clone left the primitive behind, running.
        ids = render.ping_ids(self.cluster.description)
        paths = [*(f"//constraints/rsc_location[@id='{i}']" for i in ids[:-1]),
                 f"//resources/clone[@id='{ids[-1]}']"]
        for xpath in paths:
            result = self.cluster.run_anywhere(["cibadmin", "--delete", "--xpath", xpath])
            if not result.ok:
                raise FaultError(f"removing the ping check: {result.describe()}")
        self.cluster.wait_settled()
        for name in self.cluster.description.node_names:
            self.cluster.run_anywhere(
                ["crm_attribute", "--node", name, "--name", "pingd", "--delete",
                 "--lifetime", "reboot"]
            )


class Faults:
    """The faults of one test: made here, undone together (newest first) at its end."""

    def __init__(self, cluster: FaultTarget) -> None:
        self.cluster = cluster
        self.timeline = Timeline()
        self.made: list[Fault] = []

    def _add(self, fault: Fault) -> Fault:
        self.made.append(fault)
        return fault

    def add(self, fault: Fault) -> Fault:
        """Inject a fault made elsewhere (e.g. ``fencing_faults``) and undo it with the rest."""
        return self._add(fault).inject()

    def kill(self, node: str, resource: str, sig: signal.Signals = signal.SIGKILL) -> Fault:
        return self._add(KillService(self.cluster, self.timeline, node, resource, sig)).inject()

    def pull_cable(self, node: str, nic: str) -> Fault:
        return self._add(PullCable(self.cluster, self.timeline, node, nic)).inject()

    def crash(self, node: str) -> Fault:
        return self._add(Crash(self.cluster, self.timeline, node)).inject()

    def standby(self, node: str) -> Fault:
        return self._add(standby(self.cluster, self.timeline, node)).inject()

    def move(self, group: str, node: str) -> Fault:
        return self._add(move(self.cluster, self.timeline, group, node)).inject()

    def stop(self, resource: str) -> Fault:
        return self._add(stop(self.cluster, self.timeline, resource)).inject()

    def ban(self, group: str, node: str) -> Fault:
        return self._add(ban(self.cluster, self.timeline, group, node)).inject()

    def set_meta(self, resource: str, name: str, value: str) -> Fault:
        return self._add(set_meta(self.cluster, self.timeline, resource, name, value)).inject()

    def remove_file(self, node: str, path: str) -> Fault:
        return self._add(RemoveFile(self.cluster, self.timeline, node, path)).inject()

    def redundant_link(self) -> Fault:
        return self._add(RedundantLink(self.cluster, self.timeline)).inject()

    def ping_check(self) -> Fault:
        return self._add(PingCheck(self.cluster, self.timeline)).inject()

    def cleanup(self, resource: str, node: str | None = None) -> Event:
        """``crm resource cleanup`` (not a fault: recorded so the timeline shows it)."""
        where = f" on {node}" if node else ""
        return self.timeline.run(
            f"cleanup {resource}{where}", lambda: self.cluster.cleanup(resource, node), node=node
        )

    def undo_all(self) -> list[str]:
        """Undo every fault, newest first; returns what could not be undone (and why)."""
        failed = []
        for fault in reversed(self.made):
            try:
                fault.undo()
            except Exception as exc:  # keep undoing the others; the caller reports these
                failed.append(f"undo {fault}: {exc}")
        return failed


__all__ = [
    "Crash", "CrmOperation", "Event", "Fault", "FaultBackend", "FaultError", "FaultTarget",
    "Faults", "KillService",
    "PingCheck", "PullCable", "RedundantLink", "RemoveFile", "Timeline", "ban", "move",
    "process_match", "set_meta", "standby", "stop",
]
