"""What a reader gets from `sitegen build`: every page, feed and link, safe and deterministic."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from sitegen.cli import main
from tests.helpers import entry, run, tree_digest, write_files

ATOM = "{http://www.w3.org/2005/Atom}"
REPO = Path(__file__).resolve().parents[1]

ENTRIES = {
    "content/entries/2022/2022-12-19-minsk-talks.md": entry(
        title="Leaders of Russia and Belarus meet in Minsk", date="2022-12-19",
        topics="[belarus]", extra="summary: A test summary of the Minsk meeting.\n"),
    "content/entries/2022/2022-12-29-grid-repairs.md": entry(
        title="Grid repairs finish after a strike", date="2022-12-29 18:30",
        topics="[energy-grid]"),
    "content/entries/2022/2022-12-30-aid-pledge.md": entry(
        title="A new aid pledge for next year", date="2022-12-30", topics="[aid, belarus]"),
    "content/entries/2022/2022-12-30-second-pledge.md": entry(
        title="A second pledge the same day", date="2022-12-30 09:00", topics="[aid]"),
    "content/entries/2023/2023-01-02-new-year.md": entry(
        title="The new year begins with outages", date="2023-01-02", topics="energy-grid",
        body="See [the earlier repairs](/entries/2022-12-29-grid-repairs/).\n\n"
             "| a | b |\n|---|---|\n| 1 | ~~2~~ |\n"),
}


@pytest.fixture
def built(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_files(site_dir, ENTRIES)
    code, _ = run(site_dir, "build", capsys=capsys)
    assert code == 0
    return site_dir / "site"


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_every_url_in_the_design_is_built(built: Path) -> None:
    for rel in ("index.html", "page/2/index.html", "entries/2022-12-19-minsk-talks/index.html",
                "topics/index.html", "topics/aid/index.html", "topics/aid/feed.xml",
                "archive/index.html", "archive/2022/12/index.html", "archive/2023/01/index.html",
                "search/index.html", "feed.xml", "robots.txt", "404.html",
                ".nojekyll", "pagefind/partitions.json"):
        assert (built / rel).is_file(), rel


def test_timeline_is_newest_day_first_grouped_by_day_and_paginated(built: Path) -> None:
    home = read(built, "index.html")
    days = re.findall(r'<h2 class="day-heading" id="([\d-]+)">', home)
    assert days == ["2023-01-02", "2022-12-30"]
    titles = re.findall(r'<a href="/entries/[^"]+/">([^<]+)</a></h3>', home)
    assert titles == ["The new year begins with outages", "A second pledge the same day",
                      "A new aid pledge for next year"]
    assert 'href="/page/2/"' in home and "Page 1 of 2" in home
    page2 = read(built, "page/2/index.html")
    assert re.findall(r'id="([\d-]+)"', page2) == ["2022-12-29", "2022-12-19"]


def test_entry_page_has_sources_topics_and_neighbours(built: Path) -> None:
    page = read(built, "entries/2022-12-30-aid-pledge/index.html")
    assert '<time datetime="2022-12-30">Friday 30 December 2022</time>' in page
    assert '<span class="publisher">Test Wire</span>, <span class="author">A. Writer</span>' in page
    assert "<cite>Test headline</cite>" in page
    assert '(published <time datetime="2022-12-30">' in page
    assert '<a class="topic" href="/topics/aid/">Aid</a>' in page
    assert '<a class="topic" href="/topics/belarus/">Belarus</a>' in page
    assert 'rel="prev" href="/entries/2022-12-29-grid-repairs/"' in page
    assert 'rel="next" href="/entries/2022-12-30-second-pledge/"' in page


def test_times_are_shown_in_time_elements(built: Path) -> None:
    page = read(built, "entries/2022-12-29-grid-repairs/index.html")
    assert '<time datetime="2022-12-29T18:30:00">Thursday 29 December 2022, 18:30</time>' in page
    for html in built.rglob("*.html"):
        text = html.read_text()
        for attr in re.findall(r'<time datetime="([^"]+)"', text):
            assert re.fullmatch(r"\d{4}-\d{2}(-\d{2}(T[\d:]+([+-]\d\d:\d\d)?)?)?", attr), attr


def test_topics_page_lists_counts_and_date_spans(built: Path) -> None:
    page = read(built, "topics/index.html")
    aid = page[page.index(">Aid</a>"):]
    assert "2 entries" in aid
    assert '<time datetime="2022-12-30">' in aid
    belarus = page[page.index(">Belarus</a>"):page.index(">Energy grid</a>")]
    assert "2 entries" in belarus
    assert 'datetime="2022-12-19"' in belarus and 'datetime="2022-12-30"' in belarus


def test_topic_pages_are_paginated_with_their_own_feed(site_dir: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    many = {f"content/entries/2022-12-{d:02d}-aid-{d}.md": entry(title=f"Aid {d}",
                                                                 date=f"2022-12-{d:02d}",
                                                                 topics="[aid]")
            for d in range(1, 8)}
    write_files(site_dir, many)
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    assert (site / "topics/aid/page/3/index.html").is_file()
    assert not (site / "topics/aid/page/4/index.html").exists()
    feed = ET.parse(site / "topics/aid/feed.xml").getroot()
    assert [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")][:2] == ["Aid 7",
                                                                                     "Aid 6"]


def test_month_archive_lists_that_month_oldest_first(built: Path) -> None:
    page = read(built, "archive/2022/12/index.html")
    assert re.findall(r'id="([\d-]+)"', page) == ["2022-12-19", "2022-12-29", "2022-12-30"]
    assert "2023-01-02" not in page
    assert 'href="/archive/2023/01/"' in read(built, "archive/index.html")


def test_atom_feed_is_valid_with_ids_updated_and_content(built: Path) -> None:
    feed = ET.parse(built / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.findtext(f"{ATOM}updated") == "2023-01-02T00:00:00+00:00"
    assert feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}author") is not None
    entries = list(feed.iter(f"{ATOM}entry"))
    assert len(entries) == 5
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 5 and all(ids)
    first = entries[0]
    assert first.findtext(f"{ATOM}title") == "The new year begins with outages"
    assert first.findtext(f"{ATOM}updated") == "2023-01-02T00:00:00+00:00"
    content = first.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert "<table>" in (content.text or "")


def test_sitemap_robots_404_and_nojekyll(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # a path base URL: no sitemap (its protocol needs full URLs), said in the summary
    assert not (built / "sitemap.xml").exists()
    assert read(built, "robots.txt") == "User-agent: *\nAllow: /\n"
    root = built.parent
    code, output = run(root, "build", "--base-url", "https://news.example.org/tl/",
                       capsys=capsys)
    assert code == 0 and "no sitemap.xml" not in output
    sitemap = ET.parse(built / "sitemap.xml").getroot()
    locs = [loc.text for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert "https://news.example.org/tl/entries/2022-12-19-minsk-talks/" in locs
    assert not any(loc.endswith("404.html") for loc in locs)  # type: ignore[union-attr]
    assert "Sitemap: https://news.example.org/tl/sitemap.xml" in read(built, "robots.txt")
    assert "Page not found" in read(built, "404.html")
    assert read(built, ".nojekyll") == ""


def test_markdown_tables_strikethrough_and_links(built: Path) -> None:
    page = read(built, "entries/2023-01-02-new-year/index.html")
    assert "<table>" in page and "<s>2</s>" in page
    assert '<a href="/entries/2022-12-29-grid-repairs/">the earlier repairs</a>' in page


def test_no_script_from_content_reaches_the_page(site_dir: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    evil = "<script>alert(1)</script>"
    text = (f"---\ntitle: \"{evil}\"\ndate: 2022-12-30\ntopics: [aid]\n"
            f"summary: \"<img src=x onerror=alert(1)>\"\n"
            f"location: \"{evil}\"\n"
            "sources:\n"
            f"  - publisher: \"{evil}\"\n    author: \"<b onmouseover=alert(1)>x</b>\"\n"
            f"    headline: \"{evil}\"\n    url: \"https://example.org/\\\"><script>x</script>\"\n"
            "---\n"
            f"{evil}\n\n<img src=x onerror=alert(1)>\n\n[click](javascript:alert(1))\n\n"
            "[data](data:text/html;base64,PHNjcmlwdD4=)\n")
    write_files(site_dir, {"content/entries/2022-12-30-evil.md": text})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    for path in [*site.rglob("*.html"), *site.rglob("*.xml")]:
        html = path.read_text()
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html and "<b onmouseover" not in html, path
        assert 'href="javascript:' not in html and 'href="data:' not in html, path
        assert "<script>x</script>" not in html, path
    page = (site / "entries/2022-12-30-evil/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_output_is_deterministic(site_dir: Path, capsys: pytest.CaptureFixture[str],
                                 tmp_path: Path) -> None:
    write_files(site_dir, ENTRIES)
    digests = []
    for out in (tmp_path / "one", tmp_path / "two"):
        assert run(site_dir, "build", "--out", str(out), capsys=capsys)[0] == 0
        # the manifest records when each file was written: bookkeeping, not the site
        digests.append({k: v.split(":")[0] for k, v in tree_digest(out).items()
                        if not k.startswith("pagefind/") and k != ".sitegen-manifest.json"})
    assert digests[0] == digests[1]


def test_second_build_writes_nothing(built: Path, site_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    before, folder = tree_digest(built), built.stat().st_ino
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0
    assert "0 files written" in output and "search index unchanged" in output
    assert tree_digest(built) == before
    assert built.stat().st_ino == folder, "a no-op build must not swap in a staging copy"


def test_editing_one_entry_rewrites_only_pages_that_show_it(
        built: Path, site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(built)
    path = site_dir / "content/entries/2022/2022-12-19-minsk-talks.md"
    path.write_text(path.read_text().replace("A test summary", "An edited summary"))
    code, _ = run(site_dir, "build", capsys=capsys)
    assert code == 0
    after = tree_digest(built)
    changed = sorted(k for k in after if before.get(k) != after[k]
                     and not k.startswith("pagefind/") and k != ".sitegen-manifest.json")
    # the open-data exports carry every summary, so they change too; the charts do not
    assert changed == ["archive/2022/12/index.html", "entries.csv", "entries.json",
                       "entries/2022-12-19-minsk-talks/index.html",
                       "feed.xml", "page/2/index.html", "timeline.json",
                       "topics/belarus/feed.xml", "topics/belarus/index.html",
                       "topics/belarus/timeline.json"]


def test_drafts_only_with_flag_and_badged(site_dir: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, {
        "content/entries/2022-12-30-final.md": entry(title="Final entry"),
        "content/drafts/2022-12-29-draft.md": entry(title="Draft entry", date="2022-12-29",
                                                    extra="draft: true\n"),
        "content/entries/2022-12-28-commentary.md": entry(title="A reader's opinion",
                                                          extra="kind: commentary\n"),
    })
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    home = (site_dir / "site/index.html").read_text()
    assert "Final entry" in home and "Draft entry" not in home and "reader" not in home
    assert run(site_dir, "build", "--drafts", capsys=capsys)[0] == 0
    home = (site_dir / "site/index.html").read_text()
    assert '<span class="badge badge-draft">Draft</span> <a href="/entries/2022-12-29-draft/">' \
        in home
    assert "reader" not in home


def test_no_search_builds_the_pages_and_says_the_index_was_not_updated(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, {"content/entries/2022/2022-12-30-one.md": entry("One event")})
    code, output = run(site_dir, "build", "--no-search", capsys=capsys)
    assert code == 0 and "search index not updated (--no-search)" in output
    assert (site_dir / "site/entries/2022-12-30-one/index.html").is_file()
    assert not (site_dir / "site/pagefind").exists()
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "search index rebuilt" in output
    assert (site_dir / "site/pagefind/partitions.json").is_file()


def test_no_search_with_a_file_where_the_bundle_was_reports_the_site_it_built(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The bundle's folder replaced by a file of the user's: --no-search leaves it, warns, and
    builds; it does not publish the new site and then fail saying the old one was kept."""
    write_files(site_dir, {"content/entries/2022/2022-12-30-one.md": entry("One event")})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    bundle = site_dir / "site/pagefind"
    shutil.rmtree(bundle)
    bundle.write_text("mine")
    write_files(site_dir, {"content/entries/2022/2022-12-30-one.md": entry(
        "One event", body="Zanzibar saw it.")})
    code, output = run(site_dir, "build", "--no-search", capsys=capsys)
    assert "Zanzibar" in (site_dir / "site/entries/2022-12-30-one/index.html").read_text()
    assert code == 0 and "pagefind is a file where sitegen needs a folder" in output
    assert "search index not updated (--no-search)" in output
    assert run(site_dir, "build", "--no-search", capsys=capsys)[0] == 0
    assert bundle.read_text() == "mine"


def test_an_output_folder_that_cannot_be_listed_after_publishing_fails_nothing(
        site_dir: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The site is in place once published: a folder of it that cannot then be listed for
    the no-op's record (permissions) leaves no record, so the next build checks everything."""
    from sitegen import build as building
    from sitegen.cache import Cache

    write_files(site_dir, {"content/entries/2022/2022-12-30-one.md": entry("One event")})

    def unlistable(*_: object) -> None:
        raise PermissionError(13, "Permission denied", str(site_dir / "site/pagefind"))
    monkeypatch.setattr(building, "_listing", unlistable)
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "previous site was left" not in output
    assert (site_dir / "site/entries/2022-12-30-one/index.html").is_file()
    assert Cache(site_dir / ".sitegen-cache").stamp((site_dir / "site").resolve()) is None
    monkeypatch.undo()
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "0 files written" in output


def test_init_scaffolds_a_site_that_builds_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path / "mysite")]) == 0
    monkeypatch.chdir(tmp_path / "mysite")
    assert main(["build"]) == 0
    assert "The timeline opens with its first entry" in (
        tmp_path / "mysite/site/index.html").read_text()
    assert main(["init", str(tmp_path / "mysite")]) == 1
    assert "never overwrites" in capsys.readouterr().err


def test_new_writes_an_entry_that_builds(site_dir: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(site_dir, "new", "Lviv's power returns", "--date", "2022-12-31",
                       "--topics", "energy-grid", capsys=capsys)
    assert code == 0
    path = site_dir / "content/entries/2022/2022-12-31-lvivs-power-returns.md"
    assert str(path) in output
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    assert run(site_dir, "new", "Lviv's power returns", "--date", "2022-12-31",
               capsys=capsys)[0] == 1
    assert run(site_dir, "new", "X", "--date", "soon", capsys=capsys)[0] == 2


def test_check_reports_problems_and_writes_nothing(site_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, {"content/entries/2022-12-30-a.md": entry(
        body="[gone](/entries/no-such-entry/)")})
    code, output = run(site_dir, "check", capsys=capsys)
    assert code == 1
    assert "2022-12-30-a.md:1: link to /entries/no-such-entry/ leads nowhere" in output
    assert not (site_dir / "site").exists()


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as err:
        main(["build", "--no-such-flag"])
    assert err.value.code == 2


# --- crawl: every internal href/src resolves, at / and under a subpath --------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def broken_links(site: Path, base: str) -> list[str]:
    """Internal links in every HTML page that do not resolve to a built file."""
    broken = []
    for html in sorted(site.rglob("*.html")):
        if "pagefind" in html.parts:
            continue
        page_url = base + html.relative_to(site).as_posix()
        parser = _Links()
        parser.feed(html.read_text())
        for link in parser.links:
            target = urlsplit(urljoin("http://test.invalid" + page_url, link))
            if target.netloc != "test.invalid":
                continue
            if not target.path.startswith(base) or not _resolves(site, target.path[len(base):]):
                broken.append(f"{html.relative_to(site)} -> {link}")
    return broken


def _resolves(site: Path, rel: str) -> bool:
    path = site / unquote(rel)
    return path.is_file() or (path / "index.html").is_file()


@pytest.mark.parametrize("base", ["/", "/timeline/"])
def test_every_internal_link_resolves(site_dir: Path, capsys: pytest.CaptureFixture[str],
                                      base: str) -> None:
    write_files(site_dir, ENTRIES)
    assert run(site_dir, "build", "--base-url", base, capsys=capsys)[0] == 0
    site = site_dir / "site"
    assert broken_links(site, base) == []
    links = _Links()
    links.feed((site / "index.html").read_text())
    assert all(link.startswith(base) for link in links.links if link.startswith("/"))


@pytest.mark.parametrize("base", ["/", "/timeline/"])
def test_seed_timeline_builds_with_every_link_resolving(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        base: str) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "site"
    assert main(["build", "--out", str(out), "--base-url", base, "-q"]) == 0
    assert len(list((out / "entries").iterdir())) >= 30
    assert broken_links(out, base) == []
    for slug in ("belarus", "energy-grid", "aid"):
        assert (out / "topics" / slug / "feed.xml").is_file()


def test_a_rebuild_with_one_cache_sees_edits_and_taxonomy_changes(site_dir: Path) -> None:
    import os

    from sitegen.build import build
    from sitegen.cache import Cache
    from sitegen.config import load_config
    from sitegen.errors import ContentError

    write_files(site_dir, ENTRIES)
    old = 1_600_000_000  # long ago: these files' stats are trusted on the next build
    for path in (site_dir / "content").rglob("*.md"):
        os.utime(path, (old, old))
    cache, config = Cache(None), load_config(site_dir / "sitegen.toml")
    build(config, cache)
    edited = site_dir / "content/entries/2022/2022-12-30-aid-pledge.md"
    edited.write_text(edited.read_text().replace("A new aid pledge", "An edited pledge"))
    build(config, cache)
    assert "An edited pledge" in (site_dir / "site/index.html").read_text()
    toml = site_dir / "sitegen.toml"
    toml.write_text(toml.read_text().replace('slug = "aid"', 'slug = "help"'))
    with pytest.raises(ContentError, match="unknown topic 'aid'"):
        build(load_config(toml), cache)


def test_entries_without_a_time_keep_the_given_order_and_are_labelled_honestly(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, {
        "content/entries/2022-12-30-a-first.md": entry(title="Reported second", extra="order: 2\n"),
        "content/entries/2022-12-30-b-second.md": entry(title="Reported first", extra="order: 1\n"),
        "content/entries/2022-12-31-next-day.md": entry(title="Next day", date="2022-12-31"),
    })
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    home = read(site, "index.html")
    assert home.index("Reported second") < home.index("Reported first")  # newest first
    page = read(site, "entries/2022-12-30-a-first/index.html")
    assert "Reported before, same day: Reported first" in page
    assert "Later: Next day" in page
    assert "Earlier:" not in page


def test_a_bad_order_names_the_line(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, {"content/entries/2022-12-30-x.md": entry(extra="order: first\n")})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 1
    assert "2022-12-30-x.md:10: `order` must be a whole number" in out


def test_a_first_build_remembers_each_files_stat_for_the_next(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A first build makes each file's digest where it parses it, and keeps its stat (unless
    too fresh to trust): the next build reads only the file saved just now."""
    import os

    from sitegen import safeio
    from sitegen.build import build
    from sitegen.cache import Cache
    from sitegen.config import load_config

    write_files(site_dir, ENTRIES)
    old = 1_600_000_000
    files = sorted((site_dir / "content").rglob("*.md"))
    for path in files[1:]:
        os.utime(path, (old, old))
    read, original = [], safeio.read_regular_file

    def counted(path: Path, *args: Any, **kwargs: Any) -> bytes:
        read.append(Path(path).name)
        return original(path, *args, **kwargs)
    monkeypatch.setattr(safeio, "read_regular_file", counted)
    build(load_config(site_dir / "sitegen.toml"), Cache(site_dir / ".sitegen-cache"))
    assert sorted(name for name in read if name.endswith(".md")) == [f.name for f in files]
    toml = site_dir / "sitegen.toml"
    toml.write_text(toml.read_text().replace('"Test Timeline"', '"Retitled"', 1))
    read.clear()
    build(load_config(toml), Cache(site_dir / ".sitegen-cache"))
    assert [name for name in read if name.endswith(".md")] == [files[0].name]
    assert "Retitled" in (site_dir / "site/index.html").read_text()
