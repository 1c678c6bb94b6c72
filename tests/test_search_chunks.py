"""The search bundle's word index comes in small chunks and its pages under short names, so a
query fetches little; a bundle in a form we do not read is left as Pagefind wrote it."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from sitegen import search, search_chunks
from sitegen.cli import main
from tests.helpers import SITE_TOML, entry, write_files

WORDS = ["harbour", "ferry", "pylon", "orchard", "lantern", "quarry", "tide", "meadow"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of 12 entries, its index cut in chunks of 40 locations (one bundle)."""
    root = tmp_path_factory.mktemp("chunks")
    files: dict[str, str | bytes] = {"sitegen.toml": SITE_TOML}
    for n in range(12):
        body = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30)) + f" notice{n}."
        files[f"content/entries/2023/2023-03-{n + 1:02d}-notice-{n}.md"] = entry(
            title=f"Notice {n}", date=f"2023-03-{n + 1:02d}", topics="[aid]", body=body)
    write_files(root, files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_chunks, "CHUNK_LOCATIONS", 40)
        assert main(["build", "-q", "--config", str(root / "sitegen.toml"),
                     "--out", str(root / "site")]) == 0
    [bundle] = [p for p in (root / "site" / search.BUNDLE).iterdir() if p.is_dir()]
    return bundle


def meta_of(bundle: Path) -> list[Any]:
    entry_file = json.loads((bundle / search_chunks.ENTRY).read_text())
    name = entry_file["languages"]["en"]["hash"]
    meta: list[Any] = search_chunks._read(bundle / f"pagefind.{name}.pf_meta")
    return meta


def chunk_words(bundle: Path, name: str) -> list[str]:
    return [w[0] for w in search_chunks._read(bundle / "index" / f"{name}.pf_index")[0]]


def test_the_index_is_cut_into_small_chunks_whose_ranges_tell_where_each_word_is(
        built: Path) -> None:
    ranges = meta_of(built)[2]
    assert len(ranges) > 5
    assert sorted(p.stem for p in (built / "index").iterdir()) == sorted(r[2] for r in ranges)
    words = [chunk_words(built, name) for _, _, name in ranges]
    flat = [w for chunk in words for w in chunk]
    assert flat == sorted(flat) and len(set(flat)) == len(flat)
    assert {"harbour", "notice0", "notice11"} <= set(flat)
    for (first, last, _), chunk in zip(ranges, words, strict=True):
        # A chunk's range holds its words, cut to prefixes as Pagefind's own chunk ranges are.
        assert all(first <= w and w[:len(last)] <= last for w in chunk)
    assert [r[:2] for r in ranges][:3] == [["0", "1"], ["2", "5"], ["6", "fe"]]


def test_pages_get_short_names_unique_to_the_bundle_and_its_order_uses_them(
        built: Path) -> None:
    pages = meta_of(built)[1]
    prefix = built.name + "."
    assert all(p[0].startswith(prefix) and len(p[0]) < len(prefix) + 8 for p in pages)
    assert sorted(p.stem for p in (built / "fragment").iterdir()) == sorted(p[0] for p in pages)
    order = json.loads((built / search.ORDER).read_text())
    urls = []
    for page_id in order:
        data = gzip.decompress((built / "fragment" / f"{page_id}.pf_fragment").read_bytes())
        urls.append(json.loads(data[len(search_chunks.MAGIC):])["url"])
    assert urls == [f"/entries/2023-03-{n + 1:02d}-notice-{n}/" for n in range(12)]


def test_a_bundle_in_another_form_is_left_as_pagefind_wrote_it(
        built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(built, copy)
    [chunk] = list((copy / "index").iterdir())[:1]
    chunk.write_bytes(gzip.compress(search_chunks.MAGIC + b"\xa1\x01\x02"))  # a CBOR map
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert search_chunks.rechunk(copy, "x.") is False
    assert {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def test_cbor_round_trips_what_pagefind_writes() -> None:
    value = ["1.5.2", [["en_4ac278a", 288], ["é", 70_000]], [[-25, 153, -1, 2**33]], []]
    data = search_chunks.encode(value)
    assert search_chunks.decode(data, 0) == (value, len(data))
    assert search_chunks.encode(23) == b"\x17" and search_chunks.encode(24) == b"\x18\x18"
