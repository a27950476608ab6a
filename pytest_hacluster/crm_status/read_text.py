"""crm_mon text of Pacemaker 1.0 and 1.1 (and ``pcs status`` around it) -> ClusterState.

The layouts read here follow the ``print_as()`` calls of ``tools/crm_mon.c`` and the
``*_print()`` functions of ``lib/pengine/native.c``, ``group.c``, ``clone.c`` and
``container.c``/``bundle.c`` on Pacemaker's 1.0 and 1.1 branches (ClusterLabs/pacemaker),
checked against published outputs (the corpus in ``tests/unit/data/crm_mon``):

- header: ``Last updated``, ``Last change``, ``Stack``, ``Current DC`` (tabs or spaces),
  ``Version``, the counts in every spelling (``2 Nodes configured, unknown expected votes``,
  ``2 nodes and 1 resource configured``, ``4 resource instances configured (1 DISABLED)``),
  the maintenance banner ``*** Resource management is DISABLED ***``, and ``pcs status``'s
  ``Cluster name:``, ``WARNING``/``WARNINGS:``, ``Daemon Status:`` and ``PCSD Status:``;
- nodes: ``Online: [ .. ]``, ``OFFLINE: [ .. ]``, ``RemoteOnline``/``RemoteOFFLINE``/
  ``GuestOnline`` lists and ``[Remote|Guest]Node name: state`` lines with every state
  crm_mon prints; resources listed under a node line (``crm_mon -n``) take that node;
- resources: primitives, ``Resource Group:``, ``Clone Set:``, ``Master/Slave Set:`` (1.0
  without the child's name), cloned groups (``Resource Group: grrr:0`` under a clone), clone
  summaries (``Masters: [ n1 ]``, ``Slaves:``, ``Started:``, ``Stopped:``, ``Stopped
  (disabled):``), bundles (``Docker container set:``, ``Container bundle set:``) with their
  replica lines; ``Full list of resources:``, ``Inactive resources:`` and ``Active
  resources:`` (without ``-r``, where stopped resources are not listed at all);
- ``Migration summary`` (fail counts), ``Failed actions`` of 1.0 and 1.1 (wrapped over
  lines as crm_mon wraps them), and the sections the tests do not need (node attributes,
  tickets, constraints, fencing history, operations), skipped by their headings.

Lines wrapped by a terminal or a mail client are joined where the layout says a line is not
finished: a node list or multiple-active list whose ``[`` is not closed, a resource line
that ends after its agent, the ``Last change`` line's ``by user via tool on node`` tail.
Pacemaker 2.x text (``Cluster Summary:``, ``Node List:``, ``  * `` bullets) is refused: its
failed actions no longer carry the OCF return code; read 2.x XML instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pytest_hacluster.crm_status.build import (
    StateBuilder,
    normalise_agent,
    parse_count,
    parse_int,
    split_op_key,
)
from pytest_hacluster.crm_status.model import (
    FAILED,
    STOPPED,
    Clone,
    ClusterState,
    FailedAction,
    Group,
    Node,
    ParseError,
    Replica,
    Resource,
    configured_id,
    role_name,
)

_HEADER_RE = re.compile(
    r"^(=+|Last updated:.*|Last change:.*|Stack:.*|Version:.*|Cluster name:.*"
    r"|WARNING: .*|\d+ [Nn]odes? configured.*|\d+ [Rr]esources? configured.*"
    r"|\d+ [Rr]esource instances? configured.*"
    r"|\d+ nodes? and \d+ resources? configured.*"
    r"|The cluster will not attempt to start, stop or recover services)$"
)
_MAINTENANCE_BANNER = "*** Resource management is DISABLED ***"
_DC_RE = re.compile(
    r"^Current DC: (?P<dc>\S+)(?: \([^)]*\))?(?: - partition (?P<quorum>with|WITHOUT) quorum)?$"
)
# Where a wrapped 'Last change: ... by root via cibadmin on' line continues.
_LAST_CHANGE_TAIL_RE = re.compile(r"^(?:(?:by|via|on) \S+ ?)+$|^\S+$")
# A lone ':' (or '...') is how published outputs mark lines they cut.
_ELISION_RE = re.compile(r"^\s*(:|\.\.\.)\s*$")
_SECTIONS = {
    "Full list of resources:": "body",
    "Inactive resources:": "body",
    "Active resources:": "body",
    "Migration summary:": "migration",
    "Migration Summary:": "migration",
    "Operations:": "migration",
    "Failed actions:": "failed",
    "Failed Actions:": "failed",
    "Failed Resource Actions:": "failed",
    "Node Attributes:": "ignored",
    "Negative location constraints:": "ignored",
    "Negative Location Constraints:": "ignored",
    "Tickets:": "ignored",
    "Fencing History:": "ignored",
    "Failed Fencing Actions:": "ignored",
    "Pending Fencing Actions:": "ignored",
    "Daemon Status:": "ignored",  # pcs status
    "PCSD Status:": "ignored",  # pcs status
    "WARNINGS:": "ignored",  # pcs status
}
_PACEMAKER_2_HEADINGS = ("Cluster Summary:", "Node List:", "Full List of Resources:",
                         "Active Resources:", "Inactive Resources:")
_NO_RESOURCES_RE = re.compile(r"^No (?:active |inactive )?resources$")
_NODE_LIST_RE = re.compile(
    r"^(?P<kind>Online|OFFLINE|RemoteOnline|RemoteOFFLINE|GuestOnline|GuestOFFLINE): "
    r"\[(?P<names>[^\]]*)\]$"
)
_NODE_LINE_RE = re.compile(
    r"^(?P<kind>Remote|Guest)?Node (?P<name>[^\s:]+)(?: \([^)]*\))?: (?P<mode>.+)$"
)
_GROUP_RE = re.compile(r"^Resource Group: (?P<id>[^\s:]+(?::\d+)?):?(?: .*)?$")
_CLONE_RE = re.compile(
    r"^(?P<kind>Clone Set|Master/Slave Set): (?P<id>[^\s:\[]+)"
    r"(?: \[(?P<child>[^\]\s]+)\])?(?P<flags>(?: \([^)]*\))*):?$"
)
_BUNDLE_RE = re.compile(
    r"^(?:Docker container set|Container bundle set|rkt container set): (?P<id>[^\s\[]+)"
    r"(?: \[(?P<image>[^\]]+)\])?(?P<flags>(?: \([^)]*\))*):?$"
)
_CLONE_SUMMARY_RE = re.compile(
    r"^(?P<role>Started|Stopped|Masters|Slaves|Promoted|Unpromoted)"
    r"(?: \([^)]*\))?: \[(?P<names>[^\]]*)\]$"
)
_SUMMARY_ROLES = {"Masters": "Master", "Slaves": "Slave"}
_RESOURCE_RE = re.compile(r"^(?P<id>[^\s(]+)\s+\((?P<agent>[^)]*)\):?\s*(?P<state>.*)$")
_REPLICA_RE = re.compile(
    r"^(?P<guest>[^\s(]+)(?:\s+\((?P<ip>[^)]*)\))?\s+\((?P<agent>[^)]*::?[^)]*)\):\s*(?P<state>.*)$"
)
_MIGRATION_NODE_RE = re.compile(r"^Node:? (?P<node>[^\s:]+)(?: \([^)]*\))?:(?:\s.*)?$")
_MIGRATION_RSC_RE = re.compile(r"^(?P<rsc>\S+): (?P<detail>migration-threshold=.*|orphan)$")
_FAILCOUNT_RE = re.compile(r"\bfail-count=(?P<count>\S+)")
_FAILED_START_RE = re.compile(r"^\S+ (?:\(node=|on \S+ ')")
_FAILED_10_RE = re.compile(r"^(?P<key>\S+) \((?P<fields>.*)\):\s*(?P<rc_text>.*)$")
_FAILED_11_RE = re.compile(
    r"^(?P<key>\S+) on (?P<node>\S+) '(?P<rc_text>[^']*)' \((?P<rc>-?\d+)\): (?P<fields>.*)$"
)
_FIELD_RE = re.compile(r"(?P<key>[\w-]+)=(?P<value>'[^']*'|[^,]*)")


@dataclass
class _Container:
    """A group, clone or bundle heading being read, and what was listed under it."""

    indent: int
    kind: str  # group, clone, promotable, bundle
    id: str
    child: str | None = None
    unique: bool = False
    members: list[Resource] = field(default_factory=list)
    roles: list[tuple[str, str]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    replicas: list[Replica] = field(default_factory=list)


@dataclass
class _TextParser:
    """Line-by-line state machine over crm_mon text.

    crm_mon text has no closing markers, so the parser tracks which section it is in (from
    the section headings) and which group/clone a resource line belongs to (from
    indentation: members are indented deeper than their heading).
    """

    found: StateBuilder = field(default_factory=StateBuilder)
    mode: str = "body"
    containers: list[_Container] = field(default_factory=list)
    node_context: tuple[int, str] | None = None  # crm_mon -n: (indent, node) of 'Node x:'
    migration_node: str | None = None
    failed_entries: list[tuple[int, str]] = field(default_factory=list)
    pending: tuple[int, int, str] | None = None  # a line waiting for its wrapped rest
    last_header: str = ""
    seen_body: bool = False

    def feed(self, lineno: int, raw: str) -> None:
        """Classify one line and hand it to the handler of the current section."""
        line = raw.rstrip()
        if self.pending is not None:
            start, indent, head = self.pending
            if not line.strip():
                raise ParseError(f"crm_mon text line {start}: unfinished line {head.strip()!r}")
            self.pending = None
            line = " " * indent + head.strip() + " " + line.strip()
            lineno = start
        if not line.strip() or _ELISION_RE.match(line):
            return
        indent = len(line) - len(line.lstrip())
        body = line.strip().removeprefix("* ").strip()
        if self._unfinished(lineno, indent, body):
            return
        try:
            if self._header(body):
                return
            if body in _PACEMAKER_2_HEADINGS:
                raise ParseError(
                    "Pacemaker 2.x text layout: not read (its failed actions lack the OCF "
                    "return code); use crm_mon --output-as=xml"
                )
            if body in _SECTIONS:
                self._close_containers(-1)
                self.mode = _SECTIONS[body]
                self.node_context = None
                return
            handler = {
                "body": self._body,
                "migration": self._migration,
                "failed": self._failed,
                "ignored": lambda *_: None,
            }[self.mode]
            handler(indent, body, lineno)
        except ParseError as exc:
            raise ParseError(f"crm_mon text line {lineno}: {exc}: {raw.strip()!r}") from None

    def _unfinished(self, lineno: int, indent: int, body: str) -> bool:
        """A line a terminal or mail client cut: keep it until its rest arrives."""
        if self.mode != "body":
            return False
        if body.count("[") > body.count("]") or (
            _RESOURCE_RE.match(body) and body.rstrip().endswith("):")
            and not _CLONE_RE.match(body) and not _BUNDLE_RE.match(body)
        ):
            self.pending = (lineno, indent, body)
            return True
        return False

    def _header(self, body: str) -> bool:
        """Consume header lines; remember the DC, quorum and the maintenance banner."""
        flat = " ".join(body.split())  # crm_mon and pastes put tabs and runs of spaces here
        dc_match = _DC_RE.match(flat)
        if dc_match:
            if dc_match["dc"] != "NONE":
                self.found.dc = dc_match["dc"]
                self.found.quorum = (
                    None if dc_match["quorum"] is None else dc_match["quorum"] == "with"
                )
            self.last_header = "dc"
            return True
        if flat == _MAINTENANCE_BANNER:
            self.found.maintenance_mode = True
            return True
        if _HEADER_RE.match(flat):
            self.last_header = "change" if "Last change:" in flat else "other"
            return True
        # the rest of a wrapped 'Last change: ... by root via cibadmin on n1'
        return bool(not self.seen_body and self.last_header == "change"
                    and _LAST_CHANGE_TAIL_RE.match(flat))

    # -- node and resource list -------------------------------------------------------------

    def _body(self, indent: int, body: str, lineno: int) -> None:
        """Node lines, group/clone/bundle headings and resource lines."""
        self.seen_body = True
        if _NO_RESOURCES_RE.match(body):
            return
        if self._node_list(body) or self._node_line(indent, body):
            self._close_containers(-1)
            return
        self._close_containers(indent)
        if self.node_context is not None and indent <= self.node_context[0]:
            self.node_context = None
        if self.containers and self.containers[-1].kind == "bundle":
            replica = _REPLICA_RE.match(body)
            if replica and not _BUNDLE_RE.match(body):
                self._replica_line(replica)
                return
        for regex, handler in (
            (_GROUP_RE, self._open_group),
            (_CLONE_RE, self._open_clone),
            (_BUNDLE_RE, self._open_bundle),
            (_CLONE_SUMMARY_RE, self._clone_summary),
            (_RESOURCE_RE, self._resource_line),
        ):
            match = regex.match(body)
            if match:
                handler(indent, match)
                return
        raise ParseError("unrecognised line (parse_text reads Pacemaker 1.0/1.1 crm_mon text)")

    def _node_list(self, body: str) -> bool:
        """'Online: [ s1 s2 ]' / 'OFFLINE: [ s2 ]' plus the remote and guest variants."""
        match = _NODE_LIST_RE.match(body)
        if not match:
            return False
        kind = match["kind"]
        online = kind.endswith("Online")
        node_kind = "remote" if kind.startswith("Remote") else "guest" if kind.startswith(
            "Guest") else "member"
        for name in match["names"].split():
            name = name.split("@", 1)[0]  # guest nodes print as guest@host
            self.found.nodes[name] = Node(name=name, online=online, standby=False, kind=node_kind)
        return True

    def _node_line(self, indent: int, body: str) -> bool:
        """'Node s1 (uuid): standby' and the other per-node states crm_mon spells out."""
        match = _NODE_LINE_RE.match(body)
        if not match:
            return False
        name = match["name"].split("@", 1)[0]
        kind = {"Remote": "remote", "Guest": "guest", None: "member"}[match["kind"]]
        self.found.nodes[name] = _node_mode(name, match["mode"], kind)
        self.node_context = (indent, name)
        return True

    def _close_containers(self, indent: int) -> None:
        """Leave every heading whose indentation is not shallower than this line."""
        while self.containers and self.containers[-1].indent >= indent:
            self._emit(self.containers.pop())

    def _emit(self, box: _Container) -> None:
        """A heading is closed: record the group, clone or bundle it was."""
        parent = self.containers[-1] if self.containers else None
        if box.kind == "group":
            clone = parent.id if parent and parent.kind != "group" else None
            group = Group(box.id, tuple(box.members), clone)
            self.found.add_group(group)
            if parent is not None:
                parent.groups.append(box.id)
                parent.child = parent.child or configured_id(box.id)
                parent.members += box.members
                if group.role != STOPPED:
                    nodes = [group.started_on] if group.started_on else sorted(group.nodes)
                    parent.roles += [(node, group.role) for node in nodes]
            return
        resources = tuple(dict.fromkeys(r.id for r in box.members))
        self.found.add_clone(Clone(
            id=box.id,
            kind=box.kind,
            child=box.child,
            roles=tuple(box.roles),
            groups=tuple(box.groups),
            resources=resources,
            replicas=tuple(box.replicas),
            unique=box.unique,
        ))

    def _open_group(self, indent: int, match: re.Match[str]) -> None:
        parent = self.containers[-1] if self.containers else None
        if parent is not None and parent.kind == "group":
            raise ParseError("a group inside a group")
        if parent is None and re.search(r":\d+$", match["id"]):
            raise ParseError(f"group instance {match['id']} outside a clone")
        self.containers.append(_Container(indent, "group", match["id"]))

    def _open_clone(self, indent: int, match: re.Match[str]) -> None:
        if self.containers:
            raise ParseError(f"clone {match['id']} inside {self.containers[-1].id}")
        kind = "promotable" if match["kind"] == "Master/Slave Set" else "clone"
        self.containers.append(_Container(indent, kind, match["id"], match["child"],
                                          unique="(unique)" in (match["flags"] or "")))

    def _open_bundle(self, indent: int, match: re.Match[str]) -> None:
        if self.containers:
            raise ParseError(f"bundle {match['id']} inside {self.containers[-1].id}")
        self.containers.append(_Container(indent, "bundle", match["id"],
                                          unique="(unique)" in (match["flags"] or "")))

    def _clone_summary(self, indent: int, match: re.Match[str]) -> None:
        """'Masters: [ n1 ]' under a clone: one instance in that role on each node listed."""
        if not self.containers or self.containers[-1].kind in ("group", "bundle"):
            raise ParseError("clone summary outside a Clone Set or Master/Slave Set")
        word = match["role"]
        role = role_name(_SUMMARY_ROLES.get(word, word), "clone summary")
        if role != STOPPED:
            self.containers[-1].roles += [(node, role) for node in match["names"].split()]

    def _resource_line(self, indent: int, match: re.Match[str]) -> None:
        """'httpd (ocf::heartbeat:apache): Started s1' and its variants."""
        parent = self.containers[-1] if self.containers else None
        role, nodes, failed, managed, orphaned = _resource_state(match["state"])
        if not nodes and role not in (STOPPED,) and self.node_context is not None:
            nodes = (self.node_context[1],)  # crm_mon -n lists a node's resources under it
        if not nodes and role not in (STOPPED, FAILED):
            raise ParseError(f"role {role} on no node")
        rid, group, clone = match["id"], None, None
        if parent is not None and parent.kind == "group":
            outer = self.containers[-2] if len(self.containers) > 1 else None
            clone = outer.id if outer else None
            group = configured_id(parent.id) if clone else parent.id
        elif parent is not None:
            clone = parent.id
        if clone is not None:
            rid = configured_id(rid)
        agent = normalise_agent(match["agent"].replace("ORPHANED", ""))
        rsc = Resource(rid, agent, tuple((n, role) for n in nodes), group, clone, failed,
                       managed, orphaned)
        self.found.add_resource(rsc)
        if parent is not None:
            parent.members.append(rsc)
            if parent.kind != "group":
                parent.child = parent.child or rid
                parent.roles += rsc.roles

    def _replica_line(self, match: re.Match[str]) -> None:
        """'httpd-bundle-0 (192.168.122.131)\t(ocf::heartbeat:apache):\tStarted n1': the guest
        node, the replica's address, the bundled agent, its role and the container's host."""
        bundle = self.containers[-1]
        role, nodes, *_ = _resource_state(match["state"])
        if len(nodes) > 1:
            raise ParseError("a bundle replica on more than one host")
        host = nodes[0] if nodes else None
        guest = match["guest"]
        bundle.replicas.append(Replica(str(len(bundle.replicas)), host, guest, role, (guest,)))
        if host is not None:
            bundle.roles.append((guest, role))

    # -- Migration summary ------------------------------------------------------------------

    def _migration(self, indent: int, body: str, lineno: int) -> None:
        """'* Node s1:' then '   httpd: migration-threshold=1000000 fail-count=1000000'."""
        node_match = _MIGRATION_NODE_RE.match(body)
        if node_match:
            self.migration_node = node_match["node"]
            return
        if body.startswith(("+", "(")):  # operation history lines (crm_mon -o)
            return
        rsc_match = _MIGRATION_RSC_RE.match(body)
        if not rsc_match:
            raise ParseError("unrecognised line in the migration summary")
        if self.migration_node is None:
            raise ParseError("fail count before any '* Node <name>:' line")
        count_match = _FAILCOUNT_RE.search(rsc_match["detail"])
        if count_match:
            rsc = configured_id(rsc_match["rsc"])
            count = parse_count(count_match["count"], f"fail-count of {rsc}")
            if count:
                key = (rsc, self.migration_node)
                self.found.failcounts[key] = max(count, self.found.failcounts.get(key, 0))

    # -- Failed actions ---------------------------------------------------------------------

    def _failed(self, indent: int, body: str, lineno: int) -> None:
        """Collect entries; 1.0 (last-run) and 1.1 (last-rc-change) wrap them over lines."""
        if _FAILED_START_RE.match(body):
            self.failed_entries.append((lineno, body))
        elif self.failed_entries:
            start, text = self.failed_entries[-1]
            self.failed_entries[-1] = (start, f"{text} {body}")
        else:
            raise ParseError("unrecognised line in the failed actions")

    def finish(self) -> ClusterState:
        """Check something was parsed and build the state."""
        if self.pending is not None:
            start, _, head = self.pending
            raise ParseError(f"crm_mon text line {start}: unfinished line {head.strip()!r}")
        self._close_containers(-1)
        if not self.found.nodes:
            raise ParseError(
                "no node lines ('Online: [ ... ]', 'OFFLINE: [ ... ]', 'Node <name>: <state>') "
                "found; is this crm_mon text output?"
            )
        self.found.failed_actions = [
            _failed_action_text(lineno, entry) for lineno, entry in self.failed_entries
        ]
        return self.found.build()


def _node_mode(name: str, mode: str, kind: str) -> Node:
    """A node from crm_mon's words for its state (the same in 1.0, 1.1 and 2.x text).

    The words are ``node_mode`` of 1.1's ``tools/crm_mon.c`` / ``node_text_status()`` of 2.x
    ``lib/pengine/pe_output.c``: ``UNCLEAN (online|offline|pending)``, ``pending``,
    ``standby (on-fail)``, ``standby``, ``standby (with active resources)``,
    ``OFFLINE (standby)``, ``maintenance``, ``OFFLINE (maintenance)``, ``online``,
    ``OFFLINE``. Anything else raises ParseError naming it.
    """
    words = " ".join(mode.split())
    flags = dict(standby=False, unclean=False, pending=False, maintenance=False,
                 standby_onfail=False)
    if words.startswith("UNCLEAN ("):
        where = words.removeprefix("UNCLEAN (").removesuffix(")")
        if where not in ("online", "offline", "pending"):
            raise ParseError(f"unknown node state {mode!r}")
        return Node(name, online=where == "online", standby=False, unclean=True,
                    pending=where == "pending", kind=kind)
    known = {
        "pending": (False, {"pending": True}),
        "standby (on-fail)": (True, {"standby": True, "standby_onfail": True}),
        "standby": (True, {"standby": True}),
        "standby (with active resources)": (True, {"standby": True}),
        "OFFLINE (standby)": (False, {"standby": True}),
        "maintenance": (True, {"maintenance": True}),
        "OFFLINE (maintenance)": (False, {"maintenance": True}),
        "online": (True, {}),
        "OFFLINE": (False, {}),
    }
    if words not in known:
        raise ParseError(f"unknown node state {mode!r}")
    online, set_flags = known[words]
    flags.update(set_flags)
    return Node(name, online=online, kind=kind, **flags)


def _resource_state(state: str) -> tuple[str, tuple[str, ...], bool, bool, bool]:
    """(role, nodes, failed, managed, orphaned) from the text after a resource's '(agent):'.

    Forms: 'Started s1', 'Stopped', 'Started [ s2 s1 ]' (multiple-active), 'Master s1',
    'Started s1 (unmanaged) FAILED' (1.0), 'FAILED s1' and 'FAILED Master s1' (1.1),
    ' ORPHANED Started s1'; parenthesised notes such as '(disabled)', '(failure ignored)',
    '(Monitoring)' carry nothing the tests use.
    """
    flags = re.findall(r"\(([^)]*)\)", state)
    rest = re.sub(r"\([^)]*\)", " ", state)
    nodes: tuple[str, ...] = ()
    bracket = re.search(r"\[([^\]]*)\]", rest)
    if bracket:
        nodes = tuple(bracket.group(1).split())
        rest = rest[: bracket.start()] + " " + rest[bracket.end() :]
    words = rest.split()
    orphaned = "ORPHANED" in words
    failed = "FAILED" in words
    words = [word for word in words if word not in ("ORPHANED", "FAILED")]
    if words and words[0] in ("Master", "Slave", "Started", "Stopped", "Promoted",
                              "Unpromoted", "Starting", "Stopping", "Migrating", "Promoting",
                              "Demoting", "Unknown"):
        role = role_name(words.pop(0), "resource")
    elif failed:
        role = FAILED  # 1.1 prints 'FAILED n1' for a failed Started or Slave instance
    else:
        raise ParseError("resource line has no role")
    if words:
        if bracket or len(words) > 1:
            raise ParseError(f"cannot tell the node(s) from {state.strip()!r}")
        nodes = (words[0],)
    return role, nodes, failed, "unmanaged" not in flags, orphaned


def _failed_action_text(lineno: int, entry: str) -> FailedAction:
    """One failed action in 1.0 ('key (node=.., rc=..): text') or 1.1 ('key on node ...')."""
    match_10 = _FAILED_10_RE.match(entry)
    match_11 = None if match_10 else _FAILED_11_RE.match(entry)
    match = match_10 or match_11
    if match is None:
        raise ParseError(f"crm_mon text line {lineno}: unrecognised failed action {entry!r}")
    fields = {m["key"]: m["value"].strip().strip("'") for m in _FIELD_RE.finditer(match["fields"])}
    what = f"crm_mon text line {lineno}: failed action {match['key']}"
    try:
        node = match_11["node"] if match_11 else fields["node"]
        rc = match_11["rc"] if match_11 else fields["rc"]
        status = fields["status"]
    except KeyError as exc:
        raise ParseError(f"{what} lacks {exc.args[0]}=") from None
    resource, operation, interval = split_op_key(match["key"])
    return FailedAction(
        resource=configured_id(resource),
        operation=operation,
        node=node,
        interval_ms=interval,
        rc=parse_int(rc, f"{what}: rc"),
        status=status,
        exit_reason=fields.get("exitreason", ""),
    )


def parse_text(text: str) -> ClusterState:
    """Parse Pacemaker 1.0/1.1 ``crm_mon`` text (``-1``, ``-f``, ``-A``, ``-r``, ``-n`` all
    fine) or ``pcs status`` around it. Raises ParseError naming the first line not understood.
    """
    if not text.strip():
        raise ParseError("empty crm_mon text output")
    parser = _TextParser()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        parser.feed(lineno, raw)
    return parser.finish()
