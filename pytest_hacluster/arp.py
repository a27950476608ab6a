"""Who answers ARP for an address, asked ten times a second without starting a process.

A VIP held by two nodes is a split brain that HTTP cannot show (the clients' ARP cache sends
every request to one of them), but a broadcast ARP request is answered by every holder, each
with its own MAC. ``arping`` answers that too, but a process per VIP per look is too slow and
too heavy to run at the probe's rate on two cores; one raw packet socket on the clients' LAN
does it in well under a millisecond of CPU per look.

The socket must be opened inside the network namespace of that LAN (``open_in`` takes the
callable that runs there, for the lab a thread of its host namespace); once open it may be
used from any thread. Linux only (``AF_PACKET``); needs CAP_NET_RAW, which the lab has as root.
"""

from __future__ import annotations

import ipaddress
import select
import socket
import struct
import time
from collections.abc import Callable, Iterable

ETH_P_ARP = 0x0806
_BROADCAST = b"\xff" * 6
_ARP_REQUEST, _ARP_REPLY = 1, 2
# htype Ethernet, ptype IPv4, hlen 6, plen 4, op
_ARP_HEAD = struct.Struct("!HHBBH")


def mac_text(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def request_frame(src_mac: bytes, src_ip: str, target_ip: str) -> bytes:
    """A broadcast "who has ``target_ip``? tell ``src_ip``" Ethernet frame."""
    arp = (
        _ARP_HEAD.pack(1, 0x0800, 6, 4, _ARP_REQUEST)
        + src_mac + ipaddress.IPv4Address(src_ip).packed
        + b"\x00" * 6 + ipaddress.IPv4Address(target_ip).packed
    )
    return _BROADCAST + src_mac + struct.pack("!H", ETH_P_ARP) + arp


def parse_reply(frame: bytes) -> tuple[str, str] | None:
    """(sender IP, sender MAC) of an ARP reply frame; None for anything else."""
    if len(frame) < 42 or struct.unpack("!H", frame[12:14])[0] != ETH_P_ARP:
        return None
    _htype, _ptype, _hlen, _plen, op = _ARP_HEAD.unpack(frame[14:22])
    if op != _ARP_REPLY:
        return None
    sender_mac, sender_ip = frame[22:28], frame[28:32]
    return str(ipaddress.IPv4Address(sender_ip)), mac_text(sender_mac)


class ArpScanner:
    """Broadcasts ARP requests for some addresses and collects every answer in a short window."""

    def __init__(self, sock: socket.socket, src_ip: str) -> None:
        self._sock = sock
        self._src_ip = src_ip
        self._src_mac: bytes = sock.getsockname()[4][:6]

    @classmethod
    def open_in(
        cls, run_there: Callable[[Callable[[], socket.socket]], socket.socket],
        interface: str, src_ip: str,
    ) -> ArpScanner:
        """Open the socket on ``interface`` through ``run_there`` (inside the LAN's netns)."""

        def open_socket() -> socket.socket:
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ARP))
            try:
                sock.bind((interface, ETH_P_ARP))
                sock.setblocking(False)
            except OSError:
                sock.close()
                raise
            return sock

        return cls(run_there(open_socket), src_ip)

    def who_has(self, ips: Iterable[str], window_s: float = 0.05) -> dict[str, tuple[str, ...]]:
        """The MACs that answered for each of ``ips`` within ``window_s`` (sorted, unique)."""
        wanted = list(ips)
        self._drain()
        for ip in wanted:
            self._sock.send(request_frame(self._src_mac, self._src_ip, ip))
        seen: dict[str, set[str]] = {ip: set() for ip in wanted}
        deadline = time.monotonic() + window_s
        while (left := deadline - time.monotonic()) > 0:
            ready, _, _ = select.select([self._sock], [], [], left)
            if not ready:
                break
            for frame in self._read_all():
                reply = parse_reply(frame)
                if reply is not None and reply[0] in seen:
                    seen[reply[0]].add(reply[1])
        return {ip: tuple(sorted(macs)) for ip, macs in seen.items()}

    def _read_all(self) -> list[bytes]:
        frames = []
        while True:
            try:
                frames.append(self._sock.recv(2048))
            except BlockingIOError:
                return frames

    def _drain(self) -> None:
        """Late answers to the previous look belong to it, not to this one."""
        self._read_all()

    def close(self) -> None:
        self._sock.close()


__all__ = ["ArpScanner", "mac_text", "parse_reply", "request_frame"]
