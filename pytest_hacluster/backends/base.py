"""The small interface every backend implements; nothing outside ``backends/`` asks which it is.

A backend knows how to have a cluster (make machines and start daemons, or find existing ones),
how to run a command on a node, and where the cluster's clients stand. Everything a test does
with the cluster (state, waits, faults) is built in ``cluster.py`` on these few calls.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Protocol

from pytest_hacluster.config import Description
from pytest_hacluster.http_client import HttpClient
from pytest_hacluster.shell import Command, Result

Progress = Callable[[str], None]


class BackendError(RuntimeError):
    """The cluster could not be had; the message says why and what to do about it."""


class NodeShell(Protocol):
    """A node as tests see it: a name and a way to run commands there."""

    name: str

    def run(
        self,
        command: Command,
        *,
        timeout: float = 60,
        check: bool = False,
        input: str | bytes | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Result: ...


@dataclass(frozen=True)
class Settings:
    """How to run the backend, as opposed to what the cluster is (that is the Description)."""

    prefix: str = "hacl"
    keep: bool = False
    rootdir: Path = Path(".")


class Backend(ABC):
    """One way to have the cluster of a ``Description``."""

    name: ClassVar[str]

    def __init__(self, description: Description, settings: Settings) -> None:
        self.description = description
        self.settings = settings
        self.reused = False

    @abstractmethod
    def check(self) -> None:
        """Fail fast, before anything is made, with one message naming the fix."""

    @abstractmethod
    def up(self, progress: Progress) -> None:
        """Make the machines and start the cluster's daemons, or reuse kept ones.

        On any failure, interrupt included, whatever was made is removed before raising.
        """

    @abstractmethod
    def down(self) -> None:
        """Remove everything ``up`` made. Safe to call twice and after a failed ``up``."""

    @abstractmethod
    def nodes(self) -> dict[str, NodeShell]:
        """The cluster's nodes by name."""

    @abstractmethod
    def http(self) -> HttpClient:
        """An HTTP client standing where the cluster's users stand."""

    def failure_logs(self) -> str:
        """Log tails that explain a cluster that never became healthy (empty if none)."""
        return ""
