"""Scenario 4, the seed's pitfall: no index page, so the apache agent's monitor gets 403.

The monitor fails, the restart's start is judged failed (rc=1), the fail-count of httpd on that
node becomes INFINITY and the group leaves it. Putting the page back and ``crm resource
cleanup httpd NODE`` clears the failure. The page is put back whatever the outcome (the fault's
undo).
"""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.crm_status import INFINITY
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster


def test_missing_index_page_bans_apache_from_the_node(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    sc = hacluster_scenario
    desc = hacluster.description
    apache = [(g, p) for g in desc.groups for p in g.primitives if p.agent_type == "apache"]
    if not apache:
        pytest.skip("the described cluster has no apache primitive")
    group, primitive = apache[0]
    service = primitive.id
    home = hacluster.group_node(group.name)
    others, elsewhere = hacluster.other_nodes(home), hacluster.elsewhere(home)

    page = sc.faults.remove_file(home, f"{hacluster.backend.stack.docroot}/index.html")
    m = sc.recover(
        page,
        lambda s: s.groups[group.name].started_on in others
        and s.failcount(service, home) == INFINITY,
        f"{group.name} on {elsewhere}, fail-count INFINITY for {service} on {home}",
        urls=desc.checks_of(group.name), threshold=sc.slo.restart, failed_resource=service,
    )
    assert m.recovered, m.explain()
    state = hacluster.state()
    assert state.failcount(service, home) == INFINITY
    failed = {(a.resource, a.operation, a.node, a.rc) for a in state.failed_actions}
    assert (service, "start", home, 1) in failed, state.failed_actions
    assert m.as_predicted, m.explain()

    page.undo()
    sc.faults.cleanup(service, home)
    after = wait_until(
        hacluster.health,
        lambda h: h.ok and h.state is not None and h.state.failcount(service, home) == 0
        and not h.state.failed_actions,
        timeout=60, interval=0.5, what=f"{service} cleaned up on {home} and every URL answering",
        describe=lambda h: "; ".join(h.problems) or str(h.state and h.state.failcounts),
    )
    assert after.state is not None
    # Said relative to the scenario (where the group ran), so it reads the same in every run.
    now = after.state.groups[group.name].started_on
    sc.finding(
        f"after cleanup {group.name} " + ("returns to the node it was banned from" if now == home
                                          else "stays on the node it moved to"),
        node=now, banned_from=home,
    )
