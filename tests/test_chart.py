"""The drawn timeline and its navigation: what a reader (and a screen reader) gets from the
chart, the month navigator, "jump to date" and related entries."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers import entry, run, write_files

SVG = "{http://www.w3.org/2000/svg}"


def build(site_dir: Path, files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> Path:
    write_files(site_dir, files)
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 0, out
    return site_dir / "site"


def chart_of(html: str) -> ET.Element:
    """The page's chart, parsed as XML: it must be well-formed on its own."""
    found = re.findall(r'<svg class="chart-svg".*?</svg>', html, re.S)
    assert len(found) == 1
    return ET.fromstring(found[0])


def marks(svg: ET.Element) -> list[tuple[str, str, int]]:
    """Each mark's (accessible name, link, number of bar segments)."""
    out = []
    for a in svg.iter(f"{SVG}a"):
        title = a.find(f"{SVG}title")
        assert title is not None and title.text == a.get("aria-label")
        out.append((a.get("aria-label") or "", a.get("href") or "",
                    len([r for r in a.iter(f"{SVG}rect") if "chart-bar" in r.get("class", "")])))
    return out


def lands(site: Path, href: str) -> str:
    """The text of the heading `href` points at, on the page it names (which must exist)."""
    parts = urlsplit(href)
    path = site / parts.path.lstrip("/") / "index.html"
    html = path.read_text(encoding="utf-8")
    m = re.search(rf'<h2 class="day-heading" id="{re.escape(parts.fragment)}">(.*?)</h2>', html)
    assert m, (href, "no such heading on that page")
    return re.sub(r"<[^>]+>", "", m[1])


def day_entries(days: dict[str, int], topics: str = "[belarus]") -> dict[str, str]:
    files = {}
    for day, n in days.items():
        for i in range(n):
            files[f"content/entries/{day}-e{i}.md"] = entry(title=f"Event {day} {i}", date=day,
                                                           topics=topics)
    return files


def test_one_mark_per_day_with_its_count_name_and_a_link_to_the_right_page(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    counts = {"2022-12-16": 1, "2022-12-19": 4, "2022-12-29": 2, "2022-12-30": 3}
    site = build(site_dir, day_entries(counts), capsys)
    svg = chart_of((site / "index.html").read_text(encoding="utf-8"))
    found = marks(svg)
    names = [name for name, _, _ in found]
    assert names == ["16 December 2022: 1 entry", "19 December 2022: 4 entries",
                     "29 December 2022: 2 entries", "30 December 2022: 3 entries"]
    hrefs = {name.split(":")[0]: href for name, href, _ in found}
    # 3 entries a page, newest first: 30 Dec on page 1; 29 Dec and the newest of 19 Dec on
    # page 2; the rest of 19 Dec on page 3, 16 Dec on page 4
    assert hrefs["30 December 2022"] == "/#2022-12-30"
    assert hrefs["29 December 2022"] == "/page/2/#2022-12-29"
    assert hrefs["19 December 2022"] == "/page/2/#2022-12-19"
    assert hrefs["16 December 2022"] == "/page/4/#2022-12-16"
    for name, href, _ in found:
        assert lands(site, href).endswith(name.split(":")[0])
    # the gap between 19 and 29 December is drawn as empty days, not squeezed out
    xs = sorted(float(r.get("x", 0)) for r in svg.iter(f"{SVG}rect")
                if "chart-hit" in r.get("class", ""))
    assert (xs[2] - xs[1]) == pytest.approx(10 * (xs[1] - xs[0]) / 3, rel=1e-3)


def test_marks_are_coloured_by_first_topic_with_a_legend(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**day_entries({"2022-12-19": 2}, "[aid, belarus]"),
             **{k.replace("-e", "-g"): v.replace("[aid, belarus]", "[energy-grid]")
                for k, v in day_entries({"2022-12-19": 1}, "[aid, belarus]").items()}}
    site = build(site_dir, files, capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    bars = [r.get("class") for r in chart_of(home).iter(f"{SVG}rect")
            if "chart-bar" in r.get("class", "")]
    assert bars == ["chart-bar c1", "chart-bar c2"]  # energy-grid is 2nd, aid 3rd in config
    legend = re.search(r'<ul class="chart-legend".*?</ul>', home, re.S)[0]
    assert re.findall(r'class="(c\d+)"[^>]*/></svg>([^<]+)</li>', legend) == [
        ("c1", "Energy grid"), ("c2", "Aid")]


def test_topic_pages_chart_their_own_entries_and_link_to_their_own_pages(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**day_entries({"2022-12-19": 2, "2022-12-20": 1}),
             **{k.replace("-e", "-a"): v.replace("[belarus]", "[aid]")
                for k, v in day_entries({"2022-12-21": 5}).items()}}
    site = build(site_dir, files, capsys)
    found = marks(chart_of((site / "topics/aid/index.html").read_text(encoding="utf-8")))
    assert [(n, h) for n, h, _ in found] == [("21 December 2022: 5 entries",
                                              "/topics/aid/#2022-12-21")]
    found = marks(chart_of((site / "topics/belarus/index.html").read_text(encoding="utf-8")))
    assert [n for n, _, _ in found] == ["19 December 2022: 2 entries",
                                        "20 December 2022: 1 entry"]
    for _, href, _ in found:
        lands(site, href)
    assert "chart-svg" not in (site / "topics/aid/page/2/index.html").read_text()


@pytest.mark.parametrize(("days", "unit", "expected"), [
    # 200 days: weeks (Monday to Sunday), each named by its Monday
    ({"2022-06-01": 1, "2022-06-05": 2, "2022-06-06": 1, "2022-12-17": 3},
     "week", ["Week of 30 May 2022: 3 entries", "Week of 6 June 2022: 1 entry",
              "Week of 12 December 2022: 3 entries"]),
    # three years: months
    ({"2020-01-05": 1, "2020-01-30": 2, "2021-07-01": 1, "2022-12-30": 4},
     "month", ["January 2020: 3 entries", "July 2021: 1 entry", "December 2022: 4 entries"]),
])
def test_long_spans_aggregate_to_weeks_or_months(
        site_dir: Path, capsys: pytest.CaptureFixture[str], days: dict[str, int], unit: str,
        expected: list[str]) -> None:
    site = build(site_dir, day_entries(days), capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    found = marks(chart_of(home))
    assert [n for n, _, _ in found] == expected
    assert f"Entries per {unit}," in home
    newest = sorted(days)[::-1]
    for _, href, _ in found:  # each links to its period's newest day, where it is listed
        day = urlsplit(href).fragment
        assert day in newest
        assert lands(site, href)


def test_a_chart_of_10000_entries_over_years_stays_at_most_a_hundred_marks(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sitegen.assemble import paginate
    from sitegen.chart import plan_chart
    from sitegen.model import Entry
    start = dt.date(2016, 1, 1)
    entries = tuple(sorted((Entry(path=Path(f"{i}.md"), slug=f"e{i}", title="t",
                                  day=start + dt.timedelta(days=i * 3 % 2900), time=None,
                                  topics=("aid",), sources=(), summary="", body_html="")
                            for i in range(10_000)), key=lambda e: e.sort_key, reverse=True))
    listings = paginate(entries, 50)
    chart = plan_chart(listings, [f"page/{n}/" for n in range(1, len(listings) + 1)],
                       [("aid", "Aid")], "/")
    assert chart is not None and chart.unit == "month"
    assert len(chart.marks) <= 100
    assert sum(m.count for m in chart.marks) == 10_000


def test_entries_known_only_to_a_month_are_not_drawn_on_a_day_chart_and_it_says_so(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {**day_entries({"2022-12-19": 1}),
             "content/entries/m.md": entry(title="Some time in December", date="2022-12")}
    site = build(site_dir, files, capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert [n for n, _, _ in marks(chart_of(home))] == ["19 December 2022: 1 entry"]
    assert "Not drawn: 1 entry dated only to a month or year." in home


def test_month_navigator_counts_and_links(site_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, day_entries({"2022-11-30": 2, "2022-12-01": 1, "2022-12-19": 3}),
                 capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="month-nav".*?</nav>', home, re.S)[0]
    items = re.findall(r'<a href="([^"]+)"><time[^>]*>([^<]+)</time></a> '
                       r'<span class="meta">\((\d+)\)</span>', nav)
    assert [(label, n) for _, label, n in items] == [("December 2022", "4"),
                                                     ("November 2022", "2")]
    assert [lands(site, href) for href, _, _ in items] == ["Monday 19 December 2022",
                                                           "Wednesday 30 November 2022"]
    assert nav in (site / "page/2/index.html").read_text(encoding="utf-8")  # on every page


def test_jump_to_date_works_without_javascript_through_the_dates_page(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, day_entries({"2022-11-30": 2, "2022-12-19": 3}), capsys)
    home = (site / "index.html").read_text(encoding="utf-8")
    form = re.search(r'<form class="jump" action="([^"]+)" method="get">(.*?)</form>', home,
                     re.S)
    assert form and form[1] == "/dates/"
    assert 'name="date" type="date" min="2022-11-30" max="2022-12-19"' in form[2]
    dates = (site / "dates/index.html").read_text(encoding="utf-8")
    links = re.findall(r'<a data-day="([^"]+)" href="([^"]+)">', dates)
    assert [d for d, _ in links] == ["2022-12-19", "2022-11-30"]
    for _, href in links:
        lands(site, href)


def test_entry_pages_list_the_nearest_entries_sharing_a_topic(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "content/entries/2022-12-19-x.md": entry(title="This one", date="2022-12-19",
                                                 topics="[aid]"),
        "content/entries/2022-12-18-near.md": entry(title="Near aid", date="2022-12-18",
                                                    topics="[aid, belarus]"),
        "content/entries/2022-12-01-far.md": entry(title="Far aid", date="2022-12-01",
                                                   topics="[aid]"),
        "content/entries/2022-12-19-other.md": entry(title="Same day, other topic",
                                                     date="2022-12-19", topics="[belarus]"),
    }
    site = build(site_dir, files, capsys)
    html = (site / "entries/2022-12-19-x/index.html").read_text(encoding="utf-8")
    related = re.search(r'<section class="related".*?</section>', html, re.S)[0]
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', related) == ["Near aid", "Far aid"]


def test_a_site_without_entries_in_a_topic_draws_no_chart(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = build(site_dir, day_entries({"2022-12-19": 1}), capsys)
    assert "chart-svg" not in (site / "topics/aid/index.html").read_text(encoding="utf-8")
    assert (site / "index.html").read_text(encoding="utf-8").count('class="chart-svg"') == 1


def test_entries_dated_by_their_month_alone_are_drawn_by_month(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A site (or a topic) of entries dated `2024-12` drew on a chart of days, where no such
    # entry fits: `max()` of no marks, "error rendering /" blamed on the theme's template.
    site = build(site_dir, {
        "content/entries/a.md": entry(title="A month", date="2024-12", topics="[belarus]"),
        "content/entries/b.md": entry(title="Another", date="2024-11", topics="[belarus]"),
        "content/entries/c.md": entry(title="A year", date="2023", topics="[energy-grid]"),
    }, capsys)
    drawn = marks(chart_of((site / "index.html").read_text()))
    assert [name for name, _, _ in drawn] == ["November 2024: 1 entry", "December 2024: 1 entry"]
    assert "chart-svg" not in (site / "topics/energy-grid/index.html").read_text()  # a year alone
    assert len(marks(chart_of((site / "topics/belarus/index.html").read_text()))) == 2


def test_a_chart_of_centuries_has_a_readable_number_of_labels(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 0001-01-01 and 9999-12-31 drew a label for each of 9,999 years (a 1.2 MB home page).
    site = build(site_dir, {
        "content/entries/a.md": entry(title="First", date="0001-01-01"),
        "content/entries/b.md": entry(title="Last", date="9999-12-31"),
    }, capsys)
    svg = chart_of((site / "index.html").read_text())
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert 2 <= len(labels) <= 25 and labels[0] == "1" and "9500" in labels, labels
    assert len(marks(svg)) == 2
