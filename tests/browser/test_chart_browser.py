"""In a real browser: a chart mark takes the reader to that day's heading on the right page,
and "jump to date" lands on the nearest day with entries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.helpers import entry, run, write_files

pytestmark = pytest.mark.browser
Serve = Callable[[Path, str], str]


@pytest.fixture
def base(site_dir: Path, static_server: Serve, capsys: pytest.CaptureFixture[str]) -> str:
    files = {}
    for day, n in {"2022-12-16": 1, "2022-12-19": 4, "2022-12-29": 2, "2022-12-30": 3}.items():
        for i in range(n):
            files[f"content/entries/{day}-e{i}.md"] = entry(title=f"Event {day} {i}", date=day)
    write_files(site_dir, files)
    code, out = run(site_dir, "build", "--base-url", "/timeline/", capsys=capsys)
    assert code == 0, out
    return static_server(site_dir / "site", "/timeline/")


def heading_in_view(page: Page, day: str) -> bool:
    """The day's heading is the page's target and on screen (at the top, unless the page is
    too short to scroll that far)."""
    return bool(page.evaluate(
        """(id) => { const h = document.getElementById(id), r = h.getBoundingClientRect();
                     const bottom = innerHeight + scrollY >= document.body.scrollHeight - 2;
                     return document.querySelector(':target') === h && r.top >= -1
                            && r.bottom <= innerHeight && (r.top < 60 || bottom); }""", day))


def test_clicking_a_chart_mark_lands_on_that_days_heading(page: Page, base: str) -> None:
    page.set_viewport_size({"width": 1000, "height": 700})
    page.goto(base)
    page.locator('svg.chart-svg a[aria-label="16 December 2022: 1 entry"]').click()
    page.wait_for_url("**/timeline/page/4/#2022-12-16")
    assert heading_in_view(page, "2022-12-16")
    assert "16 December 2022" in page.locator('[id="2022-12-16"]').inner_text()


def test_a_chart_mark_is_reachable_by_keyboard_with_its_name(page: Page, base: str) -> None:
    page.goto(base)
    mark = page.get_by_role("link", name="19 December 2022: 4 entries")
    mark.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/timeline/page/2/#2022-12-19")
    assert heading_in_view(page, "2022-12-19")


def test_jump_to_date_lands_on_the_nearest_day_with_entries(page: Page, base: str) -> None:
    page.goto(base)
    page.fill("#jump-date", "2022-12-27")
    page.click("form.jump button")
    page.wait_for_url("**/timeline/page/2/#2022-12-29")
    assert heading_in_view(page, "2022-12-29")
