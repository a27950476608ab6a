"""A promotable clone (``ocf:pacemaker:Stateful``) added to the running cluster: crm_mon's roles
are read per node (Promoted on one node, Unpromoted on the other) and the promotion is the one
Pacemaker's scheduler predicted on a copy of the CIB with the same clone added.

The clone is removed at the end whatever happens (stopped through ``target-role``, then deleted
from the configuration), and the test waits, bounded, until crm_mon no longer lists it.
"""

from __future__ import annotations

import pytest

from pytest_hacluster import oracle
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.crm_status import PROMOTED, UNPROMOTED, ClusterState
from pytest_hacluster.oracle import Prediction, Simulation
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster

CLONE, PRIMITIVE = "stateful-clone", "stateful"
# Pacemaker 2.x syntax (the lab's 2.1.5): promotable="true" on a clone; monitors per role
# with different intervals, as Pacemaker requires (Pacemaker Explained, "Promotable clones").
CLONE_XML = f"""<clone id="{CLONE}">
  <meta_attributes id="{CLONE}-meta">
    <nvpair id="{CLONE}-promotable" name="promotable" value="true"/>
    <nvpair id="{CLONE}-promoted-max" name="promoted-max" value="1"/>
    <nvpair id="{CLONE}-clone-max" name="clone-max" value="2"/>
  </meta_attributes>
  <primitive id="{PRIMITIVE}" class="ocf" provider="pacemaker" type="Stateful">
    <operations>
      <op id="{PRIMITIVE}-monitor-promoted" name="monitor" interval="5s" role="Promoted"/>
      <op id="{PRIMITIVE}-monitor-unpromoted" name="monitor" interval="6s" role="Unpromoted"/>
    </operations>
  </primitive>
</clone>"""
ADD = ("cibadmin", "--create", "--scope", "resources", "--xml-text", CLONE_XML)
STOP = ("crm_resource", "--resource", CLONE, "--meta", "--set-parameter", "target-role",
        "--parameter-value", "Stopped")
DELETE = ("cibadmin", "--delete", "--scope", "resources", "--xml-text", f'<clone id="{CLONE}"/>')


def roles_settled(state: ClusterState, nodes: tuple[str, ...]) -> bool:
    """One instance Promoted, every other node's Unpromoted."""
    clone = state.clones.get(CLONE)
    if clone is None or len(clone.roles) != len(nodes):
        return False
    return sorted(role for _, role in clone.roles) == sorted(
        [PROMOTED] + [UNPROMOTED] * (len(nodes) - 1)
    )


def test_promotable_clone_roles_per_node_as_predicted(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    nodes = hacluster.description.node_names
    assert hacluster.oracle is not None
    expected = hacluster.oracle.predict(
        lambda cib: Simulation(f"add promotable clone {CLONE}", edits=(ADD,))
    )
    assert isinstance(expected, Prediction), expected
    promoted_there = [n for n, r in expected.roles.get(CLONE, ()) if r == PROMOTED]
    assert len(promoted_there) == 1, expected

    hacluster.run_anywhere(list(ADD))
    try:
        state = wait_until(
            hacluster.state, lambda s: roles_settled(s, nodes), timeout=60, interval=0.5,
            what=f"{CLONE} Promoted on one node and Unpromoted on the other",
            describe=lambda s: str(s.clones.get(CLONE)),
        )
        hacluster.wait_settled()
        state = hacluster.state()
        clone, stateful = state.clones[CLONE], state.resources[PRIMITIVE]
        assert clone.kind == "promotable" and clone.child == PRIMITIVE
        assert stateful.clone == CLONE
        (promoted,) = clone.promoted_on
        (other,) = [n for n in nodes if n != promoted]
        assert (stateful.role_on(promoted), stateful.role_on(other)) == (PROMOTED, UNPROMOTED)
        check = oracle.compare(expected, state)
        sc.finding(f"{CLONE} promoted on {promoted}: prediction {check.verdict}",
                   predicted=expected.placement.get(CLONE), observed=check.placement.get(CLONE))
        assert promoted == promoted_there[0], check
        assert check.matched, check
    finally:
        hacluster.run_anywhere(list(STOP))
        wait_until(hacluster.state, lambda s: not s.roles(CLONE), timeout=60, interval=0.5,
                   what=f"{CLONE} stopped", describe=lambda s: str(s.clones.get(CLONE)))
        hacluster.run_anywhere(list(DELETE))
        wait_until(hacluster.state, lambda s: CLONE not in s.clones, timeout=60, interval=0.5,
                   what=f"{CLONE} gone from crm_mon", describe=lambda s: str(s.clones.get(CLONE)))

