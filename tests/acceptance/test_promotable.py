"""A promotable clone (``ocf:pacemaker:Stateful``) added to the running cluster: crm_mon's roles
are read per node (Promoted on one node, Unpromoted on the other), and moving the Promoted role
promotes the node Pacemaker's scheduler predicted on a copy of the CIB.

The clone is removed at the end whatever happens (stopped through ``target-role``, then deleted
from the configuration), and the test waits, bounded, until crm_mon no longer lists it.
"""

from __future__ import annotations

import pytest

from pytest_hacluster import crm_status, oracle
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.crm_status import PROMOTED, UNPROMOTED, ClusterState
from pytest_hacluster.dialect import Dialect, for_version
from pytest_hacluster.oracle import Prediction, Simulation
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster

CLONE, PRIMITIVE = "stateful-clone", "stateful"
INSTANCES = 2  # clone-max: on a pair, one per node; with more nodes, on two of them
# promotable="true" on a clone (2.0 and later); monitors per role with different intervals, as
# Pacemaker requires (Pacemaker Explained, "Promotable clones"); the role names are the running
# version's (dialect.py: Master/Slave before 2.1, Promoted/Unpromoted from 2.1).
CLONE_XML = """<clone id="{CLONE}">
  <meta_attributes id="{CLONE}-meta">
    <nvpair id="{CLONE}-promotable" name="promotable" value="true"/>
    <nvpair id="{CLONE}-promoted-max" name="promoted-max" value="1"/>
    <nvpair id="{CLONE}-clone-max" name="clone-max" value="{INSTANCES}"/>
  </meta_attributes>
  <primitive id="{PRIMITIVE}" class="ocf" provider="pacemaker" type="Stateful">
    <operations>
      <op id="{PRIMITIVE}-monitor-promoted" name="monitor" interval="5s" role="{promoted}"/>
      <op id="{PRIMITIVE}-monitor-unpromoted" name="monitor" interval="6s" role="{unpromoted}"/>
    </operations>
  </primitive>
</clone>"""


def add(words: Dialect) -> tuple[str, ...]:
    xml = CLONE_XML.format(CLONE=CLONE, PRIMITIVE=PRIMITIVE, INSTANCES=INSTANCES,
                           promoted=words.promoted_role,
                           unpromoted=words.unpromoted_role)
    return ("cibadmin", "--create", "--scope", "resources", "--xml-text", xml)


STOP = ("crm_resource", "--resource", CLONE, "--meta", "--set-parameter", "target-role",
        "--parameter-value", "Stopped")
DELETE = ("cibadmin", "--delete", "--scope", "resources", "--xml-text", f'<clone id="{CLONE}"/>')


def roles_settled(state: ClusterState, nodes: tuple[str, ...]) -> bool:
    """Every instance active (``clone-max``, at most one per node): one Promoted, the others
    Unpromoted."""
    clone = state.clones.get(CLONE)
    count = min(INSTANCES, len(nodes))
    if clone is None or len(clone.roles) != count:
        return False
    return sorted(role for _, role in clone.roles) == sorted(
        [PROMOTED] + [UNPROMOTED] * (count - 1)
    )


def move_promoted(node: str, words: Dialect) -> tuple[str, ...]:
    """Move the Promoted role to ``node`` (a cli-prefer constraint on the Promoted role)."""
    return ("crm_resource", "--move", "--resource", CLONE, "--node", node,
            words.move_promoted_flag)


def test_promotable_clone_roles_per_node_as_predicted(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    """Promotion needs the agent's promotion score, which only the running ``Stateful`` agent
    sets (``crm_attribute -p``): crm_simulate, given the clone alone, rightly predicts both
    instances Unpromoted. So the clone is started first; the promotion the scheduler is then
    asked about is moving the Promoted role to the other node."""
    sc = hacluster_scenario
    nodes = hacluster.description.node_names
    assert hacluster.oracle is not None
    words = for_version(crm_status.parse_version(
        hacluster.run_anywhere(["crm_mon", "--version"]).stdout))
    hacluster.run_anywhere(list(add(words)))
    try:
        wait_until(
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
        # The node of the Unpromoted instance: the other node of a pair.
        (other,) = [n for n, _ in clone.roles if n != promoted]
        assert (stateful.role_on(promoted), stateful.role_on(other)) == (PROMOTED, UNPROMOTED)

        expected = hacluster.oracle.predict(
            lambda cib: Simulation(f"move {CLONE}'s Promoted role to {other}",
                                   edits=(move_promoted(other, words),))
        )
        assert isinstance(expected, Prediction), expected
        assert [n for n, r in expected.roles[CLONE] if r == PROMOTED] == [other], expected
        hacluster.run_anywhere(list(move_promoted(other, words)))
        wait_until(
            hacluster.state, lambda s: s.clones[CLONE].promoted_on == (other,)
            and roles_settled(s, nodes), timeout=60, interval=0.5,
            what=f"{CLONE} Promoted on {other}", describe=lambda s: str(s.clones.get(CLONE)),
        )
        hacluster.wait_settled()
        after = hacluster.state()
        assert after.resources[PRIMITIVE].role_on(promoted) == UNPROMOTED
        check = oracle.compare(expected, after)
        sc.finding(f"{CLONE} Promoted role moved to the other node: prediction "
                   f"{check.verdict}", moved_from=promoted, moved_to=other,
                   predicted=expected.placement.get(CLONE),
                   observed=check.placement.get(CLONE))
        assert check.matched, check
    finally:
        hacluster.run_anywhere(["crm_resource", "--clear", "--resource", CLONE])
        hacluster.run_anywhere(list(STOP))
        wait_until(hacluster.state, lambda s: not s.roles(CLONE), timeout=60, interval=0.5,
                   what=f"{CLONE} stopped", describe=lambda s: str(s.clones.get(CLONE)))
        hacluster.run_anywhere(list(DELETE))
        wait_until(hacluster.state, lambda s: CLONE not in s.clones, timeout=60, interval=0.5,
                   what=f"{CLONE} gone from crm_mon", describe=lambda s: str(s.clones.get(CLONE)))
