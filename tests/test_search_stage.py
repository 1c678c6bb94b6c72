"""The cold build's search stage, made cheaper: render workers write each entry page's search
view as they make it (moved, not re-made, into Pagefind's folder), twice as many threads as
Pagefind runs keep a core busy between runs, each bundle file is moved into staging (not
written again), and a fragment's URL is read from its head. What a reader searches must be
the same as before: the same records as a one-process build's, no leftover beside the site."""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sitegen import pool, search, search_chunks, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import load_config
from sitegen.errors import SitegenError
from tests.helpers import SITE_TOML, entry, write_files
from tests.test_engine import site_files
from tests.test_search_view import PAGE, _records


def _site(root: Path, n: int) -> Path:
    files: dict[str, str | bytes] = {"sitegen.toml": SITE_TOML}
    for i in range(n):
        files[f"content/entries/e{i:03d}.md"] = entry(
            title=f"Grid repair number {i}", date=f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}",
            topics="[belarus, energy-grid]" if i % 3 else "[aid]",
            body=f"Crews fixed line {i}.\n\n```python\nx = {i}\n```\n")
    write_files(root, files)
    return root


def test_a_pooled_builds_search_records_equal_a_one_process_builds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = _site(tmp_path / "project", 40)
    monkeypatch.setattr(pool, "MIN_ITEMS", 2)
    monkeypatch.setattr(search, "CAP_LIMITS", (8, 8))  # several partitions, several runs
    config = load_config(site / "sitegen.toml")
    moved: list[str] = []
    real_link = search._link_page

    def link(built: Path, target: Path, data: search.Source, ready: Path | None = None) -> None:
        if ready is not None and ready.is_file():
            moved.append(target.name)
        real_link(built, target, data, ready)
    monkeypatch.setattr(search, "_link_page", link)
    build(config, Cache(None), out=tmp_path / "one", workers=1)
    assert moved == []  # no pool, no views: each is made from its page
    build(config, Cache(None), out=tmp_path / "pool", workers=2)
    assert len(moved) == 40  # every page's view came from a worker
    one, pooled = _records(tmp_path / "one" / "pagefind"), _records(tmp_path / "pool" / "pagefind")
    assert sum(key.startswith("fragment:") for key in one) == 40
    assert pooled == one
    assert [p.name for p in tmp_path.iterdir() if ".search-" in p.name
            or p.name.endswith(".staging")] == []  # no views, no runs' folders left


def test_the_list_pages_are_made_beside_the_entry_pages_and_the_search_finds_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A cold build's pool makes every card first; this process makes the feeds and exports
    # (which show no card) meanwhile, then the list pages from the cards while the workers
    # make the entry pages, and the search stage starts once the last entry page is back.
    # The site is the same as a one-process build's.
    from sitegen import build as building
    from sitegen import render
    from sitegen.model import Page

    site = _site(tmp_path / "project", 40)
    monkeypatch.setattr(pool, "MIN_ITEMS", 2)
    monkeypatch.setattr(building, "LIST_PAGES_FOR_POOL", 1)  # the cards too, in the pool
    monkeypatch.setattr(search, "CAP_LIMITS", (8, 8))
    config = load_config(site / "sitegen.toml")
    events: list[str] = []
    real_stage, real_add, real_lists = building.search_stage, render.Cards.add, \
        building._render_lists
    monkeypatch.setattr(building, "search_stage",
                        lambda *a, **k: events.append("search") or real_stage(*a, **k))
    monkeypatch.setattr(render.Cards, "add", lambda self, made: (
        events.append("cards") if made else None) or real_add(self, made))
    monkeypatch.setattr(building, "_render_lists", lambda *a: events.append(
        "lists" if any(isinstance(item, Page) for _, item in a[2]) else "files")
        or real_lists(*a))
    build(config, Cache(None), out=tmp_path / "one", workers=1)
    assert events == ["search", "lists"]  # no pool: the cards are made as the lists ask
    events.clear()
    build(config, Cache(None), out=tmp_path / "pool", workers=2)
    assert events.count("lists") == 1 and events.count("search") == 1
    assert events.count("files") == 1 and events.index("files") < events.index("lists")
    assert events.count("cards") >= 2  # several chunks of cards, all back before the lists
    assert set(events[:events.index("lists")]) == {"cards", "files"}
    assert _records(tmp_path / "pool" / "pagefind") == _records(tmp_path / "one" / "pagefind")
    one, pooled = site_files(tmp_path / "one"), site_files(tmp_path / "pool")
    bundle = [rel for rel in one if rel.startswith("pagefind")]
    assert {k: v for k, v in one.items() if k not in bundle} == \
        {k: v for k, v in pooled.items() if not k.startswith("pagefind")}
    assert len(one) - len(bundle) > 40


def test_views_left_by_a_killed_build_are_removed_by_the_next(tmp_path: Path) -> None:
    site = _site(tmp_path / "project", 3)
    out = site / "site"
    leftover = site / ".site.search-views-x1y2"
    leftover.mkdir()
    (leftover / "entries%2Fe%2Findex.html").write_bytes(b"<html>half")
    build(load_config(site / "sitegen.toml"), Cache(None), workers=1)
    assert not leftover.exists()
    assert (out / "index.html").is_file()
    assert [p.name for p in site.iterdir() if ".search-" in p.name] == []


def test_a_view_that_cannot_be_written_is_left_out_and_made_from_the_page(tmp_path: Path) -> None:
    views = tmp_path / "views"
    views.mkdir()
    rel = f"entries/{'x' * 250}/index.html"  # past 255 bytes once flattened
    search.write_view(views, rel, PAGE)
    assert list(views.iterdir()) == []
    page = tmp_path / "staged.html"
    page.write_bytes(PAGE)
    link = tmp_path / "pagefind-site" / "entries" / "x" / "index.html"
    search._link_page(tmp_path / "unused", link, page, search.view_path(views, rel))
    assert link.read_bytes() == search.search_view(PAGE)

    search.write_view(views, "entries/short/index.html", PAGE)
    view = search.view_path(views, "entries/short/index.html")
    assert view.read_bytes() == search.search_view(PAGE)
    other = tmp_path / "pagefind-site" / "entries" / "short" / "index.html"
    search._link_page(tmp_path / "unused", other, page, view)
    assert other.read_bytes() == search.search_view(PAGE) and not view.exists()  # moved


def test_a_flattened_view_name_is_one_name_for_one_page(tmp_path: Path) -> None:
    names = {search.view_path(tmp_path, rel).name for rel in
             ("entries/a%2Fb/index.html", "entries/a/b/index.html", "entries/a%b/index.html")}
    assert len(names) == 3
    assert all("/" not in name for name in names)


def test_no_more_pagefind_runs_at_once_than_cores_though_more_threads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    running, most, lock = [0], [0], threading.Lock()
    threads: set[int] = set()

    def fake_run(executable: Path, site_dir: Path, source: Path, output: Path) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            threads.add(threading.get_ident())
        time.sleep(0.05)
        output.mkdir(parents=True)
        (output / "pagefind.js").write_text("")
        with lock:
            running[0] -= 1
    monkeypatch.setattr(search, "_run_pagefind", fake_run)
    monkeypatch.setattr(search, "_executable", lambda live: Path("pagefind"))
    monkeypatch.setattr(search.os, "sched_getaffinity", lambda pid: {0, 1})
    monkeypatch.setattr(search_chunks, "CHUNK_BYTES", 0)
    parts = [search.Partition(f"p{i}", (), (f"entries/e{i}/index.html",)) for i in range(6)]
    pages: dict[str, search.Source] = {p.pages[0]: PAGE for p in parts}
    done = search._run_all(tmp_path / "live", tmp_path / "work", parts, pages,
                           {p.name: "key" for p in parts})
    assert sorted(done) == [p.name for p in parts]
    assert most[0] == 2  # two cores: two runs at once
    assert len(threads) > 2  # while other threads linked pages and read bundles


def _fragment(record: dict[str, Any], magic: bool = True) -> bytes:
    return gzip.compress((search.FRAGMENT_MAGIC if magic else b"") + json.dumps(
        record, separators=(",", ":")).encode())


@pytest.mark.parametrize("record", [
    {"url": "/entries/a/", "content": "words " * 2000},
    {"url": "/entries/\u00e9t\u00e9/", "content": "x"},
    {"url": "/entries/q\"uote\\d/", "content": "x"},
    {"content": "the url comes later", "url": "/entries/late/"},
    {"url": "/entries/" + "long" * 300 + "/", "content": "past the head"},
])
def test_a_fragments_url_is_read_whatever_its_shape(record: dict[str, Any]) -> None:
    for magic in (True, False):
        assert search.fragment_url(_fragment(record, magic)) == record["url"]


def test_a_bundle_file_is_moved_into_staging_with_its_digest(tmp_path: Path) -> None:
    out = tmp_path / "site"
    source = tmp_path / ".site.search-1" / "f.pf_index"
    source.parent.mkdir()
    source.write_bytes(b"index bytes")
    with write.Staging(out) as staging:
        made = staging.adopt("pagefind/p1/index/f.pf_index", source)
        target = staging.path("pagefind/p1/index/f.pf_index")
        assert target.read_bytes() == b"index bytes" and not source.exists()
        assert made.digest == hashlib.sha256(b"index bytes").hexdigest()
        assert made.size == 11 and made.mtime_ns == target.stat().st_mtime_ns
        with pytest.raises(SitegenError, match="cannot write the new site"):
            staging.adopt("pagefind/p1/gone", tmp_path / "missing")


def test_a_killed_builds_views_are_found_by_name_whatever_the_output_folder_is_called(
        tmp_path: Path) -> None:
    # The name is taken as it is, not as a pattern: `[s]ite`'s leftovers are its own, and
    # `site`'s (another build's, perhaps running now) are not its to remove
    site = _site(tmp_path / "project", 3)
    out = site / "[s]ite"
    own = site / ".[s]ite.search-views-x1y2"
    others = site / ".site.search-views-a1b2"
    for folder in (own, others):
        folder.mkdir()
        (folder / "entries%2Fe%2Findex.html").write_bytes(b"<html>half")
    build(load_config(site / "sitegen.toml"), Cache(None), out=out, workers=1)
    assert (out / "index.html").is_file()
    assert not own.exists()
    assert (others / "entries%2Fe%2Findex.html").read_bytes() == b"<html>half"
