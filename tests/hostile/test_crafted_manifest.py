"""A crafted output manifest (`site/.sitegen-manifest.json`, which may come with a site from
anywhere) that names files outside the output folder: the build refuses it and touches none.
Both forms are tried: this version's (a list per field) and version 1's (a record per file),
which a site built by an earlier sitegen holds."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sitegen import write
from tests.helpers import entry, run, write_files


def as_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """The manifest as sitegen 1's manifest format held it: path -> [size, mtime, digest, key]."""
    columns = [data[name] for name, _ in write.COLUMNS]
    return {"generator": "sitegen", "version": 1, "extra": data["extra"],
            "files": {path: list(row) for path, *row in zip(*columns, strict=True)}}


def assert_refused_once_rewritten(site_dir: Path, capsys: pytest.CaptureFixture[str],
                                  rewrite: Callable[[dict[str, Any]], bytes]) -> None:
    """Build a site, replace its manifest with `rewrite` of it, change an entry: the next
    build refuses, exit 2, and leaves every file in the site as it was."""
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry()})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    manifest = site_dir / "site/.sitegen-manifest.json"
    manifest.write_bytes(rewrite(json.loads(manifest.read_text())))
    before = {p: p.read_bytes() for p in (site_dir / "site").rglob("*") if p.is_file()}
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(title="Retitled")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2 and "manifest is unreadable" in output
    assert {p: p.read_bytes() for p in (site_dir / "site").rglob("*") if p.is_file()} == before


@pytest.mark.parametrize("version", [write.MANIFEST_VERSION, 1])
@pytest.mark.parametrize("name", ["../victim.txt", "{victim}", "a/../../victim.txt"],
                         ids=["up and out", "absolute", "out through a folder"])
def test_a_manifest_naming_a_file_outside_the_site_is_refused(
        site_dir: Path, capsys: pytest.CaptureFixture[str], name: str, version: int) -> None:
    victim = site_dir / "victim.txt"
    victim.write_text("a file of the user's")
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry()})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    manifest = site_dir / "site/.sitegen-manifest.json"
    data = json.loads(manifest.read_text())
    # its digest, as a build that had written it would record: the build may remove it
    row = [name.format(victim=victim), 1, 0, hashlib.sha256(victim.read_bytes()).hexdigest(), ""]
    for (column, _), value in zip(write.COLUMNS, row, strict=True):
        data[column].append(value)
    manifest.write_text(json.dumps(data if version != 1 else as_version_1(data)))
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(title="Retitled")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2 and "manifest is unreadable" in output
    assert victim.read_text() == "a file of the user's"


@pytest.mark.parametrize("damage", [
    lambda d: d["sizes"].pop(),  # a column shorter than the others
    lambda d: d["paths"].__setitem__(1, d["paths"][0]),  # a path twice
    lambda d: d["mtimes"].__setitem__(0, "0"),  # a field of the wrong type
    lambda d: d["sizes"].__setitem__(0, True),  # a bool is not a size
    lambda d: d.__setitem__("digests", {}),  # not a list
], ids=["short column", "path twice", "wrong type", "bool", "not a list"])
def test_a_manifest_of_another_form_is_refused(
        site_dir: Path, capsys: pytest.CaptureFixture[str], damage: Any) -> None:
    def damaged(data: dict[str, Any]) -> bytes:
        damage(data)
        return json.dumps(data).encode()
    assert_refused_once_rewritten(site_dir, capsys, damaged)


def test_a_site_built_by_an_earlier_sitegen_builds_on(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A version 1 manifest is still read, so an upgrade neither refuses the site nor
    # forgets what it owns: a page no longer made is still removed.
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(),
                           "content/entries/2022/2022-12-31-b.md": entry(title="B")})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    assert (site_dir / "site/entries/2022-12-31-b/index.html").is_file()
    manifest = site_dir / "site/.sitegen-manifest.json"
    manifest.write_text(json.dumps(as_version_1(json.loads(manifest.read_text()))))
    (site_dir / "content/entries/2022/2022-12-31-b.md").unlink()
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0, output
    assert not (site_dir / "site/entries/2022-12-31-b").exists()
    assert json.loads(manifest.read_text())["version"] == write.MANIFEST_VERSION


@pytest.mark.parametrize("craft", [
    lambda data: b"[" * 100_000,  # nested past Python's recursion limit
    lambda data: json.dumps({**data, "paths": ["\ud800", *data["paths"][1:]]}).encode(),
    lambda data: json.dumps(as_version_1({**data, "paths": ["\ud800", *data["paths"][1:]]}),
                            ).encode(),
], ids=["nested too deep", "a path no file system holds", "the same, version 1"])
def test_a_manifest_python_cannot_take_in_is_refused_without_a_traceback(
        site_dir: Path, capsys: pytest.CaptureFixture[str], craft: Any) -> None:
    # A lone surrogate is valid JSON, but no file name: encoding it for a stat raised.
    assert_refused_once_rewritten(site_dir, capsys, craft)


def test_search_stamps_nested_past_the_recursion_limit_are_taken_as_none(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The manifest's record of the search partitions, and a partition's own stamp file in the
    # bundle, come with the site; nested too deep, each showed a RecursionError's traceback.
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry()})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    manifest = site_dir / "site/.sitegen-manifest.json"
    data = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**data, "extra": {**data["extra"], "search": "[" * 100_000}}))
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(title="Retitled")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "search index rebuilt" in output, output
    (stamp,) = (site_dir / "site/pagefind").glob("*/.sitegen-stamp")
    stamp.write_text("[" * 100_000)
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(title="Again")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2, output  # a file of the site's changed by hand: kept, and said so
    assert f"{stamp.relative_to(site_dir)}:1: this file was changed after sitegen wrote it" \
        in output
    assert stamp.read_text() == "[" * 100_000


def test_a_manifest_naming_a_file_through_a_link_in_the_site_removes_nothing(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A link in the site (`site/up -> ..`) and a manifest naming `up/victim.txt` with its
    # stat and digest: no `..`, so the manifest was read, and the "stale" file, the user's
    # own outside the site, was removed.
    victim = site_dir / "victim.txt"
    victim.write_text("a file of the user's")
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry()})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    (site_dir / "site/up").symlink_to("..", target_is_directory=True)
    manifest = site_dir / "site/.sitegen-manifest.json"
    data = json.loads(manifest.read_text())
    st = victim.stat()
    row = ["up/victim.txt", st.st_size, st.st_mtime_ns,
           hashlib.sha256(victim.read_bytes()).hexdigest(), ""]
    for (column, _), value in zip(write.COLUMNS, row, strict=True):
        data[column].append(value)
    manifest.write_text(json.dumps(data))
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(title="Retitled")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "site/up/victim.txt: its folder up is a symbolic link" in output, \
        output
    assert victim.read_text() == "a file of the user's"


@pytest.mark.parametrize("journal", [
    {"write": [], "remove": ["../victim.txt"]},
    {"write": [], "remove": ["up/victim.txt"]},
    {"write": ["../victim.txt"], "remove": []},
    {"write": [], "remove": "../victim.txt"},
], ids=["up and out", "through a link", "moved in from outside", "not a list"])
def test_a_crafted_commit_journal_beside_the_site_touches_nothing_outside_it(
        site_dir: Path, capsys: pytest.CaptureFixture[str], journal: dict[str, Any]) -> None:
    # `.site.staging/.sitegen-commit.json` (a killed build's, or one that comes with the
    # project) is finished by the next build: its paths were used as they were, and
    # "../victim.txt" removed a file of the user's beside the site.
    victim = site_dir / "victim.txt"
    victim.write_text("a file of the user's")
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry()})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    (site_dir / "site/up").symlink_to("..", target_is_directory=True)
    write_files(site_dir, {".site.staging/.sitegen-commit.json": json.dumps(journal),
                           ".site.staging/victim.txt": "staged"})
    before = {p: p.read_bytes() for p in (site_dir / "site").rglob("*") if p.is_file()}
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "could not finish it" in output, output
    assert victim.read_text() == "a file of the user's"
    assert {p: p.read_bytes() for p in (site_dir / "site").rglob("*") if p.is_file()} == before
    assert not (site_dir / ".site.staging").exists()
