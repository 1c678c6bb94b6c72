"""The search bundle's word index comes in small chunks and its pages under short names, so a
query fetches little; every word keeps Pagefind's bytes; a bundle in a form we do not read is
left as Pagefind wrote it."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import search, search_chunks
from sitegen.cli import main
from tests.helpers import SITE_TOML, entry, write_files

WORDS = ["harbour", "ferry", "pylon", "orchard", "lantern", "quarry", "tide", "meadow"]
# Words the scanner must step over as Pagefind writes them: letters outside ASCII, texts of
# 24 to 255 bytes (a two-byte length) and one longer (which only the full decoder reads).
ODD_WORDS = ["Łódź", "Київ", "naïve", "x" * 30, "y" * 200, "z" * 300, "2023", "o'clock"]
SMALL = 40  # bytes a chunk holds at least in these tests: a few words each


def build(root: Path, chunk_bytes: int) -> Path:
    files: dict[str, str | bytes] = {"sitegen.toml": SITE_TOML}
    for n in range(12):
        body = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(30)) + f" notice{n}. "
        body += " ".join(ODD_WORDS[n % len(ODD_WORDS):] + [str(7**k) for k in range(n)])
        files[f"content/entries/2023/2023-03-{n + 1:02d}-notice-{n}.md"] = entry(
            title=f"Notice {n}", date=f"2023-03-{n + 1:02d}", topics="[aid]", body=body)
    write_files(root, files)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_chunks, "CHUNK_BYTES", chunk_bytes)
        assert main(["build", "-q", "--config", str(root / "sitegen.toml"),
                     "--out", str(root / "site")]) == 0
    [bundle] = [p for p in (root / "site" / search.BUNDLE).iterdir() if p.is_dir()]
    return bundle


@pytest.fixture(scope="module")
def pagefinds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle as Pagefind wrote it (12 entries, one partition)."""
    return build(tmp_path_factory.mktemp("pagefinds"), 0)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same site built with its index cut in chunks of `SMALL` bytes."""
    return build(tmp_path_factory.mktemp("chunks"), SMALL)


@pytest.fixture(scope="module")
def recut(pagefinds: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of Pagefind's bundle, its index cut in chunks of `SMALL` bytes."""
    copy = tmp_path_factory.mktemp("recut") / pagefinds.name
    shutil.copytree(pagefinds, copy)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_chunks, "CHUNK_BYTES", SMALL)
        assert search_chunks.rechunk(copy, "p.") is not None
    return copy


def meta_of(bundle: Path) -> list[Any]:
    entry_file = json.loads((bundle / search_chunks.ENTRY).read_text())
    name = entry_file["languages"]["en"]["hash"]
    meta: list[Any] = search_chunks._read(bundle / f"pagefind.{name}.pf_meta")
    return meta


def chunk_of(bundle: Path, name: str) -> list[Any]:
    """A chunk's words, decoded in full (by the decoder that checks it encodes back)."""
    chunk: list[Any] = search_chunks._read(bundle / "index" / f"{name}.pf_index")[0]
    return chunk


def all_words(bundle: Path) -> list[Any]:
    return [w for _, _, name in meta_of(bundle)[2] for w in chunk_of(bundle, name)]


def test_the_index_is_cut_into_small_chunks_whose_ranges_tell_where_each_word_is(
        built: Path) -> None:
    ranges = meta_of(built)[2]
    assert len(ranges) > 5
    assert sorted(p.stem for p in (built / "index").iterdir()) == sorted(r[2] for r in ranges)
    words = [[w[0] for w in chunk_of(built, name)] for _, _, name in ranges]
    flat = [w for chunk in words for w in chunk]
    assert flat == sorted(flat) and len(set(flat)) == len(flat)
    assert {"harbour", "notice0", "notice11"} <= set(flat)
    assert any(not w.isascii() for w in flat)  # Pagefind's forms of "Łódź" and "Київ"
    for (first, last, _), chunk in zip(ranges, words, strict=True):
        # A chunk's range holds its words, cut to prefixes as Pagefind's own chunk ranges are.
        assert all(first <= w and w[:len(last)] <= last for w in chunk)
    for left, right in zip(ranges, ranges[1:], strict=False):
        # Neighbours' ranges never overlap: a word is looked for in one chunk only.
        assert left[1] < right[0]


def test_each_chunk_closes_once_it_holds_the_chunk_size(built: Path) -> None:
    sizes = [[len(search_chunks.encode(w)) for w in chunk_of(built, name)]
             for _, _, name in meta_of(built)[2]]
    for chunk in sizes[:-1]:
        assert sum(chunk) >= SMALL > sum(chunk[:-1])
    assert sum(sizes[-1]) > 0


def test_every_word_keeps_pagefinds_pages_and_locations(pagefinds: Path, recut: Path) -> None:
    theirs, ours = all_words(pagefinds), all_words(recut)
    assert len(meta_of(pagefinds)[2]) < len(meta_of(recut)[2])
    assert ours == theirs
    # The pages those locations point into, in Pagefind's order, under their new names.
    their_pages, our_pages = meta_of(pagefinds)[1], meta_of(recut)[1]
    assert [p[1:] for p in our_pages] == [p[1:] for p in their_pages]
    assert [p[0] for p in our_pages] == [f"p.{n}" for n in "0123456789ab"]
    for mine, its in zip(our_pages, their_pages, strict=True):
        assert (recut / "fragment" / f"{mine[0]}.pf_fragment").read_bytes() == (
            pagefinds / "fragment" / f"{its[0]}.pf_fragment").read_bytes()
    # Filters and sorts are Pagefind's, byte for byte.
    assert meta_of(recut)[0] == meta_of(pagefinds)[0]
    assert meta_of(recut)[3:] == meta_of(pagefinds)[3:]
    assert sorted(p.name for p in (recut / "filter").iterdir()) == sorted(
        p.name for p in (pagefinds / "filter").iterdir())


def test_the_scanner_finds_the_words_pagefind_wrote(pagefinds: Path) -> None:
    long_word = False
    for path in (pagefinds / "index").iterdir():
        body = search_chunks._body(path)
        decoded = search_chunks._decoded_words(body)
        assert search_chunks.chunk_words(body) == decoded
        if any(len(w.encode()) > 255 for w, _ in decoded):
            long_word = True
            with pytest.raises(search_chunks.FormatError):
                search_chunks._scan(body)
        else:
            assert search_chunks._scan(body) == decoded
    assert long_word, "Pagefind kept no word over 255 bytes: the fallback went untested"


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
        pagefinds: Path, tmp_path: Path) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(pagefinds, copy)
    [chunk] = list((copy / "index").iterdir())[:1]
    chunk.write_bytes(gzip.compress(search_chunks.MAGIC + b"\xa1\x01\x02"))  # a CBOR map
    before = {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    assert search_chunks.rechunk(copy, "x.") is None
    assert {p.relative_to(copy): p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before


def test_cbor_round_trips_what_pagefind_writes() -> None:
    value = ["1.5.2", [["en_4ac278a", 288], ["é", 70_000]], [[-25, 153, -1, 2**33]], []]
    data = search_chunks.encode(value)
    assert search_chunks.decode(data, 0) == (value, len(data))
    assert search_chunks.encode(23) == b"\x17" and search_chunks.encode(24) == b"\x18\x18"


# --- The scanner on every form of word, not only the fixture's ------------------------------

INTS = st.one_of(st.integers(-30, 30), st.integers(-2**40, 2**40), st.sampled_from(
    [23, 24, 255, 256, 65_535, 65_536, 2**32 - 1, 2**32, 2**64 - 1, -24, -25, -257, -2**64]))
PAGES = st.lists(st.tuples(st.integers(0, 70_000), st.lists(INTS, max_size=300),
                           st.lists(INTS, max_size=30)).map(list), max_size=30)
# Nested arrays of integers anywhere after the text: the scanner steps over any such form.
DEEP = st.recursive(INTS, lambda inner: st.lists(inner, max_size=5), max_leaves=40)


def chunk_body(words: list[list[Any]]) -> bytes:
    return search_chunks.encode([sorted(words, key=lambda w: str(w[0]))])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=260), st.tuples(PAGES, st.lists(DEEP)),
                       max_size=30))
def test_the_scanner_finds_each_word_as_the_decoder_does(
        words: dict[str, tuple[list[Any], list[Any]]]) -> None:
    items = [[text, pages, rest] for text, (pages, rest) in words.items()]
    body = chunk_body(items)
    expected = [(w[0], search_chunks.encode(w)) for w in sorted(items, key=lambda w: w[0])]
    assert search_chunks.chunk_words(body) == expected
    if all(len(w[0].encode()) < 256 for w in items):
        assert search_chunks._scan(body) == expected


@pytest.mark.parametrize("rest", [
    [["variant", [[1, [2, 3], []]], []]],  # a word's array head before a text: the count tells
    [["variant", [[1, [2, 3], []]]]],
    ["variant"],
    [b"bytes"],
])
def test_a_word_holding_a_text_is_read_by_the_decoder(rest: list[Any]) -> None:
    items = [["alpha", [[1, [5, 6], []]], rest], ["beta", [[2, [7], []]], []]]
    body = chunk_body(items)
    with pytest.raises(search_chunks.FormatError):
        search_chunks._scan(body)
    assert search_chunks.chunk_words(body) == [(w[0], search_chunks.encode(w)) for w in items]


@pytest.mark.parametrize("body", [
    b"\xa1\x01\x02",  # a map
    search_chunks.encode([["alpha"]]),  # a word that is not a list
    b"\x81\x81\x82\x65alpha\xfb" + bytes(8),  # a float
    b"\x81\x82\x83\x65alpha\x80\x80",  # fewer words than its count
    b"\x81\x81\x83\x65alp",  # cut short
    b"\x81\x81\x83\x62\xff\xfe\x80\x80",  # not UTF-8
])
def test_a_chunk_of_another_form_is_refused(body: bytes) -> None:
    with pytest.raises(search_chunks.FormatError):
        search_chunks.chunk_words(body)
