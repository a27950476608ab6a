"""The CIB configuration a run started with, and what has changed in it since.

A fault that changes the configuration (a ping check, a resource option) removes its change
when undone; one whose injection failed half-way, or a test stopped mid-fault on a kept lab,
can leave it behind, and every later test then runs a cluster that is no longer the described
one (seen in CI: a ping clone left by a failed ping check made the next test's failback differ
from the scheduler's prediction). ``Snapshot`` keeps the sections a test may change, and
``differences`` names what differs, for ``Cluster.clean`` to report and ``Cluster.repair``
to restore (``cibadmin --replace --scope SECTION``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

# The configuration sections a test may change (Pacemaker Explained, "Configuration Layout").
# crm_config is left out: Pacemaker writes its own entries there (dc-version, last-lrm-refresh).
SECTIONS = ("resources", "constraints", "rsc_defaults", "op_defaults")


class ConfigurationError(ValueError):
    """The CIB text is not a configuration this module can read."""


def _normalised(section: ET.Element) -> ET.Element:
    """A copy without what means nothing: ``target-role=Started`` (the default role, which
    ``crm resource start`` writes) and ``crm resource move/ban`` constraints (``cli-*``, which
    ``Cluster.clean`` names and clears on its own)."""
    copy = ET.fromstring(ET.tostring(section))
    for parent in list(copy.iter()):
        for child in list(parent):
            default_role = child.tag == "nvpair" and child.get("name") == "target-role" \
                and child.get("value") == "Started"
            move = parent is copy and section.tag == "constraints" \
                and (child.get("id") or "").startswith("cli-")
            if default_role or move:
                parent.remove(child)
    for parent in list(copy.iter()):
        for child in list(parent):  # meta_attributes emptied by the removal above
            if child.tag == "meta_attributes" and len(child) == 0:
                parent.remove(child)
    for element in copy.iter():
        element.tail = None
        if element.text is not None and not element.text.strip():
            element.text = None
    return copy


@dataclass(frozen=True)
class Snapshot:
    """The ``SECTIONS`` of one configuration: section name -> its XML as Pacemaker wrote it,
    and the normalised XML the comparison uses."""

    raw: dict[str, str]
    normal: dict[str, str]

    @classmethod
    def from_cib(cls, text: str) -> Snapshot:
        """From ``cibadmin --query --scope configuration`` (or a whole CIB). A missing
        section is an empty one (Pacemaker leaves out rsc_defaults nobody set).
        ``ConfigurationError`` for text that is not XML or has no ``<configuration>``."""
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ConfigurationError(f"the CIB configuration is not XML: {exc}") from None
        config = root if root.tag == "configuration" else root.find("configuration")
        if config is None:
            raise ConfigurationError(f"no <configuration> in the CIB text (root <{root.tag}>)")
        raw: dict[str, str] = {}
        normal: dict[str, str] = {}
        for name in SECTIONS:
            section = config.find(name)
            if section is None:
                section = ET.Element(name)
            raw[name] = ET.tostring(section, encoding="unicode")
            normal[name] = ET.tostring(_normalised(section), encoding="unicode")
        return cls(raw, normal)

    @property
    def move_constraints(self) -> list[str]:
        """Ids of the constraints ``crm resource move/ban`` left (``cli-prefer-*``,
        ``cli-ban-*``), which the comparison leaves out."""
        return [c.get("id", "") for c in ET.fromstring(self.raw["constraints"])
                if (c.get("id") or "").startswith("cli-")]

    def differences(self, now: Snapshot) -> dict[str, list[str]]:
        """Section -> what differs in ``now`` from this snapshot, in words (``extra clone
        ping_gw_clone``, ``missing primitive httpd``, ``changed group web``); sections that
        are the same are left out."""
        out: dict[str, list[str]] = {}
        for name in SECTIONS:
            if self.normal[name] == now.normal[name]:
                continue
            before = _children(self.normal[name])
            after = _children(now.normal[name])
            words = [f"extra {after[i][0]} {i}" for i in after if i not in before]
            words += [f"missing {before[i][0]} {i}" for i in before if i not in after]
            words += [f"changed {after[i][0]} {i}" for i in after
                      if i in before and after[i][1] != before[i][1]]
            out[name] = words or ["changed order"]
        return out


def _children(xml: str) -> dict[str, tuple[str, str]]:
    """Top-level elements of a section: id -> (tag, XML)."""
    return {
        child.get("id", f"<{child.tag}>#{n}"): (child.tag, ET.tostring(child, encoding="unicode"))
        for n, child in enumerate(ET.fromstring(xml))
    }
