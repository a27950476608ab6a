"""Did a CIB change take? What an edit should leave in the CIB, read from the CIB's XML.

Every change the suite makes to the cluster (crmsh on the live cluster, ``faults.CrmOperation``)
or to a CIB copy (Pacemaker's own tools with ``CIB_file``, ``oracle.Oracle``) is read back from
the CIB it was made to: crmsh can exit 0 having done nothing (measured, crmsh 4.4.1: ``crm node
standby s2`` with s2 unreachable), and a test would then watch a change that never happened.

The edits understood are the ones the suite makes, written with Pacemaker's tools (the places
are what Pacemaker 2.1.5 writes, measured with ``CIB_file`` in ``tests/unit/test_cib_readback.py``;
the CIB schema keeps them in 2.0 and 3.0):

- ``crm_attribute --node N [--lifetime reboot] --name A --update V | --delete``: an nvpair in
  the node's ``instance_attributes`` in ``configuration/nodes`` ("forever", the default) or
  in ``status/node_state/transient_attributes`` ("reboot");
- ``crm_resource --resource R --meta --set-parameter A --parameter-value V`` or
  ``--delete-parameter A``: an nvpair in R's own ``meta_attributes``;
- ``crm_resource --move --resource R --node N [--promoted | --master]``: ``rsc_location
  id="cli-prefer-R" node="N"`` (with ``role="Promoted"``, 2.0: ``"Master"``, for the
  Promoted role alone);
- ``crm_resource --ban --resource R --node N``: ``rsc_location id="cli-ban-R-on-N"``;
- ``crm_resource --clear --resource R``: no ``cli-prefer-``/``cli-ban-`` location of R left.

``cibadmin`` edits (the oracle's deletions of history entries) are not read back:
``readback`` gives None for them. Any other ``crm_attribute``/``crm_resource`` form raises
``ReadbackError`` naming the edit, never a silent "it took".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ABSENT = "absent"
# Options of the understood forms that take a value, and those that do not.
_VALUED = frozenset({"--node", "--name", "--update", "--lifetime", "--resource",
                     "--set-parameter", "--parameter-value", "--delete-parameter"})
_FLAGS = frozenset({"--delete", "--meta", "--move", "--ban", "--clear", "--promoted",
                    "--master"})
# Role names as the CIB may hold them: schema 3.7 on (Pacemaker 2.1, 3.0) writes "Promoted",
# Pacemaker 2.0 "Master" (Pacemaker Explained 2.1, "Role names"; dialect.py).
_ROLE_NAMES = {"Master": "Promoted", "Slave": "Unpromoted"}
_RESOURCE_TAGS = ("primitive", "group", "clone", "master", "bundle")


class ReadbackError(ValueError):
    """An edit whose effect on the CIB this module does not know, or a text that is no CIB."""


@dataclass(frozen=True)
class Readback:
    """What one edit should leave in the CIB: ``what`` (e.g. "the standby attribute of node
    s2"), the ``wanted`` reading ("on", "absent", "s2", ...) and the function that reads it
    from the CIB's root element."""

    edit: tuple[str, ...]
    what: str
    wanted: str
    read: Callable[[ET.Element], str]

    def held(self, cib_xml: str) -> str:
        """What the CIB (``cibadmin --query``'s text) holds where the edit writes.
        ``ReadbackError`` if the text is no CIB."""
        try:
            root = ET.fromstring(cib_xml.strip())
        except ET.ParseError as exc:
            raise ReadbackError(f"reading back {' '.join(self.edit)}: no CIB ({exc})") from None
        if root.tag != "cib":
            raise ReadbackError(f"reading back {' '.join(self.edit)}: expected <cib>, "
                                f"got <{root.tag}>")
        return self.read(root)

    def mismatch(self, cib_xml: str) -> str | None:
        """None if the edit took; else "WHAT is HELD, not WANTED"."""
        held = self.held(cib_xml)
        return None if held == self.wanted else f"{self.what} is {held!r}, not {self.wanted!r}"


def readback(edit: Sequence[str]) -> Readback | None:
    """The ``Readback`` of an edit (an argument list, as run), None for a ``cibadmin`` edit.
    ``ReadbackError`` naming the edit for a ``crm_attribute``/``crm_resource`` form not listed
    in this module's docstring, or any other program."""
    edit = tuple(edit)
    if edit and edit[0] == "cibadmin":
        return None
    options = _options(edit)
    if edit[0] == "crm_attribute":
        return _node_attribute(edit, options)
    if edit[0] == "crm_resource":
        return _resource(edit, options)
    raise ReadbackError(f"cannot read back {' '.join(edit)}: not a crm_attribute, "
                        "crm_resource or cibadmin edit")


def _options(edit: tuple[str, ...]) -> dict[str, str]:
    if not edit:
        raise ReadbackError("cannot read back an empty edit")
    options: dict[str, str] = {}
    args = iter(edit[1:])
    for arg in args:
        if arg in _FLAGS:
            options[arg] = ""
        elif arg in _VALUED:
            value = next(args, None)
            if value is None:
                raise ReadbackError(f"cannot read back {' '.join(edit)}: {arg} has no value")
            options[arg] = value
        else:
            raise ReadbackError(f"cannot read back {' '.join(edit)}: {arg!r} is not understood")
    return options


def _need(edit: tuple[str, ...], options: dict[str, str], *names: str) -> list[str]:
    missing = [n for n in names if n not in options]
    if missing:
        raise ReadbackError(f"cannot read back {' '.join(edit)}: no {', '.join(missing)}")
    return [options[n] for n in names]


def _nvpair(parents: list[ET.Element], name: str) -> str:
    """The value of the nvpair ``name`` in these attribute sets, ``ABSENT`` if none has it;
    two different values are read as both ("a|b"), which no single edit wants."""
    values = sorted({nv.get("value", "") for p in parents for nv in p.findall("nvpair")
                     if nv.get("name") == name})
    return "|".join(values) if values else ABSENT


def _node_attribute(edit: tuple[str, ...], options: dict[str, str]) -> Readback:
    node, name = _need(edit, options, "--node", "--name")
    lifetime = options.get("--lifetime", "forever")
    if lifetime not in ("forever", "reboot"):
        raise ReadbackError(f"cannot read back {' '.join(edit)}: lifetime {lifetime!r}")
    if ("--update" in options) == ("--delete" in options):
        raise ReadbackError(f"cannot read back {' '.join(edit)}: neither one --update nor "
                            "--delete")
    wanted = options.get("--update", ABSENT)

    def read(root: ET.Element) -> str:
        if lifetime == "reboot":
            holders = [s for s in root.iterfind("status/node_state") if s.get("uname") == node]
            sets = [i for h in holders for i in h.iterfind("transient_attributes/"
                                                            "instance_attributes")]
        else:
            holders = [n for n in root.iterfind("configuration/nodes/node")
                       if n.get("uname") == node]
            sets = [i for h in holders for i in h.findall("instance_attributes")]
        return _nvpair(sets, name)

    where = "transient " if lifetime == "reboot" else ""
    return Readback(edit, f"the {where}{name} attribute of node {node}", wanted, read)


def _resource(edit: tuple[str, ...], options: dict[str, str]) -> Readback:
    (resource,) = _need(edit, options, "--resource")
    if "--meta" in options:
        return _meta(edit, options, resource)
    if "--move" in options:
        (node,) = _need(edit, options, "--node")
        cid = f"cli-prefer-{resource}"
        if "--promoted" in options or "--master" in options:
            return Readback(edit, f"the location constraint {cid}", f"{node} (Promoted)",
                            lambda root: _promoted_location(root, cid))
        return Readback(edit, f"the location constraint {cid}", node,
                        lambda root: _location(root, cid, "node"))
    if "--ban" in options:
        (node,) = _need(edit, options, "--node")
        cid = f"cli-ban-{resource}-on-{node}"
        return Readback(edit, f"the location constraint {cid}", "-INFINITY",
                        lambda root: _location(root, cid, "score"))
    if "--clear" in options:
        return Readback(edit, f"the cli-prefer/cli-ban constraints of {resource}", ABSENT,
                        lambda root: _cli_constraints(root, resource))
    raise ReadbackError(f"cannot read back {' '.join(edit)}: neither --meta, --move, --ban "
                        "nor --clear")


def _meta(edit: tuple[str, ...], options: dict[str, str], resource: str) -> Readback:
    if "--set-parameter" in options:
        name, wanted = _need(edit, options, "--set-parameter", "--parameter-value")
    elif "--delete-parameter" in options:
        name, wanted = options["--delete-parameter"], ABSENT
    else:
        raise ReadbackError(f"cannot read back {' '.join(edit)}: neither --set-parameter nor "
                            "--delete-parameter")

    def read(root: ET.Element) -> str:
        elements = [e for tag in _RESOURCE_TAGS
                    for e in root.iterfind(f"configuration/resources//{tag}")
                    if e.get("id") == resource]
        if not elements:
            return f"no resource {resource} in the CIB"
        return _nvpair([m for e in elements for m in e.findall("meta_attributes")], name)

    return Readback(edit, f"the {name} meta attribute of {resource}", wanted, read)


def _location(root: ET.Element, cid: str, attribute: str) -> str:
    found = [c for c in root.iterfind("configuration/constraints/rsc_location")
             if c.get("id") == cid]
    return found[0].get(attribute, f"without {attribute}") if found else ABSENT


def _promoted_location(root: ET.Element, cid: str) -> str:
    node = _location(root, cid, "node")
    if node == ABSENT:
        return ABSENT
    role = _location(root, cid, "role")
    return f"{node} ({_ROLE_NAMES.get(role, role)})"


def _cli_constraints(root: ET.Element, resource: str) -> str:
    left = sorted(c.get("id", "") for c in root.iterfind("configuration/constraints/rsc_location")
                  if c.get("rsc") == resource
                  and c.get("id", "").startswith(("cli-prefer-", "cli-ban-")))
    return ", ".join(left) if left else ABSENT


__all__ = ["ABSENT", "Readback", "ReadbackError", "readback"]
