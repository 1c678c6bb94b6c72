"""Feeds that stay valid and stable for ever: entry ids that survive a move to a full URL or a
custom domain, and a sitemap and robots.txt written only when they can be valid."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from tests.helpers import SITE_TOML, entry, run, write_files

SCHEMA = Path(__file__).parent / "sitemap.xsd"
ENTRIES: dict[str, str | bytes] = {
    "content/entries/2022/2022-12-29-grid.md": entry(title="Grid repairs", date="2022-12-29",
                                                     topics="[energy-grid]"),
    "content/entries/2022/2022-12-30-talks.md": entry(title="Talks in Minsk"),
}


@pytest.fixture
def site(site_dir: Path) -> Path:
    write_files(site_dir, ENTRIES)
    return site_dir


def feed_ids(root: Path) -> dict[str, list[str]]:
    return {rel: [e.id for e in feedparser.parse((root / "site" / rel).read_bytes()).entries]
            for rel in ("feed.xml", "topics/belarus/feed.xml", "topics/energy-grid/feed.xml")}


def test_entry_ids_never_change_when_the_site_moves(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seen = []
    for base in ("/", "/timeline/", "https://user.github.io/repo/", "https://news.example.org/"):
        assert run(site, "build", "--base-url", base, capsys=capsys)[0] == 0
        seen.append(feed_ids(site))
    assert all(ids == seen[0] for ids in seen)
    assert seen[0]["feed.xml"] == ["tag:test-timeline.sitegen.invalid,2022-12-30:2022-12-30-talks",
                                   "tag:test-timeline.sitegen.invalid,2022-12-29:2022-12-29-grid"]


def test_a_configured_tag_authority_names_the_ids(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site / "sitegen.toml").write_text('tag_authority = "Editors@News.Example.org"\n' + SITE_TOML)
    assert run(site, "build", capsys=capsys)[0] == 0
    feed = feedparser.parse((site / "site/feed.xml").read_bytes())
    assert feed.feed.id == "tag:editors@news.example.org,2000:feed.xml"
    assert [e.id for e in feed.entries][-1] == (
        "tag:editors@news.example.org,2022-12-29:2022-12-29-grid")


@pytest.mark.parametrize("authority", ["https://news.example.org/", "news example", "a,b",
                                       "x:y", "<script>"])
def test_a_bad_tag_authority_is_an_error_at_its_line(
        site: Path, capsys: pytest.CaptureFixture[str], authority: str) -> None:
    (site / "sitegen.toml").write_text(f"tag_authority = '{authority}'\n" + SITE_TOML)
    code, output = run(site, "build", capsys=capsys)
    assert code == 1
    assert "sitegen.toml:1: tag_authority" in output
    assert "must be a domain name or an email address you own" in output


def test_feeds_read_cleanly_in_a_feed_reader(site: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "build", "--base-url", "/timeline/", capsys=capsys)[0] == 0
    for rel in ("feed.xml", "topics/belarus/feed.xml"):
        feed = feedparser.parse((site / "site" / rel).read_bytes())
        assert not feed.bozo, (rel, feed.get("bozo_exception"))
        assert feed.version == "atom10"
        for item in feed.entries:
            assert item.id.startswith("tag:") and item.link.startswith("/timeline/entries/")
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", item.updated)


def test_a_path_base_url_writes_no_sitemap_and_says_so_once(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(site, "build", "--base-url", "/timeline/", capsys=capsys)
    assert code == 0
    assert output.count("no sitemap.xml: base_url is a path") == 1
    assert not (site / "site/sitemap.xml").exists()
    robots = (site / "site/robots.txt").read_text()
    assert robots == "User-agent: *\nAllow: /\n"


def test_a_full_base_url_writes_a_sitemap_the_schema_accepts(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(site, "build", "--base-url", "https://user.github.io/repo/",
                       capsys=capsys)
    assert code == 0 and "no sitemap" not in output
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    sitemap = etree.parse(str(site / "site/sitemap.xml"))
    assert schema.validate(sitemap), schema.error_log
    locs = sitemap.findall(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    assert "https://user.github.io/repo/entries/2022-12-30-talks/" in [x.text for x in locs]
    robots = (site / "site/robots.txt").read_text()
    assert robots.endswith("Sitemap: https://user.github.io/repo/sitemap.xml\n")


def test_moving_from_a_path_to_a_full_url_removes_nothing_but_adds_the_sitemap(
        site: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(site, "build", capsys=capsys)[0] == 0
    before = {p.relative_to(site / "site") for p in (site / "site").rglob("*")}
    assert run(site, "build", "--base-url", "https://x.example/", capsys=capsys)[0] == 0
    after = {p.relative_to(site / "site") for p in (site / "site").rglob("*")}
    assert {str(p) for p in after - before if "pagefind" not in str(p)} == {"sitemap.xml"}
    assert run(site, "build", capsys=capsys)[0] == 0
    assert not (site / "site/sitemap.xml").exists()
