"""Plain articles, Markdown and saved HTML pages: recognised from their shape, not their name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter


def test_plain_article_is_one_draft_dated_from_its_own_dateline(site: Path,
                                                                ingest: Callable[..., Run]) -> None:
    copy_fixture("plain", "article.txt", site)
    run = ingest("article.txt", "--publisher", "Lviv Evening Post")  # no --published
    assert run.code == 0, run.err
    assert "plain article, published 2023-01-21 (stated in the file)" in run.out
    [(name, text)] = drafts(site).items()
    data = front_matter(text)
    assert name == "2023-01-20-lviv-bakery-becomes-a-night-shelter-during-power.md"
    assert (data["title"], data["date"]) == ("Lviv bakery becomes a night shelter during power "
                                             "cuts", dt.date(2023, 1, 20))  # "on Friday"
    assert data["sources"] == [{"publisher": "Lviv Evening Post", "author": "Ana Ruiz",
                                "headline": "Lviv bakery becomes a night shelter during power cuts",
                                "published": dt.date(2023, 1, 21)}]
    assert body(text).count("\n\n") == 3  # four paragraphs, byline and dateline left out
    assert "By Ana Ruiz" not in body(text)


def test_markdown_live_blog_reads_front_matter_bold_bylines_and_wrapped_lines(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("markdown", "article.md", site)
    run = ingest("article.md", "--publisher", "Anniversary Wire")
    assert run.code == 0, run.err
    data = front_matter(drafts(site)["2023-02-24-zelensky-thanks-allies-in-anniversary-address.md"])
    assert data["sources"][0] == {
        "publisher": "Anniversary Wire", "author": "Lena Vogt",
        "headline": "Live: Ukraine marks a year of full-scale war",
        "published": dt.date(2023, 2, 24), "url": "https://example.com/live/one-year-on"}
    text = drafts(site)["2023-02-24-zelensky-thanks-allies-in-anniversary-address.md"]
    assert "had kept the country standing, and he asked for faster deliveries" in body(text)
    exiles = drafts(site)["2023-02-23-belarusian-exiles-lay-flowers-in-vilnius.md"]
    assert "in Vilnius yesterday" in body(exiles)  # the link's text, not its address
    assert "https://example.com/vilnius" not in exiles


def test_saved_html_page_skips_scripts_navigation_captions_and_asides(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("html", "article.html", site)
    run = ingest("article.html", "--publisher", "Harbour Post")
    assert run.code == 0, run.err
    assert "live blog, published 2023-03-14 (stated in the file), 3 posts" in run.out
    everything = "\n".join(drafts(site).values())
    for furniture in ("tracking", "Home", "Most read", "recipes", "press office", "\u00a9"):
        assert furniture not in everything
    convoy = front_matter(drafts(site)["2023-03-14-first-convoy-of-the-week-leaves-odesa.md"])
    assert convoy["sources"][0]["author"] == "Nadia Brook"
    assert convoy["sources"][0]["url"] == "https://example.com/live/grain-ships"


def test_html_repeat_by_another_author_is_merged_and_cites_both(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("html", "article.html", site)
    assert ingest("article.html", "--publisher", "Harbour Post").code == 0
    data = front_matter(drafts(site)["2023-03-14-minesweepers-clear-the-shipping-lane.md"])
    assert [s["author"] for s in data["sources"]] == ["Nadia Brook", "Karl Osei"]
