"""Saved news pages: the main text only (no banner, advert, caption, sidebar or footer), the
publication date from the page's metadata, the dateline left out, a roundup split by paragraph."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter

FURNITURE = ("cookies", "Accept all", "Share on", "Copy link", "Advertisement", "SkyDeals",
             "Firefighters work", "Related coverage", "Wagner fighters", "All rights reserved",
             "Most read", "Sign up", "Subscribe", "WhatsApp", "morning briefing",
             "North Sea Wire) \u2014", "ZAPORIZHZHIA, Ukraine")


def run_page(case: str, publisher: str, site: Path, ingest: Callable[..., Run]) -> Run:
    copy_fixture(case, "article.html", site)
    run = ingest("article.html", "--publisher", publisher)  # no --published: the page says
    assert run.code == 0, run.err
    return run


@pytest.mark.parametrize(("case", "publisher"), [("page-roundup", "North Sea Wire"),
                                                 ("page-single", "Riverside Herald")])
def test_page_furniture_never_reaches_a_draft_or_its_topics(
        site: Path, ingest: Callable[..., Run], case: str, publisher: str) -> None:
    run = run_page(case, publisher, site, ingest)
    assert "left out: page furniture" in run.out
    everything = "\n".join(drafts(site).values())
    for furniture in FURNITURE:
        assert furniture not in everything, furniture
    for text in drafts(site).values():  # the sidebars and menus name Belarus, Minsk, Lukashenko
        assert "belarus" not in front_matter(text)["topics"]


def test_roundup_is_one_draft_per_event_dated_from_json_ld(site: Path,
                                                           ingest: Callable[..., Run]) -> None:
    run = run_page("page-roundup", "North Sea Wire", site, ingest)
    assert "news roundup, published 2023-08-17 (stated in the file)" in run.out  # JSON-LD
    days = {front_matter(t)["title"][:24]: front_matter(t)["date"] for t in drafts(site).values()}
    assert days == {"Russian drones struck gr": dt.date(2023, 8, 17),  # overnight
                    "The Netherlands and Denm": dt.date(2023, 8, 17),  # on Thursday
                    "Ukraine's military said ": dt.date(2023, 8, 16),  # on Wednesday
                    "Russia's central bank ra": dt.date(2023, 8, 15)}  # on Tuesday
    [silos] = [t for n, t in drafts(site).items() if "silos" in n]
    assert "He said no one was killed" in body(silos)  # a paragraph that goes on is kept with it
    assert "casualties" not in front_matter(silos)["topics"]  # "no one was killed"
    assert front_matter(silos)["sources"][0]["author"] == "Jonas Berg"


def test_single_event_page_is_one_draft_dated_by_its_event(site: Path,
                                                           ingest: Callable[..., Run]) -> None:
    run = run_page("page-single", "Riverside Herald", site, ingest)
    assert "plain article, published 2023-11-27 (stated in the file)" in run.out
    [(name, text)] = drafts(site).items()
    data = front_matter(text)
    assert name == "2023-11-26-power-returns-to-zaporizhzhia-villages-after-six.md"  # Sunday
    assert data["date_from"] == "weekday"  # "on Nov. 20" and "in September" are background
    assert "energy-grid" in data["topics"]
    assert body(text).startswith("Electricity was restored")  # the dateline is not the news
    assert data["sources"][0]["author"] == "Oksana Varga"


def test_live_blog_page_splits_on_its_time_headers(site: Path,
                                                   ingest: Callable[..., Run]) -> None:
    run = run_page("page-liveblog", "Eastern Ledger", site, ingest)
    assert "live blog of timed posts, published 2024-02-06 (stated in the file), 4 posts, lead " \
           "left out (the posts report it), left out: page furniture and a key-events summary" \
           in run.out  # the standfirst sums up two posts, a clause each
    titles = {front_matter(t)["title"]: front_matter(t) for t in drafts(site).values()}
    assert set(titles) == {"Japan sets aside money for demining equipment",
                           "Parliament extends martial law by ninety days",
                           "Germany's chancellor meets Baltic leaders",
                           "Two injured as shells hit Sumy"}
    baltic = titles["Germany's chancellor meets Baltic leaders"]
    assert (baltic["date"], baltic["topics"]) == (dt.date(2024, 2, 5), ["diplomacy"])  # Monday
    assert "aid" in titles["Japan sets aside money for demining equipment"]["topics"]
    everything = "\n".join(drafts(site).values())
    assert "crossword" not in everything and "Photograph" not in everything


def test_wire_story_that_turns_to_other_news_is_a_roundup(site: Path,
                                                          ingest: Callable[..., Run]) -> None:
    run = run_page("page-wire", "Wire", site, ingest)  # no roundup word in its headline
    assert "news roundup, published 2023-09-26 (stated in the file)" in run.out
    days = sorted((front_matter(t)["date"], front_matter(t)["title"][:30])
                  for t in drafts(site).values())
    assert days == [(dt.date(2023, 9, 22), "The Russian-installed authorit"),  # "on Friday"
                    (dt.date(2023, 9, 25), "Ukraine's foreign minister ask"),  # "on Monday"
                    (dt.date(2023, 9, 26), "Russian drones hit port buildi")]  # "overnight"
    [odesa] = [t for n, t in drafts(site).items() if "odesa" in n]
    assert body(odesa).startswith("Russian drones hit")  # "ODESA, Ukraine (Wire) -" is not news
    assert "nobody was hurt" in body(odesa)
