"""A live blog: one draft per post, repeats merged, dates from each post, the lead when new."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter, table_rows

PUBLISHED = "2023-02-15"  # a Wednesday
HEADLINE = "Ukraine war latest: Kharkiv left without heating after overnight strike on power plant"


@pytest.fixture
def result(site: Path, ingest: Callable[..., Run]) -> Run:
    copy_fixture("liveblog", "article.txt", site)
    run = ingest("article.txt", "--published", PUBLISHED, "--publisher", "The Daily Courier")
    assert run.code == 0, run.err
    return run


def draft(site: Path, slug: str) -> str:
    matches = [text for name, text in drafts(site).items() if slug in name]
    assert len(matches) == 1, f"{slug!r} in {sorted(drafts(site))}"
    return matches[0]


def test_each_post_becomes_one_draft_and_repeats_are_merged(site: Path, result: Run) -> None:
    assert "13 posts found, 2 duplicates merged, 11 drafts" in result.out
    assert len(drafts(site)) == 11


def test_updated_repeat_keeps_the_newest_version_from_the_top(site: Path, result: Run) -> None:
    text = draft(site, "killed-in-tuesdays-strike")
    assert front_matter(text)["title"] == "Three killed in Tuesday's strike on Zaporizhzhia suburb"
    assert "Three people were killed" in body(text)
    assert "Two people" not in body(text)
    assert not [name for name in drafts(site) if "two-killed" in name]
    row = table_rows(result.out)["2023-02-14-three-killed-in-tuesdays-strike-on-zaporizhzhia.md"]
    assert row["merged"] == "2 versions"
    assert (row["date"], row["date_from"]) == ("2023-02-14", "weekday")


def test_exact_repeat_is_one_draft_citing_both_bylines(site: Path, result: Run) -> None:
    sources = front_matter(draft(site, "belarusian-troops"))["sources"]
    assert isinstance(sources, list)
    assert [s["author"] for s in sources] == ["Marta Kovacs", "Tomas Reid"]


@pytest.mark.parametrize(("slug", "day", "how"), [
    ("three-killed-in-tuesdays", "2023-02-14", "weekday"),  # "Tuesday's" before a Wednesday
    ("city-officials-said-on-wednesday", "2023-02-15", "weekday"),  # same weekday: that day
    ("kharkiv-heating-plant-hit-overnight", "2023-02-15", "relative"),
    ("belarusian-troops", "2023-02-15", "relative"),  # "this morning"
    ("germany-pledges", "2023-02-14", "relative"),  # "yesterday"
    ("power-cuts-scheduled", "2023-02-14", "relative"),  # "last night"
    ("drone-debris", "2023-02-08", "relative"),  # "last week"
    ("latest-figures-on-russian", "2023-02-13", "explicit"),  # "Feb. 13" beats "this morning"
    ("foreign-ministers-to-meet", "2023-02-15", "published"),  # future Friday, background dates
    ("shelling-reported", "2023-02-15", "published"),  # no clue at all
])
def test_each_draft_is_dated_from_its_own_words(site: Path, result: Run, slug: str, day: str,
                                                how: str) -> None:
    data = front_matter(draft(site, slug))
    assert (data["date"], data["date_from"]) == (dt.date.fromisoformat(day), how)


def test_lead_is_drafted_only_for_what_no_post_reports(site: Path, result: Run) -> None:
    text = draft(site, "city-officials-said")
    assert "warming tents" in body(text)
    assert "heating plant" not in body(text)  # the lead's first paragraph is a post of its own
    assert "lead kept (it reports news no post does)" in result.out


@pytest.mark.parametrize(("slug", "present", "absent"), [
    ("shelling-reported-across-the-border-in-belgorod", {"frontline", "strikes"}, {"belarus"}),
    ("belarusian-troops", {"belarus"}, set()),
    ("power-cuts-scheduled", {"energy-grid"}, set()),  # "outages"
    ("kharkiv-heating-plant-hit-overnight", {"energy-grid", "strikes"}, set()),  # "Blackouts"
    ("germany-pledges", {"aid"}, set()),  # "pledges"
    ("drone-debris", {"drones", "air-defence"}, set()),
])
def test_topics_come_from_whole_keywords_and_their_inflections(
        site: Path, result: Run, slug: str, present: set[str], absent: set[str]) -> None:
    topics = set(front_matter(draft(site, slug))["topics"])
    assert present <= topics
    assert not absent & topics


def test_every_draft_cites_publisher_byline_headline_and_date(site: Path, result: Run) -> None:
    for name, text in drafts(site).items():
        data = front_matter(text)
        assert data["draft"] is True, name
        first = data["sources"][0]
        assert first["publisher"] == "The Daily Courier", name
        assert first["headline"] == HEADLINE, name
        assert first["published"] == dt.date(2023, 2, 15), name
    assert front_matter(draft(site, "volunteers-hand-out"))["sources"] == [
        {"publisher": "The Daily Courier", "author": "Tomas Reid", "headline": HEADLINE,
         "published": dt.date(2023, 2, 15)}]


def test_credits_links_and_page_furniture_are_not_in_any_draft(site: Path, result: Run) -> None:
    everything = "\n".join(drafts(site).values())
    for furniture in ("Credit:", "Read Full Article", "Follow our live blog", "| The Daily"):
        assert furniture not in everything
