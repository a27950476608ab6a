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

Devices: ``lab`` (the lab's power controller through ``fence_hacluster_lab``, this project's
own agent) and ``vbox`` (Debian fence-agents' ``fence_vbox`` 4.12: ssh to the VirtualBox host,
``VBoxManage`` there; its parameters as its ``metadata`` names them: ``ip``, ``ipport``,
``username``, ``identity_file``, ``ssh``, ``plug``, ``vboxmanage_path``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pytest_hacluster.config import Description


@dataclass(frozen=True)
class FenceDevice:
    """One kind of fence device: its agent and how to reach what it powers."""

    name: str
    agent: str  # the stonith: class agent name, an executable in /usr/sbin on every node
    agent_source: Path | None  # installed on each node when the distribution lacks it
    backends: tuple[str, ...]  # the backends whose nodes it can power off
    packages: tuple[str, ...] = ()  # Debian packages the nodes need for the agent
    params_of: Callable[[Description, str], dict[str, str]] | None = None

    def params(self, desc: Description, node: str) -> str:
        """crmsh ``params`` of the device that fences ``node`` (besides pcmk_*)."""
        if self.params_of is None:
            raise ValueError(f"fence device {self.name!r} has no parameters defined")
        return " ".join(f"{k}={_crm_value(v)}" for k, v in self.params_of(desc, node).items())


def _crm_value(value: str) -> str:
    # crmsh reads params as shell-like words: a value with a space or quote needs quoting
    if value and all(c.isalnum() or c in "._-/:@+=," for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _lab_params(desc: Description, node: str) -> dict[str, str]:
    return {"ip": desc.gateway, "ipport": str(desc.fencing.port), "plug": node}


def vm_name(desc: Description, node: str) -> str:
    """The VirtualBox VM of ``node`` that fence_vbox powers: ``[tool.hacluster.fencing.vbox]
    vms``, else ``<cluster_name>-<node>`` (the name the Vagrantfile gives it then)."""
    return desc.fencing.vbox.vms.get(node) or f"{desc.cluster_name}-{node}"


def vbox_params(desc: Description, node: str) -> dict[str, str]:
    """fence_vbox's parameters for the device fencing ``node`` (names from its metadata)."""
    v = desc.fencing.vbox
    params = {"ip": v.host, "ipport": str(v.port), "username": v.login,
              "identity_file": v.identity_file, "ssh": "1", "plug": vm_name(desc, node)}
    if v.vboxmanage_path:
        params["vboxmanage_path"] = v.vboxmanage_path
    return params


LAB_AGENT = "fence_hacluster_lab"
_AGENT_SOURCE = Path(__file__).with_name("fence_hacluster_lab.py")

DEVICES = {
    "lab": FenceDevice("lab", LAB_AGENT, _AGENT_SOURCE, backends=("lab",),
                       params_of=_lab_params),
    # Debian's fence-agents ships fence_vbox; it needs /usr/bin/ssh on the node too (the
    # Debian box has openssh-client)
    "vbox": FenceDevice("vbox", "fence_vbox", None, backends=("vagrant", "ssh"),
                        packages=("fence-agents",), params_of=vbox_params),
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
    node survives a split ("" otherwise). Unconfigured, the first group weighs most: the node
    running it survives (each group weighs more than the ones described after it; ``web`` for
    the seed's pair)."""
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


def packages(desc: Description) -> tuple[str, ...]:
    """Debian packages the nodes need for the fence device (none when fencing is off)."""
    return device(desc).packages if desc.fencing.enabled else ()


def vm_names(desc: Description) -> dict[str, str]:
    """node -> VirtualBox VM name, for the Vagrantfile to give its VMs: only with fencing on
    through fence_vbox (otherwise vagrant names them as it always does)."""
    f = desc.fencing
    if not (f.enabled and f.device == "vbox"):
        return {}
    return {node: vm_name(desc, node) for node in desc.node_names}


__all__ = ["DEVICES", "FenceDevice", "crm_configuration", "default_priorities", "device",
           "device_id", "group_meta", "node_files", "packages", "properties", "vbox_params",
           "vm_name", "vm_names"]
