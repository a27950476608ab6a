"""The typed, immutable cluster state both readers (XML and text) produce.

Names are Pacemaker's: nodes, primitives (``Resource``), groups, clones (plain, promotable,
bundles). Roles are Pacemaker 2.1's words on every version: 1.x and 2.0 print ``Master`` /
``Slave``, 2.1 and later ``Promoted`` / ``Unpromoted`` for the same thing
(``lib/common/roles.c`` in ClusterLabs/pacemaker maps both spellings to one role), so a test
written against one stack reads the same on another.

A role belongs to a resource *on a node*: a promotable clone is Promoted on one node and
Unpromoted on the others, so placement is a tuple of ``(node, role)`` pairs, one per active
instance, never one role for the whole resource.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

INFINITY: int = 1_000_000
"""Pacemaker's score/fail-count infinity: any larger value is shown (and acts) as INFINITY."""

PROMOTED = "Promoted"
UNPROMOTED = "Unpromoted"
STARTED = "Started"
STOPPED = "Stopped"
FAILED = "Failed"
"""Not a Pacemaker role: 1.1 text prints a failed Started/Unpromoted instance as ``FAILED n1``
without its role, so the reader keeps "Failed" rather than guess which one it was."""
PARTIAL = "Partial"
"""Not a Pacemaker role: a group (instance) some of whose members are active and some not, or
active on different nodes."""

# Roles of an instance that is running (Pacemaker's "active").
RUNNING_ROLES = frozenset({STARTED, PROMOTED, UNPROMOTED})

_ROLE_NAMES = {
    "Started": STARTED,
    "Stopped": STOPPED,
    "Master": PROMOTED,
    "Promoted": PROMOTED,
    "Slave": UNPROMOTED,
    "Unpromoted": UNPROMOTED,
    "Unknown": "Unknown",
    "Starting": "Starting",
    "Stopping": "Stopping",
    "Migrating": "Migrating",
    "Promoting": "Promoting",
    "Demoting": "Demoting",
}
_INSTANCE_SUFFIX = re.compile(r":\d+$")


class ParseError(ValueError):
    """crm_mon output that this package does not understand; the message says what and where."""


class AmbiguousRole(ValueError):
    """One role was asked of something that has different roles on different nodes."""


def role_name(word: str, what: str) -> str:
    """A role as crm_mon printed it (``Master``, ``Slave``, ``Promoted``...) in 2.1's words.

    Raises ParseError naming ``what`` for a word that is not a Pacemaker role.
    """
    try:
        return _ROLE_NAMES[word]
    except KeyError:
        raise ParseError(f"{what}: unknown role {word!r}") from None


def configured_id(instance_id: str) -> str:
    """``grrr:0`` -> ``grrr``: the configured id of a clone instance (XML ids cannot hold ':')."""
    return _INSTANCE_SUFFIX.sub("", instance_id)


def _distinct(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _one_role(subject: str, roles: tuple[tuple[str, str], ...]) -> str:
    """The role every pair has; Stopped for none; AmbiguousRole when they differ."""
    found = _distinct(role for _, role in roles)
    if not found:
        return STOPPED
    if len(found) > 1:
        listed = ", ".join(f"{role} on {node}" for node, role in roles)
        raise AmbiguousRole(f"{subject} has no single role ({listed}): ask role_on(node)")
    return found[0]


def _role_on(subject: str, roles: tuple[tuple[str, str], ...], node: str) -> str:
    return _one_role(f"{subject} on {node}", tuple(p for p in roles if p[0] == node))


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One cluster node as crm_mon reports it.

    ``online`` is a full member: crm_mon's ``online`` and not ``pending`` (a pending node has
    joined the membership but not the controller's join, so it runs nothing; 2.1.5 XML even
    says ``online="true" pending="true"`` for one). ``kind`` is ``member``, ``remote`` (a
    Pacemaker Remote node) or ``guest`` (a remote node inside a resource: a VM or a bundle
    replica; XML gives its resource as ``id_as_resource``).
    """

    name: str
    online: bool
    standby: bool
    unclean: bool = False
    is_dc: bool = False
    pending: bool = False
    maintenance: bool = False
    standby_onfail: bool = False
    shutdown: bool = False
    kind: str = "member"

    @property
    def state(self) -> str:
        """One word for the node, in crm_mon's own order of precedence.

        ``unclean``, ``pending``, ``offline``, ``shutting down``, ``standby on-fail``,
        ``standby``, ``maintenance`` or ``online``: the order of ``node_text_status()`` in
        ClusterLabs/pacemaker ``lib/pengine/pe_output.c`` (unclean before pending before the
        standby and maintenance flags; an offline node reads ``offline`` whatever its flags),
        with ``shutting down`` (XML ``shutdown="true"``, which the text does not show) for an
        online node that is leaving. A standby node is still online (it votes, it just may
        not run resources).
        """
        if self.unclean:
            return "unclean"
        if self.pending:
            return "pending"
        if not self.online:
            return "offline"
        if self.shutdown:
            return "shutting down"
        if self.standby_onfail:
            return "standby on-fail"
        if self.standby:
            return "standby"
        if self.maintenance:
            return "maintenance"
        return "online"


@dataclass(frozen=True)
class Resource:
    """A primitive resource and where it runs in which role.

    ``roles`` has one ``(node, role)`` pair per active instance, in crm_mon's order: one pair
    for an ordinary primitive that runs, none when it is stopped, one per node for a clone
    (``(("n1", "Promoted"), ("n2", "Unpromoted"))``), two on one node when two instances are
    there (an orphan beside its replacement). ``group`` is the configured group it is a member
    of (``grrr`` for the instances ``grrr:0``, ``grrr:1`` of a cloned group) and ``clone`` the
    clone, promotable clone or bundle around it.
    """

    id: str
    agent: str
    roles: tuple[tuple[str, str], ...] = ()
    group: str | None = None
    clone: str | None = None
    failed: bool = False
    managed: bool = True
    orphaned: bool = False

    @classmethod
    def placed(cls, rid: str, agent: str, role: str, nodes: Iterable[str],
               group: str | None = None, *, clone: str | None = None, failed: bool = False,
               managed: bool = True) -> Resource:
        """One role on every node listed: the shape of an ordinary primitive."""
        roles = tuple((node, role) for node in nodes)
        return cls(rid, agent, roles, group, clone, failed=failed, managed=managed)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node an instance is active on, in crm_mon's order, each once."""
        return _distinct(node for node, _ in self.roles)

    @property
    def role(self) -> str:
        """The role of every active instance; Stopped when none is active.

        Raises AmbiguousRole when instances differ (a promotable clone): use role_on(node).
        """
        return _one_role(self.id, self.roles)

    def role_on(self, node: str) -> str:
        """The role on ``node``: Stopped when nothing runs there."""
        return _role_on(self.id, self.roles, node)

    @property
    def promoted_on(self) -> tuple[str, ...]:
        return _distinct(node for node, role in self.roles if role == PROMOTED)


@dataclass(frozen=True)
class Group:
    """A resource group, or one instance of a cloned group (``grrr:0``), with its members in
    configuration (= start) order; ``clone`` is the clone around an instance."""

    id: str
    resources: tuple[Resource, ...]
    clone: str | None = None

    @property
    def nodes(self) -> frozenset[str]:
        """Every node any member is active on; more than one node means the group is split."""
        return frozenset(node for rsc in self.resources for node in rsc.nodes)

    @property
    def started_on(self) -> str | None:
        """The single node the whole group runs healthy on, else None.

        Every member must be active on exactly that one node, in a running role (Started, or
        for a promotable cloned group Promoted/Unpromoted), and not flagged FAILED: a failed
        member is about to be recovered, and a half-started group serves nothing.
        """
        if not self.resources:
            return None
        placements = {rsc.nodes for rsc in self.resources}
        healthy = all(
            not rsc.failed and len(rsc.roles) == 1 and rsc.roles[0][1] in RUNNING_ROLES
            for rsc in self.resources
        )
        if not healthy or len(placements) != 1:
            return None
        ((node,),) = placements
        return node

    @property
    def role(self) -> str:
        """Stopped (no member active), the members' common role when the group runs whole on
        one node, else Partial."""
        if not any(rsc.roles for rsc in self.resources):
            return STOPPED
        if self.started_on is not None:
            roles = _distinct(rsc.roles[0][1] for rsc in self.resources)
            if len(roles) == 1:
                return roles[0]
        return PARTIAL

    @property
    def orphaned(self) -> bool:
        """Every member is an orphan (an instance no longer in the configuration)."""
        return bool(self.resources) and all(rsc.orphaned for rsc in self.resources)


@dataclass(frozen=True)
class Replica:
    """One replica of a bundle: its container on a host, the guest node inside it.

    ``guest`` is the guest node's name (the bundle's remote connection resource, e.g.
    ``httpd-bundle-0``), ``host`` the node its container runs on, ``role`` the role of the
    bundled primitive inside (or of the container when the bundle has no primitive).
    """

    id: str
    host: str | None
    guest: str | None
    role: str
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clone:
    """A clone (``kind`` "clone"), promotable clone ("promotable") or bundle ("bundle").

    ``child`` is the primitive or group it clones (None when crm_mon does not name it: 1.0
    text prints ``Clone Set: name`` alone). ``roles`` has one ``(node, role)`` pair per active
    instance (for a bundle: the guest node and the bundled primitive's role), also when crm_mon
    only summarised them (``Masters: [ n1 ]``). ``groups`` names the instances of a cloned
    group (``grrr:0``, ...) and ``resources`` the primitives inside, as far as listed.
    """

    id: str
    kind: str
    child: str | None
    roles: tuple[tuple[str, str], ...] = ()
    groups: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    replicas: tuple[Replica, ...] = ()
    unique: bool = False
    managed: bool = True
    failed: bool = False

    @property
    def nodes(self) -> tuple[str, ...]:
        return _distinct(node for node, _ in self.roles)

    @property
    def promoted_on(self) -> tuple[str, ...]:
        """Nodes where an instance is Promoted (Master in 1.x and 2.0 words)."""
        return _distinct(node for node, role in self.roles if role == PROMOTED)

    def role_on(self, node: str) -> str:
        """The role of the instance on ``node``: Stopped when none runs there."""
        return _role_on(self.id, self.roles, node)


@dataclass(frozen=True)
class FailedAction:
    """One entry of crm_mon's failed actions: which operation failed where, and how."""

    resource: str
    operation: str
    node: str
    interval_ms: int
    rc: int
    status: str
    exit_reason: str = ""
    last_rc_change: float | None = None  # epoch seconds; the CIB keeps whole seconds


@dataclass(frozen=True)
class ClusterState:
    """Everything the acceptance tests assert about one crm_mon snapshot.

    ``resources`` holds every primitive once, its clone instances merged (per-node roles);
    ``groups`` every group and every instance of a cloned group under its own id (``grrr:0``);
    ``clones`` clones, promotable clones and bundles. ``maintenance_mode`` is the cluster
    property (None when the output does not say).
    """

    dc: str | None
    quorum: bool | None
    nodes: dict[str, Node]
    resources: dict[str, Resource]
    groups: dict[str, Group]
    failcounts: dict[tuple[str, str], int]
    failed_actions: tuple[FailedAction, ...]
    clones: dict[str, Clone] = field(default_factory=dict)
    maintenance_mode: bool | None = None

    def doubled(
        self, groups: Iterable[str], resources: Iterable[str] = ()
    ) -> dict[str, tuple[str, ...]]:
        """Resource -> the nodes it is active on (sorted), for each member of ``groups`` and
        each primitive named in ``resources`` (ungrouped ones) that is active on more than one
        node: the one place this is computed (the invariant watcher and the clean check ask
        it). Clone instances are meant to run on several nodes and are left out."""
        wanted, alone = set(groups), set(resources)
        return {r.id: tuple(sorted(r.nodes)) for r in self.resources.values()
                if (r.group in wanted or (r.group is None and r.id in alone))
                and r.clone is None and len(r.nodes) > 1}

    def failcount(self, resource: str, node: str) -> int:
        """Fail count of ``resource`` on ``node``; 0 when crm_mon lists none."""
        return self.failcounts.get((resource, node), 0)

    def where(self, name: str) -> frozenset[str]:
        """Nodes a group, primitive or clone (or a clone's child) is active on.

        Raises KeyError for a name crm_mon does not list, so a typo in a test cannot pass as
        "stopped everywhere".
        """
        if name in self.groups:
            return self.groups[name].nodes
        if name in self.resources:
            return frozenset(self.resources[name].nodes)
        instances = [g for g in self.groups.values() if g.clone and configured_id(g.id) == name]
        if instances:
            return frozenset(n for g in instances for n in g.nodes)
        for clone in self.clones.values():
            if name in (clone.id, clone.child):
                return frozenset(clone.nodes)
        known = ", ".join(sorted({*self.groups, *self.resources, *self.clones})) or "none"
        raise KeyError(
            f"{name!r} is not a group, resource or clone in this crm_mon output "
            f"(known: {known}; 1.0 text omits inactive resources unless crm_mon -r)"
        )

    def roles(self, name: str) -> tuple[tuple[str, str], ...]:
        """``(node, role)`` of every active instance of a primitive or clone (or its child)."""
        if name in self.resources:
            return self.resources[name].roles
        for clone in self.clones.values():
            if name in (clone.id, clone.child):
                return clone.roles
        raise KeyError(f"{name!r} is not a resource or clone in this crm_mon output")

    @property
    def online_nodes(self) -> frozenset[str]:
        """Names of online nodes, standby ones included (standby is not offline); pending
        nodes are not members yet and are left out."""
        return frozenset(name for name, node in self.nodes.items() if node.online)
