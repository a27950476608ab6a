"""The object a test holds: the cluster's nodes, an HTTP client on the users' side, its state.

Backend-neutral: it asks its backend for nodes and a client, runs Pacemaker's own tools on the
nodes, and parses what comes back with pure functions (``crm_status``). Nothing here asks which
backend it is talking to, and nothing here imports pytest.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pytest_hacluster import crm_status
from pytest_hacluster.backends.base import Backend, BackendError, NodeShell, Progress
from pytest_hacluster.config import Description
from pytest_hacluster.crm_status import ClusterState
from pytest_hacluster.http_client import HttpClient, Reply
from pytest_hacluster.shell import CommandError, Result
from pytest_hacluster.waiting import WaitTimeout, wait_until


class ClusterError(RuntimeError):
    """The cluster is not in the state a test or the bring-up needs; says what was seen."""


@dataclass(frozen=True)
class Health:
    """One look at the whole cluster: Pacemaker's view and the users' view, and what is wrong."""

    state: ClusterState | None
    replies: dict[str, Reply]
    problems: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.problems


class Cluster:
    """A running cluster of a ``Description``, reached through a ``Backend``."""

    def __init__(self, description: Description, backend: Backend) -> None:
        self.description = description
        self.backend = backend
        self._http: HttpClient | None = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self, progress: Progress, timeout: float | None = None) -> Health:
        """Bring the cluster up and wait until it serves; tear down whatever was made on failure."""
        started = time.monotonic()
        self.backend.up(progress)
        try:
            return self.wait_healthy(progress, timeout, since=started)
        except BaseException:
            if not self.backend.settings.keep or not self.backend.reused:
                self.backend.down()
            raise

    def stop(self) -> None:
        self.backend.down()
        self._http = None

    # -- access -------------------------------------------------------------------------------
    @property
    def nodes(self) -> dict[str, NodeShell]:
        return self.backend.nodes()

    def node(self, name: str) -> NodeShell:
        try:
            return self.nodes[name]
        except KeyError:
            raise ClusterError(f"no node {name!r}; nodes are {', '.join(self.nodes)}") from None

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = self.backend.http()
        return self._http

    @property
    def urls(self) -> dict[str, str]:
        return self.description.urls

    def run_anywhere(self, command: list[str], timeout: float = 30) -> Result:
        """Run a cluster-wide query on the first node that answers it."""
        last: Result | None = None
        for node in self.nodes.values():
            try:
                last = node.run(command, timeout=timeout)
            except (BackendError, RuntimeError):
                continue
            if last.ok:
                return last
        if last is None:
            raise ClusterError(f"no node could run {' '.join(command)}")
        raise CommandError("every node", last)

    def state(self) -> ClusterState:
        """Pacemaker's view, from ``crm_mon`` XML (a node that is down answers nothing)."""
        result = self.run_anywhere(list(crm_status.CRM_MON_XML_ARGS))
        return crm_status.parse(result.stdout)

    def crm_verify(self) -> Result:
        """``crm_verify -L``: the live configuration as Pacemaker judges it."""
        return self.run_anywhere(["crm_verify", "-L", "-V"])

    # -- health and waits ---------------------------------------------------------------------
    def health(self) -> Health:
        problems: list[str] = []
        try:
            state: ClusterState | None = self.state()
        except (ClusterError, CommandError, crm_status.ParseError) as exc:
            state = None
            problems.append(f"no cluster state: {str(exc).splitlines()[0]}")
        if state is not None:
            problems += _state_problems(self.description, state)
        replies = self.http.get_many(self.urls, timeout=1.0)
        problems += [r.describe() for r in replies.values() if not r.ok]
        return Health(state, replies, tuple(problems))

    def wait_healthy(
        self, progress: Progress | None = None, timeout: float | None = None,
        since: float | None = None,
    ) -> Health:
        """Wait (bounded) until every node is online, both groups run and the URLs answer 200.

        Progress shows what is still missing each time it changes, so a slow bring-up says why.
        """
        timeout = self.description.timings.bringup_timeout_s if timeout is None else timeout
        start = time.monotonic() if since is None else since
        shown: list[tuple[str, ...]] = []

        def look() -> Health:
            health = self.health()
            if progress is not None and (not shown or shown[-1] != health.problems):
                shown.append(health.problems)
                waited = time.monotonic() - start
                progress(
                    f"+{waited:.1f}s " + ("healthy" if health.ok else "; ".join(health.problems))
                )
            return health

        try:
            return wait_until(
                look, lambda h: h.ok, timeout=timeout, interval=0.25,
                what="both groups Started and the three URLs answering 200",
                describe=lambda h: "; ".join(h.problems),
            )
        except WaitTimeout as exc:
            raise ClusterError(f"{exc}\n{self.backend.failure_logs()}") from None


def _state_problems(desc: Description, state: ClusterState) -> list[str]:
    problems = []
    for name in desc.node_names:
        node = state.nodes.get(name)
        if node is None or node.state != "online":
            problems.append(f"node {name} {node.state if node else 'unknown'}")
    for group in desc.groups:
        g = state.groups.get(group.name)
        if g is None:
            problems.append(f"group {group.name} not configured")
        elif g.started_on is None:
            members = ", ".join(f"{r.id} {r.role} {' '.join(r.nodes)}".strip() for r in g.resources)
            problems.append(f"group {group.name} not started ({members})")
    return problems
