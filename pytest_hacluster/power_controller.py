"""The lab's power controller: the one thing a fence agent in a lab node may ask for.

A real cluster's fence device is a management board (IPMI, a PDU, the hypervisor) on a
network the nodes reach; here it is a TCP listener on the lab's gateway address inside the
lab's own host namespace, served by a thread of the process that owns the lab. It understands
one request line and nothing else:

    off NODE | on NODE | status NODE   ->  "ok on" / "ok off"
    list                               ->  "ok s1 s2"
    monitor                            ->  "ok ready"

and answers ``error MESSAGE`` to anything else, naming the input. NODE must be a node of its
own lab: it holds a ``PowerSwitch`` of that lab only, so a node gains no power over the host
or over other labs. Every request is recorded (``PowerEvent``: wall time, what, result) as the
lab's own record of what the fencer asked for, to compare with Pacemaker's fencing history.

Faults of the device itself (for "fencing fails" scenarios): ``fail("error")`` makes off/on
answer an error, ``fail("hang")`` makes them never answer (the agent times out);
``fail(None)`` heals it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

MAX_LINE = 200  # bytes: a request is one short line; a longer one is refused
FAULTS = ("error", "hang")


class PowerSwitch(Protocol):
    """What the controller needs of a lab: its node names and their power."""

    def node_names(self) -> tuple[str, ...]: ...
    def is_on(self, node: str) -> bool: ...
    def switch_off(self, node: str) -> None: ...
    def switch_on(self, node: str) -> None: ...


@dataclass(frozen=True)
class PowerEvent:
    """One request the controller served. ``received``/``done``: wall-clock seconds (epoch);
    ``result``: ``ok STATE`` or ``error MESSAGE`` as answered; ``peer``: the requester's
    address (a lab node's service address)."""

    received: float
    done: float
    request: str
    result: str
    peer: str

    @property
    def action(self) -> str:
        return self.request.split()[0] if self.request.split() else ""

    @property
    def node(self) -> str | None:
        parts = self.request.split()
        return parts[1] if len(parts) > 1 else None

    @property
    def ok(self) -> bool:
        return self.result.startswith("ok")

    def to_record(self) -> dict[str, object]:
        return {"received": self.received, "done": self.done, "request": self.request,
                "result": self.result, "peer": self.peer,
                "took_s": round(self.done - self.received, 3)}


class PowerController:
    """Serves power requests for one lab on ``address``:``port``.

    ``open_socket`` runs the socket's creation where the address lives (the lab's host
    namespace); serving happens on a daemon thread of this process. ``close()`` stops it.
    """

    def __init__(
        self, switch: PowerSwitch, address: str, port: int,
        open_socket: Callable[[Callable[[], socket.socket]], socket.socket] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.switch = switch
        self.address, self.port = address, port
        self.clock = clock
        self.events: list[PowerEvent] = []
        self._fault: str | None = None
        self._lock = threading.Lock()  # one power action at a time, as one board does
        self._stop = threading.Event()

        def make() -> socket.socket:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((address, port))
                sock.listen(8)
                sock.settimeout(0.2)  # lets the serving thread notice close() in bounded time
            except OSError:
                sock.close()
                raise
            return sock

        self._sock = open_socket(make) if open_socket else make()
        self.port = self._sock.getsockname()[1]  # the one bound (port 0 picks a free one)
        self._thread = threading.Thread(target=self._serve, name="hacluster-power", daemon=True)
        self._thread.start()

    # -- the device's own faults --------------------------------------------------------------
    def fail(self, how: str | None) -> None:
        """``"error"``: off/on answer an error; ``"hang"``: they never answer; None: healed."""
        if how is not None and how not in FAULTS:
            raise ValueError(f"power controller fault {how!r} is not one of {', '.join(FAULTS)}")
        self._fault = how

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with contextlib.suppress(OSError):
            self._sock.close()

    # -- serving ------------------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn, peer[0]), daemon=True).start()

    def _handle(self, conn: socket.socket, peer: str) -> None:
        with conn:
            conn.settimeout(5)
            try:
                line = conn.makefile("rb").readline(MAX_LINE + 1)
            except OSError:
                return
            received = self.clock()
            text = line.decode("utf-8", "replace").strip()
            if len(line) > MAX_LINE:
                answer = "error request longer than 200 bytes"
            else:
                answer = self.answer(text)
            if answer is None:  # a hanging device: hold the connection, never answer
                self.events.append(PowerEvent(received, received, text, "hang", peer))
                self._stop.wait(timeout=600)
                return
            self.events.append(PowerEvent(received, self.clock(), text, answer, peer))
            with contextlib.suppress(OSError):
                conn.sendall(answer.encode() + b"\n")

    def answer(self, text: str) -> str | None:
        """The answer line to one request (None: the device hangs)."""
        parts = text.split()
        nodes = self.switch.node_names()
        if parts == ["list"]:
            return "ok " + " ".join(nodes)
        if parts == ["monitor"]:
            return "ok ready"
        if len(parts) != 2 or parts[0] not in ("off", "on", "status"):
            return f"error unknown request {text!r} (off|on|status NODE, list, monitor)"
        action, node = parts
        if node not in nodes:
            return f"error {node!r} is not a node of this lab ({', '.join(nodes)})"
        if action != "status" and self._fault == "hang":
            return None
        if action != "status" and self._fault == "error":
            return f"error device failure injected: {action} {node} not done"
        with self._lock:
            try:
                if action == "off" and self.switch.is_on(node):
                    self.switch.switch_off(node)
                elif action == "on" and not self.switch.is_on(node):
                    self.switch.switch_on(node)
                state = "on" if self.switch.is_on(node) else "off"
            except Exception as exc:  # the device reports any failure as its answer
                return f"error {action} {node} failed: {exc}"
        return f"ok {state}"


__all__ = ["FAULTS", "PowerController", "PowerEvent", "PowerSwitch"]
