"""HTTP from the client side of the cluster, the way a user of the service reaches the VIPs.

Every request opens a new connection (``Connection: close``): a kept-alive socket to the old
node would hide a failover from the probe.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import requests

from pytest_hacluster.render import NODE_MARKER

_MARKER_RE = re.compile(re.escape(NODE_MARKER) + r"\s*([A-Za-z0-9_.-]+)")


@dataclass(frozen=True)
class Reply:
    """One request's outcome: a status, or the error that stood in its way."""

    url: str
    status: int | None
    text: str
    elapsed: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def node(self) -> str | None:
        """Which node served the page, from the marker the provisioning puts in every page."""
        found = _MARKER_RE.search(self.text)
        return found.group(1) if found else None

    def describe(self) -> str:
        return f"{self.url}: " + (self.error or f"HTTP {self.status} from {self.node or '?'}")


class Runner(Protocol):
    """Where requests run: in this process, or in threads inside a network namespace."""

    def submit(self, fn: Callable[..., Any], *args: object, **kwargs: object) -> Future[Any]: ...

    def close(self) -> None: ...


class Inline:
    """Requests from this process's own threads (the vagrant and ssh backends' default)."""

    def __init__(self, workers: int = 4) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="http")

    def submit(self, fn: Callable[..., Any], *args: object, **kwargs: object) -> Future[Any]:
        return self._pool.submit(fn, *args, **kwargs)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def fetch(url: str, timeout: float) -> Reply:
    """One GET on a new connection; a dead service is a Reply with an error, not a raise."""
    start = time.monotonic()
    try:
        resp = requests.get(url, timeout=timeout, headers={"Connection": "close"})
    except requests.RequestException as exc:
        return Reply(url, None, "", time.monotonic() - start, _short(exc))
    return Reply(url, resp.status_code, resp.text, time.monotonic() - start)


_ERRNO_RE = re.compile(r"\[Errno -?\d+\] ([^'\")]+)")


def _short(exc: requests.RequestException) -> str:
    """``connection refused`` rather than three nested exception reprs."""
    if isinstance(exc, requests.ConnectTimeout):
        return "connect timed out"
    if isinstance(exc, requests.ReadTimeout):
        return "read timed out"
    found = _ERRNO_RE.search(str(exc))
    return found.group(1).strip().lower() if found else type(exc).__name__


class HttpClient:
    """GETs from the client side; never raises for a dead service, returns the failure."""

    def __init__(self, runner: Runner | None = None, timeout: float = 2.0) -> None:
        self._runner = runner or Inline()
        self.timeout = timeout

    def get(self, url: str, timeout: float | None = None) -> Reply:
        t = self.timeout if timeout is None else timeout
        return self._runner.submit(fetch, url, t).result()

    def get_many(self, urls: dict[str, str], timeout: float | None = None) -> dict[str, Reply]:
        """Several URLs at once: one slow or dead URL does not delay the others' answers."""
        t = self.timeout if timeout is None else timeout
        futures = {name: self._runner.submit(fetch, url, t) for name, url in urls.items()}
        return {name: f.result() for name, f in futures.items()}
