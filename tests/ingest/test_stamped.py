"""Live blogs whose posts are headed by times: split on the times, a day back past midnight,
the key-events block and analysis posts never drafted, updated posts merged."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter, table_rows

ARGS = ("--published", "2023-05-12", "--publisher", "Harbour Post")  # a Friday


@pytest.fixture
def result(site: Path, ingest: Callable[..., Run]) -> Run:
    copy_fixture("stamped-text", "article.txt", site)
    run = ingest("article.txt", *ARGS)
    assert run.code == 0, run.err
    return run


def test_each_timed_post_is_one_draft(site: Path, result: Run) -> None:
    assert "live blog of timed posts, published 2023-05-12, 8 posts" in result.out
    assert "8 posts found, 1 duplicate merged, 7 drafts" in result.out
    titles = {front_matter(t)["title"] for t in drafts(site).values()}
    assert "Istanbul talks end without a deal on grain" in titles
    assert "Rail line to Kherson repaired" in titles


def test_key_events_block_and_analysis_post_are_not_drafted(site: Path, result: Run) -> None:
    everything = "\n".join(drafts(site).values())
    assert "Show key events only" not in everything
    assert "Our correspondent weighs up" not in everything
    assert "Updated at" not in everything
    # each key-events line names a post; none becomes a draft of its own
    assert sum(1 for t in drafts(site).values()
               if front_matter(t)["title"].startswith("Missiles")) == 1


def test_updated_post_keeps_the_newest_figures(site: Path, result: Run) -> None:
    [(name, text)] = [(n, t) for n, t in drafts(site).items() if "warehouses" in n]
    assert "20,000 tonnes" in body(text) and "Four dock workers" in body(text)
    assert "Two dock workers" not in body(text)
    assert table_rows(result.out)[name]["merged"] == "2 versions"


@pytest.mark.parametrize(("slug", "day", "how"), [
    ("istanbul-talks", "2023-05-12", "relative"),  # "this afternoon"; "next Tuesday" is ahead
    ("rail-line-to-kherson", "2023-05-12", "weekday"),  # "early on Friday"; "on\nWednesday" is
    ("air-force-says-12-drones", "2023-05-11", "weekday"),  # "late Thursday"
    ("warehouses-in-odesa", "2023-05-12", "relative"),  # "overnight"
    ("zelensky-thanks-nordic", "2023-05-11", "timestamp"),  # 22:15, below a 06:20 post
])
def test_posts_are_dated_by_their_words_or_their_time(site: Path, result: Run, slug: str,
                                                      day: str, how: str) -> None:
    [text] = [t for n, t in drafts(site).items() if slug in n]
    data = front_matter(text)
    assert (data["date"], data["date_from"]) == (dt.date.fromisoformat(day), how)


def test_a_place_that_only_borders_belarus_is_not_tagged_belarus(site: Path, result: Run) -> None:
    [text] = [t for n, t in drafts(site).items() if "school-kitchen" in n]
    assert "belarus" not in front_matter(text)["topics"]
    assert "civilian-life" in front_matter(text)["topics"]


def test_budget_support_is_tagged_aid(site: Path, result: Run) -> None:
    [text] = [t for n, t in drafts(site).items() if "nordic" in n]
    assert front_matter(text)["topics"] == ["aid"]


@pytest.fixture
def markdown_blog(site: Path, ingest: Callable[..., Run]) -> Run:
    copy_fixture("stamped-md", "article.md", site)
    run = ingest("article.md", "--publisher", "Danube Dispatch")  # front matter: 2023-06-20
    assert run.code == 0, run.err
    return run


def test_markdown_blog_of_12_hour_times_with_bylines(site: Path, markdown_blog: Run) -> None:
    assert "live blog of timed posts, published 2023-06-20 (stated in the file), 7 posts, " \
           "left out: a key-events summary" in markdown_blog.out
    authors = {front_matter(t)["title"]: front_matter(t)["sources"][0].get("author")
               for t in drafts(site).values()}
    assert authors["Portugal and Spain promise a further batch of Leopard tanks"] == "Irena Holt"
    assert authors["Grain ship runs aground near Izmail"] == "Dan Mercer"


@pytest.mark.parametrize(("slug", "day", "how", "topics"), [
    ("portugal-and-spain", "2023-06-20", "published", {"aid"}),  # a promise of tanks is aid
    ("warheads", "2023-06-19", "relative", {"belarus", "nuclear"}),  # "yesterday"
    ("minsk-agreements", "2023-06-20", "published", {"diplomacy"}),  # not Belarus
    ("warehouse-district", "2023-06-20", "relative", {"drones", "air-defence"}),  # nobody hurt
    ("izmail", "2023-06-18", "weekday", set()),  # 12.35am, "on Sunday" in a Tuesday blog
    ("emergency-power-cuts", "2023-06-19", "relative", {"energy-grid"}),  # 11.20pm: a day back
    ("brussels-on", "2023-06-19", "timestamp", {"air-defence", "aid", "diplomacy"}),  # future
])
def test_markdown_blog_dates_and_topics(site: Path, markdown_blog: Run, slug: str, day: str,
                                        how: str, topics: set[str]) -> None:
    [text] = [t for n, t in drafts(site).items() if slug in n]
    data = front_matter(text)
    assert (data["date"], data["date_from"]) == (dt.date.fromisoformat(day), how)
    assert set(data["topics"]) == topics


def test_time_and_title_on_one_line_and_posts_without_a_title(
        site: Path, ingest: Callable[..., Run]) -> None:
    copy_fixture("stamped-dash", "article.txt", site)
    run = ingest("article.txt", "--published", "2023-05-23", "--publisher", "Eastern Ledger")
    assert run.code == 0, run.err
    assert "3 posts found, 0 duplicates merged, 3 drafts" in run.out  # key developments: none
    titles = sorted(front_matter(t)["title"] for t in drafts(site).values())
    assert titles == ["A Russian missile hit a printing house in Kharkiv this morning",
                      "Poland announces new ammunition package",
                      "Sirens across the east"]
    [missile] = [t for n, t in drafts(site).items() if "printing-house" in n]
    assert "He said rescue teams were still searching" in body(missile)
    [poland] = [t for n, t in drafts(site).items() if "poland" in n]
    assert "aid" in front_matter(poland)["topics"]  # shells sent, an ammunition package
