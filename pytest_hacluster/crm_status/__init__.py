"""Turn Pacemaker's ``crm_mon`` output into typed, immutable cluster state.

Why this package exists: every acceptance test ends by asking the cluster a question ("is
group ``web`` running on s2?", "which node is the promotable clone Promoted on?", "did httpd's
start failure set fail-count INFINITY on s1?"). Answering from ``crm_mon`` output with ad-hoc
``grep``/``awk`` breaks silently when the layout changes, so the answer is parsed here, once,
into dataclasses (``model.py``), and anything not understood raises :class:`ParseError` naming
the line or element instead of quietly yielding a state that would make "nothing is running on
s1" pass by accident.

The package is pure (stdlib only, no subprocess, no pytest); running ``crm_mon`` is the
caller's job. Which command reads which Pacemaker (``output_for_version`` picks):

=================  ==========================================  ==============================
Pacemaker          command                                     read by
=================  ==========================================  ==============================
2.0.3 and later    ``CRM_MON_XML_ARGS`` (``--output-as=xml``)   :func:`parse_xml`
1.1.x, 2.0.0-2.0.2 ``CRM_MON_LEGACY_XML_ARGS`` (``--as-xml``)   :func:`parse_xml`
1.0.x              ``CRM_MON_TEXT_ARGS`` (text)                 :func:`parse_text`
=================  ==========================================  ==============================

``--output-as`` arrived with 2.0.3's formatted-output rewrite of crm_mon (ClusterLabs/pacemaker
ChangeLog, 2.0.3); ``--as-xml`` exists from 1.1.x on (1.0's crm_mon has only text and HTML).
2.1.5's XML includes every section by default; ``--include=failcounts,failures`` names the two
the tests depend on so a later release cannot trim them. 1.0's ``-r`` lists fully stopped
resources (otherwise omitted) and ``-f`` adds the fail counts.

:func:`parse_text` also reads 1.1 text and ``pcs status`` (see ``read_text.py`` for every
layout), and refuses 2.x text. :func:`parse` picks XML or text by the first character.
"""

from __future__ import annotations

import re

from pytest_hacluster.crm_status.build import parse_rc_change
from pytest_hacluster.crm_status.model import (
    FAILED,
    INFINITY,
    PARTIAL,
    PROMOTED,
    RUNNING_ROLES,
    STARTED,
    STOPPED,
    UNPROMOTED,
    AmbiguousRole,
    Clone,
    ClusterState,
    FailedAction,
    Group,
    Node,
    ParseError,
    Replica,
    Resource,
)
from pytest_hacluster.crm_status.read_text import parse_text
from pytest_hacluster.crm_status.read_xml import parse_xml

__all__ = [
    "CRM_MON_LEGACY_XML_ARGS",
    "CRM_MON_TEXT_ARGS",
    "CRM_MON_XML_ARGS",
    "FAILED",
    "INFINITY",
    "PARTIAL",
    "PROMOTED",
    "RUNNING_ROLES",
    "STARTED",
    "STOPPED",
    "UNPROMOTED",
    "AmbiguousRole",
    "Clone",
    "ClusterState",
    "FailedAction",
    "Group",
    "Node",
    "ParseError",
    "Replica",
    "Resource",
    "command_for_version",
    "parse",
    "parse_rc_change",
    "parse_text",
    "parse_version",
    "parse_xml",
]

CRM_MON_XML_ARGS: list[str] = ["crm_mon", "-1", "--output-as=xml", "--include=failcounts,failures"]
CRM_MON_LEGACY_XML_ARGS: list[str] = ["crm_mon", "-1", "--as-xml"]
CRM_MON_TEXT_ARGS: list[str] = ["crm_mon", "-1", "-r", "-f"]

# 1.1 and later print "Pacemaker 2.1.5"; 1.0 "crm_mon 1.0.13 for OpenAIS and Heartbeat (Build:
# ...)" (crm_help() in lib/common/utils.c of each branch).
_VERSION_RE = re.compile(r"^(?:Pacemaker|crm_mon) (\d+)\.(\d+)\.(\d+)", re.MULTILINE)


def parse_version(text: str) -> tuple[int, int, int]:
    """``crm_mon --version`` (``Pacemaker 2.1.5``, 1.0: ``crm_mon 1.0.13 for ...``) -> (2, 1, 5).

    Raises ParseError naming the text when it carries no Pacemaker version.
    """
    match = _VERSION_RE.search(text)
    if match is None:
        raise ParseError(
            f"crm_mon --version gave no 'Pacemaker X.Y.Z' line: {text.strip()[:200]!r}"
        )
    major, minor, patch = (int(x) for x in match.groups())
    return major, minor, patch


def command_for_version(version: tuple[int, int, int]) -> list[str]:
    """The crm_mon command whose output this package reads best on that Pacemaker."""
    if version >= (2, 0, 3):
        return list(CRM_MON_XML_ARGS)
    if version >= (1, 1, 0):
        return list(CRM_MON_LEGACY_XML_ARGS)
    return list(CRM_MON_TEXT_ARGS)


def parse(text: str) -> ClusterState:
    """Parse either format: XML starts with '<', everything else is treated as text."""
    if text.lstrip().startswith("<"):
        return parse_xml(text)
    return parse_text(text)
