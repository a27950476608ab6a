"""Small shared pieces: bounded waits, local commands, the HTTP client's replies."""

from __future__ import annotations

import socket

import pytest

from pytest_hacluster.http_client import HttpClient, Reply
from pytest_hacluster.shell import run_local
from pytest_hacluster.waiting import WaitTimeout, wait_until
from tests.unit.conftest import LoopbackServer


def test_wait_until_returns_the_awaited_value() -> None:
    values = iter([1, 2, 3, 4])
    assert wait_until(lambda: next(values), lambda v: v >= 3, timeout=5, interval=0,
                      what="three") == 3


def test_wait_until_says_what_it_waited_for_and_saw_last() -> None:
    with pytest.raises(WaitTimeout) as err:
        wait_until(lambda: "starting", lambda v: v == "up", timeout=0.2, interval=0.05,
                   what="the service", describe=lambda v: f"state {v}")
    assert "waiting for the service" in str(err.value)
    assert "last seen: state starting" in str(err.value)


def test_run_local_timeout_kills_the_whole_group(tmp_path) -> None:
    pidfile = tmp_path / "child.pid"
    result = run_local(["sh", "-c", f"sleep 30 & echo $! > {pidfile}; wait"], timeout=0.5)
    assert result.timed_out and not result.ok
    child = int(pidfile.read_text())
    # It was reparented when the shell died; gone or a zombie awaiting its reaper both count.
    wait_until(lambda: _gone_or_zombie(child), timeout=5, interval=0.02,
               what=f"background child {child} to die")


def _gone_or_zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_reply_reads_the_node_marker() -> None:
    page = "<p>hacluster-node: s2</p>"
    assert Reply("u", 200, page, 0.01).node == "s2"
    assert Reply("u", 200, "no marker", 0.01).node is None
    assert not Reply("u", 503, "", 0.01).ok


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_client_reports_status_node_and_short_errors(
    loopback_server: LoopbackServer,
) -> None:
    client = HttpClient(timeout=2)
    dead = f"http://127.0.0.1:{_closed_port()}/"
    replies = client.get_many({"live": loopback_server.url, "dead": dead})
    assert (replies["live"].status, replies["live"].node) == (200, "s1")
    assert replies["dead"].status is None
    assert replies["dead"].error == "connection refused"
    assert replies["dead"].describe() == f"{dead}: connection refused"
