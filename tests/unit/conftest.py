"""Fixtures of the unit tests: nothing here reaches beyond loopback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

# Inputs, not tests: data/field-cases/ holds a user's project (with its own test file) that the
# plugin tests copy and run through pytester.
collect_ignore_glob = ["data/*"]


class _Page(http.server.BaseHTTPRequestHandler):
    """A node's page as the cluster serves it, marker included."""

    def do_GET(self) -> None:
        body = b"<p>hacluster-node: s1</p>"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class LoopbackServer:
    """A real HTTP server on 127.0.0.1 that a test can stop to make an outage."""

    def __init__(self) -> None:
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._server.shutdown()
            self._server.server_close()  # connection refused from now on
            self.running = False


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _not_an_xdist_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run of this suite under ``-n K`` must not make the plugin runs the tests start
    (pytester) believe they are xdist workers: their environment is their own."""
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        monkeypatch.delenv(name, raising=False)
