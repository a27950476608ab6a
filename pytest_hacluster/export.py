"""The rendering on disk, for the Vagrant path: what ``provision/*.sh`` read through ``/vagrant``.

The shell provisioners must not carry a second copy of any address, path or file content, so
everything they install comes from ``render`` via this export, made on the host before
``vagrant up``::

    python -m pytest_hacluster.export --out .hacluster/rendered

Layout of ``out``::

    nodes.json               node names, addresses, ssh ports, the box, the stack and its
                             provisioners, the files the user must supply: the Vagrantfile's
                             only source
    resources.crm            render.crm_configuration, for ``crm configure load update``
    <node>/files/<path>      each File's content at its absolute path without the leading slash
    <node>/manifest.tsv      kind, path, mode (octal), owner, group of every File and Directory
    <node>/node.env          shell variables: this node, its NICs and IPs, the stack's paths

Nothing secret is ever written into the rendering. The cluster's key is a file of its own,
``.hacluster/authkey`` (``authkeys`` for the documented stack), made on the host by
``cluster_key`` (this command makes it when missing, the vagrant backend per bring-up); nodes.json
names it so the Vagrantfile can refuse to boot without it.
"""

from __future__ import annotations

import argparse
import dataclasses
import ipaddress
import json
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pytest_hacluster import cluster_key, fencing, render
from pytest_hacluster.config import ConfigError, Description, load
from pytest_hacluster.render import DEBIAN12, Directory, File, Stack

EXPORT_COMMAND = "python -m pytest_hacluster.export --out .hacluster/rendered"
# Bumped when the layout changes, so an old export fails in the Vagrantfile, not on a node.
FORMAT = 3
# The seed's provisioning order per stack: (on every node, then on the last node only). The
# documented stack keeps the seed's script names; Debian 12's cluster.sh is its heartbeat.sh.
# A script whose service the description has no primitive of is left out (``provisioners``).
PROVISIONERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "debian12": (("cluster", "apache", "tomcat", "httpd-proxy", "samba"), ("pacemaker",)),
    "centos6": (("heartbeat", "apache", "tomcat", "httpd-proxy", "samba"), ("pacemaker",)),
}
# Script -> the agent type (render.Description.groups_running) it provisions for.
SERVICE_SCRIPTS = {"apache": "apache", "httpd-proxy": "apache", "tomcat": "tomcat",
                   "samba": "smbd"}


def provisioners(desc: Description, stack: Stack) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The stack's scripts in the seed's order, for the services the description has."""
    every_node, last_node = PROVISIONERS[stack.name]
    return tuple(s for s in every_node
                 if s not in SERVICE_SCRIPTS or desc.groups_running(SERVICE_SCRIPTS[s])), last_node


def provision_dir(stack: Stack) -> str:
    """Where a stack's scripts live, relative to the Vagrantfile."""
    return "provision" if stack.name == DEBIAN12.name else f"provision/{stack.name}"
NODES_JSON = "nodes.json"
RESOURCES = "resources.crm"
MANIFEST = "manifest.tsv"
NODE_ENV = "node.env"
FILES = "files"

# The manifest is read by bash with IFS=tab: a field must be non-empty and free of whitespace,
# or the shell would silently shift the columns.
_FIELD_RE = re.compile(r"^[^\s]+$")
_ACCOUNT_RE = re.compile(r"^[a-z_][a-z0-9_-]*$")


class ExportError(ValueError):
    """The rendering cannot be written safely (a bad path, or ``out`` is not an export)."""


def export(desc: Description, stack: Stack, out: Path) -> list[Path]:
    """Write the rendering for every node of ``desc`` under ``out``; return the files written.

    The tree is built in a temporary sibling and swapped in at the end, so the provisioners
    never see half an export and files the rendering no longer has do not linger. An existing
    ``out`` is replaced only if it is an earlier export (it has ``nodes.json``): a mistyped
    ``--out`` must not wipe someone's directory.
    """
    out = Path(out)
    if out.exists() and not _is_export(out):
        raise ExportError(
            f"{out} exists and is not an earlier export (no {NODES_JSON}); refusing to replace it"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        written = [staging / NODES_JSON, staging / RESOURCES]
        (staging / NODES_JSON).write_text(nodes_json(desc, stack))
        (staging / RESOURCES).write_text(render.crm_configuration(desc, stack))
        for name in desc.node_names:
            written += _write_node(desc, stack, name, staging / name)
        staging.chmod(0o755)  # mkdtemp makes it 0700; the provisioners' user must read it
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / p.relative_to(staging) for p in written]


def _is_export(out: Path) -> bool:
    return out.is_dir() and ((out / NODES_JSON).is_file() or not any(out.iterdir()))


def _write_node(desc: Description, stack: Stack, name: str, node_dir: Path) -> list[Path]:
    items = render.node_files(desc, stack, name)
    rows = []
    written = []
    for item in items:
        _check_item(item)
        if isinstance(item, File):
            target = node_dir / FILES / item.path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(item.content)
            written.append(target)
        rows.append(manifest_row(item))
    (node_dir / MANIFEST).write_text("".join(rows))
    (node_dir / NODE_ENV).write_text(node_env(desc, stack, name))
    return [*written, node_dir / MANIFEST, node_dir / NODE_ENV]


def _check_item(item: File | Directory) -> None:
    """Refuse what the shell would misread or what must never leave the node."""
    path = item.path
    if not path.startswith("/") or ".." in Path(path).parts or not _FIELD_RE.match(path):
        raise ExportError(f"{path!r}: expected an absolute path without '..' or whitespace")
    for account in (item.owner, item.group):
        if not _ACCOUNT_RE.match(account):
            raise ExportError(f"{path}: {account!r} is not a user or group name")
    if Path(path).name == "authkey":
        raise ExportError(f"{path}: secrets are generated on the nodes, never exported")


def manifest_row(item: File | Directory) -> str:
    """One ``kind<TAB>path<TAB>mode<TAB>owner<TAB>group`` line, as ``install_rendered`` reads it."""
    kind = "file" if isinstance(item, File) else "dir"
    return f"{kind}\t{item.path}\t{item.mode:04o}\t{item.owner}\t{item.group}\n"


def nodes_json(desc: Description, stack: Stack = DEBIAN12) -> str:
    """What the Vagrantfile needs (names, addresses, ssh ports, box, provisioners): it keeps no
    copy of its own."""
    netmask = str(ipaddress.IPv4Network(f"0.0.0.0/{desc.netmask}").netmask)
    every_node, last_node = provisioners(desc, stack)
    # With fence_vbox the VMs need names the fence devices can name (vagrant's own include a
    # timestamp); otherwise vagrant names them as it always does.
    vms = fencing.vm_names(desc)
    data = {
        "format": FORMAT,
        "generated_by": EXPORT_COMMAND,
        "box": desc.vagrant.box,
        "stack": stack.name,
        "provision": {
            "dir": provision_dir(stack),
            "every_node": list(every_node),
            "last_node": list(last_node),
        },
        "required_files": list(render.required_files(stack)),
        "cluster_key": cluster_key.KEYS[stack.name][0],
        "cluster_name": desc.cluster_name,
        "profile": desc.profile,
        "netmask": netmask,
        "service_nic": desc.service_nic,
        "interconnect_nic": desc.interconnect_nic,
        "nodes": [
            {
                "name": n.name,
                "service_ip": n.service_ip,
                "interconnect_ip": n.interconnect_ip,
                "ssh_port": n.ssh_port,
                **({"vm_name": vms[n.name]} if n.name in vms else {}),
            }
            for n in desc.nodes
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def node_env(desc: Description, stack: Stack, name: str) -> str:
    """Shell assignments ``provision/lib.sh`` sources, so the scripts hard-code no stack path.

    ``STACK_*`` are the Stack's fields (``STACK_DOCROOT``...); the NIC names and addresses let
    cluster.sh check that the box named its interfaces as the description (and so the
    ``nic=`` of resources.crm) says; ``BRINGUP_TIMEOUT_S`` bounds pacemaker.sh's wait;
    ``*_PORT`` are the ports the documented stack opens in its firewall.
    """
    node = desc.node(name)
    values: dict[str, str | int] = {
        "HACLUSTER_NODE": node.name,
        "CLUSTER_NODES": " ".join(desc.node_names),
        "SERVICE_NIC": desc.service_nic,
        "SERVICE_IP": node.service_ip,
        "INTERCONNECT_NIC": desc.interconnect_nic,
        "INTERCONNECT_IP": node.interconnect_ip,
        "BRINGUP_TIMEOUT_S": desc.timings.bringup_timeout_s,
        # The documented stack opens its ports in iptables, as the seed did.
        "HTTP_PORT": desc.http_port,
        "TOMCAT_PORT": desc.tomcat_port,
        "AJP_PORT": desc.ajp_port,
        # What the fence device's agent needs (fence_vbox: fence-agents), installed by cluster.sh
        "FENCE_PACKAGES": " ".join(fencing.packages(desc)),
    }
    for f in dataclasses.fields(stack):
        values[f"STACK_{f.name.upper()}"] = getattr(stack, f.name)
    lines = [f"{key}={shlex.quote(str(value))}" for key, value in values.items()]
    header = f"# Rendered by pytest-hacluster ({EXPORT_COMMAND}); sourced by provision/lib.sh.\n"
    return header + "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pytest_hacluster.export --out DIR [--config pyproject.toml]``."""
    parser = argparse.ArgumentParser(
        prog="python -m pytest_hacluster.export",
        description="Write the cluster's rendered files for the Vagrant provisioners.",
    )
    parser.add_argument("--out", type=Path, required=True, help="e.g. .hacluster/rendered")
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="pyproject.toml with [tool.hacluster] (default: ./pyproject.toml if present)",
    )
    parser.add_argument(
        "--profile", default=None,
        help="which of the seed's clusters: apache-tomcat, apache, apache-samba (over "
        "[tool.hacluster] profile)",
    )
    parser.add_argument(
        "--box", default=None,
        help="the box to provision (default: [tool.hacluster.vagrant] box); a CentOS box gets "
        "the seed's documented stack, any other Debian 12's",
    )
    args = parser.parse_args(argv)
    # An explicit --config that is missing is a typo, not a request for the seed's defaults.
    if args.config is not None and not args.config.is_file():
        parser.error(f"--config {args.config}: no such file")
    try:
        desc = load(args.config if args.config is not None else Path("pyproject.toml"),
                    args.profile)
        if args.box is not None:
            desc = dataclasses.replace(
                desc, vagrant=dataclasses.replace(desc.vagrant, box=args.box)
            )
        stack = render.stack_for_box(desc.vagrant.box)
        written = export(desc, stack, args.out)
        # Beside the Vagrantfile (this directory), where it looks for the key.
        key, made = cluster_key.ensure(Path("."), stack.name)
    except (ConfigError, ExportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files for nodes {', '.join(desc.node_names)} to {args.out}")
    print(f"the cluster's key: {key} ({'made now' if made else 'kept'}, mode 0600, not shown)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
