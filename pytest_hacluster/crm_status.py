"""Turn Pacemaker's ``crm_mon`` output into typed, immutable cluster state.

Why this module exists: every acceptance test ends by asking the cluster a question ("is
group ``web`` running on s2?", "did httpd's start failure set fail-count INFINITY on s1?").
Answering from ``crm_mon`` output with ad-hoc ``grep``/``awk`` (as the seed articles do) breaks
silently when the layout changes, so the answer is parsed here, once, into dataclasses, and
anything this parser does not understand raises :class:`ParseError` instead of quietly yielding
an empty cluster that would make "nothing is running on s1" assertions pass by accident.

The module is pure (stdlib only, no subprocess, no pytest) so it can be unit-tested against
recorded outputs; running ``crm_mon`` is the caller's job.  The command lines it expects:

``CRM_MON_XML_ARGS = ["crm_mon", "-1", "--output-as=xml", "--include=failcounts,failures"]``
    Pacemaker 2.x.  XML output already includes every section by default in 2.1.5 (verified:
    the output is identical with and without the ``--include``); naming the two sections the
    tests depend on (``<node_history>`` fail counts, ``<failures>``) keeps them present should a
    later release trim the default.  Inactive resources are always listed in XML.

``CRM_MON_TEXT_ARGS = ["crm_mon", "-1", "-r", "-f"]``
    Pacemaker 1.0 (the seed's cluster), which has no XML output.  ``-f`` adds the
    ``Migration summary`` (fail counts); ``-r`` lists fully stopped groups/resources, which
    1.0 otherwise omits (then :meth:`ClusterState.where` cannot tell "stopped" from "unknown").

Accepted inputs: :func:`parse_xml` reads 2.x ``crm_mon --output-as=xml`` (``<pacemaker-result>``)
and the legacy ``crm_mon --as-xml`` document (``<crm_mon version="1.1.x">``, also emitted by
2.0's ``--as-xml``).  :func:`parse_text` reads Pacemaker 1.0 text (``crm_mon -1 [-r] [-f] [-A]``)
and 1.1's near-identical layout; it refuses 2.x text, whose failed-action lines no longer carry
the OCF return code -- use XML there.  :func:`parse` picks one by the first character.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime

__all__ = [
    "CRM_MON_TEXT_ARGS",
    "CRM_MON_XML_ARGS",
    "INFINITY",
    "ClusterState",
    "FailedAction",
    "Group",
    "Node",
    "ParseError",
    "Resource",
    "parse",
    "parse_text",
    "parse_xml",
]

INFINITY: int = 1_000_000
"""Pacemaker's score/fail-count infinity: any larger value is shown (and acts) as INFINITY."""

CRM_MON_XML_ARGS: list[str] = ["crm_mon", "-1", "--output-as=xml", "--include=failcounts,failures"]
CRM_MON_TEXT_ARGS: list[str] = ["crm_mon", "-1", "-r", "-f"]

# Operation names that contain "_", so "<rsc>_<op>_<interval>" cannot be split at the last "_".
_MULTIWORD_OPS = ("migrate_to", "migrate_from")


class ParseError(ValueError):
    """crm_mon output that this module does not understand; the message says what and where."""


# --------------------------------------------------------------------------------------------
# Typed state
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    """One cluster node as crm_mon reports it (membership, standby, fencing-needed)."""

    name: str
    online: bool
    standby: bool
    unclean: bool = False
    is_dc: bool = False

    @property
    def state(self) -> str:
        """The state a test usually asserts: "standby", "online" or "offline".

        A standby node is still online (it votes, it just may not run resources); an offline
        node's standby flag is irrelevant to where resources can run, so it reads "offline".
        """
        if self.online and self.standby:
            return "standby"
        return "online" if self.online else "offline"


@dataclass(frozen=True)
class Resource:
    """A primitive resource; ``nodes`` lists every node it is active on, in crm_mon's order."""

    id: str
    agent: str
    role: str
    nodes: tuple[str, ...]
    group: str | None = None
    failed: bool = False
    managed: bool = True


@dataclass(frozen=True)
class Group:
    """A resource group with its members in configuration (= start) order."""

    id: str
    resources: tuple[Resource, ...]

    @property
    def nodes(self) -> frozenset[str]:
        """Every node any member is active on; more than one node means the group is split."""
        return frozenset(node for rsc in self.resources for node in rsc.nodes)

    @property
    def started_on(self) -> str | None:
        """The single node the whole group is healthy on, else None.

        Every member must be role Started, not flagged FAILED, and active on exactly that one
        node.  A failed member counts as not started because Pacemaker is about to recover it
        (2.x text even prints its role as FAILED), and a half-started group serves nothing.
        """
        if not self.resources:
            return None
        placements = {rsc.nodes for rsc in self.resources}
        healthy = all(rsc.role == "Started" and not rsc.failed for rsc in self.resources)
        if not healthy or len(placements) != 1:
            return None
        (nodes,) = placements
        return nodes[0] if len(nodes) == 1 else None


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
    """Everything the acceptance tests assert about one crm_mon snapshot."""

    dc: str | None
    quorum: bool | None
    nodes: dict[str, Node]
    resources: dict[str, Resource]
    groups: dict[str, Group]
    failcounts: dict[tuple[str, str], int]
    failed_actions: tuple[FailedAction, ...]

    def failcount(self, resource: str, node: str) -> int:
        """Fail count of ``resource`` on ``node``; 0 when crm_mon lists none."""
        return self.failcounts.get((resource, node), 0)

    def where(self, resource_or_group: str) -> frozenset[str]:
        """Nodes a group or primitive is active on (empty when stopped).

        Raises KeyError for a name crm_mon does not list, so a typo in a test cannot pass as
        "stopped everywhere".
        """
        if resource_or_group in self.groups:
            return self.groups[resource_or_group].nodes
        if resource_or_group in self.resources:
            return frozenset(self.resources[resource_or_group].nodes)
        known = ", ".join(sorted([*self.groups, *self.resources])) or "none"
        raise KeyError(
            f"{resource_or_group!r} is not a group or resource in this crm_mon output "
            f"(known: {known}; 1.0 text omits inactive resources unless crm_mon -r)"
        )

    @property
    def online_nodes(self) -> frozenset[str]:
        """Names of online nodes, standby ones included (standby is not offline)."""
        return frozenset(name for name, node in self.nodes.items() if node.online)


# --------------------------------------------------------------------------------------------
# Shared helpers
# --------------------------------------------------------------------------------------------


def _normalise_agent(agent: str) -> str:
    """'ocf::heartbeat:IPaddr2' (1.0/1.1) and 'ocf:heartbeat:IPaddr2' (2.x) -> the latter."""
    return agent.strip().replace("::", ":")


def _parse_count(value: str, what: str) -> int:
    """A fail count: a non-negative integer or (+)INFINITY, saturating at INFINITY."""
    text = value.strip().strip("'\"")
    if text.upper() in ("INFINITY", "+INFINITY"):
        return INFINITY
    if not text.isdigit():
        raise ParseError(f"{what}: expected a fail count (integer or INFINITY), got {value!r}")
    return min(int(text), INFINITY)


def _parse_int(value: str | None, what: str) -> int:
    """An integer attribute, with an error that names it."""
    if value is None:
        raise ParseError(f"{what} is missing")
    try:
        return int(value.strip())
    except ValueError:
        raise ParseError(f"{what}: expected an integer, got {value!r}") from None


def _parse_ms(value: str, what: str) -> int:
    """Milliseconds as crm_mon prints them: '10000' or '10000ms'."""
    text = value.strip()
    return _parse_int(text.removesuffix("ms"), what)


def _split_op_key(op_key: str) -> tuple[str, str, int]:
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


def _merge_resource(old: Resource, new: Resource) -> Resource:
    """Combine two listings of one id (clone instances, repeated lines) into one resource."""
    nodes = old.nodes + tuple(n for n in new.nodes if n not in old.nodes)
    role = old.role if old.nodes or not new.nodes else new.role
    return replace(
        old,
        agent=old.agent or new.agent,
        role=role,
        nodes=nodes,
        failed=old.failed or new.failed,
        managed=old.managed and new.managed,
    )


def _build_state(
    dc: str | None,
    quorum: bool | None,
    nodes: dict[str, Node],
    resources: dict[str, Resource],
    groups: dict[str, tuple[str, ...]],
    failcounts: dict[tuple[str, str], int],
    failed_actions: Iterable[FailedAction],
) -> ClusterState:
    """Assemble the final state; refuse a cluster with no nodes (never a silent empty state)."""
    if not nodes:
        raise ParseError("crm_mon output lists no nodes; refusing to return an empty cluster")
    if dc is not None:
        nodes = {
            name: replace(node, is_dc=node.is_dc or name == dc) for name, node in nodes.items()
        }
    group_objs = {
        gid: Group(gid, tuple(resources[rid] for rid in members)) for gid, members in groups.items()
    }
    return ClusterState(
        dc=dc,
        quorum=quorum,
        nodes=nodes,
        resources=resources,
        groups=group_objs,
        failcounts=failcounts,
        failed_actions=tuple(failed_actions),
    )


# --------------------------------------------------------------------------------------------
# XML: 2.x <pacemaker-result> and 1.1 <crm_mon>
# --------------------------------------------------------------------------------------------


def parse_xml(text: str) -> ClusterState:
    """Parse ``crm_mon --output-as=xml`` (2.x) or ``crm_mon --as-xml`` (1.1) output."""
    root = _xml_root(text)
    dc, quorum = _xml_summary(root.find("summary"))
    resources: dict[str, Resource] = {}
    groups: dict[str, tuple[str, ...]] = {}
    resources_elem = root.find("resources")
    if resources_elem is not None:
        _xml_collect_resources(resources_elem, resources, groups)
    return _build_state(
        dc,
        quorum,
        _xml_nodes(root),
        resources,
        groups,
        _xml_failcounts(root.find("node_history")),
        _xml_failures(root.find("failures")),
    )


def _xml_root(text: str) -> ET.Element:
    """Parse the document and check it is crm_mon status, not an error report or other XML."""
    if not text.strip():
        raise ParseError("empty crm_mon XML output")
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise ParseError(f"malformed crm_mon XML ({exc}); truncated output?") from None
    if root.tag not in ("pacemaker-result", "crm_mon"):
        raise ParseError(
            f"unexpected XML root <{root.tag}>: expected <pacemaker-result> (crm_mon "
            "--output-as=xml) or <crm_mon> (crm_mon --as-xml)"
        )
    if root.find("nodes") is None:
        raise ParseError(f"crm_mon XML has no <nodes> section{_xml_status_detail(root)}")
    return root


def _xml_status_detail(root: ET.Element) -> str:
    """2.x reports failures in <status code message><errors><error>; 2.1.5 even says code 0."""
    status = root.find("status")
    if status is None:
        return ""
    errors = [(err.text or "").strip() for err in status.iter("error")]
    detail = f": status {status.get('code')} {status.get('message')!r}"
    return detail + (f", errors: {'; '.join(errors)}" if errors else "")


def _xml_bool(elem: ET.Element, attr: str, default: bool | None = None) -> bool:
    """A "true"/"false" attribute; missing is an error unless a default is given."""
    value = elem.get(attr)
    if value is None:
        if default is None:
            raise ParseError(f"<{elem.tag} {_xml_ident(elem)}> lacks attribute {attr!r}")
        return default
    if value not in ("true", "false"):
        raise ParseError(f"<{elem.tag} {_xml_ident(elem)}> {attr}={value!r} is not true/false")
    return value == "true"


def _xml_ident(elem: ET.Element) -> str:
    """How to name an element in an error message."""
    for attr in ("id", "name", "op_key"):
        if elem.get(attr) is not None:
            return f'{attr}="{elem.get(attr)}"'
    return ""


def _xml_required(elem: ET.Element, attr: str) -> str:
    """An attribute the format always has; its absence means this is not crm_mon output."""
    value = elem.get(attr)
    if value is None:
        raise ParseError(f"<{elem.tag} {_xml_ident(elem)}> lacks attribute {attr!r}")
    return value


def _xml_summary(summary: ET.Element | None) -> tuple[str | None, bool | None]:
    """DC name and quorum; both unknown (None) when there is no DC to ask."""
    if summary is None:
        return None, None
    current_dc = summary.find("current_dc")
    if current_dc is None or current_dc.get("present") != "true":
        return None, None
    return _xml_required(current_dc, "name"), _xml_bool(current_dc, "with_quorum")


def _xml_nodes(root: ET.Element) -> dict[str, Node]:
    """The <nodes> list (guaranteed present by _xml_root)."""
    nodes: dict[str, Node] = {}
    nodes_elem = root.find("nodes")
    for elem in nodes_elem.findall("node") if nodes_elem is not None else ():
        name = _xml_required(elem, "name")
        nodes[name] = Node(
            name=name,
            online=_xml_bool(elem, "online"),
            standby=_xml_bool(elem, "standby"),
            unclean=_xml_bool(elem, "unclean", default=False),
            is_dc=_xml_bool(elem, "is_dc", default=False),
        )
    return nodes


def _xml_collect_resources(
    parent: ET.Element, resources: dict[str, Resource], groups: dict[str, tuple[str, ...]]
) -> None:
    """Walk <resources>: primitives, groups, and (recursively) clones/bundles around them."""
    for elem in parent:
        if elem.tag == "resource":
            _add_resource(resources, _xml_resource(elem, None))
        elif elem.tag == "group":
            gid = _xml_required(elem, "id")
            members = [_xml_resource(child, gid) for child in elem.findall("resource")]
            for member in members:
                _add_resource(resources, member)
            known = groups.get(gid, ())
            groups[gid] = known + tuple(m.id for m in members if m.id not in known)
        else:
            _xml_collect_resources(elem, resources, groups)


def _add_resource(resources: dict[str, Resource], rsc: Resource) -> None:
    """Insert, merging repeated listings of the same id."""
    old = resources.get(rsc.id)
    resources[rsc.id] = rsc if old is None else _merge_resource(old, rsc)


def _xml_resource(elem: ET.Element, group: str | None) -> Resource:
    """One <resource> element; its <node> children are where it is active."""
    return Resource(
        id=_xml_required(elem, "id"),
        agent=_normalise_agent(elem.get("resource_agent", "")),
        role=_xml_required(elem, "role"),
        nodes=tuple(_xml_required(node, "name") for node in elem.findall("node")),
        group=group,
        failed=_xml_bool(elem, "failed", default=False),
        managed=_xml_bool(elem, "managed", default=True),
    )


def _xml_failcounts(history: ET.Element | None) -> dict[tuple[str, str], int]:
    """Non-zero fail-count attributes from <node_history><node><resource_history>."""
    counts: dict[tuple[str, str], int] = {}
    for node in history if history is not None else ():
        node_name = _xml_required(node, "name")
        for rsc in node.findall("resource_history"):
            value = rsc.get("fail-count")
            if value is None:
                continue
            rsc_id = _xml_required(rsc, "id")
            count = _parse_count(value, f"fail-count of {rsc_id} on {node_name}")
            if count:
                counts[(rsc_id, node_name)] = count
    return counts


def _xml_failures(failures: ET.Element | None) -> list[FailedAction]:
    """<failures><failure .../>: 2.x and 1.1 carry the same attributes.

    1.1 omits ``task``/``interval`` when the failure has no last-rc-change, and very old
    entries carry ``id`` instead of ``op_key``; both cases fall back to splitting the key.
    """
    actions = []
    for elem in failures if failures is not None else ():
        key = elem.get("op_key") or _xml_required(elem, "id")
        resource, operation, interval = _split_op_key(key)
        task = elem.get("task")
        if task is not None and elem.get("interval") is not None:
            interval = _parse_ms(elem.get("interval", ""), f"interval of failure {key}")
            suffix = f"_{task}_{interval}"
            resource = key.removesuffix(suffix) if key.endswith(suffix) else resource
            operation = task
        actions.append(
            FailedAction(
                resource=resource,
                operation=operation,
                node=_xml_required(elem, "node"),
                interval_ms=interval,
                rc=_parse_int(elem.get("exitcode"), f"exitcode of failure {key}"),
                status=_xml_required(elem, "status"),
                exit_reason=elem.get("exitreason", ""),
                last_rc_change=parse_rc_change(elem.get("last-rc-change")),
            )
        )
    return actions


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


# --------------------------------------------------------------------------------------------
# Text: Pacemaker 1.0 (and 1.1) crm_mon -1 [-r] [-f] [-A]
# --------------------------------------------------------------------------------------------

# Lines of the header block; only "Current DC" carries anything the tests need.
_HEADER_RE = re.compile(
    r"^(=+|Last updated:.*|Last change:.*|Stack:.*|Version:.*"
    r"|\d+ (Nodes?|nodes?) configured.*|\d+ (Resources?|resources?) configured.*)$"
)
_DC_RE = re.compile(
    r"^Current DC: (?P<dc>\S+)(?: \([^)]*\))?(?: - partition (?P<quorum>with|WITHOUT) quorum)?$"
)
# A lone ':' (or '...') is how the seed articles mark lines they cut from the output.
_ELISION_RE = re.compile(r"^\s*(:|\.\.\.)\s*$")
_SECTIONS = {
    "Full list of resources:": "body",
    "Inactive resources:": "body",
    "Migration summary:": "migration",
    "Migration Summary:": "migration",
    "Operations:": "migration",
    "Failed actions:": "failed",
    "Failed Actions:": "failed",
    "Node Attributes:": "ignored",
    "Negative location constraints:": "ignored",
    "Negative Location Constraints:": "ignored",
    "Tickets:": "ignored",
    "Fencing History:": "ignored",
    "Failed Fencing Actions:": "ignored",
    "Pending Fencing Actions:": "ignored",
}
_NODE_LIST_RE = re.compile(
    r"^(?P<kind>Online|OFFLINE|RemoteOnline|RemoteOFFLINE|GuestOnline|GuestOFFLINE): "
    r"\[(?P<names>[^\]]*)\]$"
)
_NODE_LINE_RE = re.compile(r"^Node (?P<name>[^\s:]+)(?: \([^)]*\))?: (?P<mode>.+)$")
_GROUP_RE = re.compile(r"^Resource Group: (?P<id>[^\s:]+):?(?: .*)?$")
_CLONE_RE = re.compile(
    r"^(?:Clone Set|Master/Slave Set): (?P<id>[^\s:]+)(?: \[(?P<primitive>[^\]\s]+)\])?.*$"
)
_CLONE_ROLES = {"Started": "Started", "Stopped": "Stopped", "Masters": "Master", "Slaves": "Slave"}
_CLONE_SUMMARY_RE = re.compile(r"^(?P<role>Started|Stopped|Masters|Slaves): \[(?P<names>[^\]]*)\]$")
_RESOURCE_RE = re.compile(r"^(?P<id>[^\s(]+)\s+\((?P<agent>[^)]*)\):?\s*(?P<state>.*)$")
_MIGRATION_NODE_RE = re.compile(r"^Node:? (?P<node>[^\s:]+):(?:\s.*)?$")
_MIGRATION_RSC_RE = re.compile(r"^(?P<rsc>\S+): (?P<detail>migration-threshold=.*|orphan)$")
_FAILCOUNT_RE = re.compile(r"\bfail-count=(?P<count>\S+)")
_FAILED_START_RE = re.compile(r"^\S+ (?:\(node=|on \S+ ')")
_FAILED_10_RE = re.compile(r"^(?P<key>\S+) \((?P<fields>.*)\):\s*(?P<rc_text>.*)$")
_FAILED_11_RE = re.compile(
    r"^(?P<key>\S+) on (?P<node>\S+) '(?P<rc_text>[^']*)' \((?P<rc>-?\d+)\): (?P<fields>.*)$"
)
_FIELD_RE = re.compile(r"(?P<key>[\w-]+)=(?P<value>'[^']*'|[^,]*)")


@dataclass
class _TextParser:
    """Line-by-line state machine over crm_mon text.

    crm_mon text has no closing markers, so the parser tracks which section it is in (from
    the section headings) and which group/clone a resource line belongs to (from
    indentation: members are indented deeper than their ``Resource Group:`` line).
    """

    mode: str = "body"
    dc: str | None = None
    quorum: bool | None = None
    nodes: dict[str, Node] = field(default_factory=dict)
    resources: dict[str, Resource] = field(default_factory=dict)
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    failcounts: dict[tuple[str, str], int] = field(default_factory=dict)
    failed_entries: list[tuple[int, str]] = field(default_factory=list)
    containers: list[tuple[int, str, str]] = field(default_factory=list)  # (indent, kind, id)
    migration_node: str | None = None

    def feed(self, lineno: int, raw: str) -> None:
        """Classify one line and hand it to the handler of the current section."""
        line = raw.rstrip()
        if not line.strip() or _ELISION_RE.match(line):
            return
        indent = len(line) - len(line.lstrip())
        body = line.strip().removeprefix("* ").strip()
        if self._header(body):
            return
        if body in _SECTIONS:
            self.mode = _SECTIONS[body]
            self.containers.clear()
            return
        handler = {
            "body": self._body,
            "migration": self._migration,
            "failed": self._failed,
            "ignored": lambda *_: None,
        }[self.mode]
        try:
            handler(indent, body, lineno)
        except ParseError as exc:
            raise ParseError(f"crm_mon text line {lineno}: {exc}: {raw.strip()!r}") from None

    def _header(self, body: str) -> bool:
        """Consume header lines; remember the DC and quorum."""
        dc_match = _DC_RE.match(body)
        if dc_match:
            if dc_match["dc"] != "NONE":
                self.dc = dc_match["dc"]
                self.quorum = None if dc_match["quorum"] is None else dc_match["quorum"] == "with"
            return True
        return bool(_HEADER_RE.match(body))

    # -- node and resource list -------------------------------------------------------------

    def _body(self, indent: int, body: str, lineno: int) -> None:
        """Node lines, group/clone headings and resource lines."""
        if self._node_list(body) or self._node_line(body):
            self.containers.clear()
            return
        self._close_containers(indent)
        for regex, handler in (
            (_GROUP_RE, self._open_group),
            (_CLONE_RE, self._open_clone),
            (_CLONE_SUMMARY_RE, self._clone_summary),
            (_RESOURCE_RE, self._resource_line),
        ):
            match = regex.match(body)
            if match:
                handler(indent, match)
                return
        raise ParseError("unrecognised line (parse_text reads Pacemaker 1.0/1.1 crm_mon text)")

    def _node_list(self, body: str) -> bool:
        """'Online: [ s1 s2 ]' / 'OFFLINE: [ s2 ]' (plus 1.1's remote/guest variants)."""
        match = _NODE_LIST_RE.match(body)
        if not match:
            return False
        online = match["kind"].endswith("Online")
        for name in match["names"].split():
            name = name.split("@", 1)[0]  # guest nodes print as guest@host
            self.nodes[name] = Node(name=name, online=online, standby=False)
        return True

    def _node_line(self, body: str) -> bool:
        """'Node s1 (uuid): standby' and the other per-node states crm_mon spells out."""
        match = _NODE_LINE_RE.match(body)
        if not match:
            return False
        name, mode = match["name"], match["mode"]
        online, standby, unclean = _node_mode(mode)
        self.nodes[name] = Node(name=name, online=online, standby=standby, unclean=unclean)
        return True

    def _close_containers(self, indent: int) -> None:
        """Leave every group/clone whose heading is not shallower than this line."""
        while self.containers and self.containers[-1][0] >= indent:
            self.containers.pop()

    def _open_group(self, indent: int, match: re.Match[str]) -> None:
        self.containers.append((indent, "group", match["id"]))
        self.groups.setdefault(match["id"], ())

    def _open_clone(self, indent: int, match: re.Match[str]) -> None:
        self.containers.append((indent, "clone", match["primitive"] or match["id"]))

    def _clone_summary(self, indent: int, match: re.Match[str]) -> None:
        """'Started: [ s1 s2 ]' under a clone: the clone's primitive is active there."""
        if not self.containers or self.containers[-1][1] != "clone":
            raise ParseError("clone summary outside a Clone Set")
        rsc_id = self.containers[-1][2]
        active = match["role"] != "Stopped"
        nodes = tuple(match["names"].split()) if active else ()
        role = _CLONE_ROLES[match["role"]]
        _add_resource(self.resources, Resource(rsc_id, "", role, nodes))

    def _resource_line(self, indent: int, match: re.Match[str]) -> None:
        """'httpd (ocf::heartbeat:apache): Started s1' and its variants."""
        group = None
        if self.containers and self.containers[-1][1] == "group":
            group = self.containers[-1][2]
        role, nodes, failed, managed = _resource_state(match["state"])
        agent = match["agent"].replace("ORPHANED", "")
        rsc = Resource(match["id"], _normalise_agent(agent), role, nodes, group, failed, managed)
        _add_resource(self.resources, rsc)
        if group is not None and rsc.id not in self.groups[group]:
            self.groups[group] += (rsc.id,)

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
            count = _parse_count(count_match["count"], f"fail-count of {rsc_match['rsc']}")
            if count:
                self.failcounts[(rsc_match["rsc"], self.migration_node)] = count

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
        if not self.nodes:
            raise ParseError(
                "no node lines ('Online: [ ... ]', 'OFFLINE: [ ... ]', 'Node <name>: <state>') "
                "found; is this crm_mon text output?"
            )
        return _build_state(
            self.dc,
            self.quorum,
            self.nodes,
            self.resources,
            self.groups,
            self.failcounts,
            (_failed_action_text(lineno, entry) for lineno, entry in self.failed_entries),
        )


def _node_mode(mode: str) -> tuple[bool, bool, bool]:
    """(online, standby, unclean) from 1.0/1.1's node mode words, e.g. 'OFFLINE (standby)'."""
    first = mode.split()[0]
    unclean = first == "UNCLEAN"
    if unclean:
        online = "(online)" in mode
    elif first in ("OFFLINE", "pending"):
        online = False
    elif first in ("online", "standby", "maintenance"):
        online = True
    else:
        raise ParseError(f"unknown node state {mode!r}")
    return online, "standby" in mode, unclean


def _resource_state(state: str) -> tuple[str, tuple[str, ...], bool, bool]:
    """(role, nodes, failed, managed) from the text after a resource's '(agent):'.

    Forms: 'Started s1', 'Stopped', 'Started [ s2 s1 ]' (multiple-active), 'Started s1
    (unmanaged) FAILED' (1.0), 'FAILED s1' (1.1+), ' ORPHANED Started s1' (1.0 orphans);
    other parenthesised notes such as '(disabled)' or '(failure ignored)' carry nothing the
    tests use.
    """
    flags = re.findall(r"\(([^)]*)\)", state)
    rest = re.sub(r"\([^)]*\)", " ", state)
    nodes: tuple[str, ...] = ()
    bracket = re.search(r"\[([^\]]*)\]", rest)
    if bracket:
        nodes = tuple(bracket.group(1).split())
        rest = rest[: bracket.start()] + " " + rest[bracket.end() :]
    words = [word for word in rest.split() if word != "ORPHANED"]
    if not words:
        raise ParseError("resource line has no role")
    role, *others = words
    failed = role == "FAILED" or "FAILED" in others
    others = [word for word in others if word != "FAILED"]
    if role == "FAILED":
        role = "Failed"
    if others:
        if bracket or len(others) > 1:
            raise ParseError(f"cannot tell the node(s) from {state.strip()!r}")
        nodes = (others[0],)
    return role, nodes, failed, "unmanaged" not in flags


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
    resource, operation, interval = _split_op_key(match["key"])
    return FailedAction(
        resource=resource,
        operation=operation,
        node=node,
        interval_ms=interval,
        rc=_parse_int(rc, f"{what}: rc"),
        status=status,
        exit_reason=fields.get("exitreason", ""),
    )


def parse_text(text: str) -> ClusterState:
    """Parse Pacemaker 1.0/1.1 ``crm_mon`` text (``-1``, ``-f``, ``-A``, ``-r`` all fine)."""
    if not text.strip():
        raise ParseError("empty crm_mon text output")
    parser = _TextParser()
    for lineno, raw in enumerate(text.splitlines(), start=1):
        parser.feed(lineno, raw)
    return parser.finish()


def parse(text: str) -> ClusterState:
    """Parse either format: XML starts with '<', everything else is treated as text."""
    if text.lstrip().startswith("<"):
        return parse_xml(text)
    return parse_text(text)
