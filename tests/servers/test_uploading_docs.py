"""The examples of docs/uploading.md run against the local server they start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests._examples import run_example

pytestmark = pytest.mark.servers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "uploading"
PAGE = ROOT / "docs" / "uploading.md"


def test_the_page_shows_every_example() -> None:
    included = set(re.findall(r'--8<-- "examples/uploading/([\w.]+)"', PAGE.read_text()))
    assert included == {p.name for p in EXAMPLES.glob("*.py")}


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(name: str) -> None:
    run_example(EXAMPLES / name)
