"""The edit fast path: after an edit of entry bodies alone, a build makes only what shows those
bodies, and ends with exactly the site a fresh build makes. Any other change builds in full."""

from __future__ import annotations

import gzip
import json
import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import load, render, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import PACKAGED_THEME, load_config
from sitegen.search import FRAGMENT_MAGIC
from tests.helpers import entry, write_files
from tests.test_engine import entries, site_files


class Calls:
    """Counts the full build's planning and every parse (as the Lektor test counts calls)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.planned = 0
        self.parsed: list[str] = []
        plan, parse = render.plan_pages, load.parse_entry

        def counted_plan(*args: Any) -> Any:
            self.planned += 1
            return plan(*args)

        def counted_parse(path: Path, *args: Any) -> Any:
            self.parsed.append(path.name)
            return parse(path, *args)
        monkeypatch.setattr(render, "plan_pages", counted_plan)
        monkeypatch.setattr(load, "parse_entry", counted_parse)


def _aged(root: Path) -> None:
    """Every input an hour old: past the racy window, so stats are trusted."""
    then = time.time() - 3600
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def _edit(path: Path, old: str, new: str, *, age: float = 1800) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))


def _fresh(root: Path, name: str, **options: Any) -> Path:
    out = root.parent / name
    build(load_config(root / "sitegen.toml"), Cache(None), out=out, workers=1, **options)
    return out


def _built(root: Path, **options: Any) -> Any:
    return build(load_config(root / "sitegen.toml"), Cache(root / ".sitegen-cache"),
                 out=root / "site", workers=1, **options)


@pytest.fixture
def timeline(site_dir: Path) -> Path:
    write_files(site_dir, entries(30))
    _aged(site_dir)
    _built(site_dir, search=False)
    return site_dir


def _entry_file(root: Path, n: int) -> Path:
    return next(root.glob(f"content/entries/2022/*-event-{n}.md"))


def test_a_manifest_rewritten_with_its_stat_put_back_is_read_by_a_full_build(
        timeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The edit path takes the manifest as the last build wrote it only if its bytes are those
    # (their digest, in the stamp): one rewritten in place, the same length, its mtime put
    # back (two files' digests swapped), passes every stat, so it is the digest that sends the
    # build the full way, which finds each file's bytes itself.
    manifest = timeline / "site" / write.MANIFEST
    data, st_ = manifest.read_bytes(), manifest.stat()
    owned = write._parse_manifest(data)
    assert owned is not None
    first, second = (owned.files[rel].digest.encode() for rel in sorted(owned.files)[:2])
    swapped = data.replace(first, b"\0" * 64).replace(second, first).replace(b"\0" * 64, second)
    assert swapped != data and len(swapped) == len(data)
    manifest.write_bytes(swapped)
    os.utime(manifest, ns=(st_.st_atime_ns, st_.st_mtime_ns))
    assert manifest.stat().st_ino == st_.st_ino
    _edit(_entry_file(timeline, 7), "What happened in event 7", "Another account of event 7")
    calls = Calls(monkeypatch)
    _built(timeline, search=False)
    assert calls.planned == 1
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


def test_a_body_edit_makes_only_what_shows_the_body(timeline: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = _entry_file(timeline, 7)
    _edit(path, "What happened in event 7", "A corrected account of event 7")
    calls = Calls(monkeypatch)
    result = _built(timeline, search=False)
    assert calls.planned == 0 and calls.parsed == [path.name]
    page = (timeline / "site/entries" / path.stem / "index.html").read_text()
    assert "A corrected account of event 7" in page
    records = json.loads((timeline / "site/entries.json").read_text())["entries"]
    assert [r["body_html"] for r in records if r["slug"] == path.stem] == \
        ["<p>A corrected account of event 7, in our words.</p>\n"]
    # the page, the site's feed and its topics' feeds, /entries.json: a handful of files
    assert 2 <= result.stats.written <= 6 and result.stats.removed == 0
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


def test_a_body_edit_splices_its_feeds_to_the_bytes_a_full_build_renders(
        timeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sitegen import feeds

    rendered: list[str] = []
    whole = feeds.render_feed
    monkeypatch.setattr(feeds, "render_feed",
                        lambda config, feed: rendered.append(feed.path) or whole(config, feed))
    for n in (29, 0, 15):  # the newest, the oldest, one between
        _edit(_entry_file(timeline, n), "in our words",
              f"in our words.\n\n  </entry>\n    <id>x</id>\n<entry> {n} {time.time()}")
        _built(timeline, search=False)
    assert rendered == []  # every feed that shows them was spliced, none rendered
    assert "&amp;lt;/entry&amp;gt;" in (timeline / "site/feed.xml").read_text()
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


def test_edits_of_bodies_one_after_another_stay_on_the_fast_path(
        timeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = Calls(monkeypatch)
    for n in (3, 29, 3, 0):
        _edit(_entry_file(timeline, n), "in our words", f"in our words, take {n}{time.time()}")
        _built(timeline, search=False)
    assert calls.planned == 0 and len(calls.parsed) == 4
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


@pytest.mark.parametrize("most_edits", [512, 1])  # recorded as edits; written whole again
def test_edit_builds_record_the_snapshot_a_full_build_would(
        timeline: Path, monkeypatch: pytest.MonkeyPatch, most_edits: int) -> None:
    """An edit build records only what it changed of the snapshot; read back, the snapshot is
    the one a full build of the same files records."""
    from sitegen import cache as caching

    monkeypatch.setattr(caching, "MOST_EDITS", most_edits)
    for n in (3, 29, 3):
        _edit(_entry_file(timeline, n), "in our words", f"in our words, take {n}{time.time()}")
        calls = Calls(monkeypatch)
        _built(timeline, search=False)
        assert calls.planned == 0
    db = sqlite3.connect(timeline / ".sitegen-cache" / caching.CACHE_FILE)
    edits = db.execute("SELECT data FROM snapshot_edits").fetchall()
    db.close()
    assert [len(json.loads(data)["files"]) for (data,) in edits] == \
        ([2] if most_edits > 2 else [])
    read = Cache(timeline / ".sitegen-cache").snapshot((timeline / "site").resolve())
    full = Cache(timeline.parent / "full-cache")
    build(load_config(timeline / "sitegen.toml"), full, out=timeline / "site", workers=1,
          search=False)
    assert read == full.snapshot((timeline / "site").resolve())


@pytest.mark.parametrize("edits", [
    '{"pending":true}', '{"files":{"nowhere.md":"1:2:3"},"entries":{}}',
    '{"files":{},"entries":{"x.md":["not","a","digest"]}}', "[1, 2", '{"files":[],"entries":{}}',
], ids=["a build stopped publishing", "a file it lacks", "not a digest", "not JSON", "a list"])
def test_a_snapshot_with_edits_it_cannot_take_is_not_used(
        timeline: Path, monkeypatch: pytest.MonkeyPatch, edits: str) -> None:
    from sitegen import cache as caching

    out = (timeline / "site").resolve()
    db = sqlite3.connect(timeline / ".sitegen-cache" / caching.CACHE_FILE)
    with db:
        db.execute("INSERT OR REPLACE INTO snapshot_edits VALUES (?, ?)", (str(out), edits))
    db.close()
    assert Cache(timeline / ".sitegen-cache").snapshot(out) is None
    _edit(_entry_file(timeline, 7), "What happened", "What took place")
    calls = Calls(monkeypatch)
    _built(timeline, search=False)
    assert calls.planned == 1  # built in full, and right
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


@pytest.mark.parametrize("change", [
    lambda root: _edit(_entry_file(root, 7), "Event number 7", "Event number seven"),
    lambda root: _edit(_entry_file(root, 7), "[energy-grid, aid]", "[aid]"),
    lambda root: _edit(_entry_file(root, 7), "What happened", "See ![a map](map.png). What"),
    lambda root: write_files(root, {"content/entries/2022/2022-12-31-new.md": entry()}),
    lambda root: _entry_file(root, 7).unlink(),
    lambda root: _entry_file(root, 7).rename(root / "content/entries/2022/2022-11-08-moved.md"),
    lambda root: write_files(root, {"content/entries/2022/2022-11-08-event-7/map.png": b"\x89"}),
], ids=["title", "topics", "a linked file", "added", "deleted", "renamed", "an asset added"])
def test_any_change_beyond_bodies_builds_in_full(timeline: Path,
                                                 change: Callable[[Path], None],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(timeline, {"content/entries/2022/map.png": b"\x89PNG not really"})
    _aged(timeline)
    _built(timeline, search=False)
    change(timeline)
    calls = Calls(monkeypatch)
    _built(timeline, search=False)
    assert calls.planned == 1
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


def _own_theme(site_dir: Path) -> Path:
    """A copy of the default theme as the site's theme, and 8 entries; the theme's folder."""
    theme = site_dir / "theme"
    shutil.copytree(PACKAGED_THEME, theme)
    write_files(site_dir, {"sitegen.toml": 'theme = "theme"\n' +
                           (site_dir / "sitegen.toml").read_text(), **entries(8)})
    return theme


def test_a_theme_that_shows_bodies_on_lists_builds_in_full(site_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    macros = _own_theme(site_dir) / "templates/_macros.html"
    text = macros.read_text()
    assert text.count("{% macro entry_card(") == 1
    macros.write_text(text.replace("{% macro entry_card(", "{% macro _unused(", 1) +
                      "\n{% macro entry_card(entry, level=3) %}<div class=\"card\">"
                      "{{ entry.body_html | safe }}</div>{% endmacro %}\n")
    _aged(site_dir)
    _built(site_dir, search=False)
    _edit(_entry_file(site_dir, 7), "What happened in event 7", "Event 7, retold")
    calls = Calls(monkeypatch)
    _built(site_dir, search=False)
    assert calls.planned == 1
    assert "Event 7, retold" in (site_dir / "site/index.html").read_text()
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh", search=False))


def test_warnings_are_shown_again_and_the_full_build_runs(site_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture,
                                                          ) -> None:
    write_files(site_dir, {**entries(5), "content/entries/2022/2022-12-01-typo.md":
                           entry(extra="sumary: a typo\n")})
    _aged(site_dir)
    _built(site_dir, search=False)
    _edit(_entry_file(site_dir, 2), "event 2", "event two")
    caplog.clear()
    caplog.set_level(logging.WARNING, logger="sitegen")
    calls = Calls(monkeypatch)
    result = _built(site_dir, search=False)
    assert calls.planned == 1 and result.warnings
    assert "sumary" in caplog.text


@pytest.mark.parametrize("then", ["another entry's title changed", "the cache deleted"])
def test_a_body_put_back_after_an_edit_build_is_shown_by_the_full_build(
        timeline: Path, then: str) -> None:
    """An edit build's outputs are keyed as a full build keys them: a full build that finds
    the entry back as it was before the edit writes its page and feeds again, not the edit."""
    path = _entry_file(timeline, 7)  # in the site's feed and two topics' feeds
    _edit(path, "What happened in event 7", "A corrected account of event 7")
    _built(timeline, search=False)
    page = timeline / "site/entries" / path.stem / "index.html"
    assert "A corrected account of event 7" in page.read_text()
    _edit(path, "A corrected account of event 7", "What happened in event 7", age=900)
    if then == "the cache deleted":
        shutil.rmtree(timeline / ".sitegen-cache")
    else:  # a change past bodies: the full build
        _edit(_entry_file(timeline, 8), "Event number 8", "Event number eight", age=900)
    _built(timeline, search=False)
    for shown in (page, timeline / "site/topics/aid/feed.xml", timeline / "site/feed.xml"):
        assert "A corrected account" not in shown.read_text()
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


def test_a_hand_edited_page_is_still_refused(timeline: Path) -> None:
    page = timeline / "site/index.html"
    page.write_text(page.read_text() + "<!-- mine -->")
    _edit(_entry_file(timeline, 7), "What happened", "What took place")
    with pytest.raises(write.OutputError):
        _built(timeline, search=False)
    assert page.read_text().endswith("<!-- mine -->")


def test_a_failed_publish_leaves_the_site_and_the_next_build_is_right(
        timeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = site_files(timeline / "site")
    _edit(_entry_file(timeline, 7), "What happened", "What took place")

    def full_disk(*args: Any) -> Any:
        raise OSError(28, "No space left on device")
    with monkeypatch.context() as patch:
        patch.setattr(write, "publish", full_disk)
        with pytest.raises(OSError):
            _built(timeline, search=False)
    assert site_files(timeline / "site") == before
    _built(timeline, search=False)
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


def test_a_body_edit_reindexes_only_its_partition(site_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    from sitegen import search, search_chunks

    monkeypatch.setattr(search, "CAP_LIMITS", (8, 8))  # 30 entries: several partitions
    monkeypatch.setattr(search_chunks, "CHUNK_BYTES", 200)  # each index in several chunks
    write_files(site_dir, entries(30))
    _aged(site_dir)
    _built(site_dir)
    partitions = json.loads((site_dir / "site/pagefind/partitions.json").read_text())
    assert len(partitions["partitions"]) > 2
    assert all(len(list(p.glob("index/*"))) > 1 for p in (site_dir / "site/pagefind").glob("*/"))
    path = _entry_file(site_dir, 7)
    _edit(path, "What happened in event 7", "Zanzibar saw event 7")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="sitegen")
    calls = Calls(monkeypatch)
    result = _built(site_dir)
    assert calls.planned == 0 and result.indexed is True
    assert f"re-indexed 1 of {len(partitions['partitions'])} partitions" in caplog.text
    words = [_fragment_text(p) for p in (site_dir / "site/pagefind").glob("*/fragment/*")]
    assert sum("Zanzibar" in w for w in words) == 1
    fresh = _fresh(site_dir, "fresh")
    assert site_files(site_dir / "site") == site_files(fresh)
    assert (site_dir / "site/pagefind/partitions.json").read_bytes() == \
        (fresh / "pagefind/partitions.json").read_bytes()


def _bundle(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted((out / "pagefind").rglob("*"))
            if p.is_file()}


def test_edits_built_without_search_are_indexed_by_the_next_build_with_it(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """--no-search leaves the bundle as it was; the next build with search, itself changing
    nothing, re-indexes exactly the partitions the edits made stale, on the fast path."""
    from sitegen import search

    monkeypatch.setattr(search, "CAP_LIMITS", (8, 8))  # 30 entries: several partitions
    write_files(site_dir, entries(30))
    _aged(site_dir)
    _built(site_dir)
    before = _bundle(site_dir / "site")
    n = len(json.loads((site_dir / "site/pagefind/partitions.json").read_text())["partitions"])
    _edit(_entry_file(site_dir, 7), "What happened in event 7", "Zanzibar saw event 7")
    _edit(_entry_file(site_dir, 29), "What happened in event 29", "Quixotic event 29")
    calls = Calls(monkeypatch)
    skipped = _built(site_dir, search=False)
    assert calls.planned == 0  # the fast path, from a snapshot a build with search made
    assert "search index not updated (--no-search)" in skipped.summary()
    assert "Zanzibar" in (site_dir / "site/entries" / _entry_file(site_dir, 7).stem /
                          "index.html").read_text()
    assert _bundle(site_dir / "site") == before  # left as it was
    caplog.clear()
    caplog.set_level(logging.INFO, logger="sitegen")
    result = _built(site_dir)
    assert calls.planned == 0 and result.indexed is True
    assert f"re-indexed 2 of {n} partitions" in caplog.text
    assert _built(site_dir).stats.written == 0  # and then it is a no-op
    fresh = _fresh(site_dir, "fresh")
    assert site_files(site_dir / "site") == site_files(fresh)
    # what each partition was made from (Pagefind's own bytes differ from run to run)
    assert _stamps(site_dir / "site") == _stamps(fresh)
    words = [_fragment_text(p) for p in (site_dir / "site/pagefind").glob("*/fragment/*")]
    assert sum("Zanzibar" in w for w in words) == 1 and sum("Quixotic" in w for w in words) == 1


def _stamps(out: Path) -> bytes:
    from sitegen import search

    return (out / search.BUNDLE / search.STAMP).read_bytes()


def test_a_full_build_without_search_keeps_the_bundle_for_the_next_with_it(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A new entry (a full build) with --no-search, then a build with search: the second
    indexes what changed and the site ends as a fresh build's, bundle and all."""
    from sitegen import search

    monkeypatch.setattr(search, "CAP_LIMITS", (8, 8))
    write_files(site_dir, entries(30))
    _aged(site_dir)
    _built(site_dir)
    before = _bundle(site_dir / "site")
    write_files(site_dir, {"content/entries/2022/2022-12-30-late.md": entry(
        "A late event", date="2022-12-30", body="Xylophones were heard late in the year.")})
    _aged(site_dir)
    calls = Calls(monkeypatch)
    skipped = _built(site_dir, search=False)
    assert calls.planned == 1 and skipped.entries == 31
    assert _bundle(site_dir / "site") == before
    caplog.clear()
    caplog.set_level(logging.INFO, logger="sitegen")
    result = _built(site_dir)
    assert result.indexed is True and "re-indexed" in caplog.text
    fresh = _fresh(site_dir, "fresh")
    assert site_files(site_dir / "site") == site_files(fresh)
    assert _stamps(site_dir / "site") == _stamps(fresh)
    words = [_fragment_text(p) for p in (site_dir / "site/pagefind").glob("*/fragment/*")]
    assert sum("Xylophones" in w for w in words) == 1


def test_an_edit_rewrites_only_the_fragments_that_changed(site_dir: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's search fragment keeps its name while it holds the same, so an edit rewrites one
    fragment, not its partition's hundreds, and a browser's copies of the rest stay good; the
    edited page's fragment gets a new name (a browser never shows a stale one)."""
    from sitegen import search, search_chunks

    monkeypatch.setattr(search, "CAP_LIMITS", (8, 8))
    write_files(site_dir, entries(30))
    _aged(site_dir)
    _built(site_dir)
    bundle = site_dir / "site/pagefind"
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in bundle.glob("*/fragment/*")}
    edited = next(p for p in before if "What happened in event 7," in _fragment_text(p))
    old = "What happened in event 7"
    for text in ("Zanzibar saw event 7", "Timbuktu saw event 7"):
        _edit(_entry_file(site_dir, 7), old, text)
        old = text
        _built(site_dir)
        after = set(bundle.glob("*/fragment/*"))
        [new] = after - set(before)
        assert text in _fragment_text(new) and new.parent == edited.parent
        assert after - {new} == set(before) - {edited}
        assert all(before[p] == (p.read_bytes(), p.stat().st_mtime_ns) for p in after - {new})
        for part in bundle.glob("*/fragment"):  # each partition's metadata names its fragments
            entry_file = json.loads((part.parent / search_chunks.ENTRY).read_text())
            meta = search_chunks._read(
                part.parent / f"pagefind.{entry_file['languages']['en']['hash']}.pf_meta")
            assert sorted(f"{page[0]}.pf_fragment" for page in meta[1]) == \
                sorted(p.name for p in part.iterdir())
        before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in after}
        edited = new
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh"))


def test_fragment_names_kept_are_only_the_partitions_own_and_unique() -> None:
    """Names read back from a bundle's stamp (a file in the output folder: anyone may have
    written it) are kept only when they are names this partition was given, once each."""
    from sitegen.search_chunks import _names

    pages = ["en_a1", "en_b2", "en_c3", "en_d4", "en_e5"]
    earlier = {"en_a1": "2022-10.ab12.0", "en_b2": "2022-10.ab12.0",  # one name twice
               "en_c3": "../../index", "en_d4": "2022-11.ab12.3",  # a path; another's name
               "en_e5": "2022-10.9.cd34.1"}  # another partition's, whose name starts alike
    names = _names(pages, "2022-10.ffff.", earlier)
    assert names["en_a1"] == "2022-10.ab12.0"
    assert len(set(names.values())) == len(pages)
    assert all(n.startswith("2022-10.ffff.") for p, n in names.items() if p != "en_a1")
    assert _names(pages, "p.", earlier) == {p: f"p.{n}" for n, p in enumerate(pages)}


def _fragment_text(path: Path) -> str:
    data = gzip.decompress(path.read_bytes())
    return str(json.loads(data[len(FRAGMENT_MAGIC):] if data.startswith(FRAGMENT_MAGIC)
                          else data).get("content", ""))


def test_the_preview_takes_the_fast_path_to_the_same_files(timeline: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           ) -> None:
    served: list[dict[str, bytes]] = []

    def writer(site: Any, config: Any, files: dict[str, bytes], out: Path) -> Any:
        served.append(dict(files))
        return write.WriteStats(len(files), 0, 0), None
    cache = Cache(None)

    def preview() -> dict[str, bytes]:
        build(load_config(timeline / "sitegen.toml"), cache, out=timeline / "preview",
              writer=writer)
        return served[-1]
    preview()
    calls = Calls(monkeypatch)
    path = _entry_file(timeline, 12)
    for text in ("A first retelling", "A second retelling"):
        _edit(path, "What happened" if text.startswith("A first") else "A first retelling",
              text)
        files = preview()
        assert text.encode() in files[f"entries/{path.stem}/index.html"]
    assert calls.planned == 0 and len(calls.parsed) == 2
    assert files == _files(_fresh(timeline, "fresh", search=False))
    calls.planned, calls.parsed = 0, []
    _edit(path, "Event number 12", "Event twelve")  # a title: what shows it (incremental.py)
    files = preview()
    assert calls.planned == 0 and len(calls.parsed) == 1
    assert files == _files(_fresh(timeline, "fresh2", search=False))
    calls.planned = 0
    _edit(path, "date: 2022-10-14", "date: 2022-10-15")  # a new place in time: the full build
    files = preview()
    assert calls.planned == 1
    assert files == _files(_fresh(timeline, "fresh3", search=False))


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*")
            if p.is_file() and p.name != ".sitegen-manifest.json"}


_RELATED_ITEM = "{% for other in related %}"


@pytest.mark.parametrize("template, old, new", [
    # an entry page that shows an excerpt of each related entry's body
    ("entry.html", _RELATED_ITEM,
     _RELATED_ITEM + " {{ other.body_html | striptags | truncate(40) }}"),
    # the same, in a loop that names each related entry `entry`
    ("entry.html", "{% endblock %}\n{% block head %}",
     '<ul>{% for entry in related %}<li>{{ entry.body_html | striptags | truncate(40) }}</li>'
     "{% endfor %}</ul>{% endblock %}\n{% block head %}"),
], ids=["related excerpts", "a loop naming them entry"])
def test_a_theme_that_shows_a_body_beyond_its_own_page_builds_in_full(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch, template: str, old: str,
        new: str) -> None:
    page = _own_theme(site_dir) / "templates" / template
    assert old in page.read_text()
    page.write_text(page.read_text().replace(old, new, 1))
    _aged(site_dir)
    _built(site_dir, search=False)
    _edit(_entry_file(site_dir, 3), "What happened in event 3", "Event 3, retold")
    calls = Calls(monkeypatch)
    _built(site_dir, search=False)
    assert calls.planned == 1
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh", search=False))


def test_aliases_beside_entry_pages_do_not_hide_a_move_of_the_search_partitions(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Old URLs under /entries/ are small pages beside the entry pages, but Pagefind reads
    only the entries' own: a body edit that moves the partitions' size step moves them."""
    from sitegen import search

    files = entries(30)
    for n, (rel, text) in enumerate(sorted(files.items())):
        files[rel] = text.replace("sources:", f"aliases: [/entries/old-{n}/]\nsources:", 1)
    write_files(site_dir, files)
    _aged(site_dir)
    _built(site_dir, search=False)
    sizes = [owned.size for rel, owned in write.load_manifest(
        site_dir / "site", force=False).files.items()
        if search.is_record_page(rel) and "/old-" not in rel]
    mean = sum(sizes) / len(sizes)
    # just past a step of the size ladder: 8 entries a partition, 6 once a page grows by 2 KB
    monkeypatch.setattr(search, "CAP_LIMITS", (1, 2048))
    monkeypatch.setattr(search, "PARTITION_BYTES", int(1.125 * mean * 2 ** (12.03 / 4)))
    _built(site_dir)
    _edit(_entry_file(site_dir, 7), "in our words", "in our words " + "lorem ipsum " * 170)
    _built(site_dir)
    fresh = _fresh(site_dir, "fresh")
    assert (site_dir / "site/pagefind/partitions.json").read_bytes() == \
        (fresh / "pagefind/partitions.json").read_bytes()
    assert site_files(site_dir / "site") == site_files(fresh)


def test_two_saves_with_one_stat_are_both_seen(site_dir: Path) -> None:
    """A coarse-mtime file system can give two quick saves of the same size one stat: the
    build that read the first must not let a later build trust that stat for the second."""
    write_files(site_dir, entries(6))
    _aged(site_dir)
    path = _entry_file(site_dir, 3)
    path.write_text(path.read_text().replace("in our words", "in our words, first"))
    _built(site_dir, search=False)  # reads the first save, just made
    st = path.stat()
    path.write_text(path.read_text().replace("first", "again"))  # the same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_ino == st.st_ino and path.stat().st_size == st.st_size
    time.sleep(2.1)  # past the racy window: the stat alone is now trusted
    config = site_dir / "sitegen.toml"
    config.write_text(config.read_text().replace("A timeline for tests.", "Described anew."))
    _built(site_dir, search=False)
    assert "in our words, again" in (site_dir / "site/entries" / path.stem / "index.html"
                                     ).read_text()
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh", search=False))


def _same_stat_save(path: Path, old: str, new: str) -> None:
    """Save `path` with its size and mtime kept (`touch -r`, `cp -p`, `rsync -t`, an editor
    that restores the time): only its ctime shows the save."""
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_ino == st.st_ino


@pytest.mark.parametrize("what", ["body", "title", "config", "theme"])
def test_a_save_that_keeps_the_size_and_mtime_is_still_built(site_dir: Path, what: str) -> None:
    theme = _own_theme(site_dir)
    _aged(site_dir)
    _built(site_dir, search=False)
    path = _entry_file(site_dir, 3)
    if what == "body":
        _same_stat_save(path, "What happened in event 3", "What happened in EVENT 3")
    elif what == "title":
        _same_stat_save(path, "Event number 3", "Event NUMBER 3")
    elif what == "config":
        _same_stat_save(site_dir / "sitegen.toml", "A timeline for tests.",
                        "A TIMELINE for tests.")
    else:
        _same_stat_save(theme / "templates/entry.html", "<h1", "<H1")
    _built(site_dir, search=False)
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh", search=False))


def test_an_edit_built_at_once_after_saving_keeps_the_next_edit_fast(
        timeline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _entry_file(timeline, 3)
    path.write_text(path.read_text().replace("in our words", "in our words, saved just now"))
    _built(timeline, search=False)  # within the racy window of the save
    _edit(_entry_file(timeline, 9), "in our words", "in our words, later")
    calls = Calls(monkeypatch)
    _built(timeline, search=False)
    assert calls.planned == 0
    assert sorted(calls.parsed) == sorted([path.name, _entry_file(timeline, 9).name])
    assert site_files(timeline / "site") == site_files(_fresh(timeline, "fresh", search=False))


LINE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
                    max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(LINE_TEXT, min_size=1, max_size=30).flatmap(lambda records: st.tuples(
    st.just(records),
    st.dictionaries(st.integers(0, len(records) - 1), LINE_TEXT, max_size=len(records)))),
    st.integers(1, 40))
def test_splicing_an_export_replaces_exactly_the_changed_lines(
        case: tuple[list[str], dict[int, str]], part: int) -> None:
    # /entries.json holds a line per entry between its first and last two lines; the fast
    # path finds the changed ones by their newlines, reading the file a part at a time (here
    # a few bytes, so lines and newlines fall across parts), and writes the new file from
    # spans of the old one and the new lines: as if the file were split and joined.
    from sitegen import exports, quick, write

    records, changed = case
    lines = ["[", *(r + ("," if i < len(records) - 1 else "") for i, r in enumerate(records)),
             "]", ""]
    old = "\n".join(lines).encode()
    slots = [10 + i for i in range(len(records))]  # the site's index of each line's entry
    fresh = {10 + i: text for i, text in changed.items()}
    # what each changed line held (as the cache has the entry); none known: lines counted
    known = {10 + i: records[i] for i in changed}
    wrong = {10 + i: records[i] + "x" for i in changed}
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        path = Path(folder, "entries.json")
        path.write_bytes(old)
        whole = write.Span.whole(str(path), path.stat())
        patch.setattr(exports, "fragment", lambda _config, _kind, text: text)
        patch.setattr(write, "PART", part)
        got = [quick._splice(whole, "json", slots, fresh, previous, None)  # type: ignore[arg-type]
               for previous in (known, {}, wrong)]
        made = []
        for lines_ in got:
            if lines_ is None:
                made.append(None)
                continue
            assert all(old[start:end] != new for start, end, new in lines_)  # those that differ
            parts = quick._spliced(whole, lines_)
            fd = os.open(Path(folder, "new"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            try:
                digest = parts.write_to(fd)
            finally:
                os.close(fd)
            data = Path(folder, "new").read_bytes()
            assert len(parts) == len(data) and digest == write.sha256(data)
            made.append(data)
    for i, text in changed.items():
        lines[1 + i] = text + ("," if i < len(records) - 1 else "")
    assert made[:2] == ["\n".join(lines).encode()] * 2
    assert made[2] is None if changed else made[2] == old  # a line not as it was: built in full


def test_an_export_changed_while_an_edit_reads_it_fails_the_write_not_the_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The spans of the old /entries.json are read when the new file is written: one changed
    # before (its mtime moved), or rewritten in place while its parts are read (the same size),
    # is a SourceChanged, which fails the build before its commit, never a file made of two
    # versions.
    import dataclasses

    from sitegen import write

    path = tmp_path / "entries.json"
    path.write_bytes(b"[\nA,\nB\n]\n")
    whole = write.Span.whole(str(path), path.stat())
    parts = write.Parts((dataclasses.replace(whole, end=2), b"C,",
                         dataclasses.replace(whole, start=4)))
    fd = os.open(tmp_path / "new", os.O_WRONLY | os.O_CREAT)
    try:
        assert parts.write_to(fd) == write.sha256(b"[\nC,\nB\n]\n")
        st_ = path.stat()
        os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns + 1_000_000_000))
        with pytest.raises(write.SourceChanged, match="changed while the build read it"):
            parts.write_to(fd)
        path.write_bytes(b"A" * 8 + b"\n" + b"B" * 8 + b"\n")
        whole = write.Span.whole(str(path), path.stat())
        reads = []
        preadv = os.preadv

        def rewriting(*args: Any) -> int:  # the file rewritten between two reads of a span
            reads.append(1)
            if len(reads) == 2:
                with path.open("r+b") as f:
                    f.write(b"X" * 18)
            return preadv(*args)

        monkeypatch.setattr(write, "PART", 4)
        monkeypatch.setattr(os, "preadv", rewriting)
        with pytest.raises(write.SourceChanged):
            write.Parts((whole, b"tail\n")).write_to(fd)
        monkeypatch.undo()
    finally:
        os.close(fd)
    assert len(reads) > 2
    error = write._write_failure(tmp_path, write._changed(whole))
    assert "changed while the build read it" in str(error) and "build again" in str(error)


def test_a_snapshot_written_in_parts_reads_back_whole_and_replaces_the_last(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Written a part at a time into a blob of its length (SQLite held a 42 MB snapshot twice
    # over when it was bound whole); a snapshot stored as text by an earlier sitegen still reads.
    from sitegen import cache as caching

    monkeypatch.setattr(caching, "BLOB_PART", 7)
    cache, out = Cache(tmp_path / "cache"), tmp_path / "site"
    value = {"files": {"e0.md": "1:2:3"}, "entries": {f"e{i}.md": ["é", i] for i in range(50)}}
    cache.set_snapshot(out, {"old": True})
    cache.set_snapshot(out, value)
    cache.close()
    assert Cache(tmp_path / "cache").snapshot(out) == value
    db = sqlite3.connect(tmp_path / "cache" / caching.CACHE_FILE)
    with db:
        assert db.execute("SELECT count(*) FROM snapshots").fetchone() == (1,)
        db.execute("UPDATE snapshots SET data = ?", (json.dumps(value),))
    db.close()
    assert Cache(tmp_path / "cache").snapshot(out) == value
    Cache(tmp_path / "cache").set_snapshot(out, None)
    assert Cache(tmp_path / "cache").snapshot(out) is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=20), max_size=20))
def test_entry_pages_made_from_one_template_are_those_urls_gives(slugs: list[str]) -> None:
    # The edit path frames every slug at once (10,000 of them); the page must be the one the
    # URL rules give each, whatever a slug holds (a snapshot may come from anywhere).
    from sitegen import quick, urls

    assert quick._page_rels(slugs) == [urls.output_file(urls.entry(s)) for s in slugs]
