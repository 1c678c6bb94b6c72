"""A deployed gh-pages tree served under /REPO/, as GitHub Pages serves a project site.

Crawled with urllib (every link, asset, feed link and the search bundle resolves under the
subpath, and so does the 404 page at any depth), then opened in headless Chromium.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import Page, expect

from sitegen.cli import main
from tests.helpers import SITE_TOML
from tests.test_deploy import DRAFT, ENTRIES, clone_pages, isolate_git, make_project

PREFIX = "/REPO/"
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
Serve = Callable[[Path, str], str]


class Links(HTMLParser):
    """Every href and src in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A clone of gh-pages after `sitegen deploy --base-url /REPO/` to a local bare remote."""
    tmp = tmp_path_factory.mktemp("deployed")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate_git(monkeypatch)
        files: dict[str, str | bytes] = {"sitegen.toml": SITE_TOML, **ENTRIES, **DRAFT}
        project = make_project(tmp / "src", tmp / "remote.git", files)
        assert main(["deploy", "--config", str(project.root / "sitegen.toml"),
                     "--base-url", PREFIX]) == 0
        yield clone_pages(project.remote, tmp / "pages")


def fetch(url: str) -> tuple[int, bytes]:
    """Status and body; a 404 page is a body too."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def page_url(base: str, rel: str) -> str:
    """The address of an output HTML file: a folder's index.html is served at the folder."""
    return base + (rel[:-len("index.html")] if rel.endswith("index.html") else rel)


def internal_links(html: bytes, at: str) -> set[str]:
    """Every href/src on the page that points into this server, resolved as a browser would;
    in-page anchors (the skip link) are not requests."""
    parser = Links()
    parser.feed(html.decode("utf-8"))
    host = urlsplit(at).netloc
    resolved = {urldefrag(urljoin(at, link)).url for link in parser.found
                if not link.startswith("#")}
    return {url for url in resolved if urlsplit(url).netloc == host}


def assert_all_resolve(urls: set[str], checked: dict[str, int]) -> None:
    for url in sorted(urls - set(checked)):
        checked[url] = fetch(url)[0]
        assert urlsplit(url).path.startswith(PREFIX), f"{url} is outside {PREFIX}"
    broken = {url: checked[url] for url in urls if checked[url] != 200}
    assert not broken, broken


def test_every_page_asset_feed_and_search_file_resolves_under_the_subpath(
        deployed: Path, static_server: Serve) -> None:
    base = static_server(deployed, PREFIX)
    checked: dict[str, int] = {}
    pages = sorted(p.relative_to(deployed).as_posix() for p in deployed.rglob("*.html")
                   if ".git" not in p.parts and p.name != "404.html")
    assert "entries/2022-12-28-ferry-resumes/index.html" in pages
    for rel in pages:
        url = page_url(base, rel)
        status, html = fetch(url)
        assert status == 200, url
        assert_all_resolve(internal_links(html, url), checked)
    assert any(urlsplit(url).path == f"{PREFIX}static/style.css" for url in checked)
    assert f"{base}feed.xml" in checked
    assert_all_resolve(feed_links(base), checked)
    status, manifest = fetch(base + "pagefind/partitions.json")
    assert status == 200
    bundles = [f"{base}pagefind/{p['name']}/" for p in json.loads(manifest)["partitions"]]
    assert bundles
    assert_all_resolve({b + name for b in bundles for name in ("pagefind.js", "order.json",
                                                               "pagefind-entry.json")}, checked)


def feed_links(base: str) -> set[str]:
    """The links in the site feed and a topic feed."""
    links: set[str] = set()
    for rel in ("feed.xml", "topics/energy-grid/feed.xml"):
        status, body = fetch(base + rel)
        assert status == 200, rel
        feed = ET.fromstring(body)
        links |= {urljoin(base + rel, link.attrib["href"]) for link in feed.iter(f"{ATOM}link")}
    status, body = fetch(base + "sitemap.xml")
    # deployed with a path base URL: no sitemap, as its protocol needs full URLs
    assert status == 404, "a sitemap with relative <loc>s is invalid"
    assert len(links) > 6
    return links


def test_a_missing_page_at_any_depth_gets_the_404_page_whose_links_resolve(
        deployed: Path, static_server: Serve) -> None:
    base = static_server(deployed, PREFIX)
    checked: dict[str, int] = {}
    for missing in ("no-such-page", "entries/no-such-entry/", "archive/1999/01/deeper/still/"):
        url = base + missing
        status, html = fetch(url)
        assert status == 404, url
        assert b"Page not found" in html
        links = internal_links(html, url)
        assert f"{base}topics/" in links and f"{base}search/" in links
        assert_all_resolve(links, checked)


STYLE_PROBE = """() => ({
    sheets: [...document.styleSheets].filter(s => s.href)
        .map(s => [new URL(s.href).pathname, s.cssRules.length]),
    bg: getComputedStyle(document.documentElement).getPropertyValue("--bg").trim(),
    background: getComputedStyle(document.body).backgroundColor,
    font: getComputedStyle(document.body).fontFamily,
})"""


def assert_styled(page: Page) -> None:
    """The theme's stylesheet loaded from under the subpath and applies to the page."""
    style = page.evaluate(STYLE_PROBE)
    assert [path for path, rules in style["sheets"] if rules] == [f"{PREFIX}static/style.css"]
    assert style["bg"], "the theme's custom properties are not defined"
    assert style["background"] != "rgba(0, 0, 0, 0)", "the body has the browser's background"
    assert "system-ui" in style["font"], "the body has the browser's default font"


@pytest.mark.browser
def test_the_home_page_renders_with_its_stylesheet(deployed: Path, static_server: Serve,
                                                   page: Page) -> None:
    base = static_server(deployed, PREFIX)
    response = page.goto(base)
    assert response is not None and response.status == 200
    expect(page.get_by_role("link", name="Lights stay on for New Year's Eve")).to_have_count(1)
    assert_styled(page)
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Topics").click()
    page.wait_for_url(f"{base}topics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Topics")


@pytest.mark.browser
def test_a_deep_missing_page_shows_the_styled_404_with_working_links(
        deployed: Path, static_server: Serve, page: Page) -> None:
    base = static_server(deployed, PREFIX)
    response = page.goto(base + "archive/1999/01/deeper/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_styled(page)
    page.get_by_role("link", name="Archive by month").click()
    page.wait_for_url(f"{base}archive/")
    assert_styled(page)


@pytest.mark.browser
def test_search_finds_an_entry_and_links_under_the_subpath(deployed: Path, static_server: Serve,
                                                           page: Page) -> None:
    base = static_server(deployed, PREFIX)
    page.goto(base + "search/?q=ferry")
    result = page.locator("#search-results a").first
    result.wait_for(timeout=10_000)
    assert result.get_attribute("href") == f"{PREFIX}entries/2022-12-28-ferry-resumes/"
    result.click()
    page.wait_for_url(f"{base}entries/2022-12-28-ferry-resumes/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("River ferry resumes")
