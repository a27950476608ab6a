"""One stand-in VM at run time: a ``node.Node`` wired like the VirtualBox VM vagrant configured.

NIC 1 (NAT) is ``eth0``, a veth whose host end is attached nowhere: it only keeps the guest's
interface numbering (vagrant maps adapter N to the N-th ethernet device). NIC N >= 2 on a
host-only network is ``eth<N-1>``, a veth whose host end ``<vm>-nicN`` sits on the bridge named
after the host-only interface in the stand-in's host namespace. The VM's ssh forward is
``forward.py``. Shared folders are recorded but reach no guest: the box has no guest additions
(no vboxsf), as the default box ``debian/bookworm64``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys

from pytest_hacluster import netns
from pytest_hacluster.node import Node, NodeError, NodeRecord, load_records, save_records
from pytest_hacluster.vbox.state import Place, Registry, Vm

SSHD = ("sh", "-c", "mkdir -p /run/sshd && exec /usr/sbin/sshd -D -e")


class VmError(RuntimeError):
    """A VBoxManage call that cannot be done; printed as VirtualBox would, then exit 1."""


def host_link(vm: Vm, nic: str) -> str:
    return f"{vm.short}-nic{nic}"  # vm + up to 3 digits + "-nic" + 1 digit: within 15 chars


def _mac(value: str) -> str | None:
    v = value.lower().replace(":", "")
    if len(v) != 12 or any(c not in "0123456789abcdef" for c in v):
        return None
    return ":".join(v[i:i + 2] for i in range(0, 12, 2))


def node_of(place: Place, vm: Vm) -> Node:
    """The VM's node; attached to its running PID 1 when there is one."""
    record_file = place.vms_dir / vm.short / "node.json"
    if record_file.exists():
        try:
            records, _ = load_records(record_file)
            return Node.attach(records[0], place.vms_dir)
        except (OSError, ValueError, KeyError, IndexError):
            pass
    return Node(vm.short, place.vm_netns(vm), place.vms_dir)


def running(place: Place, vm: Vm) -> bool:
    return node_of(place, vm).alive


def ensure_host_netns(place: Place, reg: Registry) -> None:
    """The host side of every host-only network: a bridge per interface, its address on it."""
    if not netns.exists(place.host_netns):
        netns.add(place.host_netns)
    have = netns.ip("-o", "link", "show", netns=place.host_netns).stdout
    cmds = []
    for hif in reg.hostonlyifs.values():
        if f": {hif.name}:" not in have:
            cmds += [f"link add {hif.name} type bridge", f"link set {hif.name} up"]
            if hif.ip:
                cmds.append(f"addr add {hif.ip}/{hif.netmask} dev {hif.name}")
    if cmds:
        netns.ip_batch(place.host_netns, cmds)


def start(place: Place, reg: Registry, vm: Vm) -> None:
    """``startvm``: namespaces, NICs, the node with sshd as its PID 1, the ssh forward."""
    if running(place, vm):
        raise VmError(f'The machine \'{vm.name}\' is already locked for a session (or being '
                      'unlocked)')
    ensure_host_netns(place, reg)
    ns = place.vm_netns(vm)
    netns.delete(ns)
    netns.add(ns)
    # (No dummy device: the module may be missing; a veth always works.)
    host_cmds = [f"link add {host_link(vm, '1')} type veth peer name eth0 netns {ns}"]
    node_cmds = ["link set eth0 up"]
    if vm.nics.get("1") and vm.nics["1"].mac and _mac(vm.nics["1"].mac):
        node_cmds.insert(1, f"link set eth0 address {_mac(vm.nics['1'].mac)}")
    for number, nic in sorted(vm.nics.items()):
        if number == "1" or nic.type != "hostonly":
            continue
        if nic.hostonly not in reg.hostonlyifs:
            raise VmError(f"Host-only interface {nic.hostonly!r} of NIC {number} does not exist")
        link, guest = host_link(vm, number), f"eth{int(number) - 1}"
        host_cmds += [f"link add {link} type veth peer name {guest} netns {ns}",
                      f"link set {link} master {nic.hostonly}",
                      f"link set {link} {'up' if nic.cable else 'down'}"]
        if _mac(nic.mac):
            node_cmds.append(f"link set {guest} address {_mac(nic.mac)}")
        node_cmds.append(f"link set {guest} up")
    netns.ip_batch(place.host_netns, host_cmds)
    netns.ip_batch(ns, node_cmds)
    node = Node(vm.short, ns, place.vms_dir, init=SSHD)
    node.prepare([])
    try:
        node.boot()
    except NodeError:
        stop(place, vm)
        raise
    save_records(place.vms_dir / vm.short / "node.json", [node.record], {"vm": vm.uuid})
    try:
        for fields in vm.forwards.values():
            _forward(place, vm, fields)
    except BaseException:
        stop(place, vm)  # a VM without its ssh forward is of no use to vagrant
        raise


def _forward(place: Place, vm: Vm, fields: list[str]) -> None:
    """natpf ``name,proto,hostip,hostport,guestip,guestport``: tcp to 127.0.0.1 only."""
    _, proto, host_ip, host_port, _, guest_port = fields
    # An empty host IP means every interface to VirtualBox: refused, so a Vagrantfile that
    # would expose a guest's sshd on the network fails here instead of passing unseen.
    if proto != "tcp" or host_ip != "127.0.0.1":
        raise VmError(f"the stand-in forwards tcp on 127.0.0.1 only, not {fields}")
    log = open(place.vms_dir / vm.short / "forward.log", "ab")  # noqa: SIM115 - the child's
    with log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest_hacluster.vbox.forward", host_port,
             place.vm_netns(vm), guest_port],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
            start_new_session=True, cwd="/",
        )
    assert proc.stdout is not None
    try:
        proc.stdout.read()  # EOF once it listens (or died)
    finally:
        proc.stdout.close()
    if proc.poll() not in (None, 0):
        text = (place.vms_dir / vm.short / "forward.log").read_text()[-500:]
        raise VmError(f"port forward {host_ip}:{host_port} failed: {text}")


def stop(place: Place, vm: Vm) -> None:
    """Power off: kill everything in the VM's namespace (PID 1, forwarder), then drop it.

    The node's upper dir (its "disk") stays: a VM powered on again finds its files.
    """
    from pytest_hacluster.waiting import wait_until

    ns = place.vm_netns(vm)
    node = node_of(place, vm)
    if node.alive:
        node.power_off()
    pids = netns.pids_in(ns)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    wait_until(lambda: [p for p in pids if netns.still_running(p)], lambda left: not left,
               timeout=10, interval=0.02, what=f"the processes of VM {vm.name} to end")
    netns.delete(ns)  # the veths go with it; their host ends with them
    (place.vms_dir / vm.short / "node.json").unlink(missing_ok=True)


def set_cable(place: Place, vm: Vm, number: str, plugged: bool) -> None:
    """A pulled cable: the host end goes down, so the guest's NIC loses carrier."""
    if running(place, vm):
        netns.ip("link", "set", host_link(vm, number), "up" if plugged else "down",
                 netns=place.host_netns)


__all__ = ["NodeRecord", "VmError", "host_link", "running", "set_cable", "start", "stop"]
