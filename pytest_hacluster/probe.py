"""What users see during a fault: a background sampler of the URLs, and the outages in it.

The probe asks each URL every ``interval`` seconds from the clients' side and records when it
asked, what came back, how long it took and which node's page it was. Requests overlap: a
sample hanging on a VIP nobody answers does not hold up the next tick, so the rate holds and
an outage's edges are known to within one interval. The sampler is bounded in time (it stops
itself after ``max_s``) and in requests in flight per URL.

The analysis functions are pure: they take samples and return outages, so they are tested
without a cluster.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pytest_hacluster.http_client import (
    PROCESS_CHECK_INTERVAL_S,
    Reply,
    Runner,
    fetch,
    is_process_check,
)


@dataclass(frozen=True)
class Sample:
    """One request of the probe: ``t`` is when it was sent (monotonic seconds)."""

    url: str  # the URL's short name (web, app, tomcat)
    t: float
    status: int | None
    error: str | None
    latency: float
    node: str | None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(frozen=True)
class Outage:
    """A run of failed samples of one URL: from the first failure to the first success after.

    ``end`` is None when the URL had not answered again by the time the probe stopped.
    """

    url: str
    start: float
    end: float | None
    lost: int  # failed samples in the run

    @property
    def duration(self) -> float | None:
        return None if self.end is None else self.end - self.start


def outages(samples: Iterable[Sample], url: str) -> list[Outage]:
    """Every outage of ``url`` in ``samples`` (in any order), oldest first."""
    found: list[Outage] = []
    start: float | None = None
    lost = 0
    for s in sorted((s for s in samples if s.url == url), key=lambda s: s.t):
        if not s.ok:
            if start is None:
                start, lost = s.t, 0
            lost += 1
        elif start is not None:
            found.append(Outage(url, start, s.t, lost))
            start = None
    if start is not None:
        found.append(Outage(url, start, None, lost))
    return found


def served_by(samples: Iterable[Sample], url: str) -> list[tuple[float, str | None]]:
    """When the answering node changed: (t, node) at the first sample of each stretch.

    A failed sample counts as ``None``, so the list reads as the URL's story: s1, down, s2.
    """
    changes: list[tuple[float, str | None]] = []
    for s in sorted((s for s in samples if s.url == url), key=lambda s: s.t):
        who = s.node if s.ok else None
        if not changes or changes[-1][1] != who:
            changes.append((s.t, who))
    return changes


def story(samples: Iterable[Sample], url: str, origin: float) -> str:
    """``served_by`` as one line, times relative to ``origin`` (e.g. the fault's injection)."""
    parts = [
        f"{t - origin:+.1f}s {who or 'down'}" for t, who in served_by(samples, url)
    ]
    return " -> ".join(parts) if parts else "no samples"


class Probe:
    """Samples ``urls`` from the clients' side until stopped (context manager).

    ``runner`` is where requests run (threads inside the clients' network namespace for the
    lab); it needs enough workers for ``len(urls) * ceil(timeout / interval)`` requests in
    flight, which ``workers_needed`` says. Checks that start a client process (smb, netbios)
    are sampled every ``http_client.PROCESS_CHECK_INTERVAL_S`` at most: their outages are
    precise to that.
    """

    def __init__(
        self,
        runner: Runner,
        urls: Mapping[str, str],
        interval: float = 0.1,
        timeout: float = 1.0,
        max_s: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.urls = dict(urls)
        self.interval = interval
        self.timeout = timeout
        self.max_s = max_s
        self._runner = runner
        self._clock = clock
        self._samples: list[Sample] = []
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # notified when a request finishes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._in_flight = dict.fromkeys(self.urls, 0)
        # Ticks between two samples of a URL: 1, but for checks that start a client process.
        self._every = {
            name: max(1, round(PROCESS_CHECK_INTERVAL_S / interval)) if is_process_check(url)
            else 1
            for name, url in self.urls.items()
        }
        self.started: float | None = None
        self.stopped: float | None = None

    @staticmethod
    def workers_needed(urls: int, interval: float, timeout: float) -> int:
        return urls * (math.ceil(timeout / interval) + 1)

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> Probe:
        self.started = self._clock()
        self._thread = threading.Thread(target=self._loop, name="hacluster-probe", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 5)
        # Requests still in flight finish within their timeout; wait for them so the last
        # samples are in (bounded: each request has its own timeout).
        with self._idle:
            self._idle.wait_for(lambda: not any(self._in_flight.values()), self.timeout + 2)
        if self.stopped is None:
            self.stopped = self._clock()

    def __enter__(self) -> Probe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        assert self.started is not None
        limit = math.ceil(self.timeout / self.interval) + 1
        tick = 0
        while not self._stop.is_set():
            now = self._clock()
            if now - self.started > self.max_s:
                self.stopped = now  # a forgotten probe ends itself: traffic is bounded
                return
            for name, url in self.urls.items():
                if tick % self._every[name]:
                    continue  # a check that starts a process: sampled less often
                with self._lock:
                    if self._in_flight[name] >= limit:
                        continue  # the samples in flight already cover this tick
                    self._in_flight[name] += 1
                future = self._runner.submit(self._sample, name, url)
                future.add_done_callback(lambda _f, n=name: self._done(n))
            tick += 1
            next_at = self.started + tick * self.interval
            self._stop.wait(max(0.0, next_at - self._clock()))

    def _sample(self, name: str, url: str) -> None:
        t = self._clock()
        reply: Reply = fetch(url, self.timeout)
        sample = Sample(name, t, reply.status, reply.error, reply.elapsed, reply.node)
        with self._lock:
            self._samples.append(sample)

    def _done(self, name: str) -> None:
        with self._idle:
            self._in_flight[name] -= 1
            self._idle.notify_all()

    # -- results ------------------------------------------------------------------------------
    @property
    def samples(self) -> list[Sample]:
        with self._lock:
            return sorted(self._samples, key=lambda s: s.t)

    def outages(self, url: str | None = None, since: float | None = None) -> list[Outage]:
        """Outages of one URL (or all), optionally only those still running at ``since``."""
        names = [url] if url is not None else list(self.urls)
        found = [o for name in names for o in outages(self.samples, name)]
        if since is not None:
            found = [o for o in found if o.end is None or o.end >= since]
        return sorted(found, key=lambda o: o.start)

    def last(self, url: str) -> Sample | None:
        mine = [s for s in self.samples if s.url == url]
        return mine[-1] if mine else None


__all__ = ["Outage", "Probe", "Sample", "outages", "served_by", "story"]
