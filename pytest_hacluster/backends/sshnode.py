"""A node reached over ssh with fabric, answering ``run()`` like a lab node does.

Used by the vagrant backend (targets from ``vagrant ssh-config``) and the ssh backend (targets
from ``[tool.hacluster.ssh]``). Callers get the same ``shell.Result`` whatever the transport.
"""

from __future__ import annotations

import base64
import shlex
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import paramiko
from fabric import Connection
from invoke.exceptions import CommandTimedOut

from pytest_hacluster.backends.base import BackendError
from pytest_hacluster.node import NODE_PATH  # one PATH for a node's commands, whatever reaches it
from pytest_hacluster.shell import Command, CommandError, Result, display, write_file


class NodeUnreachable(BackendError):
    """The node did not answer over ssh (down, powered off, or its address is wrong)."""


@dataclass(frozen=True)
class SshTarget:
    """Where and as whom to log in."""

    host: str
    port: int = 22
    user: str = "root"
    key_file: str | None = None


def parse_ssh_config(text: str) -> dict[str, SshTarget]:
    """``vagrant ssh-config`` (OpenSSH client config) -> a target per ``Host``.

    Only the keys a login needs are read; ``IdentityFile`` may repeat, the first one wins (as
    with ssh). Values may be quoted (vagrant quotes paths with spaces).
    """
    targets: dict[str, SshTarget] = {}
    current: str | None = None
    fields: dict[str, str] = {}

    def flush() -> None:
        if current is not None:
            targets[current] = SshTarget(
                host=fields.get("hostname", current),
                port=int(fields.get("port", "22")),
                user=fields.get("user", "root"),
                key_file=fields.get("identityfile"),
            )

    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        value = value.strip().strip('"')
        if key.lower() == "host":
            flush()
            current, fields = value, {}
        elif current is not None:
            fields.setdefault(key.lower(), value)
    flush()
    return targets


class FabricNode:
    """One node over ssh. Commands run as root: through ``sudo -n`` when ``sudo`` is set."""

    def __init__(self, name: str, target: SshTarget, *, sudo: bool,
                 connect_timeout: float = 10, trust_new_hosts: bool = False) -> None:
        self.name = name
        # Machines made for the run (vagrant) have host keys nobody knows yet; an existing
        # cluster's must be in known_hosts, or a man in the middle would get sudo commands.
        self.trust_new_hosts = trust_new_hosts
        self.target = target
        self.sudo = sudo
        self.connect_timeout = connect_timeout
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _connection(self) -> Connection:
        with self._lock:  # the probe and a test may call at once; connect only once
            if self._conn is None or not self._conn.is_connected:
                kwargs: dict[str, object] = {"banner_timeout": self.connect_timeout,
                                             "auth_timeout": self.connect_timeout}
                if self.target.key_file:
                    kwargs |= {"key_filename": [self.target.key_file],
                               "look_for_keys": False, "allow_agent": False}
                conn = Connection(self.target.host, user=self.target.user,
                                  port=self.target.port, connect_timeout=self.connect_timeout,
                                  connect_kwargs=kwargs)
                conn.client.set_missing_host_key_policy(
                    paramiko.AutoAddPolicy() if self.trust_new_hosts else paramiko.RejectPolicy()
                )
                try:
                    conn.open()
                except (OSError, paramiko.SSHException, EOFError) as exc:
                    raise NodeUnreachable(
                        f"node {self.name}: no ssh to {self.target.user}@{self.target.host}:"
                        f"{self.target.port}: {exc}"
                    ) from None
                self._conn = conn
            return self._conn

    def remote_line(self, command: Command, input: str | bytes | None,
                    env: Mapping[str, str] | None, timeout: float = 60) -> str:
        """The one shell line sent: a deadline, env, stdin (base64, so any bytes survive), sudo.

        The deadline runs on the node too (``timeout``): a command that times out here must
        not go on running there, as it would not on a lab node.
        """
        inner = command if isinstance(command, str) else shlex.join(command)
        assignments = {"PATH": NODE_PATH, "LANG": "C.UTF-8", **(env or {})}
        line = f"timeout -k 5 {max(1, round(timeout))} env "
        line += " ".join(shlex.quote(f"{k}={v}") for k, v in assignments.items())
        line += " sh -c " + shlex.quote(inner)
        if input is not None:
            data = input.encode() if isinstance(input, str) else input
            line = f"printf %s {base64.b64encode(data).decode()} | base64 -d | {line}"
        else:
            line += " </dev/null"
        return f"sudo -n sh -c {shlex.quote(line)}" if self.sudo else line

    def run(
        self,
        command: Command,
        *,
        timeout: float = 60,
        check: bool = False,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result:
        line = self.remote_line(command, input, env, timeout)
        start = time.monotonic()
        for attempt in (1, 2):  # a connection dropped since the last call is made again once
            conn = self._connection()
            try:
                res = conn.run(line, hide=True, warn=True, timeout=timeout, in_stream=False)
            except CommandTimedOut as exc:
                res, timed_out = exc.result, True
            except (OSError, paramiko.SSHException, EOFError) as exc:
                self.close()
                if attempt == 2:
                    raise NodeUnreachable(f"node {self.name}: ssh failed: {exc}") from None
                continue
            else:
                timed_out = False
            break
        result = Result(
            command=display(command), exited=res.exited if res.exited is not None else -1,
            stdout=res.stdout, stderr=res.stderr, duration=time.monotonic() - start,
            timed_out=timed_out,
        )
        if check and not result.ok:
            raise CommandError(self.name, result)
        return result

    def write(self, path: str, content: str | bytes, mode: int = 0o644,
              owner: str = "root:root") -> None:
        """Write a file on the node, as on a lab node (the same shell line, over ssh)."""
        write_file(self, path, content, mode, owner)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


__all__ = ["FabricNode", "NodeUnreachable", "SshTarget", "parse_ssh_config"]
