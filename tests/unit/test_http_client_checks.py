"""Checks other than HTTP: the same reply shape, a real client, failures reported not raised."""

from __future__ import annotations

import shutil
import socket
import time

import pytest

from pytest_hacluster.http_client import PROCESS_CHECK_INTERVAL_S, Inline, fetch
from pytest_hacluster.probe import Probe


def test_tcp_check_answers_when_a_port_listens_and_not_otherwise() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        assert fetch(f"tcp://127.0.0.1:{port}", 1.0).ok
    reply = fetch(f"tcp://127.0.0.1:{port}", 1.0)
    assert not reply.ok and reply.error


@pytest.mark.skipif(shutil.which("smbclient") is None, reason="smbclient is not installed")
def test_smb_check_reports_what_smbclient_said() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    reply = fetch(f"smb://127.0.0.1:{port}/share/hacluster.txt", 2.0)
    assert not reply.ok and reply.status is None
    assert reply.error is not None and reply.error.startswith("smbclient exit ")
    assert reply.describe().startswith(f"smb://127.0.0.1:{port}/share/hacluster.txt: smbclient")


@pytest.mark.skipif(shutil.which("smbclient") is None, reason="smbclient is not installed")
def test_probe_samples_process_checks_less_often() -> None:
    """A check that starts smbclient is sampled every PROCESS_CHECK_INTERVAL_S, a tcp check
    every probe interval: ten smbclients a second starved a loaded machine."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        port = server.getsockname()[1]
        urls = {"tcp": f"tcp://127.0.0.1:{port}", "smb": f"smb://127.0.0.1:{port + 1}/s/f"}
        runner = Inline(workers=Probe.workers_needed(len(urls), 0.05, 1.0))
        probe = Probe(runner, urls, interval=0.05, timeout=1.0)
        with probe:
            time.sleep(1.2)
        runner.close()
    counts = {name: sum(1 for s in probe.samples if s.url == name) for name in urls}
    assert counts["tcp"] >= 15, counts
    assert 1 <= counts["smb"] <= 1.2 / PROCESS_CHECK_INTERVAL_S + 1, counts


def test_a_reply_says_which_node_answered_or_that_the_page_has_no_marker() -> None:
    from pytest_hacluster.http_client import Reply
    from pytest_hacluster.render import NODE_MARKER

    marked = Reply("http://192.168.1.101/", 200, f"<p>{NODE_MARKER} s1</p>", 0.01)
    proxy_error = Reply("http://192.168.1.101/app/", 503, "<h1>Service Unavailable</h1>", 0.01)
    assert marked.describe() == "http://192.168.1.101/: HTTP 200 from s1"
    assert proxy_error.describe() == (
        "http://192.168.1.101/app/: HTTP 503 (a page without the node marker)")
