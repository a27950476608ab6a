"""Checks other than HTTP: the same reply shape, a real client, failures reported not raised."""

from __future__ import annotations

import shutil
import socket

import pytest

from pytest_hacluster.http_client import fetch


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
