"""A crafted or corrupt snapshot row in the cache (the edit fast path's record of the last
build, see quick.py): the build never shows a traceback, writes nothing outside the files it
owns, and ends with the site a fresh build makes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import write_files
from tests.test_engine import entries, site_files
from tests.test_quick import _aged, _built, _edit, _entry_file, _fresh

Snapshot = dict[str, Any]


def _everywhere(snap: Snapshot, path: str) -> list[Any]:
    return [path, "Crafted", "", list(range(len(snap["slugs"])))]


CRAFTED: dict[str, Callable[[Snapshot, Path], Any]] = {
    "files a list": lambda s, _: {**s, "files": list(s["files"])},
    "entries a string": lambda s, _: {**s, "entries": "x"},
    "a slot a bool": lambda s, _: {**s, "entries": {p: [k, sh, True]
                                                    for p, (k, sh, _) in s["entries"].items()}},
    "pages short": lambda s, _: {**s, "pages": s["pages"][:1]},
    "slugs null": lambda s, _: {**s, "slugs": None},
    "a feed outside the site": lambda s, root: {
        **s, "feeds": [_everywhere(s, "../../outside.xml"), *s["feeds"]]},
    "a feed at an absolute path": lambda s, root: {
        **s, "feeds": [_everywhere(s, str(root.parent / "absolute.xml")), *s["feeds"]]},
    "a feed the site does not have": lambda s, root: {
        **s, "feeds": [_everywhere(s, "new.xml"), *s["feeds"]]},
    "an export outside the site": lambda s, root: {
        **s, "exports": [["../x.json", "json", "", "", s["exports"][0][4]]]},
    "nested past the recursion limit": lambda s, _: "[" * 100_000,
    "not JSON": lambda s, _: "{",
}


def _outside_the_output(root: Path) -> list[str]:
    """Every file around the project but its output folder and its cache."""
    mine = (root / "site", root / ".sitegen-cache")
    return sorted(str(p) for p in root.parent.rglob("*")
                  if p.is_file() and not any(p.is_relative_to(m) for m in mine))


@pytest.mark.parametrize("craft", list(CRAFTED.values()), ids=list(CRAFTED))
def test_a_crafted_snapshot_falls_back_to_the_full_build(
        site_dir: Path, craft: Callable[[Snapshot, Path], Any]) -> None:
    write_files(site_dir, entries(6))
    _aged(site_dir)
    _built(site_dir, search=False)
    db = sqlite3.connect(site_dir / ".sitegen-cache/cache.sqlite")
    (data,) = db.execute("SELECT data FROM snapshots").fetchone()
    crafted = craft(json.loads(data), site_dir)
    db.execute("UPDATE snapshots SET data = ?",
               (crafted if isinstance(crafted, str) else json.dumps(crafted),))
    db.commit()
    db.close()
    before = _outside_the_output(site_dir)
    _edit(_entry_file(site_dir, 3), "in our words", "in our words, edited")
    _built(site_dir, search=False)
    assert _outside_the_output(site_dir) == before
    assert not (site_dir / "site/new.xml").exists()
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh", search=False))


def test_a_crafted_partition_name_touches_no_folder_of_the_users(site_dir: Path) -> None:
    victim = site_dir.parent / "victim"
    write_files(victim, {"keep.txt": "mine"})
    write_files(site_dir, entries(6))
    _aged(site_dir)
    _built(site_dir)
    db = sqlite3.connect(site_dir / ".sitegen-cache/cache.sqlite")
    (data,) = db.execute("SELECT data FROM snapshots").fetchone()
    snap = json.loads(data)
    snap["partitions"] = [[str(victim), slots] for _, slots in snap["partitions"]]
    db.execute("UPDATE snapshots SET data = ?", (json.dumps(snap),))
    db.commit()
    db.close()
    _edit(_entry_file(site_dir, 3), "in our words", "in our words, edited")
    _built(site_dir)
    assert (victim / "keep.txt").read_text() == "mine"
    assert site_files(site_dir / "site") == site_files(_fresh(site_dir, "fresh"))
