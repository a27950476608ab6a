"""Requests from the client side of the cluster, the way a user of the service reaches the VIPs.

Every request opens a new connection (``Connection: close``): a kept-alive socket to the old
node would hide a failover from the probe. Besides ``http://`` URLs, a check's URL
(``config.Description.check_url``) can be ``smb://VIP/SHARE/FILE`` (fetched with Debian's
``smbclient`` as a guest), ``netbios://VIP/NAME`` (``nmblookup -A``: a node status query
answered by nmbd) or ``tcp://VIP:PORT`` (a connect). Those answer with status 200 when they
got what they asked for: one reply shape for the probe, the health wait and the report.
"""

from __future__ import annotations

import re
import socket
import subprocess
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
        if self.error:
            return f"{self.url}: {self.error}"
        # A page without the node marker (Apache's own 503 while the proxied backend is
        # away) says who answered no further than the VIP.
        where = f"from {self.node}" if self.node else "(a page without the node marker)"
        if not self.url.startswith("http"):
            return f"{self.url}: answered {where}"
        return f"{self.url}: HTTP {self.status} {where}"


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
    """One GET on a new connection (or one smb, netbios or tcp check, by the URL's scheme); a
    dead service is a Reply with an error, not a raise. ``timeout`` is seconds."""
    scheme = url.split("://", 1)[0]
    if scheme in _OTHER:
        if is_process_check(url):
            timeout = max(timeout, PROCESS_CHECK_TIMEOUT_S)
        return _OTHER[scheme](url, timeout)
    start = time.monotonic()
    try:
        resp = requests.get(url, timeout=timeout, headers={"Connection": "close"})
    except requests.RequestException as exc:
        return Reply(url, None, "", time.monotonic() - start, _short(exc))
    return Reply(url, resp.status_code, resp.text, time.monotonic() - start)


def _run_client(url: str, argv: list[str], timeout: float, start: float) -> Reply:
    """``argv`` bounded by ``timeout``: its output as a reply, an error when it failed."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return Reply(url, None, "", time.monotonic() - start, f"no answer in {timeout:g}s")
    except OSError as exc:
        return Reply(url, None, "", time.monotonic() - start, f"{argv[0]}: {exc.strerror}")
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or [""]
        return Reply(url, None, done.stdout, time.monotonic() - start,
                     f"{argv[0]} exit {done.returncode}: {last[0][:160]}")
    return Reply(url, 200, done.stdout, time.monotonic() - start)


def fetch_smb(url: str, timeout: float) -> Reply:
    """``smb://HOST[:PORT]/SHARE/PATH``: the file's content, read as a guest by smbclient."""
    start = time.monotonic()
    host, _, rest = url[len("smb://"):].partition("/")
    share, _, path = rest.partition("/")
    addr, _, port = host.partition(":")
    argv = ["smbclient", f"//{addr}/{share}", "-N", "-p", port or "445",
            "-t", str(max(1, round(timeout))), "-c", f"get {path} -"]
    return _run_client(url, argv, timeout, start)


def fetch_netbios(url: str, timeout: float) -> Reply:
    """``netbios://HOST/NAME``: a node status query to HOST; an error unless NAME is there."""
    start = time.monotonic()
    host, _, name = url[len("netbios://"):].partition("/")
    reply = _run_client(url, ["nmblookup", "-A", host], timeout, start)
    if reply.ok and not re.search(rf"^\s*{re.escape(name)}\s", reply.text, re.M | re.I):
        return Reply(url, None, reply.text, reply.elapsed, f"{name} not registered at {host}")
    return reply


def fetch_tcp(url: str, timeout: float) -> Reply:
    """``tcp://HOST:PORT``: answered when a connection opens within ``timeout``."""
    start = time.monotonic()
    host, _, port = url[len("tcp://"):].rstrip("/").rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as exc:
        return Reply(url, None, "", time.monotonic() - start, exc.strerror or str(exc))
    return Reply(url, 200, "", time.monotonic() - start)


_OTHER: dict[str, Callable[[str, float], Reply]] = {
    "smb": fetch_smb, "netbios": fetch_netbios, "tcp": fetch_tcp,
}

# Checks that start a client process (smbclient, nmblookup): each costs a fork and exec, and on
# a loaded 2-core machine ten of them a second took more than 1 s each (measured: 27 of 30
# smbclient samples timed out at 0.1 s intervals while one alone took 0.09 s). They are sampled
# at most this often (seconds) and given at least this long (seconds).
PROCESS_CHECK_INTERVAL_S = 0.5
PROCESS_CHECK_TIMEOUT_S = 3.0


def is_process_check(url: str) -> bool:
    """Whether fetching ``url`` starts a client process (see PROCESS_CHECK_INTERVAL_S)."""
    return url.split("://", 1)[0] in ("smb", "netbios")


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
