"""The ``lab`` backend: the seed's two-node cluster, for real, in namespaces on this machine.

Topology (all inside namespaces named ``<prefix>.<role>``; the root namespace gets nothing):

    <prefix>.host   bridge ``lan`` (gateway 192.168.1.1, the clients' side) and bridge ``ic``
    <prefix>.s1     eth1 (service LAN) and eth2 (interconnect), veths to the host's bridges
    <prefix>.s2     the same

Each node is a ``node.Node`` (copy-on-write root, reaping PID 1). The node's own files (corosync,
Apache, Tomcat, hosts) come from ``render`` and are written into its upper dir, so the host's
files stay byte-for-byte as they were. The state dir ``/run/hacluster/<prefix>`` holds the
upper dirs and ``lab.json``, which lets ``--hacluster-keep`` reuse a running lab and ``gc`` find
a crashed one.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pytest_hacluster import cluster_options, fencing, netns, packages, render, roots, timings
from pytest_hacluster.arp import ArpScanner
from pytest_hacluster.backends.base import Backend, BackendError, NodeShell, Progress, Settings
from pytest_hacluster.config import ConfigError, Description
from pytest_hacluster.http_client import HttpClient
from pytest_hacluster.node import (
    Node,
    NodeError,
    load_records,
    place,
    save_records,
    translate_owners,
)
from pytest_hacluster.power_controller import PowerController
from pytest_hacluster.shell import CommandError, run_local
from pytest_hacluster.statedir import PREFIX_RE, PREFIX_RULE, STATE_ROOT, Claim, in_use, state_dir
from pytest_hacluster.waiting import WaitTimeout, wait_until

HOST_ROLE = "host"
LAN_BRIDGE, IC_BRIDGE = "lan", "ic"
PACEMAKER_LOG = "/var/log/pacemaker/pacemaker.log"
CIB_PATH = "/var/lib/pacemaker/cib/cib.xml"
# A node's root is an overlay of the host's root filesystem only: these must live on it.
LOWER_PATHS = ("/usr", "/etc", "/var", "/var/lib", "/opt")
# Lab nodes have no DNS; an empty resolver config makes lookups fail at once instead of
# blocking Apache's start for 30 s (lab pitfall 3). Lab-only: a real node keeps its resolver.
NO_DNS = render.File("/etc/resolv.conf", "# pytest-hacluster lab node: no DNS\n")
# What this machine itself needs when the nodes run another release's root (roots.py).
HOST_TOOLS = (("ip", "iproute2"), ("nsenter", "util-linux"), ("unshare", "util-linux"))


class LabError(BackendError):
    """The lab could not be brought up; says why and how to fix it."""


def check_prefix(prefix: str) -> str:
    if not PREFIX_RE.match(prefix):
        raise LabError(
            f"lab prefix {prefix!r} is invalid: {PREFIX_RULE}"
        )
    return prefix


def namespaces_of(prefix: str) -> list[str]:
    return [n for n in netns.names() if n.split(".", 1)[0] == prefix and "." in n]


def existing_prefixes() -> list[str]:
    """Every lab on this machine, running or crashed, by its prefix."""
    found = {n.split(".", 1)[0] for n in netns.names() if n.startswith("hacl") and "." in n}
    if STATE_ROOT.is_dir():
        found |= {p.name for p in STATE_ROOT.iterdir() if PREFIX_RE.match(p.name)}
    return sorted(found)


def remove(prefix: str, timeout: float = 10) -> list[str]:
    """Remove every trace of lab ``prefix``: processes, namespaces, mounts, state dir.

    Works from names alone, so it cleans up after a crashed run as well as after a normal one.
    Killing every process in the lab's network namespaces kills each node's PID 1, which ends its
    PID namespace; its mounts go with its mount namespace. Returns what it removed.
    """
    removed: list[str] = []
    names = namespaces_of(prefix)
    killed: list[int] = []
    for name in names:
        for pid in netns.pids_in(name):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                continue
            killed.append(pid)
            removed.append(f"process {pid} in {name}")
    try:
        wait_until(
            lambda: [pid for pid in killed if netns.still_running(pid)],
            lambda left: not left, timeout=timeout, interval=0.02,
            what=f"the processes of lab {prefix} to end",
        )
    except WaitTimeout as exc:
        raise LabError(f"{exc} (still running; kill them and run `hacluster-lab gc`)") from None
    for name in names:
        netns.delete(name)
        removed.append(f"network namespace {name}")
    directory = state_dir(prefix)
    if directory.exists():
        shutil.rmtree(directory)
        removed.append(f"state dir {directory}")
    with contextlib.suppress(OSError):  # the parent goes with the last lab, not before
        STATE_ROOT.rmdir()
    return removed


class LabBackend(Backend):
    """A real Pacemaker cluster (the described 2 to 5 nodes) in namespaces on this machine."""

    name = "lab"
    stack_is_this_machine = True

    def __init__(self, description: Description, settings: Settings) -> None:
        super().__init__(description, settings)
        self.prefix = check_prefix(settings.prefix)
        self.dir = state_dir(self.prefix)
        self._nodes: dict[str, Node] = {}
        self._client_pool: netns.NetnsExecutor | None = None
        self._owned = False  # made or attached by this object: only then may down() remove it
        self._claim: Claim | None = None  # keeps `hacluster-lab gc` off a lab in use
        self._power: PowerController | None = None  # the fence device's far side (fencing on)
        # The release the nodes run: None (or this machine's release) means the host's own
        # packages, lower dir "/"; else a root of that release from roots.py.
        self.release = roots.release(description.stack) if description.stack else None
        self.stack_is_this_machine = self.release is None or roots.is_this_machine(self.release)

    # -- names --------------------------------------------------------------------------------
    @property
    def host_netns(self) -> str:
        return f"{self.prefix}.{HOST_ROLE}"

    def node_netns(self, node: str) -> str:
        return f"{self.prefix}.{node}"

    def host_link(self, node: str, nic: str) -> str:
        """The host-namespace end of a node's NIC: where its cable is pulled."""
        name = f"{node}-{nic}"
        if len(name) <= 15:  # the kernel's limit for interface names
            return name
        return f"n{self.description.node_names.index(node) + 1}-{nic}"[:15]

    @property
    def fingerprint(self) -> str:
        """Changes whenever anything the cluster is built from changes (for safe reuse)."""
        parts = [self.stack.name, render.crm_configuration(self.description, self.stack)]
        for name in self.description.node_names:
            parts += [repr(f) for f in render.node_files(self.description, self.stack, name)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    @property
    def stack(self) -> render.Stack:
        """Paths of the release the nodes run; this machine's Java when it is the host's."""
        return _stack_of(self.release)

    def _lower_dir(self, progress: Progress) -> Path:
        """``/``, or the release's cached root (built on first use: a minute or two)."""
        if self.release is None or self.stack_is_this_machine:
            return roots.HOST_ROOT
        try:
            lower = roots.lower_dir(self.release, progress)
        except roots.RootError as exc:
            raise LabError(str(exc)) from None
        self._check_root_properties(lower)
        return lower

    def _check_root_properties(self, lower: Path) -> None:
        """The described properties against the options of the root's own Pacemaker (as the
        plugin checks them against this machine's when the lab runs the host's packages)."""

        def in_root(argv: list[str]) -> str | None:
            return cluster_options.run_here(["chroot", str(lower), *argv])

        known = cluster_options.ask(in_root)
        if known is None:
            return
        try:
            known.check(self.description.properties)
        except ConfigError as exc:
            raise LabError(f"stack {self.stack.name}: {exc}") from None

    def stack_origin(self) -> dict[str, object]:
        """The release the nodes run and the lower dir of their roots (``roots.origin``)."""
        return roots.origin(self.release)

    # -- Backend interface --------------------------------------------------------------------
    def check(self) -> None:
        if os.geteuid() != 0:
            raise LabError(
                "the lab backend needs root: it creates network, mount and PID namespaces. "
                "Run it as root, e.g. `sudo .venv/bin/pytest --hacluster`"
            )
        fence = fencing.device(self.description)
        if self.description.fencing.enabled and self.name not in fence.backends:
            raise LabError(
                f"fence device {fence.name!r} ({fence.agent}) powers machines of the "
                f"{', '.join(fence.backends)} backend, not lab nodes: use device = \"lab\" in "
                "[tool.hacluster.fencing] for the lab"
            )
        lacking = packages.missing(packages.REQUIRED if self.stack_is_this_machine else HOST_TOOLS)
        if self.description.groups_running("smbd"):
            # The checks' clients run here whatever the nodes run; the servers come from the
            # node's root (this machine's, or the stack's, which roots.py builds with them).
            lacking += packages.missing(packages.SAMBA if self.stack_is_this_machine
                                        else packages.SAMBA_CLIENTS)
        if self.release is not None and not self.stack_is_this_machine and not any(
            c.name == self.release.cache_name for c in roots.cached()
        ):
            lacking += packages.missing((("mmdebstrap", "mmdebstrap"),))
        if lacking:
            names = ", ".join(thing for thing, _ in lacking)
            raise LabError(
                f"the lab needs {names}, which this machine lacks. Install with: "
                f"{packages.install_command([pkg for _, pkg in lacking])}"
            )
        probe = run_local(["unshare", "--net", "--mount", "--pid", "--fork", "true"], timeout=10)
        if not probe.ok:
            raise LabError(
                "this machine does not allow new namespaces (needed for the lab): "
                f"{probe.describe()}. Run on a Linux host or VM as root, not in an unprivileged "
                "container"
            )
        separate = [p for p in LOWER_PATHS if self.stack_is_this_machine and os.path.ismount(p)]
        if separate:
            raise LabError(
                f"{', '.join(separate)} {'is a' if len(separate) == 1 else 'are'} separate "
                "filesystem(s) on this machine: a lab node's copy-on-write root shows only the "
                "root filesystem, so its packages would be missing. Run the lab on a machine "
                "with /usr, /etc and /var on /"
            )
        if self.exists() and (not self.settings.keep or in_use(self.prefix)):
            raise LabError(self._clash_message())

    def exists(self) -> bool:
        """Whether anything of a lab with this prefix is on the machine (running or crashed)."""
        return bool(namespaces_of(self.prefix)) or self.dir.exists()

    def up(self, progress: Progress) -> None:
        self.check()  # raises on a clash unless --hacluster-keep asked for reuse
        if self.exists():
            why_not = self.attach()
            if why_not is None:
                self.reused = True
                progress(f"reusing the kept lab {self.prefix} (nodes "
                         f"{', '.join(self.description.node_names)})")
                return
            progress(f"the kept lab {self.prefix} is broken ({why_not}): starting afresh")
            remove(self.prefix)
        self._owned = True
        try:
            self._create(progress)
        except (NodeError, CommandError) as exc:
            self.down()
            raise LabError(f"lab {self.prefix} did not come up: {exc}") from exc
        except BaseException:
            self.down()
            raise

    def down(self) -> None:
        """Remove this lab; never a lab this object neither made nor attached to."""
        if self._power is not None:
            self._power.close()
            self._power = None
        if self._client_pool is not None:
            self._client_pool.close()
            self._client_pool = None
        if self._owned:
            remove(self.prefix)
            self._owned = False
        if self._claim is not None:
            self._claim.release()
            self._claim = None
        self._nodes.clear()

    @property
    def disposable(self) -> bool:
        return self._owned and not self.settings.keep

    def remove_leftovers(self) -> list[str]:
        if not self.exists() or in_use(self.prefix):
            return []
        return remove(self.prefix)

    def nodes(self) -> dict[str, NodeShell]:
        return dict(self._nodes)

    def http(self) -> HttpClient:
        if self._client_pool is None:
            self._client_pool = netns.NetnsExecutor(self.host_netns, workers=6)
        return HttpClient(self._client_pool)

    # -- reuse --------------------------------------------------------------------------------
    def _clash_message(self) -> str:
        owner = ""
        try:
            info = json.loads((self.dir / "lab.json").read_text())
            owner = f" (made by pid {info.get('owner')} at {info.get('created')})"
        except (OSError, ValueError):
            pass
        if in_use(self.prefix):
            return (
                f"the lab {self.prefix!r} is in use by a running process{owner}: pick another "
                "prefix (--hacluster-prefix), or wait for that run to end"
            )
        return (
            f"a lab named {self.prefix!r} already exists on this machine{owner}. Remove it with "
            f"`hacluster-lab down --prefix {self.prefix}` (or `hacluster-lab gc --prefix "
            f"{self.prefix}` after a crash), pick another prefix, or, in pytest, reuse it with "
            "--hacluster-keep"
        )

    def attach(self, check_description: bool = True, claim: bool = True) -> str | None:
        """Take over the running lab of this prefix. None when done, else why it cannot be.

        Never removes anything: whether a broken kept lab goes is the caller's decision.
        """
        try:
            records, extra = load_records(self.dir / "lab.json")
        except (OSError, ValueError, KeyError, TypeError):
            return "it has no usable lab.json"
        if check_description and extra.get("fingerprint") != self.fingerprint:
            raise LabError(
                f"the kept lab {self.prefix!r} was built from a different cluster description; "
                f"remove it with `hacluster-lab down --prefix {self.prefix}` and run again"
            )
        nodes = {r.name: Node.attach(r, self.dir) for r in records}
        if set(nodes) != set(self.description.node_names):
            return f"its nodes are {sorted(nodes)}"
        dead = [name for name, node in nodes.items() if not node.alive]
        if dead:
            return f"node(s) {', '.join(dead)} no longer run"
        if claim:  # a run that will break and repair it; `hacluster-lab exec` only looks
            try:
                self._claim = Claim(self.prefix)
            except BlockingIOError:
                return "another run is using it"
        self._nodes = nodes
        self._owned = True
        if claim:
            self._start_power_controller()
        return None

    # -- bring-up -----------------------------------------------------------------------------
    def _create(self, progress: Progress) -> None:
        lower = self._lower_dir(progress)  # a root build is a one-time cost, not bring-up's
        t0 = time.monotonic()
        self.dir.mkdir(parents=True, mode=0o700)
        self._claim = Claim(self.prefix)
        self._save()
        self._make_topology()
        self._start_power_controller()
        key = os.urandom(256)
        for name in self.description.node_names:
            node = Node(name, self.node_netns(name), self.dir, lower=lower)
            node.prepare([
                *render.node_files(
                    self.description, self.stack, name, self.description.timings.bringup_token_ms
                ),
                NO_DNS,
            ])
            _write_secret(self.dir / name / "upper" / "etc" / "corosync" / "authkey", key)
            self._nodes[name] = node
        for node in self._nodes.values():
            node.boot()
        self._save()
        progress(f"nodes up in {time.monotonic() - t0:.1f}s; starting corosync")
        with ThreadPoolExecutor(max_workers=2) as pool:
            cib_future = pool.submit(self._build_cib)
            for node in self._nodes.values():
                node.spawn(["corosync", "-f"], "/var/log/corosync/corosync.out")
            self._wait_membership()
            self._set_detection_timings()
            cib = cib_future.result()
        progress(f"corosync membership of {len(self._nodes)} at {time.monotonic() - t0:.1f}s; "
                 "starting pacemaker")
        for node in self._nodes.values():
            node.write(CIB_PATH, cib, mode=0o600, owner="hacluster:haclient")
            _start_pacemaker(node)

    def _save(self) -> None:
        save_records(
            self.dir / "lab.json",
            [n.record for n in self._nodes.values() if n.alive],
            {"owner": os.getpid(), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
             "fingerprint": self.fingerprint, "stack": self.stack.name},
        )

    def _make_topology(self) -> None:
        desc = self.description
        netns.add(self.host_netns)
        host_cmds = [
            f"link add {LAN_BRIDGE} type bridge",
            f"link add {IC_BRIDGE} type bridge",
            f"addr add {desc.gateway}/{desc.netmask} dev {LAN_BRIDGE}",
        ]
        for spec in desc.nodes:
            nns = self.node_netns(spec.name)
            netns.add(nns)
            for nic, bridge in ((desc.service_nic, LAN_BRIDGE), (desc.interconnect_nic, IC_BRIDGE)):
                host_end = self.host_link(spec.name, nic)
                host_cmds += [
                    f"link add {host_end} type veth peer name {nic} netns {nns}",
                    f"link set {host_end} master {bridge} up",
                ]
        host_cmds += [f"link set {LAN_BRIDGE} up", f"link set {IC_BRIDGE} up"]
        netns.ip_batch(self.host_netns, host_cmds)
        for spec in desc.nodes:
            netns.ip_batch(self.node_netns(spec.name), self._node_network(spec.name))

    def _node_network(self, node: str) -> list[str]:
        """A node's NICs as its boot configures them: its own addresses only (no VIP)."""
        desc, spec = self.description, self.description.node(node)
        return [
            f"addr flush dev {desc.service_nic}",
            f"addr flush dev {desc.interconnect_nic}",
            f"addr add {spec.service_ip}/{desc.netmask} dev {desc.service_nic}",
            f"addr add {spec.interconnect_ip}/{desc.netmask} dev {desc.interconnect_nic}",
            f"link set {desc.service_nic} up",
            f"link set {desc.interconnect_nic} up",
            f"route add default via {desc.gateway}",
        ]

    def _build_cib(self) -> str:
        """The seed's resources loaded with crmsh into an offline CIB inside node 1.

        Placing it before pacemakerd starts puts ``dc-deadtime`` in force at the first election
        (the controller reads it only from the CIB), which is what makes a cold start take
        seconds. crmsh runs inside the node so its log lands in the node, not on the host.
        """
        node = self._nodes[self.description.node_names[0]]
        node.write(
            "/root/resources.crm",
            render.crm_configuration(
                self.description, self.stack, self.description.timings.bringup_dc_deadtime
            ),
        )
        result = node.run(
            "cibadmin --empty > /root/cib.xml && "
            "CIB_file=/root/cib.xml crm configure load update /root/resources.crm >&2 && "
            "cat /root/cib.xml",
            timeout=60, check=True,
        )
        return result.stdout

    def _wait_membership(self) -> None:
        def joined() -> dict[str, int]:
            counts = {}
            for name, node in self._nodes.items():
                out = node.run(["corosync-cmapctl", "-b", "runtime.members"], timeout=10).stdout
                counts[name] = out.count("status (str) = joined")
            return counts

        count = len(self._nodes)
        try:
            wait_until(joined, lambda c: all(v == count for v in c.values()), timeout=30,
                       interval=0.05, what=f"a corosync membership of all {count} nodes",
                       describe=lambda c: f"members seen per node: {c}")
        except WaitTimeout as exc:
            raise LabError(f"{exc}\n{self._logs('/var/log/corosync/corosync.log')}") from None

    def _set_detection_timings(self) -> None:
        """From the bring-up token to the described cluster's failure detection, on every node.

        The running values change at once (``corosync-cmapctl``); the file gets the described
        values too, so a later ``corosync-cfgtool -R`` cannot bring the bring-up token back.
        """
        detect = timings.detection(self.description.timings)
        described = render.corosync_conf(self.description)
        settings = [
            ("totem.token", detect.token_ms),
            ("totem.consensus", detect.consensus_ms),
            ("totem.token_retransmits_before_loss_const", detect.retransmits_before_loss),
            ("totem.token_warning", detect.token_warning_pct),
        ]
        script = " && ".join(
            f'corosync-cmapctl -s {key} u32 "${i}"' for i, (key, _) in enumerate(settings, 1)
        )
        for node in self._nodes.values():
            node.write("/etc/corosync/corosync.conf", described)
            node.run(["sh", "-c", script, "set", *(str(v) for _, v in settings)],
                     timeout=10, check=True)

    def finish_bringup(self) -> None:
        """Heartbeat's ``initdead`` as Pacemaker's ``dc-deadtime``, now that a DC is elected.

        Set earlier it would make the first election wait for it (lab-facts.md: that is what
        a cold start in seconds avoids); set now it governs every later start of a node.
        """
        deadtime = timings.detection(self.description.timings).dc_deadtime
        node = self._nodes[self.description.node_names[0]]
        node.run(
            ["crm_attribute", "--type", "crm_config", "--name", "dc-deadtime",
             "--update", deadtime],
            timeout=30, check=True,
        )

    def _logs(self, path: str, lines: int = 30) -> str:
        out = []
        for name, node in self._nodes.items():
            if node.alive:
                tail = node.run(["tail", "-n", str(lines), path], timeout=5).stdout
                out.append(f"--- {name}:{path}\n{tail}")
        return "\n".join(out)

    def failure_logs(self) -> str:
        return self._logs(PACEMAKER_LOG, 40)

    # -- faults -------------------------------------------------------------------------------
    def _nics(self) -> tuple[str, str]:
        return (self.description.service_nic, self.description.interconnect_nic)

    def set_cable(self, node: str, nic: str, plugged: bool) -> None:
        """The host end of the veth goes down: the node's end loses carrier, as with a cable."""
        if nic not in self._nics():
            raise LabError(f"node {node} has no NIC {nic!r} (it has {', '.join(self._nics())})")
        self.description.node(node)  # raises for an unknown node
        netns.ip("link", "set", self.host_link(node, nic), "up" if plugged else "down",
                 netns=self.host_netns)

    def power_off(self, node: str) -> None:
        """Kill the node's PID 1 (every process at once) and take its links dark.

        The node's network namespace outlives its processes, with any VIP still configured:
        without the links down, the kernel would keep answering ARP and refusing connections
        for a machine that is off.
        """
        netns.ip_batch(self.host_netns, [
            f"link set {self.host_link(node, nic)} down" for nic in self._nics()
        ])
        self._node(node).power_off()
        self._save()

    def power_on(self, node: str, progress: Progress) -> None:
        """Boot the node again from its own disk (upper dir) and start corosync and pacemaker,
        as its init system would; its NICs come up with its own addresses only.
        """
        target = self._node(node)
        if target.alive:
            raise LabError(f"node {node} is already running")
        netns.ip_batch(self.node_netns(node), self._node_network(node))
        netns.ip_batch(self.host_netns, [
            f"link set {self.host_link(node, nic)} up" for nic in self._nics()
        ])
        target.boot()
        self._save()
        target.spawn(["corosync", "-f"], "/var/log/corosync/corosync.out")
        _start_pacemaker(target)
        progress(f"node {node} booted; corosync and pacemaker started")

    # -- fencing ------------------------------------------------------------------------------
    def _start_power_controller(self) -> None:
        """With fencing on: the lab's power controller on the gateway address, in the lab's
        host namespace, serving the fence agents of this lab's nodes (and no one else's)."""
        if not self.description.fencing.enabled or self._power is not None:
            return
        pool = netns.NetnsExecutor(self.host_netns, workers=1)
        try:
            self._power = PowerController(
                _LabSwitch(self), self.description.gateway, self.description.fencing.port,
                open_socket=lambda opener: pool.submit(opener).result(timeout=10),
            )
        finally:
            pool.close()

    def power_controller(self) -> PowerController:
        if self._power is None:
            raise LabError(
                f"lab {self.prefix} has no power controller: fencing is off "
                "(--hacluster-fencing or [tool.hacluster.fencing] enabled = true)"
            )
        return self._power

    def restore_machines(self, progress: Progress) -> list[str]:
        done = []
        for name, node in self._nodes.items():
            if not node.alive:
                self.power_on(name, progress)
                done.append(f"powered {name} on")
        for name in self.description.node_names:
            for nic in self._nics():
                link = self.host_link(name, nic)
                out = netns.ip("-o", "link", "show", link, netns=self.host_netns).stdout
                flags = out.split("<", 1)[-1].split(">", 1)[0].split(",")
                if "UP" not in flags:  # set down by a pulled cable (administratively)
                    self.set_cable(name, nic, plugged=True)
                    done.append(f"plugged {nic} of {name} back")
        return done

    def arp_scanner(self) -> ArpScanner:
        """ARP from the gateway's side: a packet socket on the LAN bridge of the host netns."""
        pool = netns.NetnsExecutor(self.host_netns, workers=1)
        try:
            return ArpScanner.open_in(
                lambda opener: pool.submit(opener).result(timeout=10),
                LAN_BRIDGE, self.description.gateway,
            )
        finally:
            pool.close()

    def client_runner(self, workers: int) -> netns.NetnsExecutor:
        return netns.NetnsExecutor(self.host_netns, workers=workers)

    def _node(self, name: str) -> Node:
        try:
            return self._nodes[name]
        except KeyError:
            raise LabError(f"no node {name!r} in lab {self.prefix}") from None

    # -- the rolling upgrade: one node's stack stopped, its root swapped, started -------------
    def stack_processes(self, node: str) -> list[str]:
        """The node's cluster daemons still running (``pgrep -a`` lines; [] when none)."""
        out = self._node(node).run(
            ["pgrep", "-a", "-f", "^(/usr/sbin/)?(pacemakerd|corosync)( |$)|pacemaker-"],
            timeout=10).stdout
        return [line for line in out.splitlines() if line.strip()]

    def stop_stack(self, node: str, timeout: float = 180) -> None:
        """Stop the node's cluster stack as its init system's ``stop pacemaker corosync`` does:
        SIGTERM to pacemakerd (which stops its resources and daemons), then to corosync, each
        awaited (bounded; LabError names what was still running)."""
        target = self._node(node)
        for daemon, pattern in (("pacemaker", "pacemaker"), ("corosync", "corosync")):
            target.run(["pkill", "-TERM", "-x", "pacemakerd" if daemon == "pacemaker"
                        else "corosync"], timeout=10)

            def left(pattern: str = pattern) -> list[str]:
                return [p for p in self.stack_processes(node) if pattern in p]

            try:
                wait_until(left, lambda procs: not procs, timeout=timeout, interval=0.5,
                           what=f"{daemon} to stop on {node}",
                           describe=lambda procs: f"still running: {procs}")
            except WaitTimeout as exc:
                raise LabError(f"{exc}\n{self._logs(PACEMAKER_LOG, 20)}") from None

    def _node_release(self, node: str) -> roots.Release | None:
        """The release of the root the node's overlay shows now (swap_root changes it; a kept
        lab's node records it as its lower dir); None: this machine's, of no known release."""
        lower = self._node(node).lower
        if lower == roots.HOST_ROOT:
            return next((r for r in roots.RELEASES.values() if roots.is_this_machine(r)), None)
        return roots.release_of_root(lower) or self.release

    def node_paths(self, node: str) -> render.Stack:
        """Paths of the release the node runs now (its Tomcat, its Java)."""
        return _stack_of(self._node_release(node))

    def node_stack(self, node: str) -> str:
        """The release whose root the node runs (``debian12``, or "this machine")."""
        rel = self._node_release(node)
        return rel.name if rel is not None else "this machine"

    def swap_root(self, node: str, stack: str, progress: Progress) -> dict[str, object]:
        """Give the stopped node the root of release ``stack``, as a dist-upgrade of its disk
        would, and boot it (its cluster stack not started: ``start_stack``).

        The node is powered off; its upper dir (its own /etc, CIB, corosync key, logs) stays,
        with file owners translated by name from the old root's ids to the new root's
        (``node.translate_owners``), and the new release's node files placed (its Tomcat's
        paths, its Java). Returns ``{"node", "from", "to", "lower", "owners_changed",
        "examined", "unmapped", "moves"}``. Raises LabError when its stack still runs or the
        release's root cannot be had.
        """
        rel = roots.release(stack)
        target = self._node(node)
        if target.alive and self.stack_processes(node):
            raise LabError(f"node {node}: stop its cluster stack before swapping its root")
        before = self.node_stack(node)
        lower = roots.HOST_ROOT if roots.is_this_machine(rel) else self._lower_dir_of(rel,
                                                                                      progress)
        old_lower = target.lower
        if target.alive:
            self.power_off(node)
        upper = target.dir / "upper"
        change = translate_owners(upper, old_lower, lower)
        for item in render.node_files(self.description, _stack_of(rel), node):
            place(upper, item, lower)
        target.lower = lower
        netns.ip_batch(self.node_netns(node), self._node_network(node))
        netns.ip_batch(self.host_netns, [
            f"link set {self.host_link(node, nic)} up" for nic in self._nics()
        ])
        target.boot()
        self._save()
        progress(f"node {node}: root {before} -> {rel.name} ({lower}); {change.changed} of "
                 f"{change.examined} owners translated")
        return {"node": node, "from": before, "to": rel.name, "lower": str(lower),
                "owners_changed": change.changed, "examined": change.examined,
                "unmapped": list(change.unmapped),
                "moves": [list(m) for m in change.moves]}

    def _lower_dir_of(self, rel: roots.Release, progress: Progress) -> Path:
        try:
            return roots.lower_dir(rel, progress)
        except roots.RootError as exc:
            raise LabError(str(exc)) from None

    def start_stack(self, node: str) -> None:
        """corosync, then pacemakerd, on a booted node (as its init system would)."""
        target = self._node(node)
        target.spawn(["corosync", "-f"], "/var/log/corosync/corosync.out")
        _start_pacemaker(target)

    def node_log(self, node: str, path: str, lines: int = 40) -> str:
        """The last ``lines`` of a log file on the node ("" when it cannot be read)."""
        target = self._node(node)
        if not target.alive:
            return ""
        return target.run(["tail", "-n", str(lines), path], timeout=10).stdout


def _stack_of(release: roots.Release | None) -> render.Stack:
    """Paths of ``release`` (None: this machine's own); this machine's Java for its release."""
    if release is not None and not roots.is_this_machine(release):
        return release.stack
    java = os.path.realpath(shutil.which("java") or "/usr/bin/java")
    base = release.stack if release is not None else render.DEBIAN12
    return render.Stack(**{**base.__dict__, "java_home": str(Path(java).parents[1])})


class _LabSwitch:
    """The lab's nodes as a power controller sees them (``power_controller.PowerSwitch``)."""

    def __init__(self, lab: LabBackend) -> None:
        self.lab = lab

    def node_names(self) -> tuple[str, ...]:
        return self.lab.description.node_names

    def is_on(self, node: str) -> bool:
        return self.lab._node(node).alive

    def switch_off(self, node: str) -> None:
        self.lab.power_off(node)

    def switch_on(self, node: str) -> None:
        self.lab.power_on(node, lambda _message: None)


def _start_pacemaker(node: Node) -> None:
    node.spawn(["pacemakerd"], "/var/log/pacemaker/pacemakerd.out",
               env={"PCMK_logfile": PACEMAKER_LOG})


def _write_secret(path: Path, data: bytes) -> None:
    """The per-cluster corosync key: created 0600 from the start, never readable by others."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


__all__ = ["LabBackend", "LabError", "existing_prefixes", "remove", "state_dir"]
