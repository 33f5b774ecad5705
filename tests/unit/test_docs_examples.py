"""The examples of docs/testing-your-code.md run: the page includes them from
examples/testing/, and these tests run every one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests._examples import run_example

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "testing"
PAGE = ROOT / "docs" / "testing-your-code.md"
OFFLINE = ["mock_transport.py", "stubber.py", "fault_transport.py"]


def test_the_page_shows_every_example() -> None:
    included = set(re.findall(r'--8<-- "examples/testing/([\w.]+)"', PAGE.read_text()))
    assert included == {p.name for p in EXAMPLES.glob("*.py")}


@pytest.mark.parametrize("name", OFFLINE)
def test_offline_example_runs(name: str) -> None:
    run_example(EXAMPLES / name)
