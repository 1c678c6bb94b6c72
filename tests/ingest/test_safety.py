"""Never clobber a file without --force; same input, same bytes; bad input: one line, no writes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import Run, copy_fixture, drafts

ARGS = ("--published", "2023-02-15", "--publisher", "The Daily Courier")
LEAD_DRAFT = "2023-02-15-city-officials-said-on-wednesday-that-schools.md"


@pytest.fixture
def article(site: Path) -> str:
    copy_fixture("liveblog", "article.txt", site)
    return "article.txt"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_dry_run_prints_the_table_and_writes_nothing(site: Path, article: str,
                                                     ingest: Callable[..., Run]) -> None:
    run = ingest(article, *ARGS, "--dry-run")
    assert run.code == 0
    assert "Dry run: nothing written; 11 drafts would go to content/drafts/" in run.out
    assert "2023-02-14-three-killed-in-tuesdays-strike-on-zaporizhzhia.md" in run.out
    assert not (site / "content" / "drafts").exists()


def test_running_twice_writes_the_same_bytes_and_reports_them_unchanged(
        site: Path, article: str, ingest: Callable[..., Run]) -> None:
    assert ingest(article, *ARGS).code == 0
    first = snapshot(site / "content")
    again = ingest(article, *ARGS)
    assert again.code == 0
    assert "0 drafts written to content/drafts/ (0 new, 0 replaced, 11 unchanged)" in again.out
    assert snapshot(site / "content") == first
    assert ingest(article, *ARGS, "--force").code == 0
    assert snapshot(site / "content") == first


def test_edited_draft_is_not_overwritten_without_force(site: Path, article: str,
                                                       ingest: Callable[..., Run]) -> None:
    assert ingest(article, *ARGS).code == 0
    edited = site / "content" / "drafts" / LEAD_DRAFT
    edited.write_text("my own words\n", encoding="utf-8")
    before = snapshot(site / "content")
    run = ingest(article, *ARGS)
    assert run.code == 1
    assert (f"error: article.txt:5: content/drafts/{LEAD_DRAFT} already exists and differs "
            "(edited?); pass --force to replace it") in run.err
    assert snapshot(site / "content") == before
    forced = ingest(article, *ARGS, "--force")
    assert forced.code == 0
    assert "(0 new, 1 replaced, 10 unchanged)" in forced.out
    assert edited.read_text(encoding="utf-8") != "my own words\n"


def test_curated_entry_with_the_same_slug_blocks_the_draft(site: Path, article: str,
                                                           ingest: Callable[..., Run]) -> None:
    entry = site / "content" / "entries" / "2023" / "2023-02-14-power-cuts-scheduled-in-four-" \
        "regions.md"
    entry.parent.mkdir(parents=True)
    entry.write_text("---\ntitle: Curated\ndate: 2023-02-13\n---\nOurs.\n", encoding="utf-8")
    run = ingest(article, *ARGS)
    assert run.code == 1
    assert ("already curated as content/entries/2023/2023-02-14-power-cuts-scheduled-in-four-"
            "regions.md (same slug)") in run.err
    assert not (site / "content" / "drafts").exists()
    assert ingest(article, *ARGS, "--force").code == 0
    assert entry.read_text(encoding="utf-8").endswith("Ours.\n")


def test_curated_entry_moved_to_another_date_still_blocks_its_draft(
        site: Path, article: str, ingest: Callable[..., Run]) -> None:
    entry = site / "content" / "entries" / "2023-02-13-power-cuts-scheduled-in-four-regions.md"
    entry.write_text("---\ntitle: Curated\ndate: 2023-02-13\n---\nOurs.\n", encoding="utf-8")
    run = ingest(article, *ARGS)
    assert run.code == 1
    assert "article.txt:" in run.err and "(same slug)" in run.err


@pytest.mark.parametrize(("name", "content", "message"), [
    ("empty.txt", b"  \n\n", "empty.txt:1: the file is empty; pass a file that holds the "
                             "article's text"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "photo.txt: is a binary file, not an "
                                                    "article; pass the article as a .txt, .md "
                                                    "or .html file"),
    ("latin.txt", "Headline\n\nCaf\u00e9 reopens".encode("latin-1"),
     "latin.txt:3: is not UTF-8 text; re-save the article as UTF-8"),
    ("furniture.txt", b"Credit: Reuters\n\nSource: Read Full Article\n",
     "furniture.txt:1: no article text found besides credits and links; pass the file that "
     "holds the article"),
])
def test_bad_file_gets_one_line_naming_it_and_the_fix(site: Path, ingest: Callable[..., Run],
                                                      name: str, content: bytes,
                                                      message: str) -> None:
    (site / name).write_bytes(content)
    run = ingest(name, *ARGS)
    assert run.code == 1
    assert run.err.splitlines() == [f"error: {message}", "1 error; nothing was written"]
    assert run.out == ""


def test_unreadable_path_is_named_with_the_fix(site: Path, ingest: Callable[..., Run]) -> None:
    run = ingest("missing.txt", *ARGS)
    assert run.code == 1
    assert run.err.splitlines()[0] == ("error: missing.txt: cannot read it (No such file or "
                                       "directory); check the path and its permissions")
    (site / "folder").mkdir()
    assert "folder: is a folder, not an article" in ingest("folder", *ARGS).err


def test_missing_published_date_is_an_error_when_the_text_states_none(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("plain", "no-date.txt", site)
    run = ingest("no-date.txt", "--publisher", "River Gazette")
    assert run.code == 1
    assert run.err.splitlines()[0] == ("error: no-date.txt:1: no publication date: the text "
                                       "states none; pass --published YYYY-MM-DD")
    assert ingest("no-date.txt", "--publisher", "River Gazette",
                  "--published", "2023-04-03").code == 0


def test_every_bad_file_is_reported_and_nothing_is_written(site: Path, article: str,
                                                           ingest: Callable[..., Run]) -> None:
    (site / "empty.md").write_text("", encoding="utf-8")
    run = ingest(article, "empty.md", "missing.html", *ARGS)
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[-1] == "2 errors; nothing was written"
    assert lines[0].startswith("error: empty.md:1: the file is empty")
    assert lines[1].startswith("error: missing.html: cannot read it")
    assert drafts(site) == {} and not (site / "content" / "drafts").exists()


def test_malformed_published_option_is_a_usage_error(site: Path, article: str,
                                                      ingest: Callable[..., Run]) -> None:
    with pytest.raises(SystemExit) as exit_:
        ingest(article, "--published", "30/12/2022", "--publisher", "X")
    assert exit_.value.code == 2


def test_out_option_chooses_the_drafts_folder(site: Path, article: str,
                                              ingest: Callable[..., Run]) -> None:
    run = ingest(article, *ARGS, "--out", "review")
    assert run.code == 0
    assert "11 drafts written to review/" in run.out
    assert len(list((site / "review").glob("*.md"))) == 11
    assert not (site / "content" / "drafts").exists()
