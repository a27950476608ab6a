"""The cluster description: what the cluster under test is, with the seed's values as defaults.

Everything the cluster needs (resource definitions, corosync config, Apache and Tomcat settings,
URLs) is derived from one `Description`, so that the lab, the provisioning scripts and the report
never disagree. Users override values in ``[tool.hacluster]`` of their pyproject.toml; every key
is checked here, so a typo is one error naming the key instead of a cluster that half-works.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_hacluster import constraints, duration
from pytest_hacluster.constraints import CloneSpec, Colocation, Location, Order
from pytest_hacluster.profiles import (
    CHECK_KINDS,
    DEFAULT_PROFILE,
    PATH_KEYS,
    PORT_KEYS,
    PROFILES,
    Check,
    GroupSpec,
    Op,
    Primitive,
)


class ConfigError(ValueError):
    """A bad value in ``[tool.hacluster]``; the message names the key and what is expected."""


@dataclass(frozen=True)
class NodeSpec:
    """One cluster node as the seed describes it."""

    name: str
    service_ip: str
    interconnect_ip: str
    ssh_port: int


@dataclass(frozen=True)
class ServiceOps:
    """The three operations the seed gives both httpd and tomcat: every primitive whose
    ``ops`` the description leaves unset gets these."""

    start: Op = Op(timeout=90, on_fail="restart")
    monitor: Op = Op(interval=10, timeout=60, on_fail="restart")
    stop: Op = Op(timeout=300, on_fail="block")


@dataclass(frozen=True)
class Timings:
    """Failure-detection and bring-up timings (``[tool.hacluster.timings]``).

    The described cluster's detection is the seed's Heartbeat timings (``keepalive``,
    ``warntime``, ``deadtime``, ``initdead``); ``timings.py`` maps them onto corosync and
    Pacemaker and says why. ``profile = "fast"`` trades that fidelity for quick checks;
    ``token_ms``/``consensus_ms`` override the mapping outright. The lab starts with
    ``bringup_token_ms`` and ``bringup_dc_deadtime`` so that it comes up in seconds, then
    switches every node to the described values before any test runs: bring-up speed never
    changes what the tests measure.
    """

    profile: str = "seed"
    keepalive_s: float = 2.0
    warntime_s: float = 7.0
    deadtime_s: float = 10.0
    initdead_s: float = 10.0
    token_ms: int | None = None
    consensus_ms: int | None = None
    bringup_token_ms: int = 1000
    bringup_dc_deadtime: str = "1s"
    bringup_timeout_s: int = 120


@dataclass(frozen=True)
class Slo:
    """Acceptance thresholds in seconds (``[tool.hacluster.slo]``); unset ones are derived.

    Each derived default is what the resource options and detection timings promise plus
    ``margin_s`` (see ``slo.py``), so a changed monitor interval moves the threshold with it
    instead of leaving a stale constant behind.
    """

    margin_s: float = 10.0
    restart_s: float | None = None  # killed service answers again, restarted in place
    detect_s: float | None = None  # Pacemaker records the failure of a killed service
    switchover_s: float | None = None  # standby / move: the group answers from the other node
    node_loss_s: float | None = None  # crash or split: the groups answer from the survivor
    converge_s: float | None = None  # after a cable is back: one copy of each group again


@dataclass(frozen=True)
class ProbeSettings:
    """How the client-side probe samples the URLs (``[tool.hacluster.probe]``).

    The interval bounds the precision of every measured outage; the timeout bounds how long
    one sample can hang on a VIP nobody answers (samples overlap, so the rate holds).
    """

    interval_s: float = 0.1
    timeout_s: float = 1.0


@dataclass(frozen=True)
class VagrantConfig:
    """``[tool.hacluster.vagrant]``: how the vagrant backend runs vagrant (not what it builds).

    ``box`` is the one place the box name is chosen (handed to the Vagrantfile as
    ``HACLUSTER_BOX``). ``env`` is added to vagrant's environment (``${VAR}`` expands from the
    runner's), e.g. the VirtualBox stand-in's ``PATH`` and ``VAGRANT_HOME``. ``http_from`` is
    where HTTP checks run: ``runner`` (this process: a VirtualBox host reaches its host-only
    networks) or ``netns:NAME`` (a network namespace, e.g. the stand-in's).
    """

    root: str = "."
    box: str = "debian/bookworm64"
    env: dict[str, str] = field(default_factory=dict)
    http_from: str = "runner"
    up_timeout_s: int = 1800


@dataclass(frozen=True)
class SshConfig:
    """``[tool.hacluster.ssh]``: how to reach the nodes of an existing cluster.

    ``hosts`` maps node names to ``host`` or ``host:port`` (default: the node's service address,
    port 22). ``sudo``: run commands through ``sudo -n`` (needed unless ``user`` is root).
    ``key``: a private key file; empty means the ssh agent and the default keys; ``keys``: a key
    per node where they differ (vagrant makes one per machine).
    """

    user: str = "root"
    key: str = ""
    keys: dict[str, str] = field(default_factory=dict)
    sudo: bool = False
    hosts: dict[str, str] = field(default_factory=dict)
    http_from: str = "runner"
    connect_timeout_s: int = 10
    # Unknown host keys are refused (the cluster may be production): they belong in
    # known_hosts. true accepts them, e.g. for machines made moments ago.
    trust_new_hosts: bool = False


@dataclass(frozen=True)
class VboxFencing:
    """``[tool.hacluster.fencing.vbox]``: Debian fence-agents' ``fence_vbox`` for real
    VirtualBox runners (``device = "vbox"``, the Vagrant path). Each node's device logs in over
    ssh to the VirtualBox host and runs ``VBoxManage`` there (``controlvm VM poweroff``,
    ``startvm VM --type headless``, ``list vms``/``list runningvms`` for status).

    ``host``: the VirtualBox host's address as the nodes reach it (e.g. its host-only
    interface's, which VirtualBox gives the first address of the network: 192.168.1.1 for the
    seed's); ``login``: the ssh account there, a member of ``vboxusers``; ``identity_file``:
    the path **on every node** of the private key whose public key is in that account's
    ``authorized_keys`` (a password is not rendered: it would sit in the CIB); ``port``: its
    ssh port; ``vms``: node -> VirtualBox VM name or UUID (default ``<cluster_name>-<node>``,
    the name the Vagrantfile then gives each VM); ``vboxmanage_path``: ``VBoxManage`` on the
    host's ``PATH`` unless given.
    """

    host: str = ""
    login: str = ""
    identity_file: str = ""
    port: int = 22
    vms: dict[str, str] = field(default_factory=dict)
    vboxmanage_path: str = ""


@dataclass(frozen=True)
class Fencing:
    """``[tool.hacluster.fencing]``: STONITH, off unless ``enabled`` (the seed runs without it).

    ``device`` names a fence device in ``fencing.DEVICES`` (``lab``: the lab's power controller
    reached by ``fence_hacluster_lab``). ``action`` is Pacemaker's ``stonith-action`` (``off``:
    the repair powers the node on again; ``reboot``: the device powers it on itself).
    Which node survives a split is configuration, as Pacemaker decides it:
    ``priority_fencing_delay`` (Pacemaker 2.0.4+ cluster option: fencing of the node whose
    resources have the higher total ``priority`` waits this long) with ``priorities`` (group
    name -> priority meta), and per target ``delay_base`` (node -> ``pcmk_delay_base`` of the
    device fencing it) and ``delay_max`` (``pcmk_delay_max``, a random delay on every device).
    Durations are Pacemaker's (``"5s"``); empty means unset. ``port`` is the power
    controller's TCP port on the lab's gateway address; ``timeout`` is ``stonith-timeout``.
    """

    enabled: bool = False
    device: str = "lab"
    action: str = "off"
    priority_fencing_delay: str = "5s"
    priorities: dict[str, str] = field(default_factory=dict)  # empty: web 2, webapp 1
    delay_base: dict[str, str] = field(default_factory=dict)
    delay_max: str = ""
    port: int = 7410
    timeout: str = "20s"
    vbox: VboxFencing = VboxFencing()


SEED_NODES = (
    NodeSpec("s1", "192.168.1.121", "192.168.9.121", 2122),
    NodeSpec("s2", "192.168.1.122", "192.168.9.122", 2222),
)
MIN_NODES, MAX_NODES = 2, 5
NODE_KEYS = ("service_ip", "interconnect_ip", "ssh_port")  # what a node beyond the seed's gives
# Cluster options by node count when the description has no [properties] table. The seed's are
# a two-node cluster's: with two nodes, losing one is losing half the votes, so quorum cannot
# tell a crash from a split and the seed ignores it (corosync's two_node does likewise). From
# three nodes on, a majority means something: Pacemaker's own default, no-quorum-policy=stop,
# written out so that the CIB and the report say it (a partition without quorum stops its
# resources; the majority runs them).
SEED_PROPERTIES = {"stonith-enabled": "false", "no-quorum-policy": "ignore"}
QUORUM_PROPERTIES = {"stonith-enabled": "false", "no-quorum-policy": "stop"}


@dataclass(frozen=True)
class Description:
    """The whole cluster under test. Defaults are the seed's cluster."""

    cluster_name: str = "hacluster"
    # The Debian release whose cluster stack the lab's nodes run (roots.py: "debian11",
    # "debian12", "debian13"); "" is this machine's own packages.
    stack: str = ""
    nodes: tuple[NodeSpec, ...] = SEED_NODES
    service_nic: str = "eth1"
    interconnect_nic: str = "eth2"
    netmask: int = 24
    gateway: str = "192.168.1.1"
    # Which of the seed's clusters (profiles.PROFILES) the groups start from; [groups.NAME]
    # tables change or add groups on top of it.
    profile: str = DEFAULT_PROFILE
    groups: tuple[GroupSpec, ...] = PROFILES[DEFAULT_PROFILE].groups
    http_port: int = 80
    tomcat_port: int = 8080
    ajp_port: int = 8009
    app_path: str = "/app/"
    # ProxyPass connectiontimeout for the AJP backend, whole seconds; 0 writes none (the seed's
    # httpd-proxy.conf: Apache's Timeout applies, 300 s on Debian). Not in the seed: without
    # it, Apache's graceful stop waits for /app/ connects to a Tomcat VIP that just left
    # (tests/acceptance/test_app_backend_gone.py), 38 s measured instead of 2 s.
    proxy_connect_timeout_s: int = 2
    # ProxyPass timeout (mod_proxy: how long Apache waits for data from the backend), whole
    # seconds; 0 writes none (the seed's: Apache's Timeout, 300 s on Debian). Not in the seed:
    # without it, an /app/ request in flight over AJP when the web node loses its service LAN
    # waits for a reply that cannot come, and the graceful stop waits for it: web moved after
    # 163.6 s instead of 12.2 s (README "The cluster description").
    proxy_timeout_s: int = 10
    vip_monitor_interval: float = 10  # seconds, or a Pacemaker interval like "10s"
    service_ops: ServiceOps = ServiceOps()
    # Cluster options (crm_config): the names the stack's Pacemaker lists (cluster_options.py).
    properties: dict[str, str] = field(
        default_factory=lambda: dict(SEED_PROPERTIES)
    )
    # Resource meta-attributes for every resource (rsc_defaults) and operation attributes for
    # every operation (op_defaults): not in the seed, empty unless described.
    rsc_defaults: dict[str, str] = field(default_factory=dict)
    op_defaults: dict[str, str] = field(default_factory=dict)
    timings: Timings = Timings()
    # A second corosync (knet) link over the service LAN: the seed has only the interconnect.
    redundant_link: bool = False
    # ocf:pacemaker:ping on the gateway plus a location rule per group: not in the seed.
    ping_check: bool = False
    # Resources beside the groups and constraints between them, in crm's names
    # (constraints.py): none in the seed.
    primitives: tuple[Primitive, ...] = ()  # standalone primitives (cloned, or alone)
    clones: tuple[CloneSpec, ...] = ()
    locations: tuple[Location, ...] = ()
    colocations: tuple[Colocation, ...] = ()
    orders: tuple[Order, ...] = ()
    fencing: Fencing = Fencing()
    slo: Slo = Slo()
    probe: ProbeSettings = ProbeSettings()
    vagrant: VagrantConfig = VagrantConfig()
    ssh: SshConfig = SshConfig()

    # -- derived values: computed, never configured, so they cannot drift apart --------------
    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)

    @property
    def no_quorum_policy(self) -> str:
        """What a partition without quorum does: the described property, else Pacemaker's
        default (``stop``)."""
        return self.properties.get("no-quorum-policy", "stop")

    @property
    def quorum_matters(self) -> bool:
        """Three nodes or more, and a partition without quorum gives up its resources (not
        ``ignore``): a minority partition stops, the majority runs the groups."""
        return len(self.nodes) > 2 and self.no_quorum_policy != "ignore"

    @property
    def single_resources(self) -> tuple[str, ...]:
        """Standalone primitives no clone holds: each must be active on one node at most."""
        cloned = {rid for c in self.clones for rid in c.primitives}
        return tuple(p.id for p in self.primitives if p.id not in cloned)

    def node(self, name: str) -> NodeSpec:
        for n in self.nodes:
            if n.name == name:
                return n
        known = ", ".join(self.node_names)
        raise KeyError(f"no node {name!r} in the cluster description ({known})")

    def __getattr__(self, name: str) -> GroupSpec:
        """A group by its name as an attribute (``description.web``), as before groups were
        data: tests written then keep working."""
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self.group(name)
        except KeyError:
            raise AttributeError(f"'Description' has no attribute or group {name!r}") from None

    def group(self, name: str) -> GroupSpec:
        """The described group ``name``; KeyError naming the groups there are."""
        for g in self.groups:
            if g.name == name:
                return g
        known = ", ".join(g.name for g in self.groups)
        raise KeyError(f"no group {name!r} in the cluster description ({known})")

    def ops_of(self, primitive: Primitive) -> dict[str, Op]:
        """A primitive's operations: its own, else the description's ``service_ops``."""
        if primitive.ops is not None:
            return dict(primitive.ops)
        o = self.service_ops
        return {"start": o.start, "monitor": o.monitor, "stop": o.stop}

    @property
    def slowest_monitor_interval(self) -> float:
        """Seconds between monitors of the least often watched service primitive: what a
        killed service may wait before Pacemaker looks (the seed's 10)."""
        return max(self.ops_of(p).get("monitor", self.service_ops.monitor).interval
                   for g in self.groups for p in g.primitives)

    def groups_running(self, agent_type: str) -> tuple[GroupSpec, ...]:
        """The groups with a primitive of this agent type (``apache``, ``tomcat``, ``smbd``)."""
        return tuple(g for g in self.groups
                     if any(p.agent_type == agent_type for p in g.primitives))

    def port(self, value: int | str, default: int) -> int:
        """A check's port: a number, one of ``PORT_KEYS`` (this description's value), or 0 for
        ``default``."""
        if isinstance(value, str):
            return int(getattr(self, value))
        return value or default

    def check_url(self, group: GroupSpec, check: Check) -> str:
        """Where a check reaches its group, as the probe fetches it (``http_client.fetch``):
        ``http://VIP[:port]/path``, ``smb://VIP/share/path``, ``netbios://VIP/NAME``,
        ``tcp://VIP:port``."""
        if check.kind == "http":
            path = getattr(self, check.path) if check.path in PATH_KEYS else check.path
            port = _port_suffix(self.port(check.port, self.http_port), 80)
            return f"http://{group.vip}{port}{path}"
        if check.kind == "smb":
            return f"smb://{group.vip}{_port_suffix(self.port(check.port, 445), 445)}/" \
                f"{check.share}/{check.path.lstrip('/')}"
        if check.kind == "netbios":
            return f"netbios://{group.vip}/{check.expect}"
        return f"tcp://{group.vip}:{self.port(check.port, 0)}"

    @property
    def urls(self) -> dict[str, str]:
        """Every check of every group, by its name: what the probe and the health wait fetch
        (the seed's pair: web, app, tomcat)."""
        return {name: self.check_url(g, c) for g in self.groups for name, c in g.checks.items()}

    def checks_of(self, group: str) -> tuple[str, ...]:
        """The check names a group's failure takes down: its own, and those it serves for
        another group (the seed's: web -> web, app; webapp -> app, tomcat)."""
        return tuple(name for g in self.groups for name, c in g.checks.items()
                     if (c.served_by or g.name) == group or g.name == group)

    def own_checks(self, group: str) -> tuple[str, ...]:
        """The checks described on the group itself (webapp -> tomcat)."""
        return tuple(self.group(group).checks)

    def served_checks(self, group: str) -> tuple[str, ...]:
        """The checks whose answer comes from the group's node (web -> web; webapp -> app,
        tomcat)."""
        return tuple(name for g in self.groups for name, c in g.checks.items()
                     if (c.served_by or g.name) == group)

    def find_check(self, name: str) -> tuple[GroupSpec, Check]:
        """The group a check is described on, and the check; KeyError naming the checks."""
        for g in self.groups:
            if name in g.checks:
                return g, g.checks[name]
        raise KeyError(f"no check {name!r} (checks: {', '.join(self.urls)})")

    def serving_group(self, check_name: str) -> str:
        """The group whose node answers the check ``check_name``."""
        for g in self.groups:
            if check_name in g.checks:
                return g.checks[check_name].served_by or g.name
        raise KeyError(f"no check {check_name!r} (checks: {', '.join(self.urls)})")


def _port_suffix(port: int, default: int) -> str:
    return "" if port == default else f":{port}"


# -- loading and validation -------------------------------------------------------------------

_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
# A node's name is its host name (uname -n, corosync's nodelist, Pacemaker's node name):
# Vagrant's rule for config.vm.hostname (plugins/kernel_v2/config/vm.rb: /^[a-z0-9][-.a-z0-9]*$/i),
# DNS labels of 1-63 characters, and Linux's 64-character limit for a host name.
_NODE_RE = re.compile(r"^(?=.{1,64}$)[A-Za-z0-9](-*[A-Za-z0-9])*(\.[A-Za-z0-9](-*[A-Za-z0-9])*)*$")
_NODE_LABEL_MAX = 63
# Linux interface names (net/core/dev.c dev_valid_name: 1-15 bytes, no '/', ':' or space; not
# '.' or '..'), kept to the characters real names use: eth1, enp0s8, bond0.2176, br-lan, vlan_7.
_NIC_RE = re.compile(r"^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,15}$")
# Resource ids are XML IDs in Pacemaker's schema (an NCName: a letter or '_' first, then
# letters, digits, '_', '-', '.'); ':' would read as a clone instance.
_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_ON_FAIL = {"ignore", "block", "stop", "restart", "fence", "standby", "demote"}

# Resource meta-attributes (Pacemaker 2.1.5 include/crm/msg_xml.h XML_RSC_ATTR_*, and "Resource
# Meta-Attributes" of Pacemaker Explained 2.1): they belong in rsc_defaults, never crm_config.
RESOURCE_META = frozenset({
    "priority", "critical", "target-role", "is-managed", "maintenance", "resource-stickiness",
    "requires", "migration-threshold", "failure-timeout", "multiple-active", "allow-migrate",
    "allow-unhealthy-nodes", "container-attribute-target", "remote-node", "remote-port",
    "remote-addr", "remote-connect-timeout", "remote-allow-migrate", "globally-unique",
    "clone-max", "clone-min", "clone-node-max", "promotable", "promoted-max",
    "promoted-node-max", "notify", "ordered", "interleave", "restart-type",
})
# Operation attributes that op_defaults may set (XML_OP_ATTR_* and "Operation Properties").
OPERATION_ATTRIBUTES = frozenset({
    "timeout", "on-fail", "start-delay", "interval-origin", "record-pending", "enabled",
})


def load(pyproject: Path | None, profile: str | None = None) -> Description:
    """The description in effect: the seed's, with ``[tool.hacluster]`` of ``pyproject`` on top.

    A file with no ``[tool]`` table at all is a description of its own (``cluster_name = ...``
    at the top), so ``--hacluster-config`` can name a plain ``hacluster.toml`` too.
    ``profile`` (``--hacluster-profile``) replaces the file's ``profile`` key.
    """
    if pyproject is None or not pyproject.is_file():
        return from_mapping({}, profile=profile) if profile else Description()
    data = _read_toml(pyproject)
    if "tool" not in data and pyproject.name != "pyproject.toml":
        return from_mapping(data, where=str(pyproject.name), profile=profile)
    table = data.get("tool", {}).get("hacluster", {})
    return from_mapping(table, where="tool.hacluster", profile=profile)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from exc


@dataclass(frozen=True)
class Source:
    """Where the description comes from: a file and how it was found, or None for the seed's
    own (``searched`` then says where ``[tool.hacluster]`` was looked for)."""

    path: Path | None
    how: str
    searched: tuple[Path, ...] = ()

    def __str__(self) -> str:
        if self.path is None:
            where = ", ".join(str(p) for p in self.searched) or "nowhere"
            return f"built in (the seed's; no [tool.hacluster] found; looked in {where})"
        return f"{self.path} ({self.how})"


def _has_description(path: Path) -> bool:
    data = _read_toml(path)
    return isinstance(data.get("tool", {}).get("hacluster"), dict)


def _project_file(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start``: the project that directory is in."""
    for directory in (start, *start.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def discover(
    named: Path | None, named_how: str, inipath: Path | None, starts: tuple[Path, ...]
) -> Source:
    """Which file holds the description, whatever configuration pytest itself read.

    ``named`` (``--hacluster-config`` or the ini setting ``hacluster_config``, ``named_how``
    says which) wins and must exist. Otherwise: pytest's own ini file if it is a
    pyproject.toml with ``[tool.hacluster]``, else the nearest pyproject.toml above each of
    ``starts`` (pytest's rootdir, the directory pytest was started in) that has one. pytest's
    rootdir follows ``-c FILE`` and ``--rootdir``, so looking only there ran the seed's cluster
    for ``-c settings/pytest.ini``. Two different files found is an error naming both.
    """
    if named is not None:
        if not named.is_file():
            raise ConfigError(f"{named_how}: {named} does not exist")
        data = _read_toml(named)
        if ("tool" in data or named.name == "pyproject.toml") and not _has_description(named):
            raise ConfigError(f"{named_how}: {named} has no [tool.hacluster] table")
        return Source(named.resolve(), f"named by {named_how}")
    if inipath is not None and inipath.name == "pyproject.toml" and inipath.is_file() \
            and _has_description(inipath):
        return Source(inipath.resolve(), "pytest's configuration file")
    found: dict[Path, Path] = {}
    searched: list[Path] = []
    for start in starts:
        project = _project_file(start.resolve())
        if project is None:
            searched.append(start.resolve())
            continue
        searched.append(project)
        if _has_description(project):
            found.setdefault(project, start)
    if len(found) > 1:
        files = " and ".join(f"{f} (above {s})" for f, s in found.items())
        raise ConfigError(f"two cluster descriptions apply: {files}; name one with "
                          "--hacluster-config=FILE or the ini setting hacluster_config")
    if found:
        (project, start), = found.items()
        return Source(project, f"the project's pyproject.toml, found above {start}")
    return Source(None, "the seed's", tuple(dict.fromkeys(searched)))


def from_mapping(
    table: dict[str, Any], where: str = "tool.hacluster", profile: str | None = None
) -> Description:
    """Build and check a description from a TOML table (the seed's values fill the gaps).

    ``profile`` (``--hacluster-profile``) wins over the table's ``profile`` key; the chosen
    profile's groups are the base that ``[groups.NAME]`` tables (or, as before profiles, a
    top-level table named after a group: ``[tool.hacluster.web]``) change or add to.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    table = dict(table)
    nodes = table.pop("nodes", None)
    written = table.pop("profile", None)
    name, pwhere = (profile, "--hacluster-profile") if profile else (written, f"{where}.profile")
    base = with_profile(Description(), name or DEFAULT_PROFILE, pwhere)
    groups = table.pop("groups", {})
    if not isinstance(groups, dict):
        raise ConfigError(f"{where}.groups: expected a table of groups, e.g. [{where}.groups.web]")
    overlays = [(n, v, f"{where}.groups.{n}") for n, v in groups.items()]
    fields = {f.name for f in dataclasses.fields(Description)}
    for key in [k for k in table if k not in fields and k in {g.name for g in base.groups}]:
        overlays.append((key, table.pop(key), f"{where}.{key}"))
    resources = {key: table.pop(key) for key in _RESOURCE_TABLES if key in table}
    desc = _build(Description, table, where, base)
    if resources:
        desc = dataclasses.replace(desc, **_build_resources(resources, where))
    if overlays:
        desc = dataclasses.replace(desc, groups=_build_groups(desc.groups, overlays))
    if nodes is not None:
        desc = dataclasses.replace(desc, nodes=_build_nodes(nodes, f"{where}.nodes"))
        if len(desc.nodes) > 2 and "properties" not in table:
            desc = dataclasses.replace(desc, properties=dict(QUORUM_PROPERTIES))
    # Errors name a group where the user wrote it ([web] or [groups.web]), by position: a
    # group's name key may have renamed it.
    written_at = {n: w for n, _, w in overlays}
    order = [g.name for g in base.groups] + [n for n, _, _ in overlays if n not in
                                             {g.name for g in base.groups}]
    _check(desc, where, [written_at.get(n, f"{where}.groups.{n}") for n in order])
    return desc


def with_profile(desc: Description, name: str, where: str = "--hacluster-profile") -> Description:
    """``desc`` with the groups of profile ``name``; ConfigError naming ``where`` for an
    unknown one."""
    if name not in PROFILES:
        raise ConfigError(f"{where}: no profile {name!r} (known: {', '.join(PROFILES)})")
    return dataclasses.replace(desc, profile=name, groups=PROFILES[name].groups)


_GROUP_KEYS = ("name", "vip_resource", "vip", "service_resource", "primitives", "checks")
_PRIMITIVE_KEYS = ("agent", "params", "ops", "meta", "process")
_CHECK_KEYS = tuple(f.name for f in dataclasses.fields(Check))


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: expected a table")
    return value


def _unknown(values: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in values:
        if key not in known:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(known)})")


def _build_groups(
    base: tuple[GroupSpec, ...], overlays: list[tuple[str, Any, str]]
) -> tuple[GroupSpec, ...]:
    """The profile's groups with each ``(name, table, where)`` laid over the group of that
    name, or added after them when the profile has none."""
    groups = {g.name: g for g in base}
    for name, values, where in overlays:
        values = dict(_table(values, where))
        _unknown(values, _GROUP_KEYS, where)
        old = groups.get(name)
        if old is None:
            missing = [k for k in ("vip_resource", "vip", "primitives") if k not in values]
            if missing:
                raise ConfigError(f"{where}: a new group needs {', '.join(missing)}")
            old = GroupSpec(name, "", "")
        prims = list(old.primitives)
        if "primitives" in values:
            prims = _build_primitives(prims, values.pop("primitives"), f"{where}.primitives")
        if "service_resource" in values:  # before primitives were data: the one service's id
            rid = _coerce(str, values.pop("service_resource"), f"{where}.service_resource", "")
            if not prims:
                raise ConfigError(f"{where}.service_resource: the group has no primitive")
            prims[-1] = dataclasses.replace(prims[-1], id=rid)
        checks = dict(old.checks)
        for cname, cvalues in _table(values.pop("checks", {}), f"{where}.checks").items():
            cwhere = f"{where}.checks.{cname}"
            cvalues = dict(_table(cvalues, cwhere))
            _unknown(cvalues, _CHECK_KEYS, cwhere)
            port = cvalues.pop("port", None)
            check = _build(Check, cvalues, cwhere, checks.get(cname, Check()))
            if port is not None:
                if isinstance(port, bool) or not isinstance(port, int | str):
                    raise ConfigError(f"{cwhere}.port: expected a TCP port or one of "
                                      f"{', '.join(PORT_KEYS)}, got {port!r}")
                check = dataclasses.replace(check, port=port)
            checks[cname] = check
        scalars = {k: _coerce(str, v, f"{where}.{k}", "") for k, v in values.items()}
        groups[name] = dataclasses.replace(old, **scalars, primitives=tuple(prims), checks=checks)
    return tuple(groups.values())


def _build_primitives(prims: list[Primitive], table: Any, where: str) -> list[Primitive]:
    """``[...primitives.ID]`` tables: change the primitive ``ID`` or append a new one (which
    needs ``agent``). ``params`` and ``meta`` add to what is there, ``ops.NAME`` too."""
    out = {p.id: p for p in prims}
    for rid, values in _table(table, where).items():
        pwhere = f"{where}.{rid}"
        values = dict(_table(values, pwhere))
        _unknown(values, _PRIMITIVE_KEYS, pwhere)
        old = out.get(rid)
        if old is None:
            if "agent" not in values:
                raise ConfigError(f"{pwhere}: a new primitive needs agent (class:provider:type)")
            old = Primitive(rid, "")
        agent = _coerce(str, values.get("agent", old.agent), f"{pwhere}.agent", "")
        params = {**old.params, **_coerce(dict[str, str], values.get("params", {}),
                                          f"{pwhere}.params", {})}
        meta = {**old.meta, **_coerce(dict[str, str], values.get("meta", {}), f"{pwhere}.meta", {})}
        ops = old.ops
        if "ops" in values:
            ops = dict(ops or {})
            for op_name, op_values in _table(values["ops"], f"{pwhere}.ops").items():
                owhere = f"{pwhere}.ops.{op_name}"
                ops[op_name] = _build(Op, _table(op_values, owhere), owhere,
                                      ops.get(op_name, Op()))
        process = _coerce(str, values.get("process", old.process), f"{pwhere}.process", "")
        out[rid] = Primitive(rid, agent, params, ops, meta, process)
    return list(out.values())


_RESOURCE_TABLES = ("primitives", "clones", "locations", "colocations", "orders")
_CLONE_KEYS = ("rsc", "members", "meta")
_LOCATION_KEYS = ("rsc", "score", "node", "rule")
_COLOCATION_KEYS = ("score", "rsc", "with-rsc")
_ORDER_KEYS = ("kind", "score", "first", "then", "symmetrical")


def _build_resources(tables: dict[str, Any], where: str) -> dict[str, tuple[Any, ...]]:
    """``[primitives.ID]``, ``[clones.ID]``, ``[locations.ID]``, ``[colocations.ID]`` and
    ``[orders.ID]`` -> the Description's fields of those names, in the file's order. Keys are
    crm's (``with-rsc``); unknown ones and wrong types are refused naming the key."""
    out: dict[str, tuple[Any, ...]] = {}
    if "primitives" in tables:
        pwhere = f"{where}.primitives"
        out["primitives"] = tuple(_build_primitives([], tables["primitives"], pwhere))
    kinds = (("clones", _CLONE_KEYS, ("rsc",)), ("locations", _LOCATION_KEYS, ("rsc", "score")),
             ("colocations", _COLOCATION_KEYS, ("score", "rsc", "with-rsc")),
             ("orders", _ORDER_KEYS, ("first", "then")))
    for name, keys, required in kinds:
        if name not in tables:
            continue
        built = []
        for cid, values in _table(tables[name], f"{where}.{name}").items():
            cwhere = f"{where}.{name}.{cid}"
            values = dict(_table(values, cwhere))
            _unknown(values, keys, cwhere)
            for key in required:
                if key not in values:
                    raise ConfigError(f"{cwhere}.{key}: required ({', '.join(required)})")
            built.append(_build_constraint(name, cid, values, cwhere))
        out[name] = tuple(built)
    return out


def _build_constraint(kind: str, cid: str, values: dict[str, Any], where: str) -> Any:
    """One clone or constraint from its table (keys already checked)."""
    def text(key: str, score: bool = False) -> str:
        value = values.get(key, "")
        if score and isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return _coerce(str, value, f"{where}.{key}", "")

    if kind == "clones":
        members = values.get("members", [])
        if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
            raise ConfigError(f"{where}.members: expected a list of primitive ids")
        meta = _coerce(dict[str, str], values.get("meta", {}), f"{where}.meta", {})
        return CloneSpec(cid, text("rsc"), tuple(members), meta)
    if kind == "locations":
        return Location(cid, text("rsc"), text("score", True), text("node"), text("rule"))
    if kind == "colocations":
        return Colocation(cid, text("score", True), text("rsc"), text("with-rsc"))
    symmetrical = values.get("symmetrical")
    if symmetrical is not None and not isinstance(symmetrical, bool):
        raise ConfigError(f"{where}.symmetrical: expected true or false, got {symmetrical!r}")
    return Order(cid, text("first"), text("then"), text("kind"), text("score", True),
                 symmetrical)


def _build_nodes(nodes: Any, where: str) -> tuple[NodeSpec, ...]:
    """``[tool.hacluster.nodes]``: every node of the cluster, 2 to 5, in the file's order.

    The table lists every node (a third one alone is not added to the seed's two). A node
    named like a seed node starts from the seed's values, and so do the first two nodes under
    other names (renaming the pair); any other node must give ``service_ip``,
    ``interconnect_ip`` and ``ssh_port``. ConfigError names the key.
    """
    if not isinstance(nodes, dict):
        raise ConfigError(f"{where}: expected a table of nodes, e.g. [{where}.s1]")
    if not MIN_NODES <= len(nodes) <= MAX_NODES:
        raise ConfigError(
            f"{where}: expected {MIN_NODES} to {MAX_NODES} nodes, got {len(nodes)} "
            f"({', '.join(nodes) or 'none'}); the table lists every node, the seed's s1 and s2 "
            f"too, e.g. [{where}.s1], [{where}.s2], [{where}.s3]"
        )
    seed = {n.name: n for n in SEED_NODES}
    out = []
    for i, (name, values) in enumerate(nodes.items()):
        if not isinstance(values, dict):
            raise ConfigError(f"{where}.{name}: expected a table")
        base = seed.get(name)
        if base is None and i < len(SEED_NODES) and SEED_NODES[i].name not in nodes:
            base = dataclasses.replace(SEED_NODES[i], name=name)
        if base is None:
            for key in NODE_KEYS:
                if key not in values:
                    raise ConfigError(
                        f"{where}.{name}.{key}: required for a node that is not one of the "
                        f"seed's ({', '.join(seed)}): give {', '.join(NODE_KEYS)}"
                    )
            base = NodeSpec(name, "", "", 0)
        out.append(_build(NodeSpec, {**values, "name": name}, f"{where}.{name}", base))
    return tuple(out)


def _build(cls: type, values: dict[str, Any], where: str, base: Any) -> Any:
    """Overlay ``values`` on ``base`` (an instance of dataclass ``cls``), checking each type."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    changes: dict[str, Any] = {}
    for key, value in values.items():
        attr = key.replace("-", "_")
        if attr not in known or attr == "nodes":
            raise ConfigError(
                f"{where}: unknown key {key!r} (known: {', '.join(sorted(k for k in known))})"
            )
        changes[attr] = _coerce(hints[attr], value, f"{where}.{key}", getattr(base, attr))
    return dataclasses.replace(base, **changes)


_TIMEOUT_KEYS = ("timeout",)
_INTERVAL_KEYS = ("interval", "vip_monitor_interval", "vip-monitor-interval")


def _duration_s(value: Any, where: str) -> int | float:
    """Seconds from a number of seconds or a Pacemaker duration, read strictly: a text whose
    Pacemaker reading differs from what it says is refused (``duration.py``)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(f"{where}: expected seconds or a duration like '10s', got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"{where}: expected a non-negative number of seconds")
        return value
    read = duration.timeout_ms if where.rsplit(".", 1)[-1] in _TIMEOUT_KEYS \
        else duration.interval_ms
    try:
        return duration.seconds(read(value, where, strict=True))
    except duration.DurationError as exc:
        raise ConfigError(str(exc)) from None


def _coerce(hint: Any, value: Any, where: str, current: Any) -> Any:
    key = where.rsplit(".", 1)[-1]
    if key in _TIMEOUT_KEYS + _INTERVAL_KEYS and hint in (float, float | None):
        return _duration_s(value, where)
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table")
        return _build(hint, value, where, current)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        return _coerce(args[0], value, where, current)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table")
        return {str(k): _scalar_str(v, f"{where}.{k}") for k, v in value.items()}
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    if hint is int and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        raise ConfigError(f"{where}: expected a non-negative integer, got {value!r}")
    if hint is float:
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where}: expected a positive number of seconds, got {value!r}")
        return float(value)
    if hint is str and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {value!r}")
    return value


def _scalar_str(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    raise ConfigError(f"{where}: expected a string, number or boolean, got {value!r}")


def _check(desc: Description, where: str, group_wheres: list[str] | None = None) -> None:
    """Cross-field checks: addresses, names and options that would break the cluster."""
    if not _NAME_RE.match(desc.cluster_name):
        raise ConfigError(f"{where}.cluster_name: {desc.cluster_name!r} is not a simple name")
    for key in ("service_nic", "interconnect_nic"):
        if not _NIC_RE.match(getattr(desc, key)):
            raise ConfigError(
                f"{where}.{key}: {getattr(desc, key)!r} is not a Linux interface name "
                "(1-15 of letters, digits, '_', '-', '.', e.g. eth1, enp0s8, bond0.2176)"
            )
    if desc.stack:
        _check_stack(desc.stack, f"{where}.stack")
    if desc.service_nic == desc.interconnect_nic:
        raise ConfigError(f"{where}.interconnect_nic: must differ from service_nic")
    if not 8 <= desc.netmask <= 30:
        raise ConfigError(f"{where}.netmask: expected a prefix length 8..30, got {desc.netmask}")
    service_net = _network(desc.gateway, desc.netmask, f"{where}.gateway")
    seen: dict[str, str] = {desc.gateway: f"{where}.gateway"}
    names: dict[str, str] = {}
    ports: dict[int, str] = {}
    for node in desc.nodes:
        nwhere = f"{where}.nodes.{node.name}"
        _check_node_name(node.name, nwhere)
        if node.name.lower() in names:  # Pacemaker compares node names without case
            raise ConfigError(f"{nwhere}: the same node name as {names[node.name.lower()]}")
        names[node.name.lower()] = nwhere
        if node.ssh_port in ports:
            raise ConfigError(
                f"{nwhere}.ssh_port: {node.ssh_port} is already {ports[node.ssh_port]}'s: "
                "each node needs its own forwarded ssh port"
            )
        ports[node.ssh_port] = nwhere
        for key in ("service_ip", "interconnect_ip"):
            _claim(seen, getattr(node, key), f"{nwhere}.{key}")
        if ipaddress.ip_address(node.service_ip) not in service_net:
            raise ConfigError(f"{nwhere}.service_ip: {node.service_ip} is outside {service_net}")
        if not 0 < node.ssh_port < 65536:
            raise ConfigError(f"{nwhere}.ssh_port: {node.ssh_port} is not a TCP port")
    ic = [ipaddress.ip_interface(f"{n.interconnect_ip}/{desc.netmask}") for n in desc.nodes]
    for node, address in zip(desc.nodes[1:], ic[1:], strict=True):
        if address.network != ic[0].network:
            raise ConfigError(
                f"{where}.nodes.{node.name}.interconnect_ip: {node.interconnect_ip} is not on "
                f"{desc.nodes[0].name}'s interconnect network {ic[0].network}: the "
                "interconnect addresses must share one network"
            )
    if ic[0].network.overlaps(service_net):
        raise ConfigError(f"{where}.nodes: interconnect and service LAN must be separate networks")
    ids = _check_groups(desc, where, seen, service_net, group_wheres or [])
    _check_resources(desc, where, ids)
    for op_name in ("start", "monitor", "stop"):
        op = getattr(desc.service_ops, op_name)
        if op.on_fail is not None and op.on_fail not in _ON_FAIL:
            raise ConfigError(
                f"{where}.service_ops.{op_name}.on_fail: {op.on_fail!r} is not one of "
                f"{', '.join(sorted(_ON_FAIL))}"
            )
    if desc.service_ops.monitor.interval <= 0:
        raise ConfigError(f"{where}.service_ops.monitor.interval: must be positive")
    if desc.vip_monitor_interval <= 0:
        raise ConfigError(f"{where}.vip_monitor_interval: must be positive")
    _check_defaults(desc, where)
    if desc.probe.interval_s < 0.02 or desc.probe.timeout_s < desc.probe.interval_s:
        raise ConfigError(
            f"{where}.probe: interval_s must be at least 0.02 and timeout_s at least interval_s"
        )
    if not desc.app_path.startswith("/") or not desc.app_path.endswith("/"):
        raise ConfigError(f"{where}.app_path: expected a path like '/app/'")
    for port_key in ("http_port", "tomcat_port", "ajp_port"):
        if not 0 < getattr(desc, port_key) < 65536:
            raise ConfigError(f"{where}.{port_key}: not a TCP port")
    _check_timings(desc.timings, f"{where}.timings")
    _check_fencing(desc, f"{where}.fencing")
    _check_access(desc, where)


# class:provider:type for OCF, class:type for the others (Pacemaker's resource classes).
_AGENT_RE = re.compile(
    r"^(ocf:[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+|(lsb|systemd|service|upstart|nagios):[A-Za-z0-9_.@-]+)$"
)
_OPERATIONS = {"start", "stop", "monitor", "promote", "demote", "notify", "reload",
               "migrate_to", "migrate_from", "meta-data", "validate-all"}


def _check_id(rid: str, where: str, ids: dict[str, str]) -> None:
    if not _ID_RE.match(rid):
        raise ConfigError(
            f"{where}: {rid!r} is not a Pacemaker id (an XML ID: a letter "
            "or '_' first, then letters, digits, '_', '-', '.')"
        )
    if rid in ids:
        raise ConfigError(f"{where}: {rid!r} is already {ids[rid]}")
    ids[rid] = where


def _check_groups(
    desc: Description, where: str, seen: dict[str, str], service_net: ipaddress.IPv4Network,
    group_wheres: list[str],
) -> dict[str, str]:
    """Each group: its VIP on the service LAN and its own, ids unique across the cluster,
    agents, operations, meta-attributes and checks that Pacemaker and the probe understand."""
    if not desc.groups:
        raise ConfigError(f"{where}.groups: the cluster needs at least one group")
    ids: dict[str, str] = {}
    names = {g.name for g in desc.groups}
    for i, group in enumerate(desc.groups):
        key = group_wheres[i] if i < len(group_wheres) else f"{where}.groups.{group.name}"
        _claim(seen, group.vip, f"{key}.vip")
        if ipaddress.ip_address(group.vip) not in service_net:
            raise ConfigError(f"{key}.vip: {group.vip} is outside {service_net}")
        _check_id(group.name, f"{key}.name", ids)
        _check_id(group.vip_resource, f"{key}.vip_resource", ids)
        if not group.primitives:
            raise ConfigError(f"{key}.primitives: a group needs at least one primitive")
        for prim in group.primitives:
            _check_primitive(prim, f"{key}.primitives.{prim.id}", ids)
        for cname, check in group.checks.items():
            _check_check(desc, check, f"{key}.checks.{cname}", names)
    every = [name for g in desc.groups for name in g.checks]
    if len(every) != len(set(every)):
        twice = sorted({n for n in every if every.count(n) > 1})
        raise ConfigError(f"{where}.groups: check names are the probe's names and must be "
                          f"unique across groups: {', '.join(twice)}")
    return ids


def _check_primitive(prim: Primitive, pwhere: str, ids: dict[str, str]) -> None:
    """A primitive's id (unique in ``ids``), agent, operations, meta-attributes, process."""
    _check_id(prim.id, pwhere, ids)
    if not _AGENT_RE.match(prim.agent):
        raise ConfigError(f"{pwhere}.agent: {prim.agent!r} is not class:provider:type "
                          "(ocf:heartbeat:apache) or class:type (lsb:smbd)")
    for op_name, op in (prim.ops or {}).items():
        if op_name not in _OPERATIONS:
            raise ConfigError(f"{pwhere}.ops.{op_name}: not one of Pacemaker's "
                              f"operations ({', '.join(sorted(_OPERATIONS))})")
        if op.on_fail is not None and op.on_fail not in _ON_FAIL:
            raise ConfigError(f"{pwhere}.ops.{op_name}.on_fail: {op.on_fail!r} is not "
                              f"one of {', '.join(sorted(_ON_FAIL))}")
    if prim.ops is not None and prim.ops.get("monitor", Op(1)).interval <= 0:
        raise ConfigError(f"{pwhere}.ops.monitor.interval: must be positive")
    for meta in prim.meta:
        if meta not in RESOURCE_META:
            raise ConfigError(f"{pwhere}.meta.{meta}: not a resource meta-attribute "
                              f"({', '.join(sorted(RESOURCE_META))})")
    if prim.process and not re.match(r"^[A-Za-z0-9_.+-]{1,15}$", prim.process):
        raise ConfigError(f"{pwhere}.process: {prim.process!r} is not a process name "
                          "(pkill -x matches at most 15 characters)")


def _check_resources(desc: Description, where: str, ids: dict[str, str]) -> None:
    """Standalone primitives, clones and constraints: ids unique with the groups' (one XML id
    space), references to resources that exist and can be referred to, scores, kinds and
    meta-attributes Pacemaker knows. ConfigError naming the key."""
    try:
        _check_resources_raising(desc, where, ids)
    except constraints.ConstraintError as exc:
        raise ConfigError(str(exc)) from None


def _check_resources_raising(desc: Description, where: str, ids: dict[str, str]) -> None:
    ids = dict(ids)
    if desc.ping_check:  # the ids the ping check renders (render.ping_configuration)
        ping = constraints.PING_RESOURCE
        for rid in (ping, f"{ping}_clone", *(f"{g.name}_on_connected" for g in desc.groups)):
            ids.setdefault(rid, "the ping check's (ping_check = true)")
    standalone = {p.id for p in desc.primitives}
    for prim in desc.primitives:
        _check_primitive(prim, f"{where}.primitives.{prim.id}", ids)
    cloned: dict[str, str] = {}  # primitive or clone group -> its clone
    for clone in desc.clones:
        cwhere = f"{where}.clones.{clone.id}"
        _check_id(clone.id, cwhere, ids)
        if clone.members:
            _check_id(clone.rsc, f"{cwhere}.rsc", ids)
        elif clone.rsc in {g.name for g in desc.groups} or \
                any(clone.rsc in g.members for g in desc.groups):
            raise ConfigError(
                f"{cwhere}.rsc: {clone.rsc!r} is part of a described group, whose VIP runs on "
                "one node: clone standalone primitives ([primitives.ID]), or a group of them "
                "(members)")
        for rid in clone.primitives:
            key = f"{cwhere}.members" if clone.members else f"{cwhere}.rsc"
            if rid not in standalone:
                known = ", ".join(sorted(standalone)) or "none"
                raise ConfigError(f"{key}: {rid!r} is not a standalone primitive "
                                  f"([{where}.primitives.ID]; there are: {known})")
            if rid in cloned:
                raise ConfigError(f"{key}: {rid!r} is already cloned by {cloned[rid]}")
            cloned[rid] = clone.id
        if clone.members:
            cloned[clone.rsc] = clone.id
        constraints.check_clone_meta(clone.meta, RESOURCE_META, f"{cwhere}.meta")
    referable = {*(g.name for g in desc.groups), *(m for g in desc.groups for m in g.members),
                 *(c.id for c in desc.clones), *(p for p in standalone if p not in cloned)}

    def resource(rid: str, key: str) -> None:
        if rid in cloned:
            raise ConfigError(f"{key}: {rid!r} is cloned: constrain its clone "
                              f"{cloned[rid]!r}, as Pacemaker places the instances")
        if rid not in referable:
            raise ConfigError(f"{key}: no resource {rid!r} in the description (resources: "
                              f"{', '.join(sorted(referable))})")

    for loc in desc.locations:
        lwhere = f"{where}.locations.{loc.id}"
        _check_id(loc.id, lwhere, ids)
        resource(loc.rsc, f"{lwhere}.rsc")
        constraints.check_score(loc.score, f"{lwhere}.score")
        if bool(loc.node) == bool(loc.rule):
            raise ConfigError(f"{lwhere}: give node or rule, one of them")
        if loc.node and loc.node not in desc.node_names:
            raise ConfigError(f"{lwhere}.node: no node {loc.node!r} "
                              f"(nodes: {', '.join(desc.node_names)})")
        if loc.rule:
            constraints.check_rule(loc.rule, f"{lwhere}.rule")
    for col in desc.colocations:
        owhere = f"{where}.colocations.{col.id}"
        _check_id(col.id, owhere, ids)
        constraints.check_score(col.score, f"{owhere}.score")
        resource(col.rsc, f"{owhere}.rsc")
        resource(col.with_rsc, f"{owhere}.with-rsc")
        if col.rsc == col.with_rsc:
            raise ConfigError(f"{owhere}.with-rsc: {col.rsc!r} with itself")
    for order in desc.orders:
        owhere = f"{where}.orders.{order.id}"
        _check_id(order.id, owhere, ids)
        resource(order.first, f"{owhere}.first")
        resource(order.then, f"{owhere}.then")
        constraints.check_order(order, owhere)


def _check_check(desc: Description, check: Check, where: str, groups: set[str]) -> None:
    if check.kind not in CHECK_KINDS:
        raise ConfigError(f"{where}.kind: {check.kind!r} is not one of {', '.join(CHECK_KINDS)}")
    if isinstance(check.port, str):
        if check.port not in PORT_KEYS:
            raise ConfigError(f"{where}.port: {check.port!r} is not a port number or one of "
                              f"{', '.join(PORT_KEYS)}")
    elif not 0 <= check.port < 65536 or (check.kind == "tcp" and check.port == 0):
        raise ConfigError(f"{where}.port: {check.port} is not a TCP port")
    if check.served_by and check.served_by not in groups:
        raise ConfigError(f"{where}.served_by: no group {check.served_by!r}")
    if check.kind == "http" and not (check.path.startswith("/") or check.path in PATH_KEYS):
        raise ConfigError(f"{where}.path: expected a path like '/' or '/app/'")
    if check.kind == "smb" and (not check.share or check.path.strip("/") == ""):
        raise ConfigError(f"{where}: an smb check needs share and path (a file on the share)")
    if check.kind == "netbios" and not re.match(r"^[A-Za-z0-9_-]{1,15}$", check.expect):
        raise ConfigError(f"{where}.expect: {check.expect!r} is not a NetBIOS name")


def _check_node_name(name: str, where: str) -> None:
    if "_" in name:
        raise ConfigError(
            f"{where}: {name!r}: a node's name is its host name, and Vagrant (like DNS) refuses "
            "'_' in host names; use '-'"
        )
    if not _NODE_RE.match(name) or any(len(label) > _NODE_LABEL_MAX for label in name.split(".")):
        raise ConfigError(
            f"{where}: {name!r} is not a host name (letters, digits and '-' in dot-separated "
            "labels of at most 63, at most 64 in all, e.g. s1 or lb1.example.net)"
        )


def _check_defaults(desc: Description, where: str) -> None:
    """Resource defaults and operation defaults go in their own tables, not in properties:
    Pacemaker ignores a resource meta-attribute written as a cluster option."""
    for key in desc.properties:
        if key == "dc-deadtime":
            raise ConfigError(
                f"{where}.properties.dc-deadtime: set from [{where}.timings] initdead_s "
                "(Heartbeat's initdead, see timings.py); set initdead_s instead"
            )
        if key in RESOURCE_META:
            raise ConfigError(
                f"{where}.properties.{key}: a resource meta-attribute, not a cluster option "
                f"(Pacemaker ignores it in crm_config): put it in [{where}.rsc_defaults]"
            )
        if key in OPERATION_ATTRIBUTES:
            raise ConfigError(
                f"{where}.properties.{key}: an operation attribute, not a cluster option: put "
                f"it in [{where}.op_defaults]"
            )
    for table, known in (("rsc_defaults", RESOURCE_META), ("op_defaults", OPERATION_ATTRIBUTES)):
        for key, value in getattr(desc, table).items():
            if key not in known:
                kind = "resource meta-attributes" if table == "rsc_defaults" \
                    else "operation attributes"
                raise ConfigError(f"{where}.{table}.{key}: not one of Pacemaker's {kind} "
                                  f"({', '.join(sorted(known))})")
            if key in ("failure-timeout", "remote-connect-timeout", "timeout", "start-delay"):
                read = duration.timeout_ms if key in ("timeout", "start-delay") \
                    else duration.interval_ms
                try:
                    read(value, f"{where}.{table}.{key}", strict=True)
                except duration.DurationError as exc:
                    raise ConfigError(str(exc)) from None


FENCING_DEVICES = ("lab", "vbox")  # fencing.DEVICES; named here so config needs no import of it
STONITH_ACTIONS = ("off", "reboot")  # Pacemaker's stonith-action values (poweroff: deprecated)


def _check_fencing(desc: Description, where: str) -> None:
    f = desc.fencing
    if f.device not in FENCING_DEVICES:
        raise ConfigError(
            f"{where}.device: {f.device!r} is not one of {', '.join(FENCING_DEVICES)}"
        )
    if f.action not in STONITH_ACTIONS:
        raise ConfigError(
            f"{where}.action: {f.action!r} is not one of {', '.join(STONITH_ACTIONS)}"
        )
    if not 0 < f.port < 65536:
        raise ConfigError(f"{where}.port: {f.port} is not a TCP port")
    _check_vbox(desc, f"{where}.vbox")
    groups = {g.name for g in desc.groups}
    for name, value in f.priorities.items():
        if name not in groups:
            raise ConfigError(
                f"{where}.priorities.{name}: no such group ({', '.join(sorted(groups))})"
            )
        if not value.isdigit():
            raise ConfigError(f"{where}.priorities.{name}: {value!r} is not a non-negative integer")
    for name in f.delay_base:
        if name not in desc.node_names:
            raise ConfigError(
                f"{where}.delay_base.{name}: no such node (nodes: {', '.join(desc.node_names)})"
            )
    durations = [("priority_fencing_delay", f.priority_fencing_delay), ("delay_max", f.delay_max),
                 ("timeout", f.timeout)]
    durations += [(f"delay_base.{k}", v) for k, v in f.delay_base.items()]
    for key, value in durations:
        if value == "" and key != "timeout":
            continue
        try:
            duration.interval_ms(value, f"{where}.{key}", strict=True)
        except duration.DurationError as exc:
            raise ConfigError(f"{exc} (expected a Pacemaker duration like '5s')") from None


def _check_vbox(desc: Description, where: str) -> None:
    """With ``device = "vbox"`` and fencing on, what fence_vbox cannot work without is given,
    and ``vms`` names only nodes."""
    v = desc.fencing.vbox
    for name in v.vms:
        if name not in desc.node_names:
            raise ConfigError(
                f"{where}.vms.{name}: no such node (nodes: {', '.join(desc.node_names)})"
            )
    if not 0 < v.port < 65536:
        raise ConfigError(f"{where}.port: {v.port} is not a TCP port")
    if desc.fencing.device != "vbox" or not desc.fencing.enabled:
        return
    missing = [k for k in ("host", "login", "identity_file") if not getattr(v, k)]
    if missing:
        raise ConfigError(
            f"{where}: fence_vbox needs {', '.join(missing)} (the VirtualBox host's address as "
            "the nodes reach it, the ssh login there that runs VBoxManage, the private key's "
            "path on every node)"
        )


def with_fencing(desc: Description) -> Description:
    """``--hacluster-fencing``: the description with STONITH on for one run."""
    return dataclasses.replace(desc, fencing=dataclasses.replace(desc.fencing, enabled=True))


TIMING_PROFILES = ("seed", "fast")  # what each one means: timings.py


def _check_timings(t: Timings, where: str) -> None:
    if t.profile not in TIMING_PROFILES:
        choices = ", ".join(TIMING_PROFILES)
        raise ConfigError(f"{where}.profile: {t.profile!r} is not one of {choices}")
    if not t.keepalive_s < t.deadtime_s:
        raise ConfigError(f"{where}: keepalive_s must be shorter than deadtime_s")
    if not t.warntime_s < t.deadtime_s:
        raise ConfigError(f"{where}: warntime_s must be shorter than deadtime_s")
    if t.token_ms is not None and t.token_ms < 200:
        raise ConfigError(f"{where}.token_ms: corosync needs at least 200 ms")
    try:
        ms = duration.interval_ms(t.bringup_dc_deadtime, f"{where}.bringup_dc_deadtime",
                                  strict=True)
    except duration.DurationError as exc:
        raise ConfigError(f"{exc} (expected a Pacemaker interval like '1s')") from None
    if ms <= 0:
        raise ConfigError(f"{where}.bringup_dc_deadtime: must be positive, like '1s'")


_HTTP_FROM_RE = re.compile(r"^(runner|netns:[A-Za-z0-9_.-]{1,64})$")
_HOST_RE = re.compile(r"^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9_.-]+)(:\d{1,5})?$")
_ENV_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_access(desc: Description, where: str) -> None:
    """The vagrant and ssh tables: how the runner reaches the cluster."""
    for table in ("vagrant", "ssh"):
        value = getattr(desc, table).http_from
        if not _HTTP_FROM_RE.match(value):
            raise ConfigError(
                f"{where}.{table}.http_from: {value!r} is not 'runner' or 'netns:NAME'"
            )
    for key in desc.vagrant.env:
        if not _ENV_KEY_RE.match(key):
            raise ConfigError(f"{where}.vagrant.env: {key!r} is not an environment variable name")
    if not desc.vagrant.box or any(c.isspace() for c in desc.vagrant.box):
        raise ConfigError(f"{where}.vagrant.box: {desc.vagrant.box!r} is not a box name")
    for name in desc.ssh.keys:
        if name not in desc.node_names:
            raise ConfigError(
                f"{where}.ssh.keys.{name}: no such node (nodes: {', '.join(desc.node_names)})"
            )
    for name, host in desc.ssh.hosts.items():
        if name not in desc.node_names:
            raise ConfigError(
                f"{where}.ssh.hosts.{name}: no such node (nodes: {', '.join(desc.node_names)})"
            )
        found = _HOST_RE.match(host)
        if not found or (found.group(2) and not 0 < int(found.group(2)[1:]) < 65536):
            raise ConfigError(f"{where}.ssh.hosts.{name}: {host!r} is not host or host:port")
    reached: dict[tuple[str, str], str] = {}
    for node in desc.nodes:  # where the ssh backend logs in to each node (port 22 by default)
        found = _HOST_RE.match(desc.ssh.hosts.get(node.name, node.service_ip))
        assert found is not None  # checked above; service_ip is an address
        endpoint = (found.group(1), (found.group(2) or ":22")[1:])
        if endpoint in reached:
            raise ConfigError(
                f"{where}.ssh.hosts.{node.name}: {':'.join(endpoint)} is also where "
                f"{reached[endpoint]} is reached: each node needs its own host or port"
            )
        reached[endpoint] = node.name


def with_ssh_hosts(desc: Description, text: str) -> Description:
    """``--hacluster-hosts s1=host[:port],s2=...`` over ``[tool.hacluster.ssh] hosts``."""
    hosts = dict(desc.ssh.hosts)
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, where = item.partition("=")
        if not sep or not name or not where:
            raise ConfigError(f"--hacluster-hosts: {item!r} is not NODE=HOST[:PORT]")
        hosts[name.strip()] = where.strip()
    changed = dataclasses.replace(desc, ssh=dataclasses.replace(desc.ssh, hosts=hosts))
    _check_access(changed, "--hacluster-hosts")
    return changed


def _network(address: str, prefix: int, where: str) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Interface(f"{address}/{prefix}").network
    except ValueError as exc:
        raise ConfigError(f"{where}: {address!r} is not an IPv4 address") from exc


def _claim(seen: dict[str, str], address: str, where: str) -> None:
    try:
        ipaddress.IPv4Address(address)
    except ValueError as exc:
        raise ConfigError(f"{where}: {address!r} is not an IPv4 address") from exc
    if address in seen:
        raise ConfigError(f"{where}: {address} is already used by {seen[address]}")
    seen[address] = where


# The stacks roots.py can build a node root for (its RELEASES, by name; a unit test keeps the
# two the same): named here so that the description needs nothing above it to check one.
STACKS = ("debian11", "debian12", "debian13")


def _check_stack(name: str, where: str) -> None:
    if name not in STACKS:
        raise ConfigError(
            f"{where}: no stack {name!r} (known: {', '.join(STACKS)}; empty for this "
            "machine's own)"
        )


def with_stack(desc: Description, name: str, where: str) -> Description:
    """``desc`` running the stack ``name`` ("" for this machine's own), e.g. from a command-line
    option named ``where``; ConfigError naming ``where`` for an unknown stack."""
    if name:
        _check_stack(name, where)
    return dataclasses.replace(desc, stack=name)
