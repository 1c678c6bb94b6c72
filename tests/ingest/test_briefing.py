"""A briefing: commentary above it dropped, one draft per detailed item, uncovered headlines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter, table_rows


@pytest.fixture
def result(site: Path, ingest: Callable[..., Run]) -> Run:
    copy_fixture("briefing", "article.txt", site)
    run = ingest("article.txt", "--published", "2023-03-10", "--publisher", "The Morning Ledger")
    assert run.code == 0, run.err
    return run


def titles(site: Path) -> set[str]:
    return {str(front_matter(text)["title"]) for text in drafts(site).values()}


def test_reader_commentary_above_the_article_is_dropped(site: Path, result: Run) -> None:
    assert "reader commentary on lines 1-3 dropped" in result.out
    everything = "\n".join(drafts(site).values())
    assert "ceasefire chatter" not in everything
    assert "Minsk is neutral" not in everything


def test_one_draft_per_detailed_item_plus_uncovered_headlines(site: Path, result: Run) -> None:
    assert "6 detailed items, 6 one-line headlines (4 covered by an item)" in result.out
    assert len(drafts(site)) == 8
    assert {"Volunteers in Lviv open a winter shelter for displaced people",
            "Scientists count the war's toll on Black Sea dolphins"} <= titles(site)


def test_headlines_a_detailed_item_covers_are_not_drafted(site: Path, result: Run) -> None:
    for covered in ("Ukraine and Moldova sign an energy pact",
                    "Odesa port reopens one berth after a drone strike",
                    "Poland pledges a third package of military aid"):
        assert covered not in titles(site)


def test_summary_lead_reported_by_the_items_is_not_drafted(site: Path, result: Run) -> None:
    assert "lead left out (the posts report it)" in result.out
    assert not [t for t in drafts(site).values() if body(t).startswith("Ukraine and Moldova")]


def test_untitled_items_are_titled_from_their_first_sentence(site: Path, result: Run) -> None:
    assert {
        # ", according to a joint statement" is cut
        "The energy ministers of Ukraine and Moldova signed the power agreement in Chisinau on "
        "Thursday",
        # ", including ..., its defence minister said on Friday" is cut
        "Poland will send a third package of military aid",
        # an item that opens with a quote is titled by who said it
        "A Belarusian prosecutor told the court, which sentenced two rail workers in Gomel to "
        "long prison terms",
    } <= titles(site)


@pytest.mark.parametrize(("slug", "day", "how"), [
    ("energy-ministers", "2023-03-09", "weekday"),  # "on Thursday", published on a Friday
    ("poland-will-send", "2023-03-10", "weekday"),  # "on Friday": the day itself
    ("russias-defence-ministry", "2023-03-10", "relative"),  # "overnight"
    ("new-exchange-of-prisoners", "2023-03-10", "published"),  # "dated November 2", "since"
    ("port-authorities-in-odesa", "2023-03-10", "published"),  # reopened *after* Thursday's
    ("scientists-count", "2023-03-10", "published"),
])
def test_items_are_dated_against_the_publication_date(site: Path, result: Run, slug: str,
                                                      day: str, how: str) -> None:
    [name] = [n for n in drafts(site) if slug in n]
    assert (table_rows(result.out)[name]["date"], table_rows(result.out)[name]["date_from"]) == (
        day, how)
    data = front_matter(drafts(site)[name])
    assert data["date"] == dt.date.fromisoformat(day)


def test_a_briefing_without_a_title_is_cited_by_its_first_headline(site: Path,
                                                                   result: Run) -> None:
    for text in drafts(site).values():
        source = front_matter(text)["sources"][0]
        assert source["headline"] == "Ukraine and Moldova sign an energy pact"
        assert "author" not in source  # a briefing has no bylines
