"""VirtualBox's rules for host-only networks, as pure functions: version, networks.conf, collisions.

Where the rules come from:

- VirtualBox 6.1.28 and later (Linux, macOS, Solaris hosts) assign host-only adapters only
  addresses inside ``192.168.56.0/21`` (IPv6: link-local ``fe80::/10``), unless
  ``/etc/vbox/networks.conf`` allows more: lines ``* <cidr> [<cidr>...]``; ``#`` lines are
  comments; a file with no ``*`` line allows nothing (VirtualBox manual, ch. 6 "Host-Only
  Networking"; changelog 6.1.28). VirtualBox itself refuses the adapter address with
  ``VBoxManage: error: Code E_ACCESSDENIED (0x80070005) - Access denied (extended info not
  available)`` from ``EnableStaticIPConfig`` (hashicorp/vagrant issue 13038 and many alike).
- Vagrant (2.2.19 on, ``plugins/providers/virtualbox/action/network.rb``,
  ``validate_hostonly_ip!`` / ``load_net_conf``) checks first, from the same file: a missing
  file means the default range; every ``*`` line's entries are ranges; other lines are skipped.
  It skips the check below 6.1.28 (``HOSTONLY_VALIDATE_VERSION``), on Windows, and on macOS from
  7.0. Its message: "The IP address configured for the host-only network is not within the
  allowed ranges." (``VirtualBoxInvalidHostSubnet``).
- Vagrant also refuses a host-only network whose network address equals that of a host
  interface VirtualBox could bridge (``VBoxManage list bridgedifs``, status not ``Down``):
  ``Vagrant::Errors::NetworkCollision``, same file, ``hostonly_config``. An overlapping but
  different network passes Vagrant and still breaks routing, so ``collisions`` reports any
  overlap.

Networks are ``ipaddress.IPv4Network``/``IPv6Network``; versions ``(major, minor, patch)``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

VALIDATED_FROM = (6, 1, 28)
DEFAULT_RANGES: tuple[Network, ...] = (
    ipaddress.ip_network("192.168.56.0/21"),
    ipaddress.ip_network("fe80::/10"),
)
NETWORKS_CONF = Path("/etc/vbox/networks.conf")
# Where this runner's VirtualBox configuration directory is, when it is not /etc/vbox: set only
# by the VirtualBox stand-in (its modelled /etc/vbox lives in its state dir).
VBOX_ETC_ENV = "HACLUSTER_VBOX_ETC"

# "7.0.20r163906", "6.1.26_Ubuntur145957", "4.1.8_MacPortsr1234", "7.0.20_OSE" (the forms
# Vagrant's driver/meta.rb read_version accepts).
_VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:[_r]\S*)?$")


class HostOnlyError(ValueError):
    """Input this module cannot read; the message names the input."""


def parse_version(text: str) -> tuple[int, int, int]:
    """``VBoxManage --version`` output -> ``(major, minor, patch)``; HostOnlyError otherwise."""
    lines = [line for line in text.splitlines() if line.strip()]
    # VBoxManage may print warnings (e.g. a kernel module not loaded) before the version.
    match = _VERSION_RE.match(lines[-1].strip()) if lines else None
    if match is None:
        raise HostOnlyError(f"`VBoxManage --version` printed {text.strip()!r}: not a version")
    major, minor, patch = (int(g) for g in match.groups())
    return (major, minor, patch)


def validates(version: tuple[int, int, int]) -> bool:
    """Whether this VirtualBox (on a Linux host) restricts host-only addresses."""
    return version >= VALIDATED_FROM


def vbox_etc(env: Mapping[str, str]) -> Path:
    """The runner's VirtualBox configuration directory (``/etc/vbox`` on a real runner)."""
    return Path(env.get(VBOX_ETC_ENV) or NETWORKS_CONF.parent)


def parse_networks_conf(text: str, source: str = str(NETWORKS_CONF)) -> tuple[Network, ...]:
    """The ranges a ``networks.conf`` allows (possibly none); HostOnlyError names a bad line.

    Only ``*`` lines count (VirtualBox and Vagrant alike); Vagrant crashes on an entry that is
    not an address range, so one is an error here, with its line number.
    """
    ranges: list[Network] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line.startswith("*"):
            continue
        for entry in line[1:].split():
            try:
                ranges.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise HostOnlyError(
                    f"{source} line {number}: {entry!r} is not an address range (a CIDR such "
                    "as 192.168.1.0/24)"
                ) from None
    return tuple(ranges)


def allowed_ranges(conf: Path) -> tuple[tuple[Network, ...], bool]:
    """``(ranges, from_file)``: the file's ranges, or VirtualBox's default when it is missing."""
    try:
        text = conf.read_text()
    except FileNotFoundError:
        return DEFAULT_RANGES, False
    return parse_networks_conf(text, str(conf)), True


def outside(networks: Iterable[Network], ranges: Iterable[Network]) -> list[Network]:
    """The networks not wholly inside one allowed range (each node's address and the host
    adapter's ``.1`` must be allowed, so the whole network is asked for)."""
    allowed = list(ranges)
    return [
        net for net in networks
        if not any(net.version == r.version and net.subnet_of(r) for r in allowed)  # type: ignore[arg-type]
    ]


def networks_conf_line(networks: Iterable[Network]) -> str:
    """The ``networks.conf`` line allowing exactly these networks."""
    return "* " + " ".join(str(n) for n in networks)


@dataclass(frozen=True)
class HostInterface:
    """One interface of the host as ``VBoxManage list bridgedifs`` shows it."""

    name: str
    network: ipaddress.IPv4Interface
    up: bool


def parse_bridgedifs(text: str) -> list[HostInterface]:
    """``VBoxManage list bridgedifs`` -> the interfaces with an IPv4 address.

    Blocks separated by blank lines with ``Name:``, ``IPAddress:``, ``NetworkMask:``,
    ``Status:`` (the fields Vagrant's ``read_bridged_interfaces`` reads). An interface without
    an address shows ``0.0.0.0`` and is left out; an unreadable address is an error.
    """
    found = []
    for block in re.split(r"\n\s*\n", text.strip()):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() not in fields:
                fields[key.strip()] = value.strip()
        if "Name" not in fields:
            continue
        ip, mask = fields.get("IPAddress", ""), fields.get("NetworkMask", "")
        if not ip or ip == "0.0.0.0":
            continue
        try:
            address = ipaddress.IPv4Interface(f"{ip}/{mask}")
        except ValueError:
            raise HostOnlyError(
                f"VBoxManage list bridgedifs: interface {fields['Name']!r} has IPAddress {ip!r} "
                f"NetworkMask {mask!r}, not an IPv4 address and mask"
            ) from None
        found.append(HostInterface(fields["Name"], address, fields.get("Status") != "Down"))
    return found


def collisions(
    networks: Iterable[Network], interfaces: Iterable[HostInterface]
) -> list[tuple[Network, HostInterface]]:
    """Each (cluster network, host interface that is up on an overlapping network)."""
    ifaces = [i for i in interfaces if i.up]
    return [
        (net, iface)
        for net in networks
        for iface in ifaces
        if net.version == 4 and net.overlaps(iface.network.network)
    ]


__all__ = [
    "DEFAULT_RANGES", "NETWORKS_CONF", "VALIDATED_FROM", "VBOX_ETC_ENV", "HostInterface",
    "HostOnlyError", "Network", "allowed_ranges", "collisions", "networks_conf_line",
    "outside", "parse_bridgedifs", "parse_networks_conf", "parse_version", "validates",
    "vbox_etc",
]
