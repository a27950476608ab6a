"""What the lab needs on the host, and which Debian package brings each piece.

One list for the preflight check (to name the exact install command) and for ``bootstrap``
(``hacluster-lab packages`` prints it), so the two cannot drift apart.
"""

from __future__ import annotations

import shutil
from pathlib import Path

# (a command on PATH or an absolute path, the Debian package that provides it)
REQUIRED: tuple[tuple[str, str], ...] = (
    ("corosync", "corosync"),
    ("pacemakerd", "pacemaker"),
    ("crm_mon", "pacemaker-cli-utils"),
    ("crm", "crmsh"),
    ("/usr/lib/ocf/resource.d/heartbeat/apache", "resource-agents"),
    ("apache2", "apache2"),
    ("/usr/share/tomcat10/bin/catalina.sh", "tomcat10"),
    ("java", "default-jre-headless"),
    ("tini", "tini"),
    ("wget", "wget"),
    ("ping", "iputils-ping"),  # ocf:pacemaker:ping (the ping check on the gateway)
    ("curl", "curl"),
    ("ip", "iproute2"),
    ("nsenter", "util-linux"),
    ("ps", "procps"),
    ("pkill", "procps"),
)

# The 2013 cluster's file server (profile apache-samba): the LSB init scripts the resources run
# and the clients the checks use. Installed by bootstrap with the rest; required only where the
# description has a Samba group.
# The servers run on the nodes (in a root of another release too: roots.py puts them in every
# root); the clients run where the checks run, in the lab's host namespace with this machine's
# binaries, whatever release the nodes run.
SAMBA_SERVER: tuple[tuple[str, str], ...] = (
    ("/etc/init.d/smbd", "samba"),
    ("/etc/init.d/nmbd", "samba"),
)
SAMBA_CLIENTS: tuple[tuple[str, str], ...] = (
    ("smbclient", "smbclient"),
    ("nmblookup", "samba-common-bin"),
)
SAMBA: tuple[tuple[str, str], ...] = SAMBA_SERVER + SAMBA_CLIENTS


# Where a command is looked for inside a node (node.NODE_PATH's directories).
NODE_BIN_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def for_tomcat(tomcat_home: str, tomcat_package: str) -> tuple[tuple[str, str], ...]:
    """``REQUIRED`` for a release whose Tomcat is another package (Debian 11's ``tomcat9``)."""
    return tuple(
        (f"{tomcat_home}/bin/catalina.sh", tomcat_package) if thing.endswith("/catalina.sh")
        else (thing, pkg)
        for thing, pkg in REQUIRED
    )


def resolve_in(root: Path, path: str, hops: int = 40) -> Path | None:
    """``path`` as a process chrooted into ``root`` would find it: every symlink (absolute
    ones such as ``/usr/bin/java -> /etc/alternatives/java`` included) followed inside
    ``root``. The result is a path on this machine under ``root``; None when it does not exist.
    """
    parts = [p for p in path.split("/") if p not in ("", ".")]
    done: list[str] = []
    while parts:
        part = parts.pop(0)
        if part == "..":
            if done:
                done.pop()
            continue
        here = root.joinpath(*done, part)
        if here.is_symlink():
            hops -= 1
            if hops < 0:
                return None
            target = str(here.readlink())
            if target.startswith("/"):
                done = []
            parts = [p for p in target.split("/") if p not in ("", ".")] + parts
            continue
        if not here.exists():
            return None
        done.append(part)
    return root.joinpath(*done)


def _present(thing: str, root: Path | None) -> bool:
    if root is None:
        return Path(thing).exists() if thing.startswith("/") else shutil.which(thing) is not None
    if thing.startswith("/"):
        return resolve_in(root, thing) is not None
    return any(resolve_in(root, f"{d}/{thing}") is not None for d in NODE_BIN_DIRS)


def missing(
    required: tuple[tuple[str, str], ...] = REQUIRED, root: Path | None = None
) -> list[tuple[str, str]]:
    """What of ``required`` is absent on this machine, or inside the node root ``root``."""
    return [(thing, pkg) for thing, pkg in required if not _present(thing, root)]


def debian_packages() -> list[str]:
    return sorted({pkg for _, pkg in REQUIRED + SAMBA})


def install_command(pkgs: list[str]) -> str:
    return "apt-get install -y --no-install-recommends " + " ".join(sorted(set(pkgs)))
