"""Fencing (STONITH) as configuration: the CIB's fence devices and options, and what the nodes
need to run them. Pure functions, like ``render``.

A fence device is a value in ``DEVICES``, chosen once by name (``[tool.hacluster.fencing]
device``). Each node gets its own ``stonith:`` primitive that can fence only it
(``pcmk_host_list``) and is kept off it (a node does not run the device that shoots itself:
``location ... -inf``), as Pacemaker Explained's fencing chapter recommends. Pacemaker facts
used here (Pacemaker Explained 2.1, "Fencing" and "Cluster Options"):

- ``stonith-enabled=true`` and ``stonith-action`` (``off``/``reboot``), ``stonith-timeout``;
- ``priority-fencing-delay`` (2.0.4+): in a split, fencing that targets the node whose
  resources' ``priority`` meta-attributes sum higher is delayed by this much, so that node
  survives; ``pcmk_delay_base``/``pcmk_delay_max`` delay a device's actions (static/random).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pytest_hacluster.config import Description


@dataclass(frozen=True)
class FenceDevice:
    """One kind of fence device: its agent and how to reach what it powers."""

    name: str
    agent: str  # the stonith: class agent name, an executable in /usr/sbin on every node
    agent_source: Path | None  # installed on each node when the distribution lacks it

    def params(self, desc: Description, node: str) -> str:
        """crmsh ``params`` of the device that fences ``node`` (besides pcmk_*)."""
        if self.name == "lab":
            return f"ip={desc.gateway} ipport={desc.fencing.port} plug={node}"
        raise ValueError(f"fence device {self.name!r} has no parameters defined")


LAB_AGENT = "fence_hacluster_lab"
_AGENT_SOURCE = Path(__file__).with_name("fence_hacluster_lab.py")

DEVICES = {
    "lab": FenceDevice("lab", LAB_AGENT, _AGENT_SOURCE),
}


def device(desc: Description) -> FenceDevice:
    try:
        return DEVICES[desc.fencing.device]
    except KeyError:
        raise ValueError(
            f"fence device {desc.fencing.device!r} is not one of {', '.join(DEVICES)}"
        ) from None


def device_id(node: str) -> str:
    """The stonith resource that fences ``node``."""
    return f"fence_{node}".replace(".", "_")


def properties(desc: Description) -> dict[str, str]:
    """Cluster options fencing sets over ``desc.properties`` (nothing when it is off)."""
    f = desc.fencing
    if not f.enabled:
        return {}
    props = {"stonith-enabled": "true", "stonith-action": f.action, "stonith-timeout": f.timeout}
    if f.priority_fencing_delay:
        props["priority-fencing-delay"] = f.priority_fencing_delay
    return props


def crm_configuration(desc: Description) -> str:
    """crmsh lines for the fence devices and group priorities ("" when fencing is off)."""
    f = desc.fencing
    if not f.enabled:
        return ""
    dev = device(desc)
    lines = []
    for node in desc.node_names:
        rid = device_id(node)
        pcmk = [f"pcmk_host_list={node}", "pcmk_host_check=static-list"]
        if node in f.delay_base:
            pcmk.append(f"pcmk_delay_base={f.delay_base[node]}")
        if f.delay_max:
            pcmk.append(f"pcmk_delay_max={f.delay_max}")
        lines += [
            f"primitive {rid} stonith:{dev.agent} \\\n"
            f"    params {dev.params(desc, node)} {' '.join(pcmk)} \\\n"
            f"    op monitor interval=60s",
            f"location {rid}-not-on-{node} {rid} -inf: {node}",
        ]
    return "\n".join(lines) + "\n"


def group_meta(desc: Description, group: str) -> str:
    """`` meta priority=N`` for a group's crmsh line when priority-fencing-delay decides which
    node survives a split ("" otherwise). Unconfigured, the Apache group weighs more: the node
    running ``web`` survives (each group weighs more than the ones described after it)."""
    f = desc.fencing
    priorities = f.priorities or default_priorities(desc)
    if not (f.enabled and f.priority_fencing_delay and group in priorities):
        return ""
    return f" meta priority={priorities[group]}"


def default_priorities(desc: Description) -> dict[str, str]:
    """Group -> priority when none are configured: the first group weighs most (web 2,
    webapp 1 for the seed's pair)."""
    return {g.name: str(len(desc.groups) - i) for i, g in enumerate(desc.groups)}


def node_files(desc: Description) -> list[tuple[str, str, int]]:
    """What each node needs to run the device's agent, as ``(path, content, mode)`` for
    ``render`` to place (nothing when fencing is off)."""
    dev = device(desc)
    if not desc.fencing.enabled or dev.agent_source is None:
        return []
    return [(f"/usr/sbin/{dev.agent}", dev.agent_source.read_text(), 0o755)]


__all__ = ["DEVICES", "FenceDevice", "crm_configuration", "default_priorities", "device",
           "device_id", "group_meta", "node_files", "properties"]
