"""crm_mon XML -> ClusterState: 2.x ``--output-as=xml`` and the legacy ``--as-xml`` document.

Both carry the same elements below their root (``<pacemaker-result>`` in 2.x, ``<crm_mon
version="1.1.x">`` from 1.1 and from 2.0's ``--as-xml``); the element and attribute names
follow ``lib/pengine/pe_output.c`` (2.x) and ``tools/crm_mon.c`` with ``lib/pengine/native.c``,
``group.c``, ``clone.c``, ``bundle.c`` (1.1) in ClusterLabs/pacemaker. Every element under
``<resources>`` is one of ``resource``, ``group``, ``clone``, ``bundle`` (with ``replica``);
anything else is refused by name rather than skipped.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from pytest_hacluster.crm_status.build import (
    StateBuilder,
    normalise_agent,
    parse_count,
    parse_int,
    parse_ms,
    parse_rc_change,
    split_op_key,
)
from pytest_hacluster.crm_status.model import (
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

# Agents of a bundle replica's own resources (bundle.c: the container, its IP, its remote
# connection); whatever else a replica holds is the bundled primitive.
_CONTAINER_AGENTS = {"ocf:heartbeat:docker", "ocf:heartbeat:podman", "ocf:heartbeat:rkt"}
_REMOTE_AGENT = "ocf:pacemaker:remote"


def parse_xml(text: str) -> ClusterState:
    """Parse ``crm_mon --output-as=xml`` (2.x) or ``crm_mon --as-xml`` (1.1, 2.0) output.

    Raises ParseError for anything else: an error report, a truncated document, an element
    under ``<resources>`` this reader does not know, a role that is not Pacemaker's.
    """
    root = _root(text)
    found = StateBuilder()
    found.dc, found.quorum, found.maintenance_mode = _summary(root.find("summary"))
    found.nodes = _nodes(root)
    resources = root.find("resources")
    for elem in resources if resources is not None else ():
        _collect(elem, found, group=None, clone=None)
    found.failcounts = _failcounts(root.find("node_history"))
    found.failed_actions = _failures(root.find("failures"))
    return found.build()


def _root(text: str) -> ET.Element:
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
        raise ParseError(f"crm_mon XML has no <nodes> section{_status_detail(root)}")
    return root


def _status_detail(root: ET.Element) -> str:
    """2.x reports failures in <status code message><errors><error>; 2.1.5 even says code 0."""
    status = root.find("status")
    if status is None:
        return ""
    errors = [(err.text or "").strip() for err in status.iter("error")]
    detail = f": status {status.get('code')} {status.get('message')!r}"
    return detail + (f", errors: {'; '.join(errors)}" if errors else "")


def _bool(elem: ET.Element, attr: str, default: bool | None = None) -> bool:
    """A "true"/"false" attribute; missing is an error unless a default is given."""
    value = elem.get(attr)
    if value is None:
        if default is None:
            raise ParseError(f"<{elem.tag} {_ident(elem)}> lacks attribute {attr!r}")
        return default
    if value not in ("true", "false"):
        raise ParseError(f"<{elem.tag} {_ident(elem)}> {attr}={value!r} is not true/false")
    return value == "true"


def _ident(elem: ET.Element) -> str:
    """How to name an element in an error message."""
    for attr in ("id", "name", "op_key"):
        if elem.get(attr) is not None:
            return f'{attr}="{elem.get(attr)}"'
    return ""


def _required(elem: ET.Element, attr: str) -> str:
    """An attribute the format always has; its absence means this is not crm_mon output."""
    value = elem.get(attr)
    if value is None:
        raise ParseError(f"<{elem.tag} {_ident(elem)}> lacks attribute {attr!r}")
    return value


def _summary(summary: ET.Element | None) -> tuple[str | None, bool | None, bool | None]:
    """DC name, quorum (both None when there is no DC to ask) and maintenance-mode."""
    if summary is None:
        return None, None, None
    options = summary.find("cluster_options")
    maintenance = None if options is None else _bool(options, "maintenance-mode", False)
    current_dc = summary.find("current_dc")
    if current_dc is None or current_dc.get("present") != "true":
        return None, None, maintenance
    return _required(current_dc, "name"), _bool(current_dc, "with_quorum"), maintenance


def _nodes(root: ET.Element) -> dict[str, Node]:
    """The <nodes> list (guaranteed present by _root)."""
    nodes: dict[str, Node] = {}
    nodes_elem = root.find("nodes")
    for elem in nodes_elem.findall("node") if nodes_elem is not None else ():
        name = _required(elem, "name")
        pending = _bool(elem, "pending", default=False)
        kind = elem.get("type", "member")
        if kind not in ("member", "remote"):
            raise ParseError(f"<node {_ident(elem)}> type={kind!r} is not member or remote")
        if kind == "remote" and elem.get("id_as_resource"):
            kind = "guest"  # a remote node inside a resource (VM or bundle replica)
        nodes[name] = Node(
            name=name,
            online=_bool(elem, "online") and not pending,
            standby=_bool(elem, "standby"),
            unclean=_bool(elem, "unclean", default=False),
            is_dc=_bool(elem, "is_dc", default=False),
            pending=pending,
            maintenance=_bool(elem, "maintenance", default=False),
            standby_onfail=_bool(elem, "standby_onfail", default=False),
            shutdown=_bool(elem, "shutdown", default=False),
            kind=kind,
        )
    return nodes


def _collect(elem: ET.Element, found: StateBuilder, group: str | None, clone: str | None) -> None:
    """One element under <resources> (or inside a clone), recursively."""
    if elem.tag == "resource":
        found.add_resource(_resource(elem, group, clone))
    elif elem.tag == "group":
        _group(elem, found, clone)
    elif elem.tag == "clone":
        if clone is not None:
            raise ParseError(f"<clone {_ident(elem)}> inside clone {clone}: not a Pacemaker layout")
        _clone(elem, found)
    elif elem.tag == "bundle":
        _bundle(elem, found)
    else:
        raise ParseError(f"unknown element <{elem.tag} {_ident(elem)}> in crm_mon <resources>")


def _resource(elem: ET.Element, group: str | None, clone: str | None) -> Resource:
    """One <resource>: its <node> children are where it is active (``active="true"``), in its
    role."""
    rid = _required(elem, "id")
    role = role_name(_required(elem, "role"), f"<resource id={rid!r}>")
    nodes = tuple(_required(node, "name") for node in elem.findall("node"))
    if not _bool(elem, "active", default=True):
        # An instance Pacemaker no longer counts as running (its guest node's host is unclean,
        # say) still lists the node it was last seen on, with cached="false": not a placement.
        nodes = ()
    return Resource(
        id=configured_id(rid) if clone else rid,
        agent=normalise_agent(elem.get("resource_agent", "")),
        roles=tuple((node, role) for node in nodes),
        group=group,
        clone=clone,
        failed=_bool(elem, "failed", default=False),
        managed=_bool(elem, "managed", default=True),
        orphaned=_bool(elem, "orphaned", default=False),
    )


def _group(elem: ET.Element, found: StateBuilder, clone: str | None) -> Group:
    gid = _required(elem, "id")
    configured = configured_id(gid) if clone else gid
    members = []
    for child in elem:
        if child.tag != "resource":
            raise ParseError(
                f"<{child.tag} {_ident(child)}> inside group {gid}: expected <resource>"
            )
        members.append(_resource(child, configured, clone))
    for member in members:
        found.add_resource(member)
    group = Group(gid, tuple(members), clone)
    found.add_group(group)
    return group


def _clone(elem: ET.Element, found: StateBuilder) -> None:
    """<clone multi_state="true|false">: instances are <resource> or <group> children."""
    cid = _required(elem, "id")
    promotable = _bool(elem, "multi_state", default=False)
    roles: list[tuple[str, str]] = []
    groups: list[str] = []
    children: list[str] = []
    for child in elem:
        if child.tag == "resource":
            rsc = _resource(child, None, cid)
            found.add_resource(rsc)
            roles += rsc.roles
            children.append(rsc.id)
        elif child.tag == "group":
            group = _group(child, found, cid)
            groups.append(group.id)
            children.append(configured_id(group.id))
            roles += _group_instance_roles(group)
        else:
            raise ParseError(
                f"<{child.tag} {_ident(child)}> inside clone {cid}: not a clone instance"
            )
    distinct = list(dict.fromkeys(children))
    if len(distinct) > 1:
        raise ParseError(
            f"clone {cid} lists instances of {', '.join(distinct)}: expected one child"
        )
    resources = tuple(dict.fromkeys(
        r.id for g in groups for r in found.groups[g].resources
    )) if groups else tuple(distinct)
    found.add_clone(Clone(
        id=cid,
        kind="promotable" if promotable else "clone",
        child=distinct[0] if distinct else None,
        roles=tuple(roles),
        groups=tuple(groups),
        resources=resources,
        unique=_bool(elem, "unique", default=False),
        managed=_bool(elem, "managed", default=True),
        failed=_bool(elem, "failed", default=False),
    ))


def _group_instance_roles(group: Group) -> list[tuple[str, str]]:
    """A cloned group instance's (node, role): its role on its one node, Partial on each node
    of a split one, nothing when stopped."""
    if group.role == STOPPED:
        return []
    if group.started_on is not None:
        return [(group.started_on, group.role)]
    return [(node, group.role) for node in sorted(group.nodes)]


def _bundle(elem: ET.Element, found: StateBuilder) -> None:
    """<bundle> with <replica id> children, each: [ip,] [primitive,] container, [remote]."""
    bid = _required(elem, "id")
    replicas: list[Replica] = []
    roles: list[tuple[str, str]] = []
    inner: list[str] = []
    for replica in elem:
        if replica.tag != "replica":
            raise ParseError(
                f"<{replica.tag} {_ident(replica)}> inside bundle {bid}: expected <replica>"
            )
        members = [_resource(r, None, bid) for r in replica]
        bad = [r for r in replica if r.tag != "resource"]
        if bad:
            raise ParseError(f"<{bad[0].tag}> inside bundle {bid} replica: expected <resource>")
        for rsc in members:
            found.add_resource(rsc)
        container = next((r for r in members if r.agent in _CONTAINER_AGENTS), None)
        remote = next((r for r in members if r.agent == _REMOTE_AGENT), None)
        ip = next((r for r in members if r.id.startswith(f"{bid}-ip-")), None)
        primitives = [r for r in members if r not in (container, remote, ip)]
        if container is None or len(primitives) > 1:
            raise ParseError(
                f"bundle {bid} replica {replica.get('id')}: expected one container resource "
                f"and at most one bundled primitive, got {', '.join(r.id for r in members)}"
            )
        primitive = primitives[0] if primitives else None
        inner += [primitive.id] if primitive else []
        roles += primitive.roles if primitive else []
        shown = primitive or container
        replicas.append(Replica(
            id=_required(replica, "id"),
            host=container.nodes[0] if container.nodes else None,
            guest=remote.id if remote else None,
            role=shown.roles[0][1] if shown.roles else STOPPED,
            resources=tuple(r.id for r in members),
        ))
    found.add_clone(Clone(
        id=bid,
        kind="bundle",
        child=inner[0] if inner else None,
        roles=tuple(roles),
        resources=tuple(dict.fromkeys(inner)),
        replicas=tuple(replicas),
        unique=_bool(elem, "unique", default=False),
        managed=_bool(elem, "managed", default=True),
        failed=_bool(elem, "failed", default=False),
    ))


def _failcounts(history: ET.Element | None) -> dict[tuple[str, str], int]:
    """Non-zero fail-count attributes from <node_history><node><resource_history>."""
    counts: dict[tuple[str, str], int] = {}
    for node in history if history is not None else ():
        node_name = _required(node, "name")
        for rsc in node.findall("resource_history"):
            value = rsc.get("fail-count")
            if value is None:
                continue
            rsc_id = configured_id(_required(rsc, "id"))
            count = parse_count(value, f"fail-count of {rsc_id} on {node_name}")
            if count:
                counts[(rsc_id, node_name)] = max(count, counts.get((rsc_id, node_name), 0))
    return counts


def _failures(failures: ET.Element | None) -> list[FailedAction]:
    """<failures><failure .../>: 2.x and 1.1 carry the same attributes.

    1.1 omits ``task``/``interval`` when the failure has no last-rc-change, and very old
    entries carry ``id`` instead of ``op_key``; both cases fall back to splitting the key.
    """
    actions = []
    for elem in failures if failures is not None else ():
        key = elem.get("op_key") or _required(elem, "id")
        resource, operation, interval = split_op_key(key)
        task = elem.get("task")
        if task is not None and elem.get("interval") is not None:
            interval = parse_ms(elem.get("interval", ""), f"interval of failure {key}")
            suffix = f"_{task}_{interval}"
            resource = key.removesuffix(suffix) if key.endswith(suffix) else resource
            operation = task
        actions.append(
            FailedAction(
                resource=configured_id(resource),
                operation=operation,
                node=_required(elem, "node"),
                interval_ms=interval,
                rc=parse_int(elem.get("exitcode"), f"exitcode of failure {key}"),
                status=_required(elem, "status"),
                exit_reason=elem.get("exitreason", ""),
                last_rc_change=parse_rc_change(elem.get("last-rc-change")),
            )
        )
    return actions
