"""What an engineer needs about a failed test, taken from every node at the moment of failure.

Taken while the test's fixtures still stand (before teardown undoes the faults and repairs the
cluster), so it shows the broken state, not the repaired one. Every command is an argument list
with its own timeout, the whole collection has a deadline, nodes are asked in parallel, and
nothing raises: what could not be collected is written down in ``errors.txt`` instead.

Nothing under ``/etc/corosync`` is read: the authkey stays on the nodes.
"""

from __future__ import annotations

import concurrent.futures
import re
import time
from collections.abc import Mapping
from pathlib import Path

from pytest_hacluster.backends.base import NodeShell

# (file name, command): Pacemaker's own views of the cluster.
QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("crm_mon.txt", ("crm_mon", "-1", "-r", "-f", "-A", "-t")),
    ("cib.xml", ("cibadmin", "-Q")),
    ("crm_verify.txt", ("crm_verify", "-L", "-V")),
)
# Logs of both stacks (Debian 12 and the seed's CentOS 6 with Heartbeat); absent ones are skipped.
LOGS: tuple[str, ...] = (
    "/var/log/corosync/corosync.log",
    "/var/log/cluster/corosync.log",
    "/var/log/pacemaker/pacemaker.log",
    "/var/log/pacemaker.log",
    "/var/log/ha-log",
    "/var/log/ha-debug",
    "/var/log/apache2/error.log",
    "/var/log/apache2/access.log",
    "/var/log/httpd/error_log",
    "/var/log/httpd/access_log",
)
TOMCAT_LOG_DIRS: tuple[str, ...] = (
    "/var/log/tomcat10", "/var/log/tomcat9", "/var/log/tomcat6", "/var/log/tomcat",
)
TAIL_LINES = 400
COMMAND_TIMEOUT_S = 15.0
DEADLINE_S = 60.0


def safe_name(text: str, limit: int = 120) -> str:
    """A file name for a test id or path: only letters, digits, ``.``, ``_`` and ``-``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "test"
    return name[:limit]


def unique_dir(base: Path, name: str) -> Path:
    """A new directory ``base/name`` (``name-2``, ``-3``... if taken): never an existing one,
    even with several processes (pytest-xdist workers) making them at once."""
    base.mkdir(parents=True, exist_ok=True)
    for i in range(1, 1000):
        path = base / (name if i == 1 else f"{name}-{i}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"{base}/{name}: too many directories of that name")


class _Budget:
    """A deadline shared by one node's commands."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def timeout(self) -> float:
        return max(0.0, min(COMMAND_TIMEOUT_S, self.end - time.monotonic()))


def _run(node: NodeShell, argv: list[str], budget: _Budget) -> tuple[str | None, str | None]:
    """(output, None) or (None, why not)."""
    timeout = budget.timeout()
    if timeout <= 0:
        return None, f"`{' '.join(argv)}`: not run, the {DEADLINE_S:g}s deadline had passed"
    try:
        result = node.run(argv, timeout=timeout, check=False)
    except Exception as exc:  # a node that is down or unreachable: noted, never raised
        return None, f"`{' '.join(argv)}`: {type(exc).__name__}: {exc}"
    if result.timed_out:
        return result.stdout or None, f"`{' '.join(argv)}`: timed out after {timeout:.0f}s"
    text = result.stdout
    if result.stderr.strip():
        text += ("\n" if text and not text.endswith("\n") else "") + "--- stderr ---\n"
        text += result.stderr
    note = None if result.exited == 0 else f"`{' '.join(argv)}`: exit {result.exited}"
    return text, note


def collect_node(node: NodeShell, dest: Path, deadline_s: float = DEADLINE_S) -> list[str]:
    """Write one node's diagnostics into ``dest``; returns what could not be collected."""
    budget = _Budget(deadline_s)
    dest.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for filename, argv in QUERIES:
        text, note = _run(node, list(argv), budget)
        if text is not None:
            (dest / filename).write_text(text)
        if note:
            problems.append(note)
    logs = dest / "logs"
    paths = list(LOGS)
    found, note = _run(
        node, ["find", *TOMCAT_LOG_DIRS, "-maxdepth", "1", "-type", "f", "-name", "*.*"], budget
    )
    if found:  # catalina.out and the newest of the dated logs
        names = sorted(p for p in found.splitlines() if p.startswith("/var/log/"))
        paths += [p for p in names if p.endswith("catalina.out")]
        paths += [p for p in names if not p.endswith((".gz", "catalina.out"))][-4:]
    for path in paths:
        text, note = _run(node, ["tail", "-n", str(TAIL_LINES), "--", path], budget)
        if note and note.endswith("exit 1") and "cannot open" in (text or ""):
            continue  # no such file on this stack
        if text is not None:
            logs.mkdir(exist_ok=True)
            (logs / safe_name(path.removeprefix("/var/log/"))).write_text(text)
        if note:
            problems.append(note)
    return problems


def collect(
    nodes: Mapping[str, NodeShell],
    dest: Path,
    context: Mapping[str, str],
    deadline_s: float = DEADLINE_S,
) -> list[str]:
    """Every node's diagnostics into ``dest/<node>/``, ``context`` (name -> text, e.g. the
    failure and the scenario's timeline) beside them, and ``errors.txt`` with what failed.
    Never raises for a node; returns the problems it wrote down."""
    started = time.monotonic()
    for name, text in context.items():
        (dest / safe_name(name)).write_text(text)
    problems: list[str] = []
    if nodes:
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(nodes)) as pool:
            futures = {
                pool.submit(collect_node, node, dest / safe_name(name), deadline_s): name
                for name, node in nodes.items()
            }
            for future in concurrent.futures.as_completed(futures):
                name = futures[future]
                try:
                    problems += [f"{name}: {p}" for p in future.result()]
                except Exception as exc:  # a bug here must not hide the test's own failure
                    problems.append(f"{name}: collection failed: {type(exc).__name__}: {exc}")
    else:
        problems.append("no cluster nodes to ask (the cluster was never up)")
    took = time.monotonic() - started
    (dest / "errors.txt").write_text(
        f"collected in {took:.1f}s\n" + "".join(f"{p}\n" for p in problems)
    )
    return problems


__all__ = ["collect", "collect_node", "safe_name", "unique_dir"]
