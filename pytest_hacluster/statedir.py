"""Where labs and VirtualBox stand-ins keep their state, and the names they may have.

One rule for both, kept in a module light enough for the stand-in's ``VBoxManage`` (a new
Python process per call) to import: a name matching ``PREFIX_RE`` owns the namespaces
``<prefix>.*`` and the directory ``STATE_ROOT/<prefix>``, which is all ``hacluster-lab gc``
needs to find and remove what a crashed run left.
"""

from __future__ import annotations

import re
from pathlib import Path

STATE_ROOT = Path("/run/hacluster")
PREFIX_RE = re.compile(r"^hacl[a-z0-9-]{0,11}$")
PREFIX_RULE = (
    "it must start with 'hacl' and be at most 15 characters of a-z, 0-9 and '-' (it names "
    "namespaces and interfaces)"
)


def state_dir(prefix: str) -> Path:
    return STATE_ROOT / prefix
