"""Plain articles about one event: one draft, dated by the main event however the text is
wrapped; background dates, a planned meeting and places passed on the way do not count."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tests.ingest.conftest import Run, body, copy_fixture, drafts, front_matter


def one_draft(case: str, published: str, site: Path,
              ingest: Callable[..., Run]) -> tuple[str, str]:
    copy_fixture(case, "article.txt", site)
    run = ingest("article.txt", "--published", published, "--publisher", "Harbour Wire")
    assert run.code == 0, run.err
    assert "plain article" in run.out
    [(name, text)] = drafts(site).items()
    return name, text


def test_wrapped_article_is_dated_by_its_sunday_not_its_background(
        site: Path, ingest: Callable[..., Run]) -> None:
    name, text = one_draft("plain-single", "2023-12-18", site, ingest)  # a Monday
    data = front_matter(text)
    assert (data["date"], data["date_from"]) == (dt.date(2023, 12, 17), "weekday")
    assert name.startswith("2023-12-17-flooded-villages")
    assert "returned home on Sunday afternoon" in body(text)  # the broken line is joined
    assert body(text).startswith("Rescue crews pumped")  # the dateline is left out
    assert data["sources"][0]["author"] == "Petra Lindqvist"
    assert "strikes" not in data["topics"]  # shelling is named only in the background


def test_unwrapped_article_late_on_monday_is_monday(site: Path,
                                                    ingest: Callable[..., Run]) -> None:
    name, text = one_draft("plain-dateline", "2023-03-14", site, ingest)  # a Tuesday
    data = front_matter(text)
    assert (data["date"], data["date_from"]) == (dt.date(2023, 3, 13), "weekday")
    assert set(data["topics"]) >= {"energy-grid", "strikes"}
    assert "belarus" not in data["topics"]  # "about 100 km from the Belarusian border"
    assert body(text).startswith("A Russian cruise missile hit")
