"""Apache switches over in time even right after Tomcat's VIP left, and even when its node lost
the service LAN with an /app/ request in flight (both found by repeating the suite).

The apache agent stops Apache gracefully (``kill -WINCH``) and waits up to half the stop
timeout (150 s of the seed's 300 s) for requests in flight to finish. Users' ``/app/`` requests
are in flight to Tomcat's VIP over AJP. Right after ``webapp`` stops, the web node's neighbour
entry for that VIP still names the node that held it, so Apache's connects to it go
unanswered (SYN-SENT) until the entry fails (about 30 s later) or ProxyPass
``connectiontimeout`` ends them; without one, Apache's ``Timeout`` (300 s on Debian) applies.
The seed sets none; measured with none: the web stop took 38 s instead of 2 s, and a run of the
suite saw one take over 120 s. The description's ``proxy_connect_timeout_s`` (2 s unless set)
bounds it (without one, mod_proxy bounds connects by ProxyPass ``timeout``: ``proxy_timeout_s``);
both ``0`` reproduce the seed, and this test then fails, saying so.

The same graceful stop waits for an ``/app/`` request whose AJP reply cannot come: Tomcat runs
on another node and the web node has just lost its service LAN (the ping check's scenario, when
the scheduler had put the groups on different nodes: 1 run in 10 of a busy-core repeat). Apache
waits for data from the backend as long as ProxyPass ``timeout`` says, else ``Timeout`` (300 s
on Debian); the apache agent gives up waiting at half the stop timeout. Measured on the lab with
none: web on the other node 163.6 s after the cable was pulled; with ``timeout=10``, 12.2 s. The
description's ``proxy_timeout_s`` (10 s unless set) bounds it; ``0`` reproduces the seed.
"""

from __future__ import annotations

import signal

import pytest

from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import Description
from pytest_hacluster.profiles import GroupSpec
from pytest_hacluster.scenario import Scenario
from pytest_hacluster.waiting import wait_until

pytestmark = pytest.mark.hacluster


def proxy_and_backend(desc: Description) -> tuple[GroupSpec, GroupSpec]:
    """The first group that serves a check for another (the seed's web, /app/ to webapp), and
    that other group; skips the test when the described cluster has none."""
    proxied = [(g, c.served_by) for g in desc.groups for c in g.checks.values()
               if c.served_by and c.served_by != g.name]
    if not proxied:
        pytest.skip("no group of the described cluster passes requests to another")
    return proxied[0][0], desc.group(proxied[0][1])


def test_proxy_switches_over_in_time_right_after_its_backend_left(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    """The group that passes requests to another (the seed's web, /app/ to webapp) moved
    right after that other group stopped: on its new node within SLO ``switchover``."""
    sc = hacluster_scenario
    desc = hacluster.description
    proxy, backend = proxy_and_backend(desc)
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
    # Without connectiontimeout, mod_proxy bounds a connect by the worker's timeout.
    hint = (f"ProxyPass connectiontimeout={timeout}s" if timeout
            else f"no ProxyPass connectiontimeout (proxy_connect_timeout_s = 0): connects wait "
                 f"ProxyPass timeout={desc.proxy_timeout_s}s" if desc.proxy_timeout_s
            else "no ProxyPass connectiontimeout (proxy_connect_timeout_s = 0, as the seed)")
    sc.finding(f"switchover of {proxy.name} right after {backend.name} left",
               outage_s=m.outage_s(desc.served_checks(proxy.name)[0]),
               proxy_connect_timeout_s=timeout)
    assert m.recovered and m.within(sc.slo.switchover), (
        f"{m.explain()}\n  Apache's graceful stop waited for /app/ requests to Tomcat's VIP: "
        f"{hint}"
    )
    assert m.as_predicted, m.explain()


def test_proxy_switches_over_in_time_when_its_lan_goes_with_a_request_in_flight(
    hacluster: Cluster, hacluster_scenario: Scenario
) -> None:
    """The proxying group's node loses its service LAN while an /app/ request waits for the
    backend's reply on another node; the group moved away: on its new node within SLO
    ``switchover``, Apache's stop not held by the reply that cannot come."""
    sc = hacluster_scenario
    desc = hacluster.description
    proxy, backend = proxy_and_backend(desc)
    home = hacluster.group_node(proxy.name)
    target = hacluster.other_nodes(home)[0]
    # The backend banned from the proxy's node (moved if it ran there): its replies
    # must cross the service LAN, and it must not follow the proxy's move onto the node
    # without a LAN (stickiness 0 lets the scheduler spread the groups).
    ban = sc.faults.ban(backend.name, home)
    others = hacluster.other_nodes(home)
    pinned = sc.recover(ban, lambda s: s.groups[backend.name].started_on in others,
                        f"{backend.name} on {hacluster.elsewhere(home)}",
                        urls=desc.served_checks(backend.name), threshold=sc.slo.switchover)
    assert pinned.recovered, pinned.explain()
    backend_node = hacluster.group_node(backend.name)
    assert backend_node is not None
    target = backend_node  # the proxy joins it: its /app/ then answers from there
    service = backend.primitive(backend.service_resource)
    # The backend's service frozen: the probe's /app/ requests now wait for its reply.
    freeze = sc.faults.kill(backend_node, service.id, signal.SIGSTOP)
    port = str(desc.ajp_port)
    unread = wait_until(  # sockets of that port with bytes received, not yet read
        lambda: [line for line in hacluster.node(backend_node).run(
            ["ss", "-Htn", "state", "established", "sport", "=", f":{port}"], timeout=15
        ).stdout.splitlines() if line.split() and line.split()[0] != "0"],
        bool, timeout=10, interval=0.2,
        what=f"a request from {home} unread in {service.id}'s AJP socket on {backend_node}",
    )
    pull = sc.faults.pull_cable(home, desc.service_nic)
    freeze.undo()  # the backend answers again, but not across the pulled cable
    # Moved as the seed's operators move a group (``crm node standby`` of the node without
    # its LAN would not do: crmsh 4.4 finds the node unreachable and sets nothing).
    move = sc.faults.move(proxy.name, target)
    m = sc.recover(
        move, lambda s: s.groups[proxy.name].started_on == target, f"{proxy.name} on {target}",
        urls=desc.served_checks(proxy.name), threshold=sc.slo.switchover,
    )
    timeout = desc.proxy_timeout_s
    hint = (f"ProxyPass timeout={timeout}s" if timeout
            else "no ProxyPass timeout (proxy_timeout_s = 0, as the seed)")
    sc.finding(f"switchover of {proxy.name} after its node lost the service LAN with a request "
               f"to {backend.name} in flight",
               outage_s=m.outage_s(desc.served_checks(proxy.name)[0]),
               proxy_timeout_s=timeout,
               in_flight=unread[0])
    assert pull.injected is not None
    assert m.recovered and m.within(sc.slo.switchover), (
        f"{m.explain()}\n  Apache's graceful stop waited for an /app/ request whose reply "
        f"could not cross the pulled cable: {hint}"
    )
    assert m.as_predicted, m.explain()
