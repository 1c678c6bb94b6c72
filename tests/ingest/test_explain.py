"""`--explain` shows which lines became which draft and which were left out and why; `-` reads
standard input and tells its format from the text; each draft row names its matched words."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import FIXTURES, Run, copy_fixture, drafts, front_matter


def test_explain_maps_lines_to_drafts_and_gives_each_drop_a_reason(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("stamped-text", "article.txt", site)
    run = ingest("article.txt", "--published", "2023-05-12", "--publisher", "Harbour Post",
                 "--dry-run", "--explain")
    assert run.code == 0, run.err
    lines = run.out.split("article.txt: how it was split\n", 1)[1].splitlines()
    assert "  5-9    dropped (key-events): a \u201cKey events\u201d summary of posts below; " \
           "never drafted" in lines
    assert any(line.startswith("  10 ") and "(boilerplate)" in line for line in lines)
    assert any(line.startswith("  12-18  post 1 [16:40 GMT]") and line.endswith(
        "-> 2023-05-12-istanbul-talks-end-without-a-deal-on-grain.md") for line in lines)
    assert any(line.startswith("  42-46  post 5 [09:30 GMT]") and "(merged: a repeat" in line
               for line in lines)
    assert any(line.startswith("  61-65  dropped (commentary)") for line in lines)
    assert not (site / "content" / "drafts").exists()


def test_explain_names_opinion_sections_datelines_and_furniture(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("sections-paragraphs", "article.md", site)
    copy_fixture("page-roundup", "article.html", site)
    run = ingest("article.md", "article.html", "--publisher", "P", "--dry-run", "--explain")
    assert run.code == 0, run.err
    assert "dropped (commentary): the \u201cAnalysis\u201d section is opinion, not news" in run.out
    assert "dropped (commentary): the \u201cLetters\u201d section is opinion, not news" in run.out
    assert "dropped (intro): a greeting" in run.out
    assert "dropped (dateline): \u201cKYIV, Ukraine (North Sea Wire) \u2014\u201d" in run.out
    assert "dropped (boilerplate): not in the page's main text" in run.out


def test_report_row_names_the_words_each_topic_matched(site: Path,
                                                       ingest: Callable[..., Run]) -> None:
    copy_fixture("sections-md", "article.md", site)
    run = ingest("article.md", "--published", "2023-09-08", "--publisher", "P", "--dry-run")
    row = next(line for line in run.out.splitlines() if "european-union-released" in line)
    assert row.endswith("aid (released 1.5 billion, budget support), economy (euros)")


@pytest.mark.parametrize(("case", "name", "read_as"), [
    ("stamped-md", "article.md", "live blog of timed posts, published 2023-06-20 (stated in the "
                                 "file), 7 posts"),
    ("page-single", "article.html", "plain article, published 2023-11-27 (stated in the file)"),
    ("plain-dateline", "article.txt", "plain article, published 2023-03-14"),
])
def test_standard_input_is_read_and_its_format_told_from_the_text(
        site: Path, ingest: Callable[..., Run], monkeypatch: pytest.MonkeyPatch, case: str,
        name: str, read_as: str) -> None:
    data = (FIXTURES / case / name).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    run = ingest("-", "--published", "2023-03-14", "--publisher", "P") if case == \
        "plain-dateline" else ingest("-", "--publisher", "P")
    assert run.code == 0, run.err
    assert f"<stdin>: {read_as}" in run.out
    assert drafts(site)
    for text in drafts(site).values():
        assert front_matter(text)["draft"] is True


def test_empty_standard_input_is_a_clear_error(site: Path, ingest: Callable[..., Run],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n\n")))
    run = ingest("-", "--published", "2023-03-14", "--publisher", "P")
    assert run.code == 1
    assert run.err.splitlines() == ["error: <stdin>:1: the file is empty; pass a file that "
                                    "holds the article's text", "1 error; nothing was written"]
