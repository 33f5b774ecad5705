"""`docs/reliability.md` and `docs/bad-input.md` are rendered from the tables the fault and
bad-input tests run (`tests/faults/cases.py`, `tests/unit/bad_input_cases.py`): a page that
differs from its rendering is stale. `python -m tests.faults.gen_reliability` rewrites them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults import gen_reliability


@pytest.mark.parametrize("page", list(gen_reliability.PAGES), ids=lambda p: p.name)
def test_the_page_is_the_rendering_of_the_tests_tables(page: Path) -> None:
    rendered = gen_reliability.PAGES[page]()
    assert page.read_text() == rendered, (
        f"{page.name} is stale: run python -m tests.faults.gen_reliability"
    )


def test_every_fault_and_every_bad_input_has_its_row() -> None:
    from tests.faults.cases import CASES
    from tests.unit.bad_input_cases import CORPUS

    reliability = gen_reliability.render_reliability()
    assert all(f"| {c.fault.replace('|', chr(92) + '|')} |" in reliability for c in CASES)
    bad = gen_reliability.render_bad_input()
    rows = [line for line in bad.splitlines() if line.startswith("| ")]
    assert len(rows) - 2 == len(CORPUS)  # one row each, past the header and its rule


def test_the_pages_are_in_the_nav() -> None:
    mkdocs = (gen_reliability.ROOT / "mkdocs.yml").read_text()
    for page in gen_reliability.PAGES:
        assert f" {page.name}\n" in mkdocs
