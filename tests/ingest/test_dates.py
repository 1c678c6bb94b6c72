"""Dating an event from its words, against the day the article was published."""

from __future__ import annotations

import datetime as dt

import pytest

from sitegen.ingest.dates import dateline_date, resolve_date

FRIDAY = dt.date(2022, 12, 30)


@pytest.mark.parametrize(("text", "day", "how"), [
    ("Officials said the strike on Thursday hit a depot.", "2022-12-29", "weekday"),
    ("The depot was hit on Friday.", "2022-12-30", "weekday"),  # the publication day itself
    ("The depot was hit last Friday.", "2022-12-23", "weekday"),
    ("In Monday's strike a depot burned.", "2022-12-26", "weekday"),
    ("Officials gave an update today.", "2022-12-30", "relative"),
    ("A depot burned yesterday.", "2022-12-29", "relative"),
    ("Drones were downed overnight.", "2022-12-30", "relative"),
    ("A depot burned last night.", "2022-12-29", "relative"),
    ("Sirens sounded this morning.", "2022-12-30", "relative"),
    ("The depot was hit last week.", "2022-12-23", "relative"),
    ("The depot was hit two days ago.", "2022-12-28", "relative"),
    ("Figures as of Dec. 28 were released this morning.", "2022-12-28", "explicit"),
    ("The depot burned on December 27, 2022, officials said.", "2022-12-27", "explicit"),
    ("The depot burned on 27 December.", "2022-12-27", "explicit"),
    ("Officials said today that yesterday's fire is out.", "2022-12-29", "relative"),
    ("Talks will resume on Tuesday in Geneva.", "2022-12-30", "published"),  # future
    ("Talks resume next Tuesday.", "2022-12-30", "published"),
    ("They cited a statement dated January 3, 2022.", "2022-12-30", "published"),  # background
    ("The plant has been idle since December 2.", "2022-12-30", "published"),
    ("A pact signed on March 3, 2014 still holds.", "2022-12-30", "published"),  # years back
    ("The talks have run since February.", "2022-12-30", "published"),
    ("A quiet day on the front.", "2022-12-30", "published"),
])
def test_body_cue_resolves_against_the_publication_date(text: str, day: str, how: str) -> None:
    assert resolve_date("A title", [text], FRIDAY) == (dt.date.fromisoformat(day), how)


def test_a_month_day_without_year_is_the_latest_one_not_after_publication() -> None:
    assert resolve_date("", ["Fighting on Dec. 31 was heavy."], dt.date(2023, 1, 2)) == (
        dt.date(2022, 12, 31), "explicit")


def test_the_title_cue_wins_over_the_body() -> None:
    title = "Sixteen drones shot down overnight"
    body = ["Air defences downed them last night and this morning."]
    assert resolve_date(title, body, FRIDAY) == (FRIDAY, "relative")


def test_the_lede_wins_over_later_paragraphs() -> None:
    paragraphs = ["The council met on Wednesday.", "Members argued for hours.",
                  "It was formed on December 20."]
    assert resolve_date("", paragraphs, FRIDAY) == (dt.date(2022, 12, 28), "weekday")


@pytest.mark.parametrize(("text", "day"), [
    ("Published 19 December 2022", "2022-12-19"),
    ("Updated: Monday, Dec. 19, 2022 10:04 am ET", "2022-12-19"),
    ("2022-12-19", "2022-12-19"),
    ("December 19, 2022", "2022-12-19"),
])
def test_dateline_gives_the_publication_date(text: str, day: str) -> None:
    assert dateline_date(text) == dt.date.fromisoformat(day)


@pytest.mark.parametrize("text", ["Dec. 19", "On December 19, 2022 the talks began.", "Minsk"])
def test_a_sentence_or_a_date_without_year_is_no_dateline(text: str) -> None:
    assert dateline_date(text) is None
