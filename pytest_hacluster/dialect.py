"""The words one Pacemaker version's CIB and command-line tools use for the same thing.

Pure: a version in, words out; the version comes from ``crm_mon --version``
(``crm_status.parse_version``). Reading crm_mon output needs none of this (``crm_status`` maps
every version's role names to 2.1's); writing a CIB or a command does.

Where the differences come from (Pacemaker's ChangeLog):
- 2.1.0 renamed the promotable roles ``Master`` / ``Slave`` to ``Promoted`` / ``Unpromoted`` in
  the CIB schema (pacemaker-3.7) and replaced ``crm_resource --master`` with ``--promoted``;
  a 2.0 CIB refuses ``role="Promoted"`` and 2.0's crm_resource has no ``--promoted``.
- crm_simulate's XML is usable on 2.1 only (measured on Debian's builds): 2.0.5's help lists no
  ``--output-as``, and 3.0.0's ``--simulate --output-as=xml`` prints the input status and the
  modifications but no transition and no revised status (its text output has both). There the
  simulated result is read from the CIB it saves (``--save-output``) with
  ``crm_mon --output-as=xml``, which 2.0.3 and later have.
- 3.0.0 dropped the old words: ``role="Master"`` no longer validates (schema 4.0) and
  ``crm_resource --master`` is gone; ``crm_mon --as-xml`` too (``crm_status`` uses
  ``--output-as=xml`` from 2.0.3 on).
"""

from __future__ import annotations

from dataclasses import dataclass

Version = tuple[int, int, int]


@dataclass(frozen=True)
class Dialect:
    """Role names as a CIB of this version takes them, and crm_resource's flag for them."""

    promoted_role: str
    unpromoted_role: str
    move_promoted_flag: str  # crm_resource --move ... FLAG: the Promoted role only
    simulate_xml: bool  # crm_simulate --output-as=xml exists


PACEMAKER_2_0 = Dialect("Master", "Slave", "--master", simulate_xml=False)
PACEMAKER_2_1 = Dialect("Promoted", "Unpromoted", "--promoted", simulate_xml=True)
PACEMAKER_3_0 = Dialect("Promoted", "Unpromoted", "--promoted", simulate_xml=False)


def for_version(version: Version) -> Dialect:
    """The dialect of Pacemaker ``version`` (1.1 and 2.0 share 2.0's words).

    Raises ValueError naming the version for 1.0 and older, whose promotable clones are
    ``<master>`` resources that this dialect does not write.
    """
    if version >= (3, 0, 0):
        return PACEMAKER_3_0
    if version >= (2, 1, 0):
        return PACEMAKER_2_1
    if version >= (1, 1, 0):
        return PACEMAKER_2_0
    raise ValueError(
        f"Pacemaker {'.'.join(map(str, version))}: promotable clones are <master> resources "
        "there (1.0), which this project does not write"
    )


__all__ = ["PACEMAKER_2_0", "PACEMAKER_2_1", "PACEMAKER_3_0", "Dialect", "for_version"]
