"""The ``ssh`` backend: a cluster that already exists, reached with fabric.

Nothing is brought up or destroyed: ``up`` only logs in to every node (and fails, naming the
node, if one does not answer). Nodes come from ``[tool.hacluster.ssh]`` (``hosts``, ``user``,
``key``, ``sudo``). Pulling cables and cutting power need hands on the hardware (or a
hypervisor's API): this backend cannot cause them and says so, rather than faking them.
"""

from __future__ import annotations

from pytest_hacluster.backends.base import (
    Backend,
    BackendError,
    FaultNotAllowed,
    FaultNotSupported,
    NodeShell,
    Progress,
    Settings,
)
from pytest_hacluster.backends.sshnode import FabricNode, NodeUnreachable, SshTarget
from pytest_hacluster.backends.vantage import Vantage
from pytest_hacluster.config import Description
from pytest_hacluster.http_client import HttpClient, Runner


def targets(description: Description) -> dict[str, SshTarget]:
    """Where each node is: ``hosts`` entry (``host`` or ``host:port``), else its service IP."""
    cfg = description.ssh
    out = {}
    for spec in description.nodes:
        where = cfg.hosts.get(spec.name, spec.service_ip)
        host, port = where, 22
        if where.count(":") == 1 or (where.startswith("[") and "]:" in where):
            host, _, port_text = where.rpartition(":")
            port = int(port_text)
        key = cfg.keys.get(spec.name, cfg.key) or None
        out[spec.name] = SshTarget(host.strip("[]"), port, cfg.user, key)
    return out


class SshBackend(Backend):
    """An existing cluster: log in, never create or destroy."""

    name = "ssh"

    def __init__(self, description: Description, settings: Settings) -> None:
        super().__init__(description, settings)
        cfg = description.ssh
        self._vantage = Vantage(cfg.http_from)
        self._nodes = {
            name: FabricNode(name, target, sudo=cfg.sudo, connect_timeout=cfg.connect_timeout_s,
                             trust_new_hosts=cfg.trust_new_hosts)
            for name, target in targets(description).items()
        }

    def check(self) -> None:
        self._vantage.check()

    def up(self, progress: Progress) -> None:
        self.reused = True  # it was there before us and stays after us
        for name, node in self._nodes.items():
            try:
                result = node.run(["crm_mon", "--version"], timeout=30)
            except NodeUnreachable as exc:
                raise BackendError(f"{exc}. Check [tool.hacluster.ssh] hosts/user/key") from None
            if not result.ok:
                raise BackendError(
                    f"node {name}: logged in, but no Pacemaker tools answer "
                    f"({result.describe()}); set [tool.hacluster.ssh] sudo = true if the user "
                    "is not root"
                )
            t = node.target
            progress(f"node {name}: {t.user}@{t.host}:{t.port}, {result.stdout.splitlines()[0]}")

    def down(self) -> None:
        for node in self._nodes.values():
            node.close()
        self._vantage.close()

    def nodes(self) -> dict[str, NodeShell]:
        return dict(self._nodes)

    def http(self) -> HttpClient:
        return self._vantage.client()

    def client_runner(self, workers: int) -> Runner:
        return self._vantage.runner(workers)

    def check_fault_allowed(self, fault: str) -> None:
        """An existing cluster may be production: no fault without ``--hacluster-allow-faults``."""
        if not self.settings.allow_faults:
            raise FaultNotAllowed(
                f"{fault}: refused on an existing cluster (the ssh backend) without consent; "
                "run with --hacluster-allow-faults to break it on purpose"
            )

    def set_cable(self, node: str, nic: str, plugged: bool) -> None:
        raise FaultNotSupported(
            "the ssh backend cannot pull cables: an existing cluster's links are hardware "
            "(use the lab or vagrant backend for cable faults)"
        )

    def power_off(self, node: str) -> None:
        raise FaultNotSupported(
            "the ssh backend cannot cut a node's power (it has no hypervisor or fence device "
            "to ask); use the lab or vagrant backend for power faults"
        )

    def power_on(self, node: str, progress: Progress) -> None:
        raise FaultNotSupported("the ssh backend cannot power nodes on")


__all__ = ["SshBackend", "targets"]
