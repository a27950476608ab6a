"""Where the cluster's clients stand: the HTTP client a backend hands out, by configuration.

``runner``: this process (a VirtualBox host reaches its host-only networks directly; an
existing cluster is reachable from the runner). ``netns:NAME``: threads inside a network
namespace, e.g. the VirtualBox stand-in's, which is the only place its 192.168.x addresses
exist: nothing is sent to them from the root namespace.
"""

from __future__ import annotations

from pytest_hacluster import netns
from pytest_hacluster.backends.base import BackendError
from pytest_hacluster.http_client import HttpClient, Inline, Runner


class Vantage:
    """An HTTP client for ``http_from``, with the threads it needs closed in one place."""

    def __init__(self, http_from: str) -> None:
        self.http_from = http_from
        self._runner: Runner | None = None

    def check(self) -> None:
        kind, _, name = self.http_from.partition(":")
        if kind == "netns" and not netns.exists(name):
            raise BackendError(
                f"http_from = {self.http_from!r}: there is no network namespace {name!r} "
                "(is the VirtualBox stand-in up? see README)"
            )

    def client(self) -> HttpClient:
        if self._runner is None:
            kind, _, name = self.http_from.partition(":")
            self._runner = netns.NetnsExecutor(name, workers=6) if kind == "netns" else Inline(6)
        return HttpClient(self._runner)

    def runner(self, workers: int) -> Runner:
        """Threads of their own (the probe's), where ``http_from`` says; the caller closes."""
        kind, _, name = self.http_from.partition(":")
        return netns.NetnsExecutor(name, workers=workers) if kind == "netns" else Inline(workers)

    def close(self) -> None:
        if isinstance(self._runner, netns.NetnsExecutor):
            self._runner.close()
        self._runner = None
