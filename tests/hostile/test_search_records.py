"""Markup written into an entry reaches the search index as text, and the search page shows it
as text: typed into the real page (with the Content-Security-Policy switched off, so the page's
own rendering is all that stands between the index and the reader), nothing from content runs
and no element from content appears."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from sitegen.cli import main
from tests.helpers import SITE_TOML, write_files
from tests.hostile.scan import injected, scripts_in_site

Serve = Callable[[Path, str], str]
TITLE = "<img src=x onerror=alert(1)> Zebrafish <script>alert(2)</script> report"
SUMMARY = "<svg onload=alert(3)> zebrafish summary <a href=javascript:alert(4)>x</a>"
TOPIC = "<img src=t onerror=alert(5)> Aid"
HOSTILE = f"""---
title: {json.dumps(TITLE)}
date: 2023-03-12
topics: [aid]
summary: {json.dumps(SUMMARY)}
places: ["Kyiv, topic:<img src=p onerror=alert(6)>", "x, url:javascript:alert(7)"]
sources:
  - publisher: "Wire, topic:evil, url:javascript:alert(8)"
---
Zebrafish body <script>alert(9)</script> and <img src=y onerror=alert(10)>, then
<mark onclick=alert(11)>marked</mark> and [a link](javascript:alert(12)).
"""
# In "sanitize" mode raw HTML passes an allowlist: Pagefind's attributes must not be on it, or
# a body could set a result's URL or title.
SANITIZED = """---
title: Quokka census
date: 2023-03-12
topics: [aid]
---
<p data-pagefind-meta="url:javascript:alert(13)" data-pagefind-filter="topic:evil">quokka</p>
<span data-pagefind-meta="title:<img src=q onerror=alert(14)>">counted</span>
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The hostile entry with raw HTML shown as text (the default), and the entry with
    Pagefind's attributes in raw HTML passed through the sanitizer."""
    root = tmp_path_factory.mktemp("hostile-search")
    config = SITE_TOML.replace('name = "Aid"', f"name = {json.dumps(TOPIC)}")
    built = {}
    for mode, text in (("escape", HOSTILE), ("sanitize", SANITIZED)):
        write_files(root / mode, {
            "sitegen.toml": config + f'\n[markdown]\nhtml = "{mode}"\n',
            "content/entries/2023/2023-03-12-entry.md": text})
        assert main(["build", "-q", "--config", str(root / mode / "sitegen.toml"),
                     "--out", str(root / mode / "site")]) == 0
        built[mode] = root / mode / "site"
    return built


def records(site: Path) -> dict[str, dict[str, Any]]:
    """Every Pagefind fragment, decoded (gzip, then the `pagefind_dcd` signature, then JSON)."""
    found = {}
    for path in site.glob("pagefind/*/fragment/*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        record = json.loads(data[len(b"pagefind_dcd"):])
        found[record["url"]] = record
    return found


def test_markup_is_in_the_search_records_as_the_text_a_reader_sees(
        sites: dict[str, Path]) -> None:
    [hostile], [sanitized] = (records(sites[mode]).values() for mode in ("escape", "sanitize"))
    # Pagefind keeps text, not markup: a search page must insert it as text (ours does).
    assert hostile["meta"]["title"] == TITLE
    assert hostile["meta"]["summary"] == SUMMARY
    assert "<script>alert(9)</script>" in hostile["content"]
    # A comma in a place does not start another filter or a meta field.
    assert hostile["filters"]["topic"] == ["aid"]
    assert hostile["filters"]["place"] == ["Kyiv, topic:<img src=p onerror=alert(6)>",
                                           "x, url:javascript:alert(7)"]
    assert set(hostile["meta"]) == {"title", "summary", "date", "when"}
    # Pagefind's attributes in sanitized raw HTML are dropped before Pagefind sees them.
    assert sanitized["meta"]["title"] == "Quokka census"
    assert "url" not in sanitized["meta"] and sanitized["filters"]["topic"] == ["aid"]
    assert scripts_in_site(sites["escape"]) == scripts_in_site(sites["sanitize"]) == []


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page that ignores the CSP: it must be safe without it."""
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.browser
def test_typing_a_word_of_a_hostile_entry_shows_its_markup_as_text(
        page: Page, sites: dict[str, Path], static_server: Serve) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(static_server(sites["escape"], "/") + "search/")
    page.get_by_role("main").get_by_label("Search the timeline").press_sequentially(
        "zebrafish", delay=20)
    expect(page.get_by_role("status")).to_have_text("1 result for “zebrafish”")
    result = page.locator(".search-result")
    expect(result.locator(".search-result-title")).to_have_text(TITLE)
    excerpt = result.locator(".search-result-excerpt")
    expect(excerpt).to_contain_text("<script>alert(9)</script> and <img src=y onerror=alert(10)>")
    expect(excerpt).to_contain_text("<mark onclick=alert(11)>marked</mark>")
    expect(excerpt.locator("mark").first).to_have_text(  # only Pagefind's highlight is a mark
        "Zebrafish", ignore_case=True)
    expect(result.locator(".topic")).to_have_text([TOPIC])
    assert injected(page) == [] and dialogs == []
    # Without words the results show summaries: also text.
    page.get_by_role("main").get_by_label("Search the timeline").fill("")
    page.get_by_role("checkbox", name=TOPIC).check()
    expect(page.get_by_role("status")).to_have_text(f"1 result in {TOPIC}")
    expect(page.locator(".search-result-excerpt").last).to_have_text(SUMMARY)
    assert injected(page) == [] and dialogs == []


@pytest.mark.browser
def test_pagefind_attributes_in_sanitized_html_do_not_reach_results(
        page: Page, sites: dict[str, Path], static_server: Serve) -> None:
    page.goto(static_server(sites["sanitize"], "/") + "search/?q=quokka")
    expect(page.get_by_role("status")).to_have_text("1 result for “quokka”")
    link = page.locator(".search-result-title a")
    expect(link).to_have_text("Quokka census")
    expect(link).to_have_attribute("href", "/entries/2023-03-12-entry/")
    assert injected(page) == []
