#!/usr/bin/python3
"""fence_hacluster_lab: a fence agent for pytest-hacluster's lab nodes (stdlib only).

Installed into each lab node as ``/usr/sbin/fence_hacluster_lab`` and run there by Pacemaker's
fencer. It speaks the fence-agents protocol (FenceAgentAPI.md in ClusterLabs/fence-agents):
``name=value`` lines on stdin, or ``--name=value`` / ``-o ACTION`` arguments; actions ``off``,
``on``, ``reboot``, ``status``, ``list``, ``monitor``, ``metadata``, ``validate-all``; exit 0
for success, 1 for failure, and for ``status`` 0 = on, 2 = off.

It reaches the lab's power controller (``power_controller.py``) over TCP at ``ip``:``ipport``
(the lab's gateway, inside the lab's own namespaces) with one request line
``ACTION [NODE]`` and reads one answer line ``ok STATE`` or ``error MESSAGE``. The controller
powers nodes of its own lab only: this agent gives a node no power over the host.
"""

from __future__ import annotations

import socket
import sys

ACTIONS = ("off", "on", "reboot", "status", "list", "monitor", "metadata", "validate-all")
EXIT_OK, EXIT_FAIL, EXIT_OFF = 0, 1, 2

METADATA = """<?xml version="1.0" ?>
<resource-agent name="fence_hacluster_lab" shortdesc="Fence agent for pytest-hacluster lab nodes">
<longdesc>Powers a lab node off or on through the lab's power controller, which can act on the
nodes of its own lab only.</longdesc>
<vendor-url>https://github.com/</vendor-url>
<parameters>
  <parameter name="action" unique="0" required="1">
    <getopt mixed="-o, --action=[action]"/>
    <content type="string" default="reboot"/>
    <shortdesc lang="en">Fencing action</shortdesc>
  </parameter>
  <parameter name="ip" unique="0" required="1" obsoletes="ipaddr">
    <getopt mixed="-a, --ip=[ip]"/>
    <content type="string"/>
    <shortdesc lang="en">Address of the lab's power controller</shortdesc>
  </parameter>
  <parameter name="ipport" unique="0" required="0">
    <getopt mixed="-u, --ipport=[port]"/>
    <content type="integer" default="7410"/>
    <shortdesc lang="en">TCP port of the lab's power controller</shortdesc>
  </parameter>
  <parameter name="plug" unique="0" required="1" obsoletes="port">
    <getopt mixed="-n, --plug=[id]"/>
    <content type="string"/>
    <shortdesc lang="en">Lab node to act on</shortdesc>
  </parameter>
  <parameter name="power_timeout" unique="0" required="0">
    <getopt mixed="--power-timeout=[seconds]"/>
    <content type="second" default="20"/>
    <shortdesc lang="en">Seconds to wait for the controller's answer</shortdesc>
  </parameter>
</parameters>
<actions>
  <action name="on" automatic="0"/>
  <action name="off"/>
  <action name="reboot"/>
  <action name="status"/>
  <action name="list"/>
  <action name="monitor"/>
  <action name="metadata"/>
  <action name="validate-all"/>
</actions>
</resource-agent>
"""

ALIASES = {"ipaddr": "ip", "port": "plug", "option": "action", "a": "ip", "u": "ipport",
           "n": "plug", "o": "action"}


class AgentError(Exception):
    """A request the agent cannot carry out; the message names the input."""


def parse_stdin(text: str) -> dict[str, str]:
    """``name=value`` lines (blank lines and ``#`` comments skipped) -> options by canonical
    name. A line without ``=`` is an error naming it."""
    options: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise AgentError(f"stdin line {raw!r} is not name=value")
        options[ALIASES.get(name.strip(), name.strip())] = value.strip()
    return options


def parse_argv(argv: list[str]) -> dict[str, str]:
    """``--name=value``, ``--name value`` and ``-o value`` -> options by canonical name."""
    options: dict[str, str] = {}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if not arg.startswith("-"):
            raise AgentError(f"argument {arg!r} is not an option")
        name, sep, value = arg.lstrip("-").partition("=")
        if not sep:
            if i + 1 >= len(argv):
                raise AgentError(f"option {arg!r} has no value")
            i += 1
            value = argv[i]
        options[ALIASES.get(name.replace("-", "_"), name.replace("-", "_"))] = value
        i += 1
    return options


def request(options: dict[str, str], line: str) -> str:
    """Send one request line to the controller; the answer's state, or AgentError."""
    if "ip" not in options:
        raise AgentError("no ip= (the lab power controller's address) given")
    port = int(options.get("ipport", "7410"))
    timeout = float(options.get("power_timeout", "20"))
    try:
        with socket.create_connection((options["ip"], port), timeout=timeout) as conn:
            conn.sendall(line.encode() + b"\n")
            answer = conn.makefile("r", encoding="utf-8").readline().strip()
    except OSError as exc:
        raise AgentError(f"power controller {options['ip']}:{port}: {exc}") from None
    word, _, rest = answer.partition(" ")
    if word == "ok":
        return rest
    if word == "error":
        raise AgentError(f"power controller refused {line!r}: {rest}")
    raise AgentError(f"power controller answered {answer!r} to {line!r}")


def run(options: dict[str, str], out: list[str]) -> int:
    """Carry out one action; lines for stdout go to ``out``. Returns the exit code."""
    action = options.get("action", "reboot")
    if action not in ACTIONS:
        raise AgentError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    if action == "metadata":
        out.append(METADATA)
        return EXIT_OK
    if action in ("monitor", "validate-all"):
        request(options, "monitor")
        return EXIT_OK
    if action == "list":
        for node in request(options, "list").split():
            out.append(f"{node},{node}")
        return EXIT_OK
    node = options.get("plug")
    if not node:
        raise AgentError(f"action {action} needs plug= (the node)")
    if action == "status":
        state = request(options, f"status {node}")
        out.append(f"Status: {state.upper()}")
        return EXIT_OK if state == "on" else EXIT_OFF
    if action == "reboot":
        request(options, f"off {node}")  # answered once the node is off
        request(options, f"on {node}")
        return EXIT_OK
    request(options, f"{action} {node}")
    return EXIT_OK


def main(argv: list[str]) -> int:
    try:
        options = parse_argv(argv) if argv else parse_stdin(sys.stdin.read())
        out: list[str] = []
        code = run(options, out)
    except AgentError as exc:
        print(f"fence_hacluster_lab: {exc}", file=sys.stderr)
        return EXIT_FAIL
    for line in out:
        print(line)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
