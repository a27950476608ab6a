"""Which build was tested: each component's version as the nodes themselves report it.

One bounded shell script per node asks every candidate tool of both stacks (Debian's apache2 or
CentOS's httpd, Tomcat 10/9/6, Heartbeat where installed); what a node cannot say is null. The
script is a constant: no value from configuration or tests goes into it.
"""

from __future__ import annotations

import importlib.metadata
import re
from collections.abc import Mapping
from typing import Any

from pytest_hacluster.backends.base import NodeShell

COMPONENTS = ("pacemaker", "corosync", "heartbeat", "apache", "tomcat")

# Each section starts with "== name" so the output splits without guessing.
SCRIPT = r"""
PATH=/usr/sbin:/usr/bin:/sbin:/bin
echo "== pacemaker"; pacemakerd --version 2>&1 | head -n 1
echo "== corosync"; corosync -v 2>&1 | head -n 1
echo "== heartbeat"
for h in /usr/lib/heartbeat/heartbeat /usr/lib64/heartbeat/heartbeat; do
  [ -x "$h" ] && { rpm -q heartbeat 2>/dev/null || dpkg-query -W heartbeat 2>/dev/null; break; }
done
echo "== apache"
if command -v apache2 >/dev/null; then apache2 -v 2>&1 | head -n 1
elif command -v httpd >/dev/null; then httpd -v 2>&1 | head -n 1; fi
echo "== tomcat"
for home in /usr/share/tomcat10 /usr/share/tomcat9 /usr/share/tomcat6 /usr/share/tomcat; do
  jar="$home/lib/catalina.jar"
  [ -f "$jar" ] || continue
  java -cp "$jar" org.apache.catalina.util.ServerInfo 2>/dev/null | sed -n 's/^Server version: *//p'
  break
done
"""

_PATTERNS = {
    "pacemaker": re.compile(r"Pacemaker\s+(\S+)"),
    "corosync": re.compile(r"version\s+'?([0-9][^'\s]*)"),
    "apache": re.compile(r"Apache/(\S+)"),
    "tomcat": re.compile(r"Apache Tomcat/(\S+)"),
}


def parse(output: str) -> dict[str, str | None]:
    """The script's output -> {component: version or the raw line, or None}."""
    sections: dict[str, list[str]] = {}
    current = None
    for line in output.splitlines():
        if line.startswith("== "):
            current = line[3:].strip()
            sections[current] = []
        elif current is not None and line.strip():
            sections[current].append(line.strip())
    found: dict[str, str | None] = {}
    for name in COMPONENTS:
        lines = sections.get(name) or []
        text = lines[0] if lines else None
        pattern = _PATTERNS.get(name)
        match = pattern.search(text) if pattern and text else None
        if text and "not found" in text:
            text = None
        found[name] = match.group(1) if match else text
    return found


def node_versions(nodes: Mapping[str, NodeShell], timeout: float = 30) -> dict[str, dict[str, Any]]:
    """{node: {component: version}}; a node that cannot answer says why under ``error``."""
    out: dict[str, dict[str, Any]] = {}
    for name, node in nodes.items():
        try:
            result = node.run(["sh", "-c", SCRIPT], timeout=timeout, check=False)
        except Exception as exc:  # the report says which node did not answer; it never fails
            out[name] = {c: None for c in COMPONENTS} | {"error": f"{type(exc).__name__}: {exc}"}
            continue
        out[name] = parse(result.stdout)
        if result.timed_out:
            out[name]["error"] = f"timed out after {timeout:g}s"
    return out


def plugin_version() -> str:
    try:
        return importlib.metadata.version("pytest-hacluster")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"


__all__ = ["COMPONENTS", "SCRIPT", "node_versions", "parse", "plugin_version"]
