"""Each fixture article produces exactly the drafts (and the report) kept beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.conftest import FIXTURES, TAXONOMY, drafts
from tests.ingest.regen import CASES, run_case


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_article_produces_the_expected_drafts_byte_for_byte(case: str, site: Path) -> None:
    code, out = run_case(case, site)
    expected = FIXTURES / case / "expected"
    want = {p.name: p.read_text(encoding="utf-8") for p in sorted(expected.glob("*.md"))}
    assert code == 0
    assert want, f"{expected} holds no drafts"
    assert drafts(site) == want, "regenerate with `python -m tests.ingest.regen` and review"
    assert out == (expected / "report.txt").read_text(encoding="utf-8")


def test_expected_drafts_are_entries_the_build_accepts_as_drafts() -> None:
    from sitegen.load import parse_entry

    files = sorted(FIXTURES.glob("*/expected/*.md"))
    assert len(files) >= 20
    for path in files:
        outcome = parse_entry(path, path.read_bytes(), frozenset(TAXONOMY))
        assert outcome.entry is not None, outcome.problems
        assert (outcome.problems, outcome.warnings) == ((), ()), path
        assert outcome.entry.draft is True
