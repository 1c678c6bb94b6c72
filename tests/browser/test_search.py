"""Search as a reader uses it: typing, topic filters, date order, links that restore a search.

The fixture site is built once per module, at `/` and under `/timeline/`, and served on
127.0.0.1; a real headless Chromium drives the page. The last tests check the search bundle
the build leaves behind: kept when nothing changed, rebuilt when an entry did, and a failed
indexing leaves the previous site as it was.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from sitegen import search, search_chunks
from sitegen.cli import main
from sitegen.config import PACKAGED_THEME
from tests.helpers import SITE_TOML, entry, run, tree_digest, write_files

Serve = Callable[[Path, str], str]

# The three Lukashenko entries, oldest first; the middle one is also under energy-grid.
GOVERNORS = "Lukashenko gathers regional governors in Minsk"
GRID_CHECKS = "Lukashenko orders checks on the Belarusian grid"
BORDER = "Lukashenko signs a decree on border patrols"
LUKASHENKO = [GOVERNORS, GRID_CHECKS, BORDER]
GRID_CHECKS_URL = "entries/2023-03-10-lukashenko-orders-grid-checks/"
ENTRIES = {
    "2023-03-02-lukashenko-gathers-governors": entry(
        title=GOVERNORS, date="2023-03-02", topics="[belarus]",
        body="Alexander Lukashenko called the heads of the six Belarusian regions to Minsk "
             "and told them to prepare for a hard spring, state television said."),
    "2023-03-10-lukashenko-orders-grid-checks": entry(
        title=GRID_CHECKS, date="2023-03-10", topics="[belarus, energy-grid]",
        body="Lukashenko asked engineers to inspect every high-voltage line along the southern "
             "border after a week of unexplained faults in the grid."),
    "2023-03-20-lukashenko-border-decree": entry(
        title=BORDER, date="2023-03-20", topics="[belarus]",
        body="A new decree from Lukashenko doubles the patrols on the border with Poland, "
             "the presidential office announced."),
    "2023-03-05-lviv-rolling-blackouts": entry(
        title="Lviv plans rolling blackouts for the weekend", date="2023-03-05",
        topics="[energy-grid]",
        body="The city council in Lviv published a rota of four-hour blackouts while repairs "
             "to the regional grid continue."),
    "2023-03-15-shahed-drones-hit-substation": entry(
        title="Shahed drones damage a substation near Odesa", date="2023-03-15",
        topics="[energy-grid]",
        body="Air defence crews downed most of a wave of Shahed drones, but two reached a "
             "substation and cut power to part of the grid overnight."),
    "2023-03-08-donors-pledge-generators": entry(
        title="Donors pledge generators for field hospitals", date="2023-03-08",
        topics="[aid]",
        body="A group of donors promised three hundred diesel generators so that field "
             "hospitals can keep working when the grid fails."),
    "2023-03-12-markup-in-title": entry(
        title="'<b>Bold</b> claim about the Mozyr refinery'", date="2023-03-12", topics="[]",
        body="A notice about Mozyr quoted <img src=x onerror=\"window.pwned=1\"> verbatim."),
    **{f"2023-04-{n:02d}-ferry-notice-{n}": entry(
        title=f"Ferry timetable notice {n}", date=f"2023-04-{n:02d}", topics="[aid]",
        body=f"The river ferry published timetable notice {n} for volunteers carrying supplies.")
       for n in range(1, 13)},
}


def entry_files() -> dict[str, str | bytes]:
    return {f"content/entries/{name[:4]}/{name}.md": text for name, text in ENTRIES.items()}


# Partitions of 4 entries: the 19 entries make 4 closed partitions and an open one of 3 (its
# settled part of 2 and the newest entry), so every search below runs across partitions.
SMALL_PARTITIONS = (4, 4)
PARTITIONS = ["2023-04.12", "2023-04.10", "2023-04.6", "2023-04.2", "2023-03.5", "2023-03.1"]


def partition_names(site: Path) -> list[str]:
    manifest = json.loads((site / search.BUNDLE / search.MANIFEST).read_text())
    return [p["name"] for p in manifest["partitions"]]


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture site built once for `/` and once for `/timeline/`, in small partitions."""
    root = tmp_path_factory.mktemp("search-site")
    write_files(root, {"sitegen.toml": SITE_TOML, **entry_files()})
    config = str(root / "sitegen.toml")
    out = {"/": root / "out-root", "/timeline/": root / "out-timeline"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "CAP_LIMITS", SMALL_PARTITIONS)
        # Index chunks of a few words each, so that every query finds its chunk by range.
        patch.setattr(search_chunks, "CHUNK_BYTES", 40)
        assert main(["build", "-q", "--config", config, "--out", str(out["/"])]) == 0
        assert main(["build", "-q", "--config", config, "--out", str(out["/timeline/"]),
                     "--base-url", "/timeline/"]) == 0
    for site in out.values():
        assert partition_names(site) == PARTITIONS
    return out


@pytest.fixture
def base(sites: dict[str, Path], static_server: Serve) -> str:
    return static_server(sites["/"], "/")


def status(page: Page) -> Locator:
    return page.get_by_role("status")


def query_box(page: Page) -> Locator:
    return page.get_by_role("main").get_by_label("Search the timeline")


def result_titles(page: Page) -> list[str]:
    return page.locator(".search-result-title").all_inner_texts()


def topic_box(page: Page, name: str) -> Locator:
    return page.get_by_role("main").get_by_role("checkbox", name=name)


@pytest.mark.browser
def test_typing_a_name_lists_its_entries_with_date_topics_and_highlight(
        page: Page, base: str) -> None:
    page.goto(base + "search/")
    query_box(page).press_sequentially("Lukashenko", delay=20)
    expect(status(page)).to_have_text("3 results for “Lukashenko”")
    assert sorted(result_titles(page)) == sorted(LUKASHENKO)
    first = page.locator(".search-result").filter(has_text="regional governors")
    expect(first.locator("time")).to_have_text("Thursday 2 March 2023")
    expect(first.locator("time")).to_have_attribute("datetime", "2023-03-02")
    expect(first.locator(".topic")).to_have_text(["Belarus"])
    expect(first.locator("mark").first).to_have_text("Lukashenko")
    expect(page).to_have_url(re.compile(r"/search/\?q=Lukashenko$"))
    expect(page).to_have_title(re.compile("^“Lukashenko” · Search"))


@pytest.mark.browser
def test_checking_a_topic_keeps_only_its_entries_and_counts_follow_the_query(
        page: Page, base: str) -> None:
    page.goto(base + "search/")
    # With no words, each topic counts every entry it holds.
    expect(topic_box(page, "Energy grid")).to_have_accessible_name("Energy grid (3)")
    expect(topic_box(page, "Aid")).to_have_accessible_name("Aid (13)")
    query_box(page).fill("grid")
    expect(status(page)).to_have_text("4 results for “grid”")
    expect(topic_box(page, "Aid")).to_have_accessible_name("Aid (1)")
    expect(topic_box(page, "Belarus")).to_have_accessible_name("Belarus (1)")
    topic_box(page, "Energy grid").check()
    expect(status(page)).to_have_text("3 results for “grid” in Energy grid")
    assert sorted(result_titles(page)) == sorted([
        GRID_CHECKS,
        "Lviv plans rolling blackouts for the weekend",
        "Shahed drones damage a substation near Odesa"])
    for topics in page.locator(".search-result .topics").all():
        expect(topics).to_contain_text("Energy grid")
    topic_box(page, "Aid").check()  # any of the checked topics
    expect(status(page)).to_have_text("4 results for “grid” in Energy grid or Aid")
    expect(page).to_have_url(re.compile(r"\?q=grid&topic=energy-grid&topic=aid$"))


@pytest.mark.browser
def test_topics_without_matches_say_so_and_stay_in_place(page: Page, base: str) -> None:
    page.goto(base + "search/")
    expect(topic_box(page, "Aid")).to_have_accessible_name("Aid (13)")
    places = [topic_box(page, name).bounding_box() for name in ("Belarus", "Energy grid", "Aid")]
    query_box(page).fill("Shahed")
    expect(status(page)).to_have_text("1 result for “Shahed”")
    expect(topic_box(page, "Energy grid")).to_have_accessible_name("Energy grid (1)")
    expect(topic_box(page, "Belarus")).to_have_accessible_name("Belarus (0)")
    expect(topic_box(page, "Aid")).to_have_accessible_name("Aid (0)")
    # marked as empty, but where they were: hiding them would move every filter after them
    expect(page.locator(".search-topics li.search-none")).to_have_count(2)
    assert [topic_box(page, name).bounding_box()
            for name in ("Belarus", "Energy grid", "Aid")] == places


@pytest.mark.browser
def test_a_topic_alone_lists_its_entries_newest_first(page: Page, base: str) -> None:
    page.goto(base + "search/?topic=energy-grid")
    expect(status(page)).to_have_text("3 results in Energy grid")
    assert result_titles(page) == ["Shahed drones damage a substation near Odesa", GRID_CHECKS,
                                   "Lviv plans rolling blackouts for the weekend"]
    expect(topic_box(page, "Aid")).to_have_accessible_name("Aid (13)")
    expect(topic_box(page, "Energy grid")).to_have_accessible_name("Energy grid (3)")


@pytest.mark.browser
def test_oldest_first_reverses_newest_first(page: Page, base: str) -> None:
    page.goto(base + "search/?q=Lukashenko")
    expect(status(page)).to_have_text("3 results for “Lukashenko”")
    page.get_by_label("Order").select_option(label="Newest first")
    expect(page.locator(".search-result-title").first).to_have_text(BORDER)
    newest = result_titles(page)
    page.get_by_label("Order").select_option(label="Oldest first")
    expect(page.locator(".search-result-title").first).to_have_text(GOVERNORS)
    assert result_titles(page) == list(reversed(newest)) == LUKASHENKO
    assert page.locator(".search-result time").evaluate_all(
        "times => times.map(t => t.dateTime)") == ["2023-03-02", "2023-03-10", "2023-03-20"]
    expect(page).to_have_url(re.compile(r"\?q=Lukashenko&sort=oldest$"))


def show_all(page: Page) -> tuple[list[str], list[str]]:
    """Every result's title and datetime, pressing "Show more results" until it goes."""
    more = page.get_by_role("button", name="Show more results")
    while more.is_visible():
        shown = page.locator(".search-result").count()
        more.click()
        expect(page.locator(".search-result")).not_to_have_count(shown)
    times = page.locator(".search-result time").evaluate_all("ts => ts.map(t => t.dateTime)")
    return result_titles(page), times


@pytest.mark.browser
@pytest.mark.parametrize("prefix", ["/", "/timeline/"])
def test_date_order_runs_across_every_partition_in_true_date_order(
        page: Page, sites: dict[str, Path], static_server: Serve, prefix: str) -> None:
    base = static_server(sites[prefix], prefix)
    page.goto(base + "search/?q=the")
    expect(status(page)).to_have_text(re.compile(r"^\d+ results for “the”$"))
    count = int(status(page).inner_text().split()[0])
    assert count >= 15  # the word is in entries of every partition
    best, _ = show_all(page)
    for sort, newest_first in (("newest", True), ("oldest", False)):
        page.goto(base + f"search/?q=the&sort={sort}")
        expect(status(page)).to_have_text(f"{count} results for “the”")
        titles, times = show_all(page)
        assert len(titles) == count and sorted(titles) == sorted(best)
        assert times == sorted(times, reverse=newest_first)
        assert times[0] == ("2023-04-12" if newest_first else "2023-03-02")


@pytest.mark.browser
def test_a_search_url_restores_the_search(page: Page, base: str) -> None:
    page.goto(base + "search/?q=Lukashenko&topic=energy-grid&sort=oldest")
    expect(status(page)).to_have_text("1 result for “Lukashenko” in Energy grid")
    expect(query_box(page)).to_have_value("Lukashenko")
    expect(topic_box(page, "Energy grid")).to_be_checked()
    expect(topic_box(page, "Belarus")).not_to_be_checked()
    expect(page.get_by_label("Order")).to_have_value("oldest")
    assert result_titles(page) == [GRID_CHECKS]


@pytest.mark.browser
def test_back_button_restores_the_previous_search(page: Page, base: str) -> None:
    page.goto(base + "search/?q=grid")
    expect(status(page)).to_have_text("4 results for “grid”")
    topic_box(page, "Energy grid").check()
    expect(status(page)).to_have_text("3 results for “grid” in Energy grid")
    page.go_back()
    expect(status(page)).to_have_text("4 results for “grid”")
    expect(topic_box(page, "Energy grid")).not_to_be_checked()
    expect(page).to_have_url(re.compile(r"/search/\?q=grid$"))
    page.go_forward()
    expect(status(page)).to_have_text("3 results for “grid” in Energy grid")
    expect(topic_box(page, "Energy grid")).to_be_checked()


@pytest.mark.browser
def test_a_query_with_no_match_says_so(page: Page, base: str) -> None:
    page.goto(base + "search/?q=Lukashenko")
    expect(status(page)).to_have_text("3 results for “Lukashenko”")
    query_box(page).fill("zeppelin")
    expect(status(page)).to_have_text(re.compile("^No results for “zeppelin”"))
    expect(page.locator(".search-result")).to_have_count(0)


@pytest.mark.browser
def test_header_search_box_leads_to_results(page: Page, base: str) -> None:
    page.goto(base)
    header_box = page.get_by_role("banner").get_by_role("searchbox")
    header_box.fill("Lviv")
    header_box.press("Enter")
    expect(page).to_have_url(base + "search/?q=Lviv")
    expect(status(page)).to_have_text("1 result for “Lviv”")
    page.get_by_role("link", name="Lviv plans rolling blackouts for the weekend").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Lviv plans rolling blackouts for the weekend")


@pytest.mark.browser
def test_search_works_under_a_subpath(page: Page, sites: dict[str, Path],
                                      static_server: Serve) -> None:
    base = static_server(sites["/timeline/"], "/timeline/")
    page.goto(base)
    header_box = page.get_by_role("banner").get_by_role("searchbox")
    header_box.fill("Lukashenko")
    header_box.press("Enter")
    expect(page).to_have_url(base + "search/?q=Lukashenko")
    expect(status(page)).to_have_text("3 results for “Lukashenko”")
    topic_box(page, "Energy grid").check()
    expect(status(page)).to_have_text("1 result for “Lukashenko” in Energy grid")
    expect(page).to_have_url(base + "search/?q=Lukashenko&topic=energy-grid")
    link = page.get_by_role("link", name=GRID_CHECKS)
    expect(link).to_have_attribute("href", "/timeline/" + GRID_CHECKS_URL)
    link.click()
    expect(page).to_have_url(base + GRID_CHECKS_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text(GRID_CHECKS)
    page.go_back()
    expect(status(page)).to_have_text("1 result for “Lukashenko” in Energy grid")


@pytest.mark.browser
def test_keyboard_only_search_with_announced_results(page: Page, base: str) -> None:
    page.goto(base + "search/")
    expect(query_box(page)).to_be_focused()
    expect(status(page)).to_have_attribute("aria-live", "polite")
    page.keyboard.type("grid")
    expect(status(page)).to_have_text("4 results for “grid”")
    page.keyboard.press("Tab")
    expect(page.get_by_role("main").get_by_role("button", name="Search")).to_be_focused()
    page.keyboard.press("Tab")
    expect(topic_box(page, "Belarus")).to_be_focused()
    page.keyboard.press("Tab")
    expect(topic_box(page, "Energy grid")).to_be_focused()
    page.keyboard.press("Space")
    expect(status(page)).to_have_text("3 results for “grid” in Energy grid")


@pytest.mark.browser
def test_more_results_load_on_request_and_take_focus(page: Page, base: str) -> None:
    page.goto(base + "search/?q=timetable&sort=oldest")
    expect(status(page)).to_have_text("12 results for “timetable”")
    expect(page.locator(".search-result")).to_have_count(10)
    page.get_by_role("button", name="Show more results").click()
    expect(page.locator(".search-result")).to_have_count(12)
    expect(page.get_by_role("link", name="Ferry timetable notice 11")).to_be_focused()
    expect(page.get_by_role("button", name="Show more results")).to_be_hidden()


@pytest.mark.browser
def test_markup_in_titles_and_excerpts_is_shown_as_text(page: Page, base: str) -> None:
    page.goto(base + "search/?q=Mozyr")
    expect(status(page)).to_have_text("1 result for “Mozyr”")
    expect(page.locator(".search-result-title")).to_have_text(
        "<b>Bold</b> claim about the Mozyr refinery")
    expect(page.locator(".search-result-excerpt")).to_contain_text("<img src=x")
    assert page.locator(".search-results b, .search-results img").count() == 0
    assert page.evaluate("window.pwned") is None


@pytest.mark.browser
def test_without_javascript_the_page_points_to_topics_and_archive(
        browser: Browser, base: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "search/?q=Lukashenko")
    # Playwright's text and visibility checks skip <noscript>; its laid-out box is what shows.
    notice = page.locator("main noscript p")
    assert notice.bounding_box() is not None
    assert notice.inner_text().startswith("Search needs JavaScript.")
    assert page.locator("#search").bounding_box() is None
    notice.locator("a", has_text="month").click()
    expect(page).to_have_url(base + "archive/")
    page.go_back()
    notice.locator("a", has_text="topic").click()
    expect(page).to_have_url(base + "topics/")
    context.close()


@pytest.mark.browser
def test_a_missing_index_says_search_could_not_load(
        page: Page, sites: dict[str, Path], static_server: Serve,
        tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(sites["/"], copy, ignore=shutil.ignore_patterns("pagefind"))
    page.goto(static_server(copy, "/") + "search/?q=Lukashenko")
    expect(page.get_by_text("Search could not be loaded")).to_be_visible()
    expect(query_box(page)).to_be_disabled()
    expect(topic_box(page, "Aid")).to_be_disabled()


# --- The bundle the build leaves ------------------------------------------------------------


def bundle_mtimes(site: Path, under: str = "") -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns
            for p in (site / search.BUNDLE / under).rglob("*") if p.is_file()}


@pytest.fixture
def small_site(site_dir: Path, capsys: pytest.CaptureFixture[str],
               monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four entries in three partitions: 2 and 5 March (closed), then the open one, full: its
    settled part (10 March) and the newest (20 March)."""
    monkeypatch.setattr(search, "CAP_LIMITS", (2, 2))
    write_files(site_dir, {k: v for k, v in list(entry_files().items())[:4]})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "search index rebuilt" in output
    assert partition_names(site_dir / "site") == ["2023-03.4", "2023-03.3", "2023-03.1"]
    return site_dir


def test_second_build_keeps_the_search_bundle(
        small_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = bundle_mtimes(small_site / "site")
    assert "pagefind/2023-03.3/pagefind.js" in before
    code, output = run(small_site, "build", capsys=capsys)
    assert code == 0 and "search index unchanged" in output
    assert bundle_mtimes(small_site / "site") == before


def test_editing_an_entry_reindexes_only_its_partition(
        small_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = small_site / "site"
    before = {name: bundle_mtimes(site, name) for name in partition_names(site)}
    path = small_site / "content/entries/2023/2023-03-02-lukashenko-gathers-governors.md"
    # The body only: a title also shows on neighbouring and related entries' pages.
    path.write_text(path.read_text().replace("a hard spring", "a long spring"))
    code, output = run(small_site, "build", capsys=capsys)
    assert code == 0 and "search index rebuilt" in output
    assert "re-indexed 1 of 3 partitions (2023-03.1)" in output
    edited = bundle_mtimes(site, "2023-03.1")
    # its index is new (files whose bytes held, such as pagefind.js, are kept as they were)
    assert any(name.endswith(".pf_meta") and name not in before["2023-03.1"] for name in edited)
    assert bundle_mtimes(site, "2023-03.3") == before["2023-03.3"]


def test_a_partition_missing_a_file_is_indexed_again(
        small_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # What a killed or half-copied bundle looks like: the stamp is there, a fragment is not.
    fragment = next((small_site / "site/pagefind/2023-03.3/fragment").iterdir())
    fragment.unlink()
    code, output = run(small_site, "build", capsys=capsys)
    assert code == 0 and "re-indexed 1 of 3 partitions (2023-03.3)" in output
    assert fragment.is_file()


def test_a_new_entry_in_a_new_month_leaves_older_partitions_alone(
        small_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = small_site / "site"
    before = bundle_mtimes(site, "2023-03.1")
    write_files(small_site, {
        "content/entries/2023/2023-04-01-ferry-notice-1.md":
            ENTRIES["2023-04-01-ferry-notice-1"]})
    code, output = run(small_site, "build", capsys=capsys)
    assert code == 0 and "search index rebuilt" in output
    # The open partition of 10 and 20 March is full and closes, its two parts merged into one;
    # April opens the next.
    assert partition_names(site) == ["2023-04", "2023-03.3", "2023-03.1"]
    assert "re-indexed 2 of 3 partitions (2023-03.3, 2023-04)" in output
    assert bundle_mtimes(site, "2023-03.1") == before


def test_changing_what_the_entry_template_marks_rebuilds_the_search_bundle(
        small_site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theme = small_site / "theme"
    shutil.copytree(PACKAGED_THEME, theme)
    config = small_site / "sitegen.toml"
    config.write_text('theme = "theme"\n' + config.read_text())
    assert "search index unchanged" in run(small_site, "build", capsys=capsys)[1]
    template = theme / "templates" / "entry.html"
    template.write_text(template.read_text().replace(
        'data-pagefind-meta="title"', 'data-pagefind-meta="name"'))
    code, output = run(small_site, "build", capsys=capsys)
    assert code == 0 and "search index rebuilt" in output


def test_failed_indexing_leaves_the_previous_site_untouched(
        small_site: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: the index could not be written' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(search, "_executable", lambda site_dir: failing)
    before = tree_digest(small_site / "site")
    path = small_site / "content/entries/2023/2023-03-02-lukashenko-gathers-governors.md"
    path.write_text(path.read_text().replace("regional governors", "district chiefs"))
    code, output = run(small_site, "build", capsys=capsys)
    assert code == 1
    assert "search indexing failed: Error: the index could not be written" in output
    assert tree_digest(small_site / "site") == before
    assert sorted(p.name for p in small_site.iterdir()) == [  # no staging or search leftovers
        ".site.lock", ".sitegen-cache", "content", "site", "sitegen.toml"]


def test_a_site_without_entries_builds_without_a_search_bundle(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # only a draft: no entry is published (a folder with no entry file at all is an error)
    write_files(site_dir, {"content/entries/2023/2023-01-01-draft.md":
                           entry(title="Not yet", extra="draft: true\n")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0
    assert (site_dir / "site" / "search" / "index.html").is_file()
    assert not (site_dir / "site" / search.BUNDLE).exists()
