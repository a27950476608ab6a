"""The ssh forward of a running VM: listens on 127.0.0.1 of the root namespace, connects inside.

``python -m pytest_hacluster.vbox.forward PORT NETNS GUEST_PORT``. The listening socket is made
first, in the namespace the process starts in (the root one), then the whole process moves
into the VM's network namespace: accepted connections keep living in the root namespace, every
connection it opens is made inside the VM. Living in the VM's namespace also means whatever
kills the VM's processes (power off, ``hacluster-lab gc``) finds and kills the forwarder too.
"""

from __future__ import annotations

import os
import selectors
import socket
import sys
import threading

from pytest_hacluster.netns import _enter

LISTEN_HOST = "127.0.0.1"  # never anything else: the root namespace is the real host's network
IDLE_TIMEOUT_S = 3600  # a connection nobody uses for an hour is dropped, not kept forever


def pump(a: socket.socket, b: socket.socket) -> None:
    """Copy both ways until either side closes (or nothing moves for IDLE_TIMEOUT_S)."""
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, b)
    sel.register(b, selectors.EVENT_READ, a)
    try:
        while True:
            events = sel.select(IDLE_TIMEOUT_S)
            if not events:
                return
            for key, _ in events:
                data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                if not data:
                    return
                key.data.sendall(data)
    except OSError:
        return
    finally:
        sel.close()
        a.close()
        b.close()


def serve(listener: socket.socket, guest_port: int) -> None:
    while True:
        client, _ = listener.accept()
        try:
            inside = socket.create_connection(("127.0.0.1", guest_port), timeout=10)
        except OSError:
            client.close()
            continue
        inside.settimeout(None)
        threading.Thread(target=pump, args=(client, inside), daemon=True).start()


def main(argv: list[str]) -> int:
    port, netns_name, guest_port = int(argv[0]), argv[1], int(argv[2])
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((LISTEN_HOST, port))
    listener.listen(16)
    _enter(netns_name)  # single-threaded so far: the whole process moves
    print(f"forwarding {LISTEN_HOST}:{port} to port {guest_port} in {netns_name}", flush=True)
    os.close(1)  # signals "listening" to the starter, which waits for EOF on our stdout
    serve(listener, guest_port)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
