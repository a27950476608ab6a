"""What both readers share: value parsers and the builder that assembles a ClusterState."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime

from pytest_hacluster.crm_status.model import (
    INFINITY,
    Clone,
    ClusterState,
    FailedAction,
    Group,
    Node,
    ParseError,
    Resource,
)

# Operation names that contain "_", so "<rsc>_<op>_<interval>" cannot be split at the last "_".
_MULTIWORD_OPS = ("migrate_to", "migrate_from")


def normalise_agent(agent: str) -> str:
    """'ocf::heartbeat:IPaddr2' (1.0/1.1) and 'ocf:heartbeat:IPaddr2' (2.x) -> the latter."""
    return agent.strip().replace("::", ":")


def parse_count(value: str, what: str) -> int:
    """A fail count: a non-negative integer or (+)INFINITY, saturating at INFINITY."""
    text = value.strip().strip("'\"")
    if text.upper() in ("INFINITY", "+INFINITY"):
        return INFINITY
    if not text.isdigit():
        raise ParseError(f"{what}: expected a fail count (integer or INFINITY), got {value!r}")
    return min(int(text), INFINITY)


def parse_int(value: str | None, what: str) -> int:
    """An integer attribute, with an error that names it."""
    if value is None:
        raise ParseError(f"{what} is missing")
    try:
        return int(value.strip())
    except ValueError:
        raise ParseError(f"{what}: expected an integer, got {value!r}") from None


def parse_ms(value: str, what: str) -> int:
    """Milliseconds as crm_mon prints them: '10000' or '10000ms'."""
    return parse_int(value.strip().removesuffix("ms"), what)


def split_op_key(op_key: str) -> tuple[str, str, int]:
    """Split '<rsc>_<op>_<interval_ms>' into its parts.

    Resource ids may contain '_' (``vip_httpd_monitor_10000``), so the operation and interval
    are taken from the end; ``migrate_to``/``migrate_from`` are the operations that themselves
    contain '_'.
    """
    head, sep, interval = op_key.rpartition("_")
    if not sep or not interval.isdigit():
        raise ParseError(f"operation key {op_key!r} does not end in _<interval_ms>")
    for multiword in _MULTIWORD_OPS:
        if head.endswith("_" + multiword):
            return head[: -len(multiword) - 1], multiword, int(interval)
    resource, sep, operation = head.rpartition("_")
    if not sep or not resource or not operation:
        raise ParseError(f"operation key {op_key!r} is not <resource>_<operation>_<interval>")
    return resource, operation, int(interval)


def parse_rc_change(value: str | None) -> float | None:
    """``last-rc-change`` as epoch seconds; None when absent or in a form not known here.

    2.1 writes ``2026-11-25 09:37:22Z`` (or with ``+00:00``); 1.1 writes ctime-style local
    time (``Mon Oct  1 09:58:12 2018``).
    """
    if not value:
        return None
    text = " ".join(value.split())
    if text.endswith("Z"):
        text = text[:-1] + " +0000"
    text = re.sub(r"([+-]\d\d):(\d\d)$", r"\1\2", text)
    for fmt in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt).timestamp()
        except ValueError:
            pass
    try:
        return time.mktime(time.strptime(text, "%a %b %d %H:%M:%S %Y"))
    except ValueError:
        return None


def merge_resource(old: Resource, new: Resource) -> Resource:
    """Two listings of one primitive id (clone instances) -> one resource with every role."""
    if old.agent and new.agent and old.agent != new.agent:
        raise ParseError(f"resource {old.id} listed with agents {old.agent} and {new.agent}")
    return replace(
        old,
        agent=old.agent or new.agent,
        roles=old.roles + new.roles,
        group=old.group or new.group,
        clone=old.clone or new.clone,
        failed=old.failed or new.failed,
        managed=old.managed and new.managed,
        orphaned=old.orphaned and new.orphaned,
    )


@dataclass
class StateBuilder:
    """Collects what a reader found, in crm_mon's order, and builds the ClusterState."""

    dc: str | None = None
    quorum: bool | None = None
    maintenance_mode: bool | None = None
    nodes: dict[str, Node] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    clones: dict[str, Clone] = field(default_factory=dict)
    failcounts: dict[tuple[str, str], int] = field(default_factory=dict)
    failed_actions: list[FailedAction] = field(default_factory=list)

    def add_resource(self, rsc: Resource) -> None:
        """A primitive (or one instance of a cloned one): merged with earlier listings."""
        old = self.resources.get(rsc.id)
        self.resources[rsc.id] = rsc if old is None else merge_resource(old, rsc)

    def add_group(self, group: Group) -> None:
        """A group (instance) with its members; each member is also added as a resource."""
        if group.id in self.groups:
            old = self.groups[group.id]
            group = replace(old, resources=old.resources + group.resources)
        self.groups[group.id] = group

    def add_clone(self, clone: Clone) -> None:
        if clone.id in self.clones:
            raise ParseError(f"clone {clone.id} listed twice")
        self.clones[clone.id] = clone

    def build(self) -> ClusterState:
        """The state; refuses a cluster with no nodes (never a silent empty state)."""
        if not self.nodes:
            raise ParseError("crm_mon output lists no nodes; refusing to return an empty cluster")
        nodes = self.nodes
        if self.dc is not None:
            nodes = {
                name: replace(node, is_dc=node.is_dc or name == self.dc)
                for name, node in nodes.items()
            }
        return ClusterState(
            dc=self.dc,
            quorum=self.quorum,
            nodes=nodes,
            resources=dict(self.resources),
            groups=dict(self.groups),
            failcounts=dict(self.failcounts),
            failed_actions=tuple(self.failed_actions),
            clones=dict(self.clones),
            maintenance_mode=self.maintenance_mode,
        )
