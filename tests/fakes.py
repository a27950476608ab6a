"""One fake cluster for the unit tests: what faults use of a cluster (``faults.FaultTarget``),
with nothing behind it. It records what was asked of it; crm_mon has no answer (fail-counts
before a fault are then unknown, as on a cluster that does not answer)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence

from pytest_hacluster import render
from pytest_hacluster.backends.base import FaultNotAllowed
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.oracle import Oracle
from pytest_hacluster.shell import Result


def ok(command: str) -> Result:
    return Result(command, 0, "", "", 0.01)


# -- a CIB that keeps edits, as Pacemaker's tools write them (cib_readback's docstring lists
# where; tests/unit/test_cib_readback.py checks those places against the real tools) -----------

def empty_cib(description: Description) -> str:
    """A CIB with the description's nodes and groups (their primitives), nothing else."""
    groups = "".join(f'<group id="{g.name}">' + "".join(f'<primitive id="{m}"/>'
                                                         for m in g.members) + "</group>"
                     for g in description.groups)
    nodes = "".join(f'<node id="{n}" uname="{n}"/>' for n in description.node_names)
    states = "".join(f'<node_state id="{n}" uname="{n}"/>' for n in description.node_names)
    return (f"<cib><configuration><crm_config/><nodes>{nodes}</nodes><resources>{groups}"
            f"</resources><constraints/></configuration><status>{states}</status></cib>")


def _set_nvpair(holder: ET.Element, set_tag: str, name: str, value: str | None) -> None:
    sets = holder.find(set_tag)
    if sets is None:
        sets = ET.SubElement(holder, set_tag, id=f"{holder.get('id')}-{set_tag}")
    for nv in [nv for nv in sets.findall("nvpair") if nv.get("name") == name]:
        sets.remove(nv)
    if value is not None:
        ET.SubElement(sets, "nvpair", id=f"{sets.get('id')}-{name}", name=name, value=value)


def apply_edit(cib: str, edit: Sequence[str]) -> str:
    """``cib`` after one edit of the forms the suite makes (crm_attribute --update/--delete,
    crm_resource --meta/--move/--ban/--clear); ValueError for any other."""
    root = ET.fromstring(cib)
    arg = {a: edit[i + 1] for i, a in enumerate(edit[:-1]) if a.startswith("--")}
    if edit[0] == "crm_attribute":
        node = arg["--node"]
        if arg.get("--lifetime") == "reboot":
            state = next(s for s in root.iter("node_state") if s.get("uname") == node)
            transient = state.find("transient_attributes")
            if transient is None:
                transient = ET.SubElement(state, "transient_attributes", id=node)
            holder, set_tag = transient, "instance_attributes"
        else:
            holder = next(n for n in root.iter("node") if n.get("uname") == node)
            set_tag = "instance_attributes"
        _set_nvpair(holder, set_tag, arg["--name"], arg.get("--update"))
    elif edit[0] == "crm_resource" and "--meta" in edit:
        resource = next(e for e in root.find("configuration/resources").iter()
                        if e.get("id") == arg["--resource"])
        name = arg.get("--set-parameter") or arg["--delete-parameter"]
        _set_nvpair(resource, "meta_attributes", name, arg.get("--parameter-value"))
    elif edit[0] == "crm_resource":
        constraints = root.find("configuration/constraints")
        rsc = arg["--resource"]
        if "--clear" in edit:
            for c in list(constraints):
                if c.get("rsc") == rsc and c.get("id", "").startswith("cli-"):
                    constraints.remove(c)
        elif "--move" in edit:
            ET.SubElement(constraints, "rsc_location", id=f"cli-prefer-{rsc}", rsc=rsc,
                          node=arg["--node"], score="INFINITY")
        elif "--ban" in edit:
            ET.SubElement(constraints, "rsc_location", id=f"cli-ban-{rsc}-on-{arg['--node']}",
                          rsc=rsc, node=arg["--node"], score="-INFINITY")
        else:
            raise ValueError(f"the fake CIB cannot apply {edit}")
    else:
        raise ValueError(f"the fake CIB cannot apply {edit}")
    return ET.tostring(root, encoding="unicode")


def crmsh_edit(args: Sequence[str]) -> tuple[str, ...] | None:
    """The Pacemaker-tools edit a crmsh command makes (``crm node standby s2`` ->
    ``crm_attribute --node s2 --name standby --update on``), for the commands faults use;
    None for others (no CIB change kept)."""
    def meta(rsc: str, name: str, value: str | None) -> tuple[str, ...]:
        change = ("--set-parameter", name, "--parameter-value", value) if value is not None \
            else ("--delete-parameter", name)
        return ("crm_resource", "--resource", rsc, "--meta", *change)

    match tuple(args):
        case ("node", "standby" | "online" as what, node):
            return ("crm_attribute", "--node", node, "--name", "standby", "--update",
                    "on" if what == "standby" else "off")
        case ("resource", "stop" | "start" as what, rsc):
            return meta(rsc, "target-role", "Stopped" if what == "stop" else "Started")
        case ("resource", "meta", rsc, "set", name, value):
            return meta(rsc, name, value)
        case ("resource", "meta", rsc, "delete", name):
            return meta(rsc, name, None)
        case ("resource", "move", rsc, node):
            return ("crm_resource", "--move", "--resource", rsc, "--node", node)
        case ("resource", "ban", rsc, node):
            return ("crm_resource", "--ban", "--resource", rsc, "--node", node)
        case ("resource", "unmove" | "clear", rsc):
            return ("crm_resource", "--clear", "--resource", rsc)
    return None


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
    having done nothing (as crmsh's ``node standby`` of an unreachable node). What crmsh
    commands change is kept in a CIB (``cib``) that answers ``cibadmin --query``."""

    def __init__(self, failing: str = "", refuse: bool = False,
                 description: Description | None = None, ignoring: str = "") -> None:
        self.description = description or Description()
        self.backend = FakeBackend(refuse)
        self.oracle: Oracle | None = None  # no scheduler to ask
        self.calls: list[tuple[str, ...]] = []
        self.failing = failing
        self.ignoring = ignoring
        self.cib = empty_cib(self.description)
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
        edit = crmsh_edit(args)
        if edit is not None:
            self.cib = apply_edit(self.cib, edit)
        return ok(" ".join(("crm", *args)))

    def crm_load(self, text: str) -> None:
        self.calls.append(("configure", "load", text))

    def run_anywhere(self, command: list[str], timeout: float = 30) -> Result:
        if command == ["cibadmin", "--query"]:  # a read, not a change
            return Result(" ".join(command), 0, self.cib, "", 0.01)
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
