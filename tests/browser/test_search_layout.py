"""The search page does not jump while it loads: its cumulative layout shift (CLS, what
Chromium's Layout Instability API reports) stays under 0.1 on a phone and on a desktop, with
and without a search in the URL. A layout metric, not a timing: the test waits until the
results are shown and counts every shift the page made on the way."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from sitegen.cli import main
from tests.helpers import entry, write_files

Serve = Callable[[Path, str], str]
TOPICS = [("shelling", "Shelling of cities"), ("energy-grid", "Energy grid"),
          ("aid", "Military and humanitarian aid"), ("diplomacy", "Diplomacy and talks"),
          ("belarus", "Belarus"), ("prisoners", "Prisoner exchanges"),
          ("shipping", "Black Sea shipping"), ("refugees", "Refugees and evacuations"),
          ("sanctions", "Sanctions"), ("occupied", "Occupied territories")]
VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3,
              "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1350, "height": 940}},
}
# Every shift the page made, as Chromium reports them (not those caused by the reader's input).
CLS = """() => new Promise((done) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const shift of list.getEntries()) if (!shift.hadRecentInput) total += shift.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => done(total), 800);
})"""


def config() -> str:
    topics = "".join(f'[[topics]]\nslug = "{slug}"\nname = "{name}"\n'
                     f'description = "About {name}."\n\n' for slug, name in TOPICS)
    return f'title = "Layout Timeline"\nbase_url = "/"\n\n{topics}'


def entries() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for n in range(40):
        day = f"2023-{1 + n // 20:02d}-{1 + n % 20:02d}"
        topics = ", ".join(slug for slug, _ in (TOPICS[n % 10], TOPICS[(n * 3 + 1) % 10]))
        files[f"content/entries/2023/{day}-report-{n}.md"] = entry(
            title=f"Regional officials report on the harbour and the grid, update {n}",
            date=day, topics=f"[{topics}]",
            extra=f"summary: Officials gave figures on the harbour, the grid and aid, "
                  f"in the {n}th update of the week.\n",
            body="The regional administration described repairs at the harbour and on the "
                 "grid, and listed the aid that arrived overnight, according to its statement.")
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("layout-site")
    write_files(root, {"sitegen.toml": config(), **entries()})
    assert main(["build", "-q", "--config", str(root / "sitegen.toml"),
                 "--out", str(root / "site")]) == 0
    return root / "site"


def layout_shift(browser: Browser, url: str, viewport: str, *, results: bool) -> float:
    context = browser.new_context(**VIEWPORTS[viewport])  # type: ignore[arg-type]
    try:
        page = context.new_page()
        # A mobile network (Lighthouse's: 150 ms round trips, 1.6 Mbit/s): the page is painted
        # before the search index arrives, as a reader's is.
        network = context.new_cdp_session(page)
        network.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 150, "downloadThroughput": 1.6e6 / 8,
            "uploadThroughput": 750e3 / 8})
        page.goto(url)
        if results:
            page.wait_for_selector(".search-result", timeout=20_000)
        page.wait_for_load_state("networkidle")  # the index and fragments are in
        return float(page.evaluate(CLS))
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
@pytest.mark.parametrize(("query", "results"), [
    ("", False), ("?q=harbour", True), ("?topic=energy-grid&sort=oldest", True),
    ("?q=grid&topic=aid", True),
])
def test_the_search_page_keeps_its_layout_while_it_loads(
        browser: Browser, site: Path, static_server: Serve, viewport: str, query: str,
        results: bool) -> None:
    url = static_server(site, "/") + "search/" + query
    shift = layout_shift(browser, url, viewport, results=results)
    assert shift < 0.1, f"cumulative layout shift {shift:.3f} on {viewport} at {url}"


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_saying_search_could_not_load_moves_nothing(
        browser: Browser, site: Path, static_server: Serve, tmp_path: Path,
        viewport: str) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("pagefind"))
    url = static_server(copy, "/") + "search/?q=harbour"
    context = browser.new_context(**VIEWPORTS[viewport])  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(url)
        expect(page.get_by_text("Search could not be loaded")).to_be_visible()
        shift = float(page.evaluate(CLS))
    finally:
        context.close()
    assert shift < 0.1, f"cumulative layout shift {shift:.3f} on {viewport} at {url}"
