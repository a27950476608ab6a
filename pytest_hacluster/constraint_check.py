"""Whether a crm_mon snapshot keeps the described clones and constraints: what the suite asserts.

Only what follows from the description alone is checked here, in words a failure can show:

- a clone has ``min(clone-max, eligible nodes x clone-node-max)`` active instances, all on
  eligible nodes: online, not standby, not banned by a ``-INFINITY`` location to a node
  (``clone-max`` is the number of nodes unless described, ``clone-node-max`` 1); a
  ``promotable`` one has ``min(promoted-max, active instances)`` Promoted (1 by default). A clone
  that a rule or a colocation places is left to the scheduler (``oracle.py``): the count
  then depends on node attributes and other resources;
- a ``location`` to a node with ``-INFINITY``: the resource is not active there; with
  ``INFINITY``: the resource is active there when that node is eligible;
- a ``colocation`` with ``INFINITY``: every node ``rsc`` is active on has ``with-rsc`` active;
  with ``-INFINITY``: no node has both;
- a Mandatory ``order``: ``then`` active only while ``first`` is active somewhere.

Finite scores are preferences the scheduler weighs against each other: the suite compares
those with ``crm_simulate`` instead. Pure: no I/O.
"""

from __future__ import annotations

import math

from pytest_hacluster import constraints
from pytest_hacluster.config import Description
from pytest_hacluster.constraints import CloneSpec
from pytest_hacluster.crm_status import PROMOTED, RUNNING_ROLES, ClusterState


def eligible_nodes(desc: Description, state: ClusterState, rsc: str) -> frozenset[str]:
    """Nodes that may run ``rsc``: online and not standby in ``state``, and not banned from
    it by a described ``-INFINITY`` location to that node."""
    banned = {loc.node for loc in desc.locations
              if loc.rsc == rsc and loc.node and constraints.score_value(loc.score) == -math.inf}
    return frozenset(name for name, node in state.nodes.items()
                     if node.state == "online" and name not in banned)


def placed_by_scheduler_only(desc: Description, clone: CloneSpec) -> bool:
    """A rule or a colocation decides where the clone's instances go: its count is the
    scheduler's to predict."""
    return any(loc.rsc == clone.id and loc.rule for loc in desc.locations) or any(
        col.rsc == clone.id for col in desc.colocations)


def expected_instances(desc: Description, state: ClusterState, clone: CloneSpec) -> int:
    """How many instances of ``clone`` Pacemaker runs on the eligible nodes."""
    clone_max = int(clone.meta.get("clone-max", len(desc.nodes)))
    node_max = int(clone.meta.get("clone-node-max", 1))
    return min(clone_max, len(eligible_nodes(desc, state, clone.id)) * node_max)


def clone_problems(desc: Description, state: ClusterState) -> list[str]:
    """Each described clone whose instances are not where the description puts them."""
    problems = []
    for clone in desc.clones:
        found = state.clones.get(clone.id)
        if found is None:
            problems.append(f"clone {clone.id}: not in crm_mon")
            continue
        active = [(node, role) for node, role in found.roles if role in RUNNING_ROLES]
        if len(active) != len(found.roles):
            problems.append(f"clone {clone.id}: instances not running: {found.roles}")
        eligible = eligible_nodes(desc, state, clone.id)
        outside = sorted({node for node, _ in active} - eligible)
        if outside:
            problems.append(f"clone {clone.id}: active on {', '.join(outside)}, which may not "
                            f"run it (eligible: {', '.join(sorted(eligible))})")
        if not placed_by_scheduler_only(desc, clone):
            want = expected_instances(desc, state, clone)
            if len(active) != want:
                problems.append(f"clone {clone.id}: {len(active)} active instances "
                                f"({found.roles}), expected {want} on {sorted(eligible)}")
        if constraints.is_true(clone.meta.get("promotable", "false")):
            promoted = [node for node, role in active if role == PROMOTED]
            want = min(int(clone.meta.get("promoted-max", 1)), len(active))
            if len(promoted) != want:
                problems.append(f"clone {clone.id}: promoted on {promoted or 'no node'}, "
                                f"expected {want} promoted instance(s) of {len(active)}")
    return problems


def constraint_problems(desc: Description, state: ClusterState) -> list[str]:
    """Each described constraint with an infinite score (or a Mandatory order) that the
    state breaks, in words."""
    problems: list[str] = []
    missing: dict[str, frozenset[str]] = {}

    def where(rsc: str, constraint: str) -> frozenset[str]:
        try:
            return state.where(rsc)
        except KeyError:
            if rsc not in missing:
                problems.append(f"{constraint}: {rsc} is not in crm_mon")
            missing[rsc] = frozenset()
            return missing[rsc]

    for loc in desc.locations:
        if not loc.node:
            continue
        score = constraints.score_value(loc.score)
        on = where(loc.rsc, f"location {loc.id}")
        if score == -math.inf and loc.node in on:
            problems.append(f"location {loc.id}: {loc.rsc} is active on {loc.node}")
        if score == math.inf and loc.node in eligible_nodes(desc, state, loc.rsc) \
                and loc.node not in on:
            problems.append(f"location {loc.id}: {loc.rsc} is not active on {loc.node} "
                            f"(on: {', '.join(sorted(on)) or 'nowhere'})")
    for col in desc.colocations:
        score = constraints.score_value(col.score)
        on = where(col.rsc, f"colocation {col.id}")
        with_on = where(col.with_rsc, f"colocation {col.id}")
        if score == math.inf and not on <= with_on:
            problems.append(f"colocation {col.id}: {col.rsc} on {sorted(on)}, {col.with_rsc} "
                            f"only on {sorted(with_on)}")
        if score == -math.inf and on & with_on:
            problems.append(f"colocation {col.id}: {col.rsc} and {col.with_rsc} both on "
                            f"{sorted(on & with_on)}")
    for order in desc.orders:
        label = f"order {order.id}"
        if constraints.order_is_mandatory(order) and where(order.then, label) \
                and not where(order.first, label):
            problems.append(f"order {order.id}: {order.then} is active, {order.first} is not")
    return problems


__all__ = ["clone_problems", "constraint_problems", "eligible_nodes", "expected_instances",
           "placed_by_scheduler_only"]
