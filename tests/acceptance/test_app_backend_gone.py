"""Apache switches over in time even right after Tomcat's VIP left (found by repeating the suite).

The apache agent stops Apache gracefully (``kill -WINCH``) and waits up to half the stop
timeout (150 s of the seed's 300 s) for requests in flight to finish. Users' ``/app/`` requests
are in flight to Tomcat's VIP over AJP. Right after ``webapp`` stops, the web node's neighbour
entry for that VIP still names the node that held it, so Apache's connects to it go
unanswered (SYN-SENT) until the entry fails (about 30 s later) or ProxyPass
``connectiontimeout`` ends them; without one, Apache's ``Timeout`` (300 s on Debian) applies.
The seed sets none; measured with none: the web stop took 38 s instead of 2 s, and a run of the
suite saw one take over 120 s. The description's ``proxy_connect_timeout_s`` (2 s unless set)
bounds it; ``0`` reproduces the seed, and this test then fails, saying so.
"""

from __future__ import annotations

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster


def test_proxy_switches_over_in_time_right_after_its_backend_left(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    """The group that passes requests to another (the seed's web, /app/ to webapp) moved
    right after that other group stopped: on its new node within SLO ``switchover``."""
    sc = hacluster_scenario
    desc = hacluster.description
    # A check one group serves for another (the seed's /app/: web proxies to webapp).
    proxied = [(g, c.served_by) for g in desc.groups for c in g.checks.values()
               if c.served_by and c.served_by != g.name]
    if not proxied:
        pytest.skip("no group of the described cluster passes requests to another")
    proxy, backend = proxied[0][0], desc.group(proxied[0][1])
    home = hacluster.group_node(proxy.name)
    target = hacluster.other_nodes(home)[0]

    sc.faults.stop(backend.name)
    wait_until(
        hacluster.state,
        lambda s: all(r.role == "Stopped" for r in s.groups[backend.name].resources),
        timeout=sc.slo.switchover.seconds, interval=0.25, what=f"{backend.name} Stopped",
    )
    # The probe keeps asking for /app/ meanwhile: those requests now wait on a VIP nobody holds.
    move = sc.faults.move(proxy.name, target)
    m = sc.recover(
        move, lambda s: s.groups[proxy.name].started_on == target, f"{proxy.name} on {target}",
        urls=desc.served_checks(proxy.name), threshold=sc.slo.switchover,
        kept_down=desc.checks_of(backend.name),
    )
    timeout = desc.proxy_connect_timeout_s
    hint = (f"ProxyPass connectiontimeout={timeout}s" if timeout
            else "no ProxyPass connectiontimeout (proxy_connect_timeout_s = 0, as the seed)")
    sc.finding(f"switchover of {proxy.name} right after {backend.name} left",
               outage_s=m.outage_s(desc.served_checks(proxy.name)[0]),
               proxy_connect_timeout_s=timeout)
    assert m.recovered and m.within(sc.slo.switchover), (
        f"{m.explain()}\n  Apache's graceful stop waited for /app/ requests to Tomcat's VIP: "
        f"{hint}"
    )
    assert m.as_predicted, m.explain()
