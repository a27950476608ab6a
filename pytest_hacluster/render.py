"""Description -> every file the cluster needs: the one rendering the lab, provision/ and the
report all use.

Pure functions: no I/O, no subprocess. A ``Stack`` says where a distribution keeps things
(Debian's ``/etc/apache2`` versus CentOS's ``/etc/httpd``); the ``Description`` says what the
cluster is. Secrets (the corosync authkey) are never rendered here: they are generated per
cluster by whoever brings the cluster up.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from pytest_hacluster import constraints, duration, fencing, timings
from pytest_hacluster.config import Description, NodeSpec
from pytest_hacluster.profiles import (
    APACHE_TITLE,
    SAMBA_NETBIOS_NAME,
    TOMCAT_TITLE,
    GroupSpec,
    Op,
    Primitive,
)


@dataclass(frozen=True)
class Stack:
    """Where one distribution's packages keep the services' files."""

    name: str
    apache_configfile: str
    apache_binary: str
    apache_envfiles: str
    apache_conf_dir: str  # a directory whose *.conf Apache includes
    # The file that holds Apache's Listen directives, when it is a file of its own that the
    # rendering can own (Debian's ports.conf); "" when Listen sits in the main config (CentOS).
    apache_ports_conf: str
    apache_modules_dir: str
    docroot: str
    java_home: str
    catalina_home: str
    catalina_base: str
    tomcat_user: str
    tomcat_conf_dir: str
    # Init scripts the stack names otherwise than Debian (lsb:NAME), as (Debian's, its own).
    lsb_names: tuple[tuple[str, str], ...] = ()

    def agent(self, agent: str) -> str:
        """``agent`` as this stack has it: ``lsb:smbd`` is ``lsb:smb`` on CentOS 6."""
        cls, _, name = agent.partition(":")
        return f"lsb:{dict(self.lsb_names).get(name, name)}" if cls == "lsb" else agent


DEBIAN12 = Stack(
    name="debian12",
    apache_configfile="/etc/apache2/apache2.conf",
    apache_binary="/usr/sbin/apache2",
    apache_envfiles="/etc/apache2/envvars",
    apache_conf_dir="/etc/apache2/conf-enabled",
    apache_ports_conf="/etc/apache2/ports.conf",
    apache_modules_dir="/usr/lib/apache2/modules",
    docroot="/var/www/html",
    java_home="/usr/lib/jvm/java-17-openjdk-amd64",
    catalina_home="/usr/share/tomcat10",
    catalina_base="/var/lib/tomcat10",
    tomcat_user="tomcat",
    tomcat_conf_dir="/etc/tomcat10",
)

# Other Debian releases' lab nodes (shared/notes/stacks-facts.md, their packages' file lists):
# Debian 11 ships Tomcat 9 (its own paths and user) and OpenJDK 11; Debian 13 Tomcat 10 and
# OpenJDK 21. The lab runs them from a root built by ``roots.py``; Apache's paths are unchanged.
DEBIAN11 = Stack(
    **{**DEBIAN12.__dict__,
       "name": "debian11",
       "java_home": "/usr/lib/jvm/java-11-openjdk-amd64",
       "catalina_home": "/usr/share/tomcat9",
       "catalina_base": "/var/lib/tomcat9",
       "tomcat_conf_dir": "/etc/tomcat9"},
)
DEBIAN13 = Stack(
    **{**DEBIAN12.__dict__, "name": "debian13", "java_home": "/usr/lib/jvm/java-21-openjdk-amd64"},
)

# The seed's documented stack: CentOS 6.5, Pacemaker 1.0.13 + Heartbeat 3.0.5 (Linux-HA Japan),
# httpd 2.2, Tomcat 7.0.56 under /usr/local/tomcat, OpenJDK 7 (java_home /usr: the agent runs
# ${java_home}/bin/java). Only checked statically: no CentOS 6 box boots on our machines.
CENTOS6 = Stack(
    name="centos6",
    apache_configfile="/etc/httpd/conf/httpd.conf",
    apache_binary="/usr/sbin/httpd",
    apache_envfiles="/etc/sysconfig/httpd",
    apache_conf_dir="/etc/httpd/conf.d",
    apache_ports_conf="",
    apache_modules_dir="/etc/httpd/modules",
    docroot="/var/www/html",
    java_home="/usr",
    catalina_home="/usr/local/tomcat",
    catalina_base="/usr/local/tomcat",
    tomcat_user="tomcat",
    tomcat_conf_dir="/usr/local/tomcat/conf",
    lsb_names=(("nmbd", "nmb"), ("smbd", "smb")),
)
STACKS = {stack.name: stack for stack in (DEBIAN11, DEBIAN12, DEBIAN13, CENTOS6)}

# What the user places next to the Vagrantfile for the documented stack (no mirror still
# carries them reliably, and the seed used them as files): checked before anything boots.
CENTOS6_FILES = (
    "pacemaker-1.0.13-2.1.el6.x86_64.repo.tar.gz",
    "apache-tomcat-7.0.56.tar.gz",
)


def stack_for_box(box: str) -> Stack:
    """The stack a box can run: CentOS boxes get the seed's documented one, others Debian 12."""
    return CENTOS6 if "centos" in box.lower() else DEBIAN12


def required_files(stack: Stack) -> tuple[str, ...]:
    """Files the user must place next to the Vagrantfile for ``stack``."""
    return CENTOS6_FILES if stack.name == CENTOS6.name else ()


# The JVM options that halve Tomcat's start on a 2-core machine (shared/notes/lab-facts.md).
# They change start-up speed and heap size only, not what the monitor or the tests see.
TOMCAT_JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms32m -Xmx128m -XX:-UsePerfData"

# The http client of the apache agent's monitor: the one every stack's agent used by default
# until resource-agents 4.16 switched to curl (see crm_configuration).
APACHE_MONITOR_CLIENT = "wget"

# A marker in every page says which node answered: the probe reads it to tell nodes apart.
NODE_MARKER = "hacluster-node:"


@dataclass(frozen=True)
class File:
    """A file to place on a node, with the owner and mode it must have there."""

    path: str
    content: str
    mode: int = 0o644
    owner: str = "root"
    group: str = "root"


@dataclass(frozen=True)
class Directory:
    """A directory a node needs that the packages do not create."""

    path: str
    mode: int = 0o755
    owner: str = "root"
    group: str = "root"


# -- Pacemaker ---------------------------------------------------------------------------------


def seconds_text(value: float) -> str:
    """Seconds as the CIB gets them: a bare number when whole (the seed's ``interval=10``),
    else milliseconds (``500ms``), which every Pacemaker reads the same (``duration.py``)."""
    ms = round(value * 1000)
    return str(ms // 1000) if ms % 1000 == 0 else duration.spec(ms)


def _op(name: str, op: Op) -> str:
    parts = [f"op {name}", f"interval={seconds_text(op.interval)}"]
    if op.timeout is not None:
        parts.append(f"timeout={seconds_text(op.timeout)}")
    if op.on_fail is not None:
        parts.append(f"on-fail={op.on_fail}")
    return " ".join(parts)


def _param(key: str, value: str) -> str:
    return f'{key}="{value}"' if any(c.isspace() for c in value) or not value else f"{key}={value}"


def agent_params(
    desc: Description, stack: Stack, group: GroupSpec | None, primitive: Primitive
) -> dict[str, str]:
    """A primitive's params: what its agent needs on ``stack`` (Apache's and Tomcat's paths,
    their status URLs on the group's VIP; a standalone primitive, ``group`` None, has no VIP
    and gets its agent's own default URL), then the described ``params`` over them."""
    defaults: dict[str, str] = {}
    vip = group.vip if group is not None else "localhost"
    if primitive.agent == "ocf:heartbeat:apache":
        defaults = {
            "configfile": stack.apache_configfile, "httpd": stack.apache_binary,
            "envfiles": stack.apache_envfiles,
            "statusurl": f"http://{vip}{_port_suffix(desc.http_port)}/",
            # The seed's agents fetched statusurl with wget, which fails on an HTTP error: a
            # 403 (the missing index page) fails the monitor. resource-agents 4.16 (Debian 13)
            # prefers curl (http-mon.sh findhttpclient, "see b2ca07d"), which exits 0 on a 403
            # whose page matches the default testregex </html>: Pacemaker then never notices
            # (measured).
            "client": APACHE_MONITOR_CLIENT,
        }
    elif primitive.agent == "ocf:heartbeat:tomcat":
        defaults = {
            **tomcat_stack_params(stack),
            "java_opts": TOMCAT_JAVA_OPTS,
            "statusurl": f"http://{vip}:{desc.tomcat_port}/",
        }
    return {**defaults, **primitive.params}


def _port_suffix(port: int) -> str:
    return "" if port == 80 else f":{port}"


def group_configuration(desc: Description, stack: Stack, group: GroupSpec) -> list[str]:
    """One group in crmsh syntax: its VIP, its primitives, the group line (one entry each)."""
    vip_op = f"op monitor interval={seconds_text(desc.vip_monitor_interval)}"
    lines = [
        f"primitive {group.vip_resource} ocf:heartbeat:IPaddr2 \\\n"
        f"    params ip={group.vip} nic={desc.service_nic} cidr_netmask={desc.netmask} \\\n"
        f"    {vip_op}",
    ]
    lines += [primitive_configuration(desc, stack, group, prim) for prim in group.primitives]
    lines.append(f"group {group.name} {' '.join(group.members)}"
                 f"{fencing.group_meta(desc, group.name)}")
    return lines


def primitive_configuration(
    desc: Description, stack: Stack, group: GroupSpec | None, prim: Primitive
) -> str:
    """One primitive in crmsh syntax (``group`` None: a standalone one), continued lines."""
    parts = [f"primitive {prim.id} {stack.agent(prim.agent)}"]
    params = agent_params(desc, stack, group, prim)
    if params:
        parts.append("params " + " ".join(_param(k, v) for k, v in params.items()))
    parts += [_op(name, op) for name, op in desc.ops_of(prim).items()]
    if prim.meta:
        parts.append("meta " + " ".join(_param(k, v) for k, v in prim.meta.items()))
    return " \\\n    ".join(parts)


def clone_configuration(desc: Description, stack: Stack) -> list[str]:
    """The standalone primitives, the groups made for clones and the clones, in crmsh syntax:
    ``primitive``, ``group ID MEMBER...``, ``clone ID RSC [meta K=V...]``."""
    lines = [primitive_configuration(desc, stack, None, p) for p in desc.primitives]
    for clone in desc.clones:
        if clone.members:
            lines.append(f"group {clone.rsc} {' '.join(clone.members)}")
        meta = (" \\\n    meta " + " ".join(_param(k, v) for k, v in clone.meta.items())
                if clone.meta else "")
        lines.append(f"clone {clone.id} {clone.rsc}{meta}")
    return lines


def constraint_configuration(desc: Description) -> list[str]:
    """The described constraints in crmsh syntax, as ``crm configure show`` writes them:
    ``location ID RSC SCORE: NODE`` / ``location ID RSC rule SCORE: EXPR``,
    ``colocation ID SCORE: RSC WITH-RSC``, ``order ID KIND: FIRST THEN [symmetrical=...]``."""
    lines = []
    for loc in desc.locations:
        where = f"{loc.score}: {loc.node}" if loc.node else f"rule {loc.score}: {loc.rule}"
        lines.append(f"location {loc.id} {loc.rsc} {where}")
    lines += [f"colocation {c.id} {c.score}: {c.rsc} {c.with_rsc}" for c in desc.colocations]
    for order in desc.orders:
        sym = "" if order.symmetrical is None else \
            f" symmetrical={'true' if order.symmetrical else 'false'}"
        lines.append(f"order {order.id} {order.kind or order.score}: {order.first} "
                     f"{order.then}{sym}")
    return lines


_CONFIGURED = re.compile(r"^(clone|location|colocation|order) (\S+)", re.MULTILINE)


def configured_ids(desc: Description) -> dict[str, set[str]]:
    """``clone`` / ``location`` / ``colocation`` / ``order`` -> the ids ``crm_configuration``
    creates of that kind (described, ping check, fencing): what the live CIB must hold. Ids do
    not depend on the stack, so Debian 12's rendering answers for every stack."""
    out: dict[str, set[str]] = {kind: set() for kind in ("clone", "location", "colocation",
                                                           "order")}
    for kind, rid in _CONFIGURED.findall(crm_configuration(desc, DEBIAN12)):
        out[kind].add(rid)
    return out


def tomcat_pid_file(stack: Stack) -> str:
    """Passed explicitly: the tomcat RA only sets its default during ``start`` (lab pitfall 2)."""
    return f"{stack.catalina_base}/temp/catalina.pid"


def tomcat_stack_params(stack: Stack) -> dict[str, str]:
    """The tomcat agent's parameters that name a release's paths (Tomcat 9 or 10, its Java):
    what differs between two nodes of a cluster in the middle of a rolling upgrade."""
    return {
        "java_home": stack.java_home, "catalina_home": stack.catalina_home,
        "catalina_base": stack.catalina_base, "tomcat_user": stack.tomcat_user,
        "catalina_pid": tomcat_pid_file(stack), "catalina_tmpdir": f"{stack.catalina_base}/temp",
    }


def crm_configuration(
    desc: Description, stack: Stack, dc_deadtime: str | None = None
) -> str:
    """The seed's resource definitions in crmsh syntax (``crm configure load update FILE``).

    ``dc-deadtime`` is the described one (Heartbeat's ``initdead``, see ``timings.py``); the
    lab passes a shorter bring-up value and sets the described one once a DC is elected.
    """
    deadtime = dc_deadtime or timings.detection(desc.timings).dc_deadtime
    props = " ".join(
        f"{k}={v}" for k, v in sorted({**desc.properties, **fencing.properties(desc)}.items())
    )
    lines = [f"property {props} dc-deadtime={deadtime}"]
    for group in desc.groups:
        lines += group_configuration(desc, stack, group)
    lines += clone_configuration(desc, stack)
    # Resource and operation defaults: their own sections, as Pacemaker keeps them
    # (rsc_defaults / op_defaults meta_attributes), never cluster properties.
    for section, values in (("rsc_defaults", desc.rsc_defaults),
                            ("op_defaults", desc.op_defaults)):
        if values:
            lines.append(f"{section} " + " ".join(f"{k}={v}" for k, v in sorted(values.items())))
    lines += constraint_configuration(desc)
    if desc.ping_check:
        lines.append(ping_configuration(desc).rstrip("\n"))
    if desc.fencing.enabled:
        lines.append(fencing.crm_configuration(desc).rstrip("\n"))
    return "\n".join(lines) + "\n"


PING_RESOURCE = constraints.PING_RESOURCE


def ping_configuration(desc: Description) -> str:
    """Not in the seed: ``ocf:pacemaker:ping`` on the gateway and a rule that keeps each group
    off a node that cannot reach it, so a dead service LAN moves the groups.
    """
    lines = [
        f"primitive {PING_RESOURCE} ocf:pacemaker:ping \\\n"
        f"    params host_list={desc.gateway} multiplier=100 dampen=1s attempts=2 timeout=1 \\\n"
        "    op monitor interval=2s timeout=10s",
        f"clone {PING_RESOURCE}_clone {PING_RESOURCE}",
    ]
    lines += [
        f"location {g.name}_on_connected {g.name} \\\n"
        "    rule -inf: not_defined pingd or pingd lte 0"
        for g in desc.groups
    ]
    return "\n".join(lines) + "\n"


def ping_ids(desc: Description) -> list[str]:
    """The CIB ids ``ping_configuration`` creates, constraints first (the order to delete)."""
    return [*(f"{g.name}_on_connected" for g in desc.groups), f"{PING_RESOURCE}_clone"]


# -- corosync ----------------------------------------------------------------------------------


def corosync_conf(desc: Description, token_ms: int | None = None) -> str:
    """corosync 3 (knet) on the interconnect only, as the seed's heartbeat ucasts on eth2.

    The timings are the described cluster's (the seed's Heartbeat timings mapped in
    ``timings.py``); the lab passes a shorter bring-up ``token_ms`` and switches to the described
    one once the cluster is up. ``two_node: 1`` only for a pair: with two nodes quorum cannot
    tell a crash from a split, so votequorum lets the survivor keep it; from three nodes on
    the majority has quorum and a minority partition loses it (votequorum's default).
    From three nodes on corosync adds ``token_coefficient`` (650 ms by default) per node
    beyond two to the token (corosync.conf(5)), which would make a node's loss take longer
    than the described ``deadtime``: it is written as 0, so detection is the described one
    whatever the node count.
    """
    detect = timings.detection(desc.timings)
    two_node = "    two_node: 1\n" if len(desc.nodes) == 2 else ""
    coefficient = "    token_coefficient: 0\n" if len(desc.nodes) > 2 else ""
    token = detect.token_ms if token_ms is None else token_ms
    consensus = detect.consensus_ms if token_ms is None else int(token * timings.CONSENSUS_RATIO)
    ring1 = desc.redundant_link
    nodes = "\n".join(
        f"    node {{\n        ring0_addr: {n.interconnect_ip}\n"
        + (f"        ring1_addr: {n.service_ip}\n" if ring1 else "")
        + f"        name: {n.name}\n        nodeid: {i}\n    }}"
        for i, n in enumerate(desc.nodes, start=1)
    )
    link1 = "    interface {\n        linknumber: 1\n    }\n" if ring1 else ""
    return f"""\
# Rendered by pytest-hacluster from the cluster description. Do not edit by hand.
totem {{
    version: 2
    cluster_name: {desc.cluster_name}
    transport: knet
    crypto_cipher: aes256
    crypto_hash: sha256
    token: {token}
    consensus: {consensus}
{coefficient}    token_retransmits_before_loss_const: {detect.retransmits_before_loss}
    token_warning: {detect.token_warning_pct}
    interface {{
        linknumber: 0
    }}
{link1}}}

nodelist {{
{nodes}
}}

quorum {{
    provider: corosync_votequorum
{two_node}}}

logging {{
    to_logfile: yes
    logfile: /var/log/corosync/corosync.log
    to_syslog: no
    to_stderr: no
    timestamp: on
}}
"""


# -- Heartbeat (the documented stack) ----------------------------------------------------------


def ha_cf(desc: Description) -> str:
    """The seed's ``ha.cf``: ucast on the interconnect to every node, ping the gateway.

    The timings are the described cluster's own (the seed's ``deadtime 10`` by default).
    """
    t = desc.timings
    ucasts = "\n".join(f"ucast {desc.interconnect_nic} {n.interconnect_ip}" for n in desc.nodes)
    nodes = "\n".join(f"node {n.name}" for n in desc.nodes)
    return f"""\
# Rendered by pytest-hacluster from the cluster description. Do not edit by hand.
pacemaker on

debug 0
udpport 694
keepalive {t.keepalive_s:g}
warntime {t.warntime_s:g}
deadtime {t.deadtime_s:g}
initdead {t.initdead_s:g}
logfacility local1

{ucasts}

ping {desc.gateway}

{nodes}

watchdog /dev/watchdog
respawn root /usr/lib64/heartbeat/ifcheckd
"""


def tomcat_init_script(stack: Stack) -> str:
    """The seed's ``/etc/init.d/tomcat`` (CentOS 6 has no packaged Tomcat 7)."""
    return f"""\
#!/bin/bash
#
# tomcat       Startup script for the Tomcat Servlet Container
# Rendered by pytest-hacluster (the seed's script); Pacemaker starts Tomcat, not init.
#
# chkconfig: 2345 35 65
# description: Tomcat servlet container

TOMCAT_USER={stack.tomcat_user}
CATALINA_HOME={stack.catalina_home}

# shellcheck source=/dev/null
. /etc/rc.d/init.d/functions
prog=tomcat

run() {{
    echo -n "$2 $prog: "
    daemon --user "$TOMCAT_USER" "$CATALINA_HOME/bin/$1" > /dev/null
    RETVAL=$?
    if [ $RETVAL -eq 0 ]; then echo_success; else echo_failure; fi
    echo
    return $RETVAL
}}

case "$1" in
  start) run startup.sh Starting && touch /var/lock/subsys/$prog ;;
  stop) run shutdown.sh Stopping && rm -f /var/lock/subsys/$prog ;;
  restart) run shutdown.sh Stopping; run startup.sh Starting ;;
  status)
    if pgrep -u "$TOMCAT_USER" -f org.apache.catalina.startup.Bootstrap > /dev/null; then
        echo "$prog is running"; exit 0
    fi
    echo "$prog is stopped"; exit 3 ;;
  *) echo "Usage: $prog {{start|stop|restart|status}}"; exit 1 ;;
esac
"""


# -- node files --------------------------------------------------------------------------------


def hosts(desc: Description) -> str:
    """The seed's ``hosts_add`` step: without it Apache blocks on name lookups (lab pitfall 3)."""
    entries = "\n".join(f"{n.service_ip}\t{n.name}" for n in desc.nodes)
    return f"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{entries}\n"


def apache_ports_conf(desc: Description) -> str:
    """Debian's ``ports.conf``, listening on the described ``http_port`` (80 in the seed): the
    apache agent's statusurl and the tests' URLs use that port, so Apache must listen there."""
    return f"""\
# Rendered by pytest-hacluster: Apache listens on the described http_port.
Listen {desc.http_port}

<IfModule ssl_module>
\tListen 443
</IfModule>

<IfModule mod_gnutls.c>
\tListen 443
</IfModule>
"""


def apache_proxy_conf(desc: Description, stack: Stack, node: NodeSpec) -> str:
    """``httpd-proxy.conf``: the seed's AJP proxy, loading the modules itself.

    Loading the modules here instead of ``a2enmod`` keeps the change in one file the node owns.
    Where the stack keeps ``Listen 80`` in its main config (CentOS), another ``http_port`` is
    added here: Apache then listens on both. ``proxy_connect_timeout_s`` becomes ProxyPass
    ``connectiontimeout`` (seconds; a mod_proxy worker parameter since Apache 2.2.3, so CentOS
    6's 2.2.15 has it too), ``proxy_timeout_s`` ProxyPass ``timeout`` (seconds Apache waits
    for data from the backend, same version); 0 writes none.
    """
    mods = stack.apache_modules_dir
    listen = ("" if stack.apache_ports_conf or desc.http_port == 80
              else f"Listen {desc.http_port}\n")
    connect = (f" connectiontimeout={desc.proxy_connect_timeout_s}"
               if desc.proxy_connect_timeout_s else "")
    connect += f" timeout={desc.proxy_timeout_s}" if desc.proxy_timeout_s else ""
    # The AJP proxy to the (first) Tomcat group's VIP, when the cluster has one.
    proxy = "".join(
        f"<Location {desc.app_path}>\n    ProxyPass ajp://{g.vip}:{desc.ajp_port}/{connect}\n"
        "</Location>\n"
        for g in desc.groups_running("tomcat")[:1]
    )
    return f"""\
# Rendered by pytest-hacluster: Apache proxies {desc.app_path} to Tomcat's VIP over AJP.
{listen}<IfModule !proxy_module>
    LoadModule proxy_module {mods}/mod_proxy.so
</IfModule>
<IfModule !proxy_ajp_module>
    LoadModule proxy_ajp_module {mods}/mod_proxy_ajp.so
</IfModule>
ServerName {node.name}
# As the seed's httpd (CentOS welcome.conf): no index page means 403 for /, not a listing.
# The apache agent's monitor fetches / (statusurl), so a missing page fails the resource:
# the seed's pitfall, reproduced on purpose.
<LocationMatch "^/+$">
    Options -Indexes
</LocationMatch>
{proxy}"""


def index_page(title: str, node: NodeSpec) -> str:
    """A page that says what served it and on which node (the seed's dummy ``index.html``)."""
    t = html.escape(title)
    return (
        f"<!DOCTYPE html>\n<html><head><title>{t}</title></head>\n"
        f"<body><h1>{t}</h1>\n<p>{NODE_MARKER} {html.escape(node.name)}</p></body></html>\n"
    )




def tomcat_server_xml(desc: Description) -> str:
    """HTTP on the Tomcat port and the AJP connector that Debian ships commented out."""
    return f"""\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Rendered by pytest-hacluster from the cluster description. -->
<Server port="8005" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="{desc.tomcat_port}" protocol="HTTP/1.1" connectionTimeout="20000"/>
    <Connector protocol="AJP/1.3" address="0.0.0.0" port="{desc.ajp_port}"
               secretRequired="false"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
"""


# Skipping the jar scan of every library is the largest single cut in Tomcat's start time.
TOMCAT_CONTEXT_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Rendered by pytest-hacluster: no jar scanning, the ROOT page needs none. -->
<Context>
  <JarScanner scanClassPath="false" scanManifest="false"/>
</Context>
"""


def node_files(
    desc: Description, stack: Stack, node_name: str, token_ms: int | None = None
) -> list[File | Directory]:
    """Every file and directory one node needs beyond what its packages installed.

    ``token_ms`` renders corosync.conf with a bring-up token instead of the described one.
    """
    node = desc.node(node_name)
    apache = bool(desc.groups_running("apache"))
    tomcat = bool(desc.groups_running("tomcat"))
    if stack.name == CENTOS6.name:
        # Heartbeat, and the init script Tomcat 7 lacks (CentOS 6 keeps its hostname in
        # /etc/sysconfig/network, which vagrant sets).
        system: list[File | Directory] = [
            File("/etc/ha.d/ha.cf", ha_cf(desc)),
            *([File("/etc/init.d/tomcat", tomcat_init_script(stack), 0o755)] if tomcat else []),
        ]
    else:
        system = [
            File("/etc/hostname", f"{node.name}\n"),
            File("/etc/corosync/corosync.conf", corosync_conf(desc, token_ms)),
        ]
    return [
        File("/etc/hosts", hosts(desc)),
        *system,
        *(apache_files(desc, stack, node) if apache else []),
        *(tomcat_files(desc, stack, node) if tomcat else []),
        *(samba_files(desc, node) if desc.groups_running("smbd") else []),
        File(ACTIVE_ONLY_PATH, ACTIVE_ONLY_SCRIPT, 0o755),
        *(File(path, content, mode) for path, content, mode in fencing.node_files(desc)),
    ]


def apache_files(desc: Description, stack: Stack, node: NodeSpec) -> list[File | Directory]:
    """Apache's port, the AJP proxy and the seed's dummy index page."""
    return [
        *([File(stack.apache_ports_conf, apache_ports_conf(desc))]
          if stack.apache_ports_conf else []),
        File(f"{stack.apache_conf_dir}/httpd-proxy.conf", apache_proxy_conf(desc, stack, node)),
        File(f"{stack.docroot}/index.html", index_page(APACHE_TITLE, node)),
    ]


def tomcat_files(desc: Description, stack: Stack, node: NodeSpec) -> list[File | Directory]:
    """Tomcat's connectors, its work directory and a ROOT page that names the node."""
    base = stack.catalina_base
    user = stack.tomcat_user
    return [
        File(f"{stack.tomcat_conf_dir}/server.xml", tomcat_server_xml(desc), 0o640, "root", user),
        Directory(f"{base}/temp", 0o750, user, user),
        File(f"{base}/webapps/ROOT/index.html", index_page(TOMCAT_TITLE, node)),
        File(f"{base}/webapps/ROOT/META-INF/context.xml", TOMCAT_CONTEXT_XML),
    ]


SAMBA_SHARE_DIR = "/srv/hacluster-share"


def smb_conf(desc: Description) -> str:
    """A standalone server with one read-only guest share, named on NetBIOS by the described
    netbios check (the name moves with the VIP, as the 2013 article's file server does)."""
    name = next((c.expect for g in desc.groups for c in g.checks.values()
                 if c.kind == "netbios"), SAMBA_NETBIOS_NAME)
    shares = {c.share for g in desc.groups for c in g.checks.values() if c.kind == "smb"}
    blocks = "".join(
        f"\n[{share}]\n    path = {SAMBA_SHARE_DIR}/{share}\n    read only = yes\n"
        "    guest ok = yes\n    browseable = yes\n"
        for share in sorted(shares)
    )
    return f"""\
# Rendered by pytest-hacluster from the cluster description. Do not edit by hand.
[global]
    workgroup = WORKGROUP
    netbios name = {name}
    server role = standalone server
    map to guest = bad user
    server min protocol = SMB2
    load printers = no
    printing = bsd
    printcap name = /dev/null
    disable spoolss = yes
    log file = /var/log/samba/log.%m
    max log size = 1000
{blocks}"""


def samba_files(desc: Description, node: NodeSpec) -> list[File | Directory]:
    """smb.conf and each smb check's file on its share, naming the node that serves it."""
    files: list[File | Directory] = [File("/etc/samba/smb.conf", smb_conf(desc))]
    for g in desc.groups:
        for c in g.checks.values():
            if c.kind == "smb":
                files.append(File(f"{SAMBA_SHARE_DIR}/{c.share}/{c.path.lstrip('/')}",
                                  f"{NODE_MARKER} {node.name}\n"))
    return files


ACTIVE_ONLY_PATH = "/usr/local/sbin/hacluster-active-only"

# The seed's 2017 article: a cron job (a reminder mail) must run once, on the node where its
# group is active. Pacemaker 1.0's crm_resource has --locate too, so one script serves both
# stacks. Exactly one node must hold the group: during a split brain, no node runs the job.
ACTIVE_ONLY_SCRIPT = """\
#!/bin/sh
# Rendered by pytest-hacluster. Run a job only on the node where a resource group is active.
#   hacluster-active-only GROUP              exit 0 if GROUP runs here (alone), else 1
#   hacluster-active-only GROUP CMD [ARG..]  run CMD only there; elsewhere do nothing, exit 0
set -eu
[ $# -ge 1 ] || { echo "usage: $0 GROUP [COMMAND [ARG...]]" >&2; exit 2; }
group=$1
shift
holders=$(crm_resource --locate --resource "$group" 2>/dev/null | awk '/is running on/ {print $NF}')
here=$(uname -n)
if [ "$holders" != "$here" ]; then
    [ $# -eq 0 ] && exit 1
    echo "$group is not active on $here alone (on: ${holders:-nowhere}); not running $1" >&2
    exit 0
fi
[ $# -eq 0 ] && exit 0
exec "$@"
"""
