"""Clones and constraints as data, in crm's own names, and what Pacemaker accepts of them.

``[tool.hacluster.clones.ID]`` clones a standalone primitive (``[tool.hacluster.primitives.ID]``)
or a group of standalone primitives made for the clone (``members``), with the clone's
meta-attributes. ``[tool.hacluster.locations.ID]``, ``colocations.ID`` and ``orders.ID`` are
crm's ``location``, ``colocation`` and ``order``:

- ``location ID RSC SCORE: NODE`` or ``location ID RSC rule SCORE: EXPRESSION``;
- ``colocation ID SCORE: RSC WITH-RSC``;
- ``order ID KIND: FIRST THEN`` (or ``SCORE:``), with ``symmetrical``.

Pure: the checks here take values and the ``where`` to name in an error, and raise
``ValueError`` subclasses the description turns into ``ConfigError``; the crm text is rendered
by ``render.constraint_configuration``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


class ConstraintError(ValueError):
    """A clone or constraint Pacemaker would refuse or ignore; the message names the key."""


@dataclass(frozen=True)
class CloneSpec:
    """A clone (crm ``clone ID RSC meta ...``).

    ``rsc`` is the cloned resource: a standalone primitive's id, or, when ``members`` is given,
    the id of a group of those standalone primitives (in start order) made for this clone.
    ``meta`` is the clone's meta-attributes by Pacemaker's names (``clone-max``,
    ``clone-node-max``, ``interleave``, ``globally-unique``, ``promotable``...).
    """

    id: str
    rsc: str
    members: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str | None:
        """The group made for the clone, None when it clones a primitive."""
        return self.rsc if self.members else None

    @property
    def primitives(self) -> tuple[str, ...]:
        """The primitives cloned: the group's members, or the one primitive."""
        return self.members or (self.rsc,)


@dataclass(frozen=True)
class Location:
    """crm ``location``: ``rsc`` on ``node`` with ``score``, or where ``rule`` (a crm rule
    expression: ``defined ATTR``, ``not_defined ATTR``, ``ATTR [TYPE:]OP VALUE`` with OP one
    of lt, gt, lte, gte, eq, ne and TYPE string, integer, number or version, joined by
    ``and`` / ``or``) holds, with ``score``."""

    id: str
    rsc: str
    score: str
    node: str = ""
    rule: str = ""


@dataclass(frozen=True)
class Colocation:
    """crm ``colocation ID SCORE: RSC WITH-RSC``: place ``rsc`` relative to ``with_rsc``
    (INFINITY: on the same node; -INFINITY: never on the same node)."""

    id: str
    score: str
    rsc: str
    with_rsc: str


@dataclass(frozen=True)
class Order:
    """crm ``order ID KIND: FIRST THEN``: start ``first`` before ``then``. ``kind`` is
    ``Mandatory``, ``Optional`` or ``Serialize``; ``score`` is the older form (0: Optional,
    else Mandatory). ``symmetrical`` None leaves Pacemaker's default (true, but false for
    Serialize)."""

    id: str
    first: str
    then: str
    kind: str = ""
    score: str = ""
    symmetrical: bool | None = None


ORDER_KINDS = ("Mandatory", "Optional", "Serialize")
# The ping check's primitive (render.ping_configuration): its clone is ``<it>_clone`` and its
# location rules ``<group>_on_connected``; described ids must not take them.
PING_RESOURCE = "ping_gw"

# Meta-attributes Pacemaker reads on a clone (Pacemaker Explained 2.1, "Clone Options"), by
# their values' kind; the clone also takes every resource meta-attribute (config.RESOURCE_META).
CLONE_INTEGER_META = ("clone-max", "clone-node-max", "clone-min", "promoted-max",
                      "promoted-node-max")
CLONE_BOOLEAN_META = ("notify", "globally-unique", "ordered", "interleave", "promotable")
# Pacemaker's booleans (crm_str_to_boolean: lib/common/strings.c).
_BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off", "y", "n", "1", "0"})

_SCORE_RE = re.compile(r"^([+-]?INFINITY|[+-]?\d+)$")
_RULE_OPS = ("lt", "gt", "lte", "gte", "eq", "ne")
_RULE_TYPES = ("string", "integer", "number", "version")
_ATTR_RE = re.compile(r"^#?[A-Za-z_][A-Za-z0-9_.:-]*$")
_VALUE_RE = re.compile(r"^[A-Za-z0-9_.:+-]+$")


def check_score(value: str, where: str) -> None:
    """An integer or ``INFINITY``, ``+INFINITY``, ``-INFINITY`` (Pacemaker's scores);
    ConstraintError naming ``where`` otherwise."""
    if not _SCORE_RE.match(value):
        raise ConstraintError(f"{where}: {value!r} is not a score (an integer, INFINITY, "
                              "+INFINITY or -INFINITY)")


def score_value(value: str) -> float:
    """A score as a number: ``±INFINITY`` as ``±inf``."""
    if value.lstrip("+-") == "INFINITY":
        return float("-inf") if value.startswith("-") else float("inf")
    return float(int(value))


def check_rule(text: str, where: str) -> None:
    """A crm rule expression this description can render and its checks can read: node
    attribute tests joined by ``and`` / ``or`` (no date expressions); ConstraintError naming
    ``where`` and the word not understood."""
    words = text.split()
    if not words:
        raise ConstraintError(f"{where}: empty rule")
    joins = set()
    i = 0
    while True:
        if i < len(words) and words[i] in ("defined", "not_defined"):
            i = _expect_attribute(words, i + 1, where)
        else:
            i = _expect_attribute(words, i, where)
            kind, _, op = words[i].rpartition(":") if i < len(words) else ("", "", "")
            if op not in _RULE_OPS or (kind and kind not in _RULE_TYPES):
                got = words[i] if i < len(words) else "the end"
                raise ConstraintError(f"{where}: expected one of {', '.join(_RULE_OPS)} (with "
                                      f"a type: {'|'.join(_RULE_TYPES)}:lte) or (not_)defined "
                                      f"in {text!r}, got {got}")
            if i + 1 >= len(words) or not _VALUE_RE.match(words[i + 1]):
                raise ConstraintError(f"{where}: expected a value after {words[i]} in {text!r}")
            i += 2
        if i == len(words):
            break
        if words[i] not in ("and", "or"):
            raise ConstraintError(f"{where}: expected 'and' or 'or' in {text!r}, got {words[i]}")
        joins.add(words[i])
        i += 1
    if len(joins) > 1:
        raise ConstraintError(f"{where}: crm rules join with 'and' or with 'or', not both: "
                              f"{text!r}")


def _expect_attribute(words: list[str], i: int, where: str) -> int:
    if i < len(words) and words[i] == "date":  # crm's keyword for a date expression
        raise ConstraintError(f"{where}: date expressions are not supported here; test node "
                              "attributes (defined, not_defined, lt, gt, lte, gte, eq, ne)")
    if i >= len(words) or not _ATTR_RE.match(words[i]) or words[i] in ("and", "or"):
        got = words[i] if i < len(words) else "the end"
        raise ConstraintError(f"{where}: expected a node attribute name, got {got}")
    return i + 1


def check_clone_meta(meta: dict[str, str], known: frozenset[str], where: str) -> None:
    """Clone meta-attributes: names Pacemaker knows (``known``: every resource meta-attribute,
    the clone options among them), integers and booleans where Pacemaker reads those."""
    for key, value in meta.items():
        if key not in known:
            raise ConstraintError(f"{where}.{key}: not a clone or resource meta-attribute "
                                  f"({', '.join(sorted(known))})")
        if key in CLONE_INTEGER_META and not value.isdigit():
            raise ConstraintError(f"{where}.{key}: {value!r} is not a non-negative integer")
        if key in CLONE_BOOLEAN_META and value.lower() not in _BOOLEANS:
            raise ConstraintError(f"{where}.{key}: {value!r} is not true or false")


def is_true(value: str) -> bool:
    """Pacemaker's reading of a boolean meta-attribute."""
    return value.lower() in ("true", "yes", "on", "y", "1")


def check_order(order: Order, where: str) -> None:
    """Exactly one of ``kind`` and ``score``; a kind Pacemaker knows."""
    if bool(order.kind) == bool(order.score):
        raise ConstraintError(f"{where}: give kind ({', '.join(ORDER_KINDS)}) or score, "
                              "one of them")
    if order.kind and order.kind not in ORDER_KINDS:
        raise ConstraintError(f"{where}.kind: {order.kind!r} is not one of "
                              f"{', '.join(ORDER_KINDS)}")
    if order.score:
        check_score(order.score, f"{where}.score")
    if order.first == order.then:
        raise ConstraintError(f"{where}.then: {order.then!r} is also first")


def order_is_mandatory(order: Order) -> bool:
    """``then`` may only run while ``first`` runs: kind Mandatory, or a score above 0."""
    if order.kind:
        return order.kind == "Mandatory"
    return score_value(order.score) > 0


__all__ = [
    "CLONE_BOOLEAN_META", "CLONE_INTEGER_META", "ORDER_KINDS", "CloneSpec", "Colocation",
    "ConstraintError", "Location", "Order", "check_clone_meta", "check_order", "check_rule",
    "check_score", "is_true", "order_is_mandatory", "score_value",
]
