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
    ("curl", "curl"),
    ("ip", "iproute2"),
    ("nsenter", "util-linux"),
    ("ps", "procps"),
    ("pkill", "procps"),
)


def _present(thing: str) -> bool:
    return Path(thing).exists() if thing.startswith("/") else shutil.which(thing) is not None


def missing() -> list[tuple[str, str]]:
    return [(thing, pkg) for thing, pkg in REQUIRED if not _present(thing)]


def debian_packages() -> list[str]:
    return sorted({pkg for _, pkg in REQUIRED})


def install_command(pkgs: list[str]) -> str:
    return "apt-get install -y --no-install-recommends " + " ".join(sorted(set(pkgs)))
