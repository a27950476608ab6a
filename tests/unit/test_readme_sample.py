"""The README's sample description is accepted as written (a new user's first copy of it):
every ``toml`` block of the README that holds a ``[tool.hacluster]`` table loads."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from pytest_hacluster import config

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKS = [b for b in re.findall(r"```toml\n(.*?)```", README.read_text(), re.S)
          if b.lstrip().startswith("[tool.hacluster]")]


def test_the_readme_has_a_whole_sample_description() -> None:
    assert any("[tool.hacluster.nodes.s1]" in b for b in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_a_readme_sample_description_loads_as_written(block: str) -> None:
    config.from_mapping(tomllib.loads(block)["tool"]["hacluster"])
