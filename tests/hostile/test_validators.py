"""What a reader's tools check, run on the built seed site (this repository's own timeline):
the Nu Html Checker, axe-core in headless chromium (light and dark), a feed reader's parser and
the sitemap schema. Each must report zero errors; `make test` installs the checkers."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from sitegen.cli import main
from tests.hostile.scan import scripts_in_site

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ROOT / ".venv" / "npm" / "node_modules"
VNU = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = TOOLS / "axe-core" / "axe.min.js"
BASE = "https://example.github.io/timeline/"
PREFIX = "/timeline/"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PAGES = ["", "entries/{entry}/", "topics/", "topics/energy-grid/", "archive/",
         "archive/2022/12/", "key-events/", "search/?q=power", "404.html"]


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository's timeline, built for a full address (so it has a sitemap)."""
    out = tmp_path_factory.mktemp("seed") / "site"
    assert main(["build", "--config", str(ROOT / "pyproject.toml"), "--out", str(out),
                 "--base-url", BASE, "-q"]) == 0
    yield out
    shutil.rmtree(ROOT / ".sitegen-cache" / "unused", ignore_errors=True)


def needs(tool: Path) -> None:
    assert tool.is_file(), f"{tool} is missing: `make test` installs it (npm, into .venv/npm)"


def test_the_nu_html_checker_finds_no_error(seed_site: Path) -> None:
    needs(VNU)
    assert shutil.which("java"), "java is missing: `make test` installs default-jre-headless"
    done = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json",
                           "--skip-non-html", str(seed_site)], capture_output=True, text=True,
                          timeout=300, check=False)
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(errors)
    assert done.returncode == 0


def test_feeds_parse_cleanly_and_the_sitemap_meets_the_schema(seed_site: Path) -> None:
    feeds = sorted(seed_site.rglob("feed.xml"))
    assert len(feeds) > 5
    for path in feeds:
        feed = feedparser.parse(path.read_bytes())
        assert not feed.bozo, (path, feed.get("bozo_exception"))
        assert feed.version == "atom10" and feed.feed.id.startswith("tag:")
        assert all(e.id.startswith("tag:ukraine-war-timeline.sitegen.invalid,")
                   for e in feed.entries)
        assert all(e.link.startswith(BASE) for e in feed.entries)
    schema = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "sitemap.xsd")))
    sitemap = etree.parse(str(seed_site / "sitemap.xml"))
    assert schema.validate(sitemap), schema.error_log
    assert (seed_site / "robots.txt").read_text().endswith(f"Sitemap: {BASE}sitemap.xml\n")


def test_no_page_feed_or_search_record_holds_script(seed_site: Path) -> None:
    assert scripts_in_site(seed_site) == []


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_and_the_csp_blocks_nothing_of_ours(
        seed_site: Path, browser: object, static_server: Callable[[Path, str], str],
        scheme: str) -> None:
    needs(AXE)
    base = static_server(seed_site, PREFIX)
    entry = sorted(p.name for p in (seed_site / "entries").iterdir())[0]
    context = browser.new_context(color_scheme=scheme)  # type: ignore[attr-defined]
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text)
            if "Content Security Policy" in m.text else None)
    axe = AXE.read_text(encoding="utf-8")
    found = []
    try:
        for rel in PAGES:
            page.goto(base + rel.format(entry=entry))
            if rel.startswith("search/"):
                page.wait_for_selector("#search-results li", timeout=15_000)
            page.evaluate(axe)  # through the DevTools protocol: the CSP does not apply to it
            result = page.evaluate(
                "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG)
            found += [f"/{rel} ({scheme}): {v['id']}: {v['help']} "
                      f"({len(v['nodes'])}: {v['nodes'][0]['target']})"
                      for v in result["violations"]]
    finally:
        context.close()
    assert found == [], "\n".join(found)
    assert blocked == [], "\n".join(blocked)
