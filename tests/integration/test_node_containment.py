"""A lab node cannot reach the host's sysrq, reboot it or power it off (issue 19, safety first).

Pacemaker's panic path (``fence-reaction=panic``, a fenced node that learns of its own fencing)
writes ``b`` to ``/proc/sysrq-trigger`` and then calls ``reboot()``. On a node made of namespaces
the kernel is the host's, so both must be contained before STONITH is ever enabled.

Order matters and is enforced: the masking and the PID-namespace facts are checked first (no
byte is ever written to any sysrq-trigger: its read-only mount is proven by an ``open`` for
writing that must fail with EROFS), and only then does a process inside the node call
``reboot()``. That ``reboot()`` must end the node's PID 1, and the host must be the same
machine afterwards (same ``boot_id``, same PID 1, same host files).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from pytest_hacluster import netns
from pytest_hacluster.node import Node
from pytest_hacluster.statedir import state_dir
from pytest_hacluster.waiting import wait_until
from tests.integration.test_lab_lifecycle import HOST_PATHS, _fingerprint

# Run inside the node: open sysrq-trigger for writing (never writes), report the errno.
OPEN_FOR_WRITE = """
import errno, os, sys
try:
    fd = os.open(sys.argv[1], os.O_WRONLY)
except OSError as exc:
    print(errno.errorcode[exc.errno])
else:
    os.close(fd)  # not a byte written
    print("WRITABLE")
"""

# Run inside the node: refuse to call reboot() unless this process is in another PID namespace
# than the host's (given as argv[1]), then call it as Pacemaker's panic does.
REBOOT_IN_NODE = """
import ctypes, os, sys
if os.readlink("/proc/self/ns/pid") == sys.argv[1]:
    print("IN-HOST-PID-NAMESPACE")
    sys.exit(3)
cmd = int(sys.argv[2], 16)
rc = ctypes.CDLL(None, use_errno=True).reboot(cmd)
print("reboot returned", rc, ctypes.get_errno())
"""

LINUX_REBOOT_CMD_RESTART = "0x01234567"  # glibc's RB_AUTOBOOT, what Pacemaker's panic calls
LINUX_REBOOT_CMD_POWER_OFF = "0x4321fedc"


def _host_facts() -> dict[str, object]:
    pid1 = Path("/proc/1/stat").read_text().rsplit(")", 1)[1].split()
    return {
        "boot_id": Path("/proc/sys/kernel/random/boot_id").read_text().strip(),
        "pid1_start_ticks": pid1[19],
        "pid_ns": os.readlink("/proc/self/ns/pid"),  # the namespace this host side runs in
        "hostname": Path("/proc/sys/kernel/hostname").read_text().strip(),
    }


@pytest.fixture
def node(prefix: str) -> Iterator[Node]:
    """One bare lab node (the lab's own Node, as every cluster node is made) in its own netns."""
    ns = f"{prefix}.s1"
    netns.add(ns)
    made = Node("s1", ns, state_dir(prefix))
    made.prepare([])
    made.boot()
    yield made
    made.power_off()


def _mount_options(node: Node, path: str) -> list[str]:
    """The per-mount options of the mount at exactly ``path`` inside the node (mountinfo)."""
    options: list[str] | None = None
    for line in node.run(["cat", "/proc/self/mountinfo"], check=True).stdout.splitlines():
        fields = line.split()
        if fields[4] == path:
            options = fields[5].split(",")  # the last one listed is the one on top
    if options is None:
        raise AssertionError(f"no mount at {path} inside node {node.name}")
    return options


def _sysrq_is_reachable_read_only(node: Node) -> None:
    """The node's sysrq-trigger is read-only, or absent as on the host (kernel without sysrq)."""
    if not Path("/proc/sysrq-trigger").exists():
        # This kernel has no CONFIG_MAGIC_SYSRQ: the node's fresh /proc cannot have it either.
        absent = node.run(["test", "-e", "/proc/sysrq-trigger"])
        assert absent.exited == 1, absent.describe()
        return
    assert "ro" in _mount_options(node, "/proc/sysrq-trigger")
    opened = node.run(["python3", "-c", OPEN_FOR_WRITE, "/proc/sysrq-trigger"], check=True)
    assert opened.stdout.strip() == "EROFS", opened.describe()


def test_host_sysrq_kernel_settings_and_sysfs_are_read_only_in_a_node(node: Node) -> None:
    _sysrq_is_reachable_read_only(node)
    for path in ("/proc/sys", "/sys"):
        assert "ro" in _mount_options(node, path), path
    for path in ("/proc/sys/kernel/hostname", "/sys/power/state"):
        opened = node.run(["python3", "-c", OPEN_FOR_WRITE, path], check=True)
        assert opened.stdout.strip() == "EROFS", (path, opened.describe())


@pytest.mark.parametrize("cmd", [LINUX_REBOOT_CMD_RESTART, LINUX_REBOOT_CMD_POWER_OFF])
def test_reboot_inside_a_node_ends_only_that_node(node: Node, cmd: str) -> None:
    files_before = _fingerprint(HOST_PATHS)
    host_before = _host_facts()
    # Preconditions, in this order, before any reboot() is called.
    _sysrq_is_reachable_read_only(node)
    node_ns = node.run(["readlink", "/proc/self/ns/pid"], check=True).stdout.strip()
    assert node_ns and node_ns != host_before["pid_ns"], (node_ns, host_before)
    assert node.pid is not None and node.alive

    result = node.run(["python3", "-c", REBOOT_IN_NODE, str(host_before["pid_ns"]), cmd],
                      timeout=20)
    assert "IN-HOST-PID-NAMESPACE" not in result.stdout, result.describe()
    assert "reboot returned" not in result.stdout, result.describe()  # it never returns
    wait_until(lambda: not node.alive, timeout=10, interval=0.01,
               what=f"node s1's PID 1 to end after reboot({cmd}) inside it")
    assert _host_facts() == host_before
    assert _fingerprint(HOST_PATHS) == files_before
