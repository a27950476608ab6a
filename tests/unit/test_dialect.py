"""Pacemaker's words per version: what a CIB and the tools of each release accept."""

from __future__ import annotations

import pytest

from pytest_hacluster import dialect


@pytest.mark.parametrize(("version", "promoted", "flag", "xml"), [
    ((1, 1, 24), "Master", "--master", False),
    ((2, 0, 5), "Master", "--master", False),  # Debian 11
    ((2, 1, 0), "Promoted", "--promoted", True),
    ((2, 1, 5), "Promoted", "--promoted", True),  # Debian 12
    # Debian 13: the old words are gone; crm_simulate's XML lacks the revised status
    ((3, 0, 0), "Promoted", "--promoted", False),
])
def test_words_follow_the_version(version: tuple[int, int, int], promoted: str, flag: str,
                                  xml: bool) -> None:
    words = dialect.for_version(version)
    assert (words.promoted_role, words.move_promoted_flag, words.simulate_xml) == (
        promoted, flag, xml)
    assert words.unpromoted_role == {"Master": "Slave", "Promoted": "Unpromoted"}[promoted]


def test_pacemaker_1_0_is_refused_naming_the_version() -> None:
    with pytest.raises(ValueError, match=r"Pacemaker 1\.0\.13: promotable clones are <master>"):
        dialect.for_version((1, 0, 13))
