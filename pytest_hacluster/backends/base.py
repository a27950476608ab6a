"""The small interface every backend implements; nothing outside ``backends/`` asks which it is.

A backend knows how to have a cluster (make machines and start daemons, or find existing ones),
how to run a command on a node, and where the cluster's clients stand. Everything a test does
with the cluster (state, waits, faults) is built in ``cluster.py`` on these few calls.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from pytest_hacluster import render
from pytest_hacluster.arp import ArpScanner
from pytest_hacluster.config import Description
from pytest_hacluster.http_client import HttpClient, Inline, Runner
from pytest_hacluster.power_controller import PowerController
from pytest_hacluster.shell import Command, Result

Progress = Callable[[str], None]


class BackendError(RuntimeError):
    """The cluster could not be had; the message says why and what to do about it."""


class FaultNotSupported(BackendError):
    """This backend cannot inject this fault (e.g. pulling a cable of an existing cluster)."""


class FaultNotAllowed(BackendError):
    """A destructive fault on a cluster that was not opted in to being broken on purpose."""


class NodeShell(Protocol):
    """A node as tests see it: a name and a way to run commands there."""

    name: str

    def run(
        self,
        command: Command,
        *,
        timeout: float = 60,
        check: bool = False,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result: ...

    def write(self, path: str, content: str | bytes, mode: int = 0o644,
              owner: str = "root:root") -> None:
        """Write a file on the node (``shell.write_file`` does it with ``run``)."""
        ...


@dataclass(frozen=True)
class Settings:
    """How to run the backend, as opposed to what the cluster is (that is the Description)."""

    prefix: str = "hacl"
    keep: bool = False
    rootdir: Path = Path(".")
    allow_faults: bool = False  # --hacluster-allow-faults: consent to break an existing cluster


class Backend(ABC):
    """One way to have the cluster of a ``Description``."""

    name: ClassVar[str]
    # The cluster runs this machine's own Pacemaker (the lab): what it knows can be asked here,
    # before anything is brought up (cluster_options.py).
    stack_is_this_machine: ClassVar[bool] = False

    def __init__(self, description: Description, settings: Settings) -> None:
        self.description = description
        self.settings = settings
        self.reused = False

    @property
    def stack(self) -> render.Stack:
        """Where the nodes' packages keep their files (docroot, Tomcat base, ...)."""
        return render.DEBIAN12

    def stack_origin(self) -> dict[str, object]:
        """Which stack the nodes run and where their files come from (the session header and
        the report say it): ``roots.origin``'s shape; ``root`` None and ``source`` in words
        where the backend has no root of its own (machines it did not build)."""
        # Machines someone else installed: their stack is what the versions say.
        return {"name": "as installed", "suite": None, "root": None, "this_machine": False,
                "built": None, "build_s": None, "source": f"the {self.name} backend's machines"}

    @abstractmethod
    def check(self) -> None:
        """Fail fast, before anything is made, with one message naming the fix."""

    @abstractmethod
    def up(self, progress: Progress) -> None:
        """Make the machines and start the cluster's daemons, or reuse kept ones.

        On any failure, interrupt included, whatever was made is removed before raising.
        """

    @abstractmethod
    def down(self) -> None:
        """Remove everything ``up`` made. Safe to call twice and after a failed ``up``."""

    @abstractmethod
    def nodes(self) -> dict[str, NodeShell]:
        """The cluster's nodes by name."""

    @abstractmethod
    def http(self) -> HttpClient:
        """An HTTP client standing where the cluster's users stand."""

    def finish_bringup(self) -> None:
        """Once the cluster is healthy: replace settings the bring-up used for speed with the
        described ones (the lab's short dc-deadtime). Nothing to do where none were used."""
        return None

    @property
    def disposable(self) -> bool:
        """Whether this run made the cluster and removes it at its end (so a run being stopped
        need not undo faults on it). False for a cluster that outlives the run."""
        return False

    def remove_leftovers(self) -> list[str]:
        """Remove what another process left of a cluster with these settings after it died
        before its teardown ended (an xdist worker killed by its controller), unless a live
        process still uses it. Returns what was removed; nothing where the backend made
        nothing on this machine."""
        return []

    def client_runner(self, workers: int) -> Runner:
        """Threads standing where the cluster's users stand, for the probe (caller closes)."""
        return Inline(workers)

    def failure_logs(self) -> str:
        """Log tails that explain a cluster that never became healthy (empty if none)."""
        return ""

    # -- faults only a backend can cause (the rest run as commands on the nodes) ---------------
    def check_fault_allowed(self, fault: str) -> None:
        """Raise ``FaultNotAllowed`` unless ``fault`` may be done to this cluster.

        Machines a backend made for the run are there to be broken; a cluster that existed
        before the run (the ssh backend) is broken only with explicit consent. Callers that
        inject any fault (a killed service too) ask first.
        """
        return None

    def set_cable(self, node: str, nic: str, plugged: bool) -> None:
        """Pull (``plugged=False``) or plug back the cable of a node's NIC.

        Pulled means what a real pulled cable does: the node's side loses carrier, so the
        kernel, corosync's knet and IPaddr2 see the link go down, not just dropped packets.
        """
        raise FaultNotSupported(f"the {self.name} backend cannot pull cables")

    def power_off(self, node: str) -> None:
        """Every process of the node gone at once and its NICs dark, as when power is cut."""
        raise FaultNotSupported(f"the {self.name} backend cannot power nodes off")

    def power_on(self, node: str, progress: Progress) -> None:
        """Boot a powered-off node and start its cluster stack, as its init system would."""
        raise FaultNotSupported(f"the {self.name} backend cannot power nodes on")

    # -- a rolling upgrade: a node's release swapped (the lab; upgrade.py drives it) -----------
    def node_stack(self, node: str) -> str:
        """The release the node runs now (``debian11``; "this machine" for the host's)."""
        raise FaultNotSupported(f"the {self.name} backend cannot tell a node's release")

    def node_paths(self, node: str) -> render.Stack:
        """Where the node's release keeps the services' files (its Tomcat, its Java)."""
        raise FaultNotSupported(f"the {self.name} backend cannot tell a node's release")

    def stop_stack(self, node: str, timeout: float = 180) -> None:
        """Stop the node's pacemaker, then corosync, as its init system would (bounded)."""
        raise FaultNotSupported(f"the {self.name} backend cannot stop a node's cluster stack")

    def swap_root(self, node: str, stack: str, progress: Progress) -> dict[str, object]:
        """Give the stopped node release ``stack``'s packages, its own files kept, and boot it
        (stack not started). Returns what was done, as JSON types."""
        raise FaultNotSupported(f"the {self.name} backend cannot swap a node's release")

    def start_stack(self, node: str) -> None:
        """Start corosync, then pacemaker, on the node."""
        raise FaultNotSupported(f"the {self.name} backend cannot start a node's cluster stack")

    def node_log(self, node: str, path: str, lines: int = 40) -> str:
        """The last ``lines`` of a log file on the node ("" when it cannot be read)."""
        return ""

    def power_controller(self) -> PowerController:
        """The fence device's far side, where the cluster's fencing powers nodes off and on
        (its record of requests, its own faults: ``power_controller.py``)."""
        raise FaultNotSupported(f"the {self.name} backend has no power controller of its own")

    def restore_machines(self, progress: Progress) -> list[str]:
        """Plug every cable and power on every node (after an interrupted test); says what it
        did. Backends that cannot cause such faults have none to restore."""
        return []

    def arp_scanner(self) -> ArpScanner:
        """An ARP scanner on the clients' LAN (the caller closes it).

        Two MACs for one VIP is a split brain seen from outside: HTTP alone cannot show it,
        because the clients' ARP cache sends every request to one of the two.
        """
        raise FaultNotSupported(f"the {self.name} backend cannot see the clients' LAN")

    def arp_replies(self, ip: str, timeout: float = 1.0) -> list[str]:
        """The MAC addresses that answer ARP for ``ip`` on the clients' LAN within ``timeout``."""
        scanner = self.arp_scanner()
        try:
            return list(scanner.who_has([ip], timeout)[ip])
        finally:
            scanner.close()
