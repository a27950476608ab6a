"""ARP frames the scanner sends and the replies it reads (pure)."""

from __future__ import annotations

import struct

from pytest_hacluster.arp import ETH_P_ARP, mac_text, parse_reply, request_frame

SRC = bytes.fromhex("020000000001")
NODE = bytes.fromhex("0a0b0c0d0e0f")


def reply_frame(sender_mac: bytes, sender_ip: bytes) -> bytes:
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + sender_mac + sender_ip + SRC + bytes(4)
    return SRC + sender_mac + struct.pack("!H", ETH_P_ARP) + arp


def test_request_is_a_broadcast_who_has() -> None:
    frame = request_frame(SRC, "192.168.1.1", "192.168.1.101")
    assert frame[:6] == b"\xff" * 6 and frame[6:12] == SRC
    assert struct.unpack("!H", frame[12:14])[0] == ETH_P_ARP
    assert struct.unpack("!H", frame[20:22])[0] == 1  # request
    assert frame[28:32] == bytes([192, 168, 1, 1]) and frame[38:42] == bytes([192, 168, 1, 101])
    assert parse_reply(frame) is None  # our own request is not an answer


def test_reply_names_sender_ip_and_mac() -> None:
    assert parse_reply(reply_frame(NODE, bytes([192, 168, 1, 101]))) == (
        "192.168.1.101", "0a:0b:0c:0d:0e:0f"
    )
    assert parse_reply(b"\x00" * 20) is None
    assert mac_text(NODE) == "0a:0b:0c:0d:0e:0f"
