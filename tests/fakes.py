"""One fake cluster for the unit tests: what faults use of a cluster (``faults.FaultTarget``),
with nothing behind it. It records what was asked of it; crm_mon has no answer (fail-counts
before a fault are then unknown, as on a cluster that does not answer)."""

from __future__ import annotations

from collections.abc import Callable

from pytest_hacluster import render
from pytest_hacluster.backends.base import FaultNotAllowed
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.oracle import Oracle
from pytest_hacluster.shell import Result


def ok(command: str) -> Result:
    return Result(command, 0, "", "", 0.01)


class FakeNode:
    """A node that answers every command with exit 0 and keeps what was written to it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.runs: list[list[str]] = []
        self.files: dict[str, str] = {}

    def run(self, command: list[str], *, timeout: float = 60, check: bool = False,
            input: str | bytes | None = None, env: object = None) -> Result:
        self.runs.append(list(command))
        return ok(" ".join(command))

    def write(self, path: str, content: str | bytes, mode: int = 0o644,
              owner: str = "root:root") -> None:
        self.files[path] = content if isinstance(content, str) else content.decode()


class FakeBackend:
    """Consent (or its refusal) and the backend-only faults, recorded."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse
        self.calls: list[tuple[object, ...]] = []
        self.stack = render.DEBIAN12

    def check_fault_allowed(self, fault: str) -> None:
        if self.refuse:
            raise FaultNotAllowed(f"{fault}: not without --hacluster-allow-faults")

    def set_cable(self, node: str, nic: str, plugged: bool) -> None:
        self.calls.append(("set_cable", node, nic, plugged))

    def power_off(self, node: str) -> None:
        self.calls.append(("power_off", node))

    def power_on(self, node: str, progress: Callable[[str], None]) -> None:
        self.calls.append(("power_on", node))


class FakeCluster:
    """A ``faults.FaultTarget``: records crm commands (``calls``); ``failing`` makes a crm
    command containing that word fail; ``ignoring`` makes one containing that word exit 0
    having done nothing (as crmsh's ``node standby`` of an unreachable node). Node attributes
    set by ``crm node standby/online`` are kept and answer ``crm_attribute --query``."""

    def __init__(self, failing: str = "", refuse: bool = False,
                 description: Description | None = None, ignoring: str = "") -> None:
        self.description = description or Description()
        self.backend = FakeBackend(refuse)
        self.oracle: Oracle | None = None  # no scheduler to ask
        self.calls: list[tuple[str, ...]] = []
        self.failing = failing
        self.ignoring = ignoring
        self.attributes: dict[tuple[str, str], str] = {}
        self.nodes = {n: FakeNode(n) for n in self.description.node_names}

    def node(self, name: str) -> FakeNode:
        return self.nodes[name]

    def state(self, node: str | None = None) -> ClusterState:
        raise RuntimeError("no crm_mon here: fail-counts before the fault are unknown")

    def crm(self, *args: str, timeout: float = 60) -> Result:
        if self.failing and self.failing in args:
            raise RuntimeError(f"crm {' '.join(args)} failed")
        self.calls.append(args)
        if self.ignoring and self.ignoring in args:
            return Result(" ".join(("crm", *args)), 0, "",
                          f'WARNING: host "{args[-1]}" is unreachable', 0.01)
        if args[:2] in (("node", "standby"), ("node", "online")):
            self.attributes[(args[2], "standby")] = "on" if args[1] == "standby" else "off"
        return ok(" ".join(("crm", *args)))

    def crm_load(self, text: str) -> None:
        self.calls.append(("configure", "load", text))

    def run_anywhere(self, command: list[str], timeout: float = 30) -> Result:
        if command[0] == "crm_attribute" and "--query" in command:  # a read, not a change
            key = (command[command.index("--node") + 1], command[command.index("--name") + 1])
            return Result(" ".join(command), 0, self.attributes.get(key, ""), "", 0.01)
        self.calls.append(tuple(command))
        return ok(" ".join(command))

    def cleanup(self, resource: str | None = None, node: str | None = None) -> None:
        self.calls.append(("cleanup", resource or "", node or ""))

    def wait_attribute(self, name: str, ok: Callable[[str | None], bool],
                       timeout: float = 60) -> dict[str, str | None]:
        return {}

    def wait_links(self, count: int, timeout: float = 30) -> None:
        return None

    def wait_settled(self, timeout: float = 120) -> None:
        return None
