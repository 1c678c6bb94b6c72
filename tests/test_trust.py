"""What a reader is told about how sure each entry is: honest dates, key events, corrections,
sources and places, on the pages and in the feed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import entry, run, write_files


def build(site_dir: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Path:
    write_files(site_dir, files)
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 0, out
    return site_dir / "site"


def text_of(html: str) -> str:
    """What a reader sees: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).replace("&#39;", "'")


def page(site: Path, slug: str) -> str:
    return (site / "entries" / slug / "index.html").read_text(encoding="utf-8")


APPROX = {
    "content/entries/a.md": entry(title="Known to the month", date="2022-12"),
    "content/entries/b.md": entry(title="Known to the year", date="2022"),
    "content/entries/c.md": entry(title="A three-day range", date="2022-12-16",
                                  extra="end: 2022-12-18\n"),
    "content/entries/d.md": entry(title="Across two months", date="2022-11-30",
                                  extra="end: 2022-12-02\n"),
    "content/entries/e.md": entry(title="First of December", date="2022-12-01"),
    "content/entries/f.md": entry(title="Late November", date="2022-11-29"),
    "content/entries/g.md": entry(title="Across the new year", date="2022-12-30",
                                  extra="end: 2023-01-02\n"),
}


def test_approximate_dates_and_ranges_say_no_more_than_is_known(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, APPROX, capsys)
    seen = {slug: text_of(re.search(r'<p class="entry-date".*?</p>', page(site, slug), re.S)[0])
            for slug in "abcdg"}
    assert seen["a"].strip() == "December 2022"
    assert seen["b"].strip() == "2022"
    assert seen["c"].strip() == "16–18 December 2022"
    assert seen["g"].strip() == "30 December 2022 – 2 January 2023"
    assert "30 November – 2 December 2022" in text_of(page(site, "d"))
    assert '<time datetime="2022-12">December 2022</time>' in page(site, "a")
    assert '<time datetime="2022-12-16">16</time>–<time datetime="2022-12-18">' in page(site, "c")
    for slug in "ab":  # never a made-up day
        header = re.search(r'<article class="entry".*?</header>', page(site, slug), re.S)[0]
        assert "1 December" not in text_of(header)
        assert "January" not in text_of(header)
    assert "Listed before: Across two months" in text_of(page(site, "a"))  # order uncertain


def test_approximate_dates_sort_at_the_start_of_their_period_under_their_own_heading(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, {**APPROX, "sitegen.toml": (site_dir / "sitegen.toml").read_text()
                            .replace("entries_per_page = 3", "entries_per_page = 50")}, capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r'<h2 class="day-heading" id="([\d-]+)">(.*?)</h2>', home)
    assert [i for i, _ in ids] == ["2022-12-30", "2022-12-16", "2022-12-01", "2022-12",
                                   "2022-11-30", "2022-11-29", "2022"]
    labels = dict(ids)
    assert text_of(labels["2022-12"]) == "December 2022 (day not known)"
    assert text_of(labels["2022"]) == "2022 (month and day not known)"
    titles = re.findall(r'class="card-title">(?:<[^>]+>)*([^<]+)</a>', home)
    assert titles == ["Across the new year", "A three-day range", "First of December",
                      "Known to the month", "Across two months", "Late November",
                      "Known to the year"]
    assert "16–18 December 2022" in text_of(home)  # a range says so in the list too


def test_a_date_known_only_as_reported_says_so(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, {"content/entries/2022-12-19-x.md": entry(
        extra="date_basis: reported\n")}, capsys)
    assert "the date shown is the day it was reported" in page(site, "2022-12-19-x")
    assert "date as reported" in (site / "index.html").read_text(encoding="utf-8")


def test_key_events_come_first_in_their_day_highlighted_and_on_their_own_page(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, {
        "content/entries/2022-12-30-a.md": entry(title="Ordinary late", date="2022-12-30 20:00"),
        "content/entries/2022-12-30-b.md": entry(title="The key one", date="2022-12-30 08:00",
                                                 extra="key: true\n"),
        "content/entries/2022-12-29-c.md": entry(title="Other day", date="2022-12-29"),
    }, capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert home.index("The key one") < home.index("Ordinary late")
    assert re.search(r'<article class="card card-key">\s*<h3 class="card-title">'
                     r'<span class="badge badge-key">Key event</span> <a[^>]*>The key one', home)
    assert 'href="/key-events/">key events only</a>' in home
    key_page = (site / "key-events/index.html").read_text(encoding="utf-8")
    assert "The key one" in key_page
    assert "Ordinary late" not in key_page and "Other day" not in key_page
    assert '<a href="/">all entries</a>' in key_page


def test_corrections_show_on_the_page_and_in_the_feed(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, {"content/entries/2022-12-30-x.md": entry(extra=(
        "updated: 2023-01-05\ncorrections:\n  - date: 2023-01-05\n"
        "    text: The toll was four, not three.\n"))}, capsys)
    html = text_of(page(site, "2022-12-30-x"))
    assert "Updated Thursday 5 January 2023 (1 correction)" in html
    assert "Corrections Thursday 5 January 2023: The toll was four, not three." in html
    feed = (site / "feed.xml").read_text(encoding="utf-8")
    assert "<updated>2023-01-05T00:00:00+00:00</updated>" in feed
    assert "The toll was four, not three." in feed


def test_sources_link_archived_copies_and_say_what_an_unlinked_entry_rests_on(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = entry().replace("    published: 2022-12-30\n", (
        "    published: 2022-12-30\n    url: https://example.org/a\n"
        "    archived: https://web.archive.org/web/2023/https://example.org/a\n"
        "    accessed: 2023-01-02\n  - publisher: Evening Paper\n    published: 2022-12-31\n"))
    site = build(site_dir, {"content/entries/2022-12-30-x.md": text}, capsys)
    html = page(site, "2022-12-30-x")
    assert '<a class="archived" href="https://web.archive.org/web/2023/https://example.org/a"' \
        in html
    assert "accessed Monday 2 January 2023" in text_of(html)
    assert ("No link: this entry rests on Evening Paper's report of Saturday 31 December 2022."
            in text_of(html))
    assert text_of(html).count("No link") == 1


def test_places_are_shown_and_are_a_search_filter(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, {"content/entries/2022-12-30-x.md": entry(
        extra='places: ["Kyiv", "Belgorod region, Russia"]\n')}, capsys)
    html = page(site, "2022-12-30-x")
    assert "Where: Kyiv; Belgorod region, Russia" in text_of(html)
    assert 'data-pagefind-filter="place:Belgorod region, Russia"' in html


@pytest.mark.parametrize(("extra", "message"), [
    ("end: 2022-12-01\n", "`end: 2022-12-01` is not after `date:`"),
    ("end: soon\n", "cannot read end date 'soon'"),
    ("date_basis: guessed\n", "`date_basis` must be one of event, reported"),
    ("key: yes please\n", "`key` must be true or false"),
    ("places: 3\n", "`places` must be a list of place names"),
    ("updated: yesterday\n", "cannot read `updated` 'yesterday'"),
    ("corrections:\n  - text: x\n", "each correction needs `date:`"),
])
def test_a_bad_trust_field_names_its_line(site_dir: Path, capsys: pytest.CaptureFixture[str],
                                          extra: str, message: str) -> None:
    write_files(site_dir, {"content/entries/2022-12-30-x.md": entry(extra=extra)})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 1
    assert f"2022-12-30-x.md:10: {message}" in out


def test_a_bad_date_suggests_the_partial_forms(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, {"content/entries/x.md": entry(date="2022-13")})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 1
    assert "x.md:3: cannot read date '2022-13'" in out and "YYYY-MM, YYYY" in out


@pytest.mark.parametrize(("date", "end", "shown"), [
    ("9999-11", "9999-12", "November–December 9999"), ("9999-01-01", "9999-12", "December 9999"),
    ("0001", "9999", "0001"),
])
def test_a_range_to_the_last_month_of_year_9999_builds(
        site_dir: Path, capsys: pytest.CaptureFixture[str], date: str, end: str,
        shown: str) -> None:
    # The last day of December 9999 was found as 1 January 10000 less a day: ValueError,
    # a traceback.
    write_files(site_dir, {"content/entries/x.md": entry(date=f"'{date}'",
                                                         extra=f"end: '{end}'\n")})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "Traceback" not in out, out
    assert shown in text_of(page(site_dir / "site", "x"))


def test_every_bad_field_of_an_entry_is_reported_at_once(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Only the first was: `end: 1` reported, then `key`, then `places`... one build each.
    write_files(site_dir, {"content/entries/2022-12-30-x.md": (
        "---\ntitle: T\ndate: 2022-12-30\ntopics: [nope, belarus, bad2]\n"
        "end: 1\nkey: 3\nplaces: [1]\nupdated: 2024-13-01\ncorrections: 5\n"
        "sources:\n  - {publisher: A, colour: red}\n  - {publisher: ''}\n---\nBody.\n")})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 1, out
    for said in ("cannot read end date '1'", "`key` must be true or false",
                 "`places` must be a list", "cannot read `updated`", "`corrections`",
                 "unknown topic 'nope'", "unknown topic 'bad2'",
                 "source 1: unknown source key 'colour'; use one of:",
                 "source 2: each source needs `publisher:`"):
        assert said in out, (said, out)
    assert "add it to [[topics]]" not in out.split("colour")[1].split("\n")[0]
