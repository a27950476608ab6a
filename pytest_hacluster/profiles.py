"""Resource groups as data, and the seed's three clusters as named profiles.

A group is a VIP plus primitives in crm's own terms (``class:provider:type``, params, ops,
meta) and the checks by which its users reach it (an HTTP page, a file on an SMB share, a
NetBIOS name, a TCP port). A profile is a tuple of groups chosen once by name
(``profile = "apache-samba"`` in ``[tool.hacluster]`` or ``--hacluster-profile``); every key
can still be overridden on top of it (``config.py``). Nothing outside this module and the
service-specific rendering (``render.py``) names a service.

Pure data: no I/O. Parameters that depend on where a distribution keeps files (Apache's
configfile, Tomcat's catalina_home) are filled in by ``render.agent_params`` from the stack;
``params`` here add to or replace those, by crm's parameter name.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Op:
    """One resource operation (crm ``op``). ``interval`` and ``timeout`` are seconds (an int
    when whole); ``[tool.hacluster]`` may write them as seconds or as Pacemaker writes them
    (``"10s"``, ``"500ms"``, ``"PT10S"``; see ``duration.py``)."""

    interval: float = 0
    timeout: float | None = None
    on_fail: str | None = None


@dataclass(frozen=True)
class Primitive:
    """One primitive of a group, as ``crm configure primitive`` takes it.

    ``agent`` is ``class:provider:type`` (``ocf:heartbeat:apache``) or ``class:type``
    (``lsb:smbd``). ``ops`` maps an operation name (start, monitor, stop, ...) to its options,
    in the order written; None means the description's ``service_ops`` (the seed's three).
    ``process`` is the program a "killed service" scenario kills on the node (``pkill -x``);
    empty for agents whose processes ``faults.AGENT_PROCESSES`` knows (Apache, Tomcat).
    """

    id: str
    agent: str
    params: dict[str, str] = field(default_factory=dict)
    ops: dict[str, Op] | None = None
    meta: dict[str, str] = field(default_factory=dict)
    process: str = ""

    @property
    def agent_class(self) -> str:
        return self.agent.split(":", 1)[0]

    @property
    def agent_type(self) -> str:
        return self.agent.rsplit(":", 1)[-1]


CHECK_KINDS = ("http", "smb", "netbios", "tcp")
# Ports that a check may name instead of a number: the description's own keys, so that
# overriding ``http_port`` moves every URL with it.
PORT_KEYS = ("http_port", "tomcat_port", "ajp_port")
PATH_KEYS = ("app_path",)


@dataclass(frozen=True)
class Check:
    """How users reach a group, checked through its VIP from the clients' side.

    - ``http``: GET ``http://VIP[:port]PATH``; answers when the status is 200 and the page
      contains ``expect``.
    - ``smb``: fetch file ``path`` from share ``share`` through the VIP (``smbclient -N``, as a
      guest); answers when it contains ``expect``.
    - ``netbios``: a NetBIOS node status query to the VIP (``nmblookup -A``); answers when the
      name ``expect`` is registered there.
    - ``tcp``: a TCP connect to ``VIP:port``.

    ``port`` is a number or one of ``PORT_KEYS`` (0: the kind's usual port, http: ``http_port``);
    an http ``path`` may be one of ``PATH_KEYS``. ``served_by`` names the group whose node
    serves the answer when it is not this one (``/app/`` passes through Apache to Tomcat's).
    """

    kind: str = "http"
    port: int | str = 0
    path: str = "/"
    expect: str = ""
    share: str = ""
    served_by: str = ""


@dataclass(frozen=True)
class GroupSpec:
    """A resource group: its VIP (an ``ocf:heartbeat:IPaddr2`` first in the group), its
    primitives in start order, and its checks by name (the name is the probe's URL name)."""

    name: str
    vip_resource: str
    vip: str
    primitives: tuple[Primitive, ...] = ()
    checks: dict[str, Check] = field(default_factory=dict)

    @property
    def service_resource(self) -> str:
        """The group's last primitive: the one that serves its users (httpd, tomcat, smb)."""
        return self.primitives[-1].id if self.primitives else self.vip_resource

    @property
    def members(self) -> tuple[str, ...]:
        """Every resource id of the group in order, the VIP first."""
        return (self.vip_resource, *(p.id for p in self.primitives))

    def primitive(self, rid: str) -> Primitive:
        for p in self.primitives:
            if p.id == rid:
                return p
        raise KeyError(f"no primitive {rid!r} in group {self.name} ({', '.join(self.members)})")


# -- the seed's groups ------------------------------------------------------------------------

APACHE_TITLE = "Apache HTTP Server"
TOMCAT_TITLE = "Apache Tomcat"

WEB = GroupSpec(
    "web", "vip_httpd", "192.168.1.101",
    (Primitive("httpd", "ocf:heartbeat:apache"),),
    {"web": Check("http", "http_port", "/", APACHE_TITLE)},
)
# /app/ is Apache's AJP proxy to Tomcat: it belongs to web, the page comes from webapp's node.
APP_CHECK = Check("http", "http_port", "app_path", TOMCAT_TITLE, served_by="webapp")
WEBAPP = GroupSpec(
    "webapp", "vip_tomcat", "192.168.1.102",
    (Primitive("tomcat", "ocf:heartbeat:tomcat"),),
    {"tomcat": Check("http", "tomcat_port", "/", TOMCAT_TITLE)},
)

# The 2013 article: "no RA for Samba, so Samba's own init scripts (LSB)", start/monitor/stop
# timeout 15 s, monitor every 15 s, stop on-fail=block. CentOS 6 called them nmb and smb;
# Debian 12's samba package ships /etc/init.d/nmbd and /etc/init.d/smbd. The ids stay the
# seed's, the agents are the names Debian has.
SAMBA_OPS = {
    "start": Op(0, 15, "restart"),
    "monitor": Op(15, 15, "restart"),
    "stop": Op(0, 15, "block"),
}
SAMBA_SHARE = "share"
SAMBA_FILE = "hacluster.txt"
SAMBA_NETBIOS_NAME = "HACLUSTER-SMB"
SAMBA = GroupSpec(
    "samba", "vip_samba", "192.168.1.100",
    (
        Primitive("nmb", "lsb:nmbd", ops=SAMBA_OPS, process="nmbd"),
        Primitive("smb", "lsb:smbd", ops=SAMBA_OPS, process="smbd"),
    ),
    {
        "share": Check("smb", 0, SAMBA_FILE, "hacluster-node:", share=SAMBA_SHARE),
        "netbios": Check("netbios", 0, "", SAMBA_NETBIOS_NAME),
    },
)


@dataclass(frozen=True)
class Profile:
    """One of the seed's clusters: its groups, and the article it comes from."""

    name: str
    groups: tuple[GroupSpec, ...]
    source: str


def _with_app(web: GroupSpec) -> GroupSpec:
    return GroupSpec(web.name, web.vip_resource, web.vip, web.primitives,
                     {**web.checks, "app": APP_CHECK})


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("apache-tomcat", (_with_app(WEB), WEBAPP), "2015: Apache + Tomcat (the default)"),
        Profile("apache", (WEB,), "2015/10/07: Apache alone"),
        Profile("apache-samba", (WEB, SAMBA), "2013: Apache + Samba"),
    )
}
DEFAULT_PROFILE = "apache-tomcat"

__all__ = [
    "APACHE_TITLE", "CHECK_KINDS", "DEFAULT_PROFILE", "PATH_KEYS", "PORT_KEYS", "PROFILES", "SAMBA",
    "TOMCAT_TITLE", "WEB", "WEBAPP", "Check", "GroupSpec", "Op", "Primitive", "Profile",
]
