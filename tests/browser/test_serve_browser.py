"""`sitegen serve` in a real headless Chromium: an open page follows an edit on disk, shows a
broken edit's file and line, and comes back when the file is fixed, without a click."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sitegen.config import load_config
from sitegen.errors import display_path
from sitegen.serve import PreviewServer
from tests.helpers import entry, write_files

pytestmark = pytest.mark.browser
TALKS = "content/entries/2022/2022-12-19-minsk-talks.md"
WAIT_MS = 10_000


@pytest.fixture
def server(site_dir: Path) -> Iterator[PreviewServer]:
    write_files(site_dir, {
        TALKS: entry(title="Leaders meet in Minsk", date="2022-12-19"),
        "content/entries/2022/2022-12-29-grid-repairs.md": entry(
            title="Grid repairs finish", date="2022-12-29", topics="[energy-grid]"),
    })
    preview = PreviewServer(load_config(site_dir / "sitegen.toml"), port=0)
    preview.start()
    thread = threading.Thread(target=preview.run, daemon=True)
    thread.start()
    yield preview
    preview.stop()
    thread.join(timeout=5)


def save(path: Path, text: str) -> None:
    """Save as editors do: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def test_an_open_page_follows_an_edit_a_break_and_the_fix(
        server: PreviewServer, site_dir: Path, page: Page) -> None:
    page.goto(server.url + "entries/2022-12-19-minsk-talks/")
    heading = page.locator("h1")
    expect(heading).to_have_text("Leaders meet in Minsk")

    save(site_dir / TALKS, entry(title="Leaders sign a pact in Minsk", date="2022-12-19"))
    expect(heading).to_have_text("Leaders sign a pact in Minsk", timeout=WAIT_MS)

    save(site_dir / TALKS, entry(title="Leaders: a pact", date="2022-12-19"))  # bad YAML
    where = f"{display_path(site_dir / TALKS)}:2"
    expect(page.locator("body")).to_contain_text(f"{where}: YAML syntax error", timeout=WAIT_MS)
    expect(heading).to_have_text("The site did not build")

    save(site_dir / TALKS, entry(title="Leaders meet again", date="2022-12-19"))
    expect(heading).to_have_text("Leaders meet again", timeout=WAIT_MS)


def test_a_reload_fetches_the_page_again_but_not_its_unchanged_assets(
        server: PreviewServer, site_dir: Path, page: Page, caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG, logger="sitegen.preview.handler"):
        page.goto(server.url + "entries/2022-12-19-minsk-talks/")
        heading = page.locator("h1")
        expect(heading).to_have_text("Leaders meet in Minsk")
        # Chromium asks for the favicon after the page has loaded, sometimes only once a busy
        # machine got to it: let the first load's requests end before counting the reload's.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and \
                not any("favicon" in r.getMessage() for r in caplog.records):
            page.wait_for_timeout(50)
        caplog.clear()
        save(site_dir / TALKS, entry(title="Leaders sign a pact in Minsk", date="2022-12-19"))
        expect(heading).to_have_text("Leaders sign a pact in Minsk", timeout=WAIT_MS)
        expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    fetched = [r.getMessage() for r in caplog.records if " GET " in r.getMessage()]
    assert any("/entries/2022-12-19-minsk-talks/" in line for line in fetched), fetched
    assert not [line for line in fetched if "/static/" in line or "livereload.js" in line]
    assert page.evaluate("getComputedStyle(document.body).fontFamily"), "the style still applies"
