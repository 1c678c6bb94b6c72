"""Markdown briefings in `##` sections: wrapped bullets with bold lead-ins are items, the
opinion section is never drafted, section labels and greetings are not events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter

ARGS = ("--published", "2023-09-08", "--publisher", "The Morning Ledger")  # a Friday


@pytest.fixture
def result(site: Path, ingest: Callable[..., Run]) -> Run:
    copy_fixture("sections-md", "article.md", site)
    run = ingest("article.md", *ARGS)
    assert run.code == 0, run.err
    return run


def test_each_bullet_of_each_news_section_is_one_draft(site: Path, result: Run) -> None:
    assert "briefing in sections, published 2023-09-08, 6 detailed items" in result.out
    assert len(drafts(site)) == 6


def test_opinion_section_and_greeting_are_not_drafted(site: Path, result: Run) -> None:
    everything = "\n".join(drafts(site).values())
    for words in ("columnist", "Readers write", "Good morning", "On the ground"):
        assert words not in everything


def test_wrapped_bullet_is_one_paragraph_without_its_markup(site: Path, result: Run) -> None:
    [text] = [t for n, t in drafts(site).items() if "kharkiv" in n]
    assert "Kharkiv struck again: A Russian missile hit an apartment block in Kharkiv late " \
           "Thursday, killing two people" in body(text)
    assert "**" not in body(text)


@pytest.mark.parametrize(("slug", "day", "topics"), [
    ("pushed-russian-troops", "2023-09-06", {"frontline"}),  # "on Wednesday", a Friday paper
    ("apartment-block-in-kharkiv", "2023-09-07", {"strikes", "casualties"}),  # "late Thursday"
    ("euros-of", "2023-09-07", {"aid", "economy"}),  # "yesterday"; budget support is aid
    ("joint-package", "2023-09-07", {"aid"}),  # a package of vehicles, on Thursday
    ("downed-21", "2023-09-08", {"drones", "air-defence"}),  # "overnight"
    ("black-sea-states", "2023-09-08", {"diplomacy"}),  # "next Tuesday" is ahead: no date
])
def test_items_are_dated_and_tagged(site: Path, result: Run, slug: str, day: str,
                                    topics: set[str]) -> None:
    [text] = [t for n, t in drafts(site).items() if slug in n]
    data = front_matter(text)
    assert data["date"] == dt.date.fromisoformat(day)
    assert set(data["topics"]) == topics


def test_sections_of_paragraphs_with_labels_are_items_and_analysis_is_dropped(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("sections-paragraphs", "article.md", site)
    run = ingest("article.md", "--publisher", "The Kyiv Letter")  # front matter: a Thursday
    assert run.code == 0, run.err
    assert "briefing in sections, published 2023-10-19 (stated in the file), 4 detailed items, " \
           "left out: opinion" in run.out
    days = {front_matter(t)["title"]: front_matter(t)["date"] for t in drafts(site).values()}
    assert days == {
        "Russian forces kept up assaults on the industrial zone north of Avdiivka on Wednesday":
            dt.date(2023, 10, 18),
        "The navy said a sea drone damaged a Russian patrol boat near Crimea early on Thursday":
            dt.date(2023, 10, 19),
        "Ukrenergo finished repairing two high-voltage lines in the Sumy region yesterday; power "
        "was restored to 30,000 households": dt.date(2023, 10, 18),  # one event: one draft
        "Grain exports through the new Black Sea route reached four million tonnes in the first "
        "month": dt.date(2023, 10, 17)}
    everything = "\n".join(drafts(site).values())
    assert "symbolic win" not in everything and "Sir, your report" not in everything


def test_bold_lead_in_bullets_are_items_and_the_summary_is_not_drafted(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("sections-leadins", "article.md", site)
    run = ingest("article.md", "--published", "2023-05-24", "--publisher", "Ukraine Daily")
    assert run.code == 0, run.err
    assert "3 detailed items, left out: opinion and a summary" in run.out
    data = {front_matter(t)["title"][:20]: front_matter(t) for t in drafts(site).values()}
    assert set(data) == {"Russian forces attac", "Shelling damaged a h", "Brussels paid out 1."}
    assert data["Russian forces attac"]["date"] == dt.date(2023, 5, 23)  # "on Tuesday;"
    assert data["Shelling damaged a h"]["date"] == dt.date(2023, 5, 24)  # "overnight"
    assert "aid" in data["Brussels paid out 1."]["topics"]  # 1.5 billion euros paid out
    assert "The long haul" not in "\n".join(drafts(site).values())  # the bold **Opinion** line
