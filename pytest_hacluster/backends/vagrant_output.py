"""What vagrant prints, read by pure functions: machine-readable lines, states, box folders.

``--machine-readable`` lines are ``timestamp,target,type,data...``; inside data a comma is
``%!(VAGRANT_COMMA)`` and a newline the two characters ``\\n`` (shared/notes/vagrant-facts.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Line:
    target: str
    type: str
    data: tuple[str, ...]


def _unescape(field: str) -> str:
    return field.replace("%!(VAGRANT_COMMA)", ",").replace("\\n", "\n").replace("\\r", "")


def machine_readable(text: str) -> list[Line]:
    """Every well-formed machine-readable line; anything else (plugin noise) is skipped."""
    out = []
    for raw in text.splitlines():
        parts = raw.split(",")
        if len(parts) < 3 or not parts[0].isdigit():
            continue
        out.append(Line(parts[1], parts[2], tuple(_unescape(p) for p in parts[3:])))
    return out


def machine_states(text: str) -> dict[str, str]:
    """``vagrant status --machine-readable`` -> {machine: state} (``running``, ``poweroff``,
    ``not_created``, ...), in the Vagrantfile's order."""
    return {
        line.target: line.data[0]
        for line in machine_readable(text)
        if line.type == "state" and line.target and line.data
    }


def error_message(text: str) -> str | None:
    """The message of an ``error-exit`` line (what vagrant would have shown a person)."""
    for line in machine_readable(text):
        if line.type == "error-exit" and line.data:
            return " ".join(d.strip() for d in line.data[1:]) or line.data[0]
    return None


def box_dir(vagrant_home: Path, box: str) -> Path:
    """Where ``vagrant box add`` keeps a box: slashes in its name become ``-VAGRANTSLASH-``."""
    return vagrant_home / "boxes" / box.replace("/", "-VAGRANTSLASH-")


def box_has_provider(vagrant_home: Path, box: str, provider: str) -> bool:
    """Whether some version of ``box`` is added for ``provider`` (a box is per provider)."""
    root = box_dir(vagrant_home, box)
    return root.is_dir() and any(v.joinpath(provider).is_dir() for v in root.iterdir())
