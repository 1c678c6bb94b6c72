"""Cut a Pagefind bundle's word index into small chunks, so a query fetches little of it.

Pagefind cuts its word index into chunks of about 20,000 word locations (its `chunk_index`,
not configurable) and a query fetches, in every partition, the chunk that holds its word: about
20 KB a partition whatever the word. The chunks are CBOR lists of words, each with its pages
and locations, listed in the metadata file by the range of words they hold. This rewrites them
as chunks of about `CHUNK_BYTES` and the metadata's list to match, under new names: each word's
bytes are copied as Pagefind wrote them (its place is found, it is not decoded and encoded
again), in the same order. A bundle in any other form than the one read here is left exactly as
Pagefind wrote it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
MAGIC = b"pagefind_dcd"
# Bytes of CBOR (before gzip) a chunk holds at least (Pagefind's hold ~48 KB at 10,000
# benchmark entries). Smaller chunks make a query fetch less of the index but lengthen the
# metadata, which every query fetches whole, by one range a chunk: from 2 to 6 KB a one-word
# query costs about the same (a 1,000-entry partition: ~7.5 KB of metadata and chunk, against
# ~25 KB with Pagefind's chunks). 0: off, Pagefind's chunks are kept.
CHUNK_BYTES = 4096
# gzip level of the new chunks: 1 makes them ~10% larger than level 9 (a one-word query: ~200
# bytes a partition) in a third of the time (10,000 entries: 0.3 s of CPU, measured).
LEVEL = 1
ENTRY = "pagefind-entry.json"

Word = tuple[str, bytes]  # a word and its whole CBOR item, as Pagefind wrote it


class FormatError(ValueError):
    """The bundle is not in the form this module reads."""


def rechunk(bundle: Path, prefix: str, earlier: Mapping[str, str] | None = None,
            ) -> dict[str, str] | None:
    """Rewrite `bundle`'s word index in small chunks and give its pages' fragments short
    names; the names given, by Pagefind's (None: the bundle was left as it was).

    Pagefind names a fragment after a digest of it (10 characters, which every query fetches
    once a page in the metadata). A fragment whose Pagefind name is in `earlier` (the names
    this gave the last bundle of the partition) keeps the name it had, so that an edit
    rewrites only the fragments that changed and a browser's copies of the rest stay good;
    a new one is named `prefix` and a number in base 36. `prefix` must be unique to the
    bundle among those a search page merges, and change with its content, so that a browser
    never keeps a stale fragment.
    """
    try:
        plan = _plan(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        log.debug("search: %s keeps Pagefind's index chunks (%s)", bundle, e)
        return None
    entry, meta_path, meta, old_chunks, new_chunks = plan
    fragments = f"{bundle / 'fragment'}{os.sep}"
    names = _names([page[0] for page in meta[1]], prefix, earlier or {})
    for old in names:
        os.rename(f"{fragments}{old}.pf_fragment", f"{fragments}{names[old]}.pf_fragment")
    meta[1] = [[names[page[0]], page[1], *page[2:]] for page in meta[1]]
    for path in old_chunks:
        path.unlink()
    index = bundle / "index"
    ranges: list[list[str]] = []
    taken: set[str] = set()
    for words, (first, last) in zip(new_chunks, _ranges(new_chunks), strict=True):
        data = _pack(_head(4, 1) + _head(4, len(words)) + b"".join(w[1] for w in words), LEVEL)
        name = _unique_name(taken, data)
        (index / f"{name}.pf_index").write_bytes(data)
        ranges.append([first, last, name])
    meta[2] = ranges
    data = _pack(encode(meta))
    language = entry["languages"]["en"]
    new_hash = "en_" + hashlib.sha256(data).hexdigest()[:10]
    meta_path.unlink()
    (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(data)
    language["hash"] = new_hash
    (bundle / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")))
    return names


def _names(pagefinds: Sequence[str], prefix: str, earlier: Mapping[str, str]) -> dict[str, str]:
    """Each page's fragment name: the one it had, else `prefix` and the first number whose
    name no page holds. A name is kept only if it is one this gave the same partition: a
    prefix `<partition>.<4 hex digits>.` names a partition, and every name stays the bundle's
    alone, whatever `earlier` says."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    family = re.fullmatch(r"(.+\.)[0-9a-f]{4}\.", prefix)
    ours = re.compile(re.escape(family[1]) + r"[0-9a-f]{4}\.[0-9a-z]{1,8}") if family else None
    for pagefind in pagefinds:
        name = earlier.get(pagefind)
        if ours and isinstance(name, str) and ours.fullmatch(name) and name not in taken:
            names[pagefind] = name
            taken.add(name)
    number = 0
    for pagefind in pagefinds:
        if pagefind not in names:
            while f"{prefix}{_base36(number)}" in taken:
                number += 1
            names[pagefind] = f"{prefix}{_base36(number)}"
            taken.add(names[pagefind])
    return names


Plan = tuple[dict[str, Any], Path, list[Any], list[Path], list[list[Word]]]


def _plan(bundle: Path) -> Plan:
    """Read the bundle, check its form (the metadata must encode back to its own bytes, each
    chunk must be a list of words whose places are known exactly), and cut its words into new
    chunks; nothing is written."""
    entry = json.loads((bundle / ENTRY).read_text())
    if list(entry["languages"]) != ["en"]:
        raise FormatError("not one language")
    meta_path = bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) > 2 and isinstance(meta[2], list)):
        raise FormatError("unexpected metadata")
    words: list[Word] = []
    old = []
    for _, _, name in meta[2]:
        path = bundle / "index" / f"{name}.pf_index"
        words += chunk_words(_body(path))
        old.append(path)
    if any(a[0] >= b[0] for a, b in zip(words, words[1:], strict=False)):
        raise FormatError("words out of order")
    pages = meta[1]
    if not (isinstance(pages, list) and all(isinstance(p, list) and p and isinstance(p[0], str)
                                            for p in pages)):
        raise FormatError("unexpected pages")
    fragments = set(os.listdir(bundle / "fragment"))
    if len({p[0] for p in pages}) != len(pages) or not all(
            f"{p[0]}.pf_fragment" in fragments for p in pages):
        raise FormatError("pages without their own fragment")
    return entry, meta_path, meta, old, _cut(words, CHUNK_BYTES)


def _cut(words: Sequence[Word], size: int) -> list[list[Word]]:
    """Pagefind's rule, counted in bytes: a chunk closes once it holds `size` bytes."""
    chunks: list[list[Word]] = [[]]
    held = 0
    for word in words:
        chunks[-1].append(word)
        held += len(word[1])
        if held >= size:
            chunks.append([])
            held = 0
    return [c for c in chunks if c]


def _ranges(chunks: Sequence[Sequence[Word]]) -> list[tuple[str, str]]:
    """Each chunk's range as Pagefind's `chunk_meta` writes it: its first and last words, cut
    between neighbours to the shortest prefixes that tell them apart."""
    ranges = [[c[0][0], c[-1][0]] for c in chunks]
    for left, right in zip(ranges, ranges[1:], strict=False):
        common = 0
        for a, b in zip(right[0], left[1], strict=False):
            if a != b:
                break
            common += 1
        left[1], right[0] = left[1][:common + 1], right[0][:common + 1]
    return [(a, b) for a, b in ranges]


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, d = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[d] + digits
        if not n:
            return digits


def _unique_name(taken: set[str], data: bytes) -> str:
    """A name for a chunk of `data`: a digest of it, as short as keeps it apart from `taken`
    (the bundle's other new chunks; its old ones are gone). It joins `taken`."""
    digest = hashlib.sha256(data).hexdigest()
    for length in range(7, len(digest) + 1):
        name = f"en_{digest[:length]}"
        if name not in taken:
            taken.add(name)
            return name
    raise FormatError("no free chunk name")


def _body(path: Path) -> bytes:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(MAGIC):
        raise FormatError(f"{path.name}: no Pagefind header")
    return raw[len(MAGIC):]


def _read(path: Path) -> Any:
    body = _body(path)
    value, end = decode(body, 0)
    if end != len(body) or encode(value) != body:
        raise FormatError(f"{path.name}: not plain CBOR")
    return value


def _pack(body: bytes, level: int = 9) -> bytes:
    return gzip.compress(MAGIC + body, compresslevel=level, mtime=0)


# --- Finding the words of a chunk without decoding them ------------------------------------
#
# A chunk is `[[word, word, ...]]`; a word is `[text, pages, variants]`, where everything after
# the text is arrays and integers. A word's end is found by stepping over those items' heads
# and payloads with one regular expression (in C, not an item at a time in Python): it stops at
# the next text, which can only be the next word's (its array head just before it). Anything
# else (another item type, a text longer than 255 bytes, a count that does not add up) falls
# back to decoding the chunk in Python, checked to encode back to its own bytes.

def _text_item() -> bytes:
    short = [re.escape(bytes([0x60 + n])) + b".{%d}" % n for n in range(24)]
    longer = [b"\\x78" + re.escape(bytes([n])) + b".{%d}" % n for n in range(24, 256)]
    return b"(?:" + b"|".join(short + longer) + b")"


# One integer or array head: 1, 2, 3, 5 or 9 bytes by its first byte's low bits (those of two
# bytes first: the commonest, locations 24-255; this order scans ~25% faster than by length).
_STEP = (rb"(?:[\x18\x38\x98].|[\x00-\x17\x20-\x37\x80-\x97]++|[\x19\x39\x99]..|"
         rb"[\x1a\x3a\x9a].{4}|[\x1b\x3b\x9b].{8})")
_WORD = re.compile(rb"\x83(" + _text_item() + b")" + _STEP + b"*+", re.DOTALL)
_CHUNK = re.compile(rb"\x81(?:([\x80-\x97])|\x98(.)|\x99(..)|\x9a(.{4}))", re.DOTALL)


def chunk_words(body: bytes) -> list[Word]:
    """The words of an index chunk's CBOR `body`, each with its item's bytes."""
    try:
        return _scan(body)
    except FormatError:
        return _decoded_words(body)


def _scan(body: bytes) -> list[Word]:
    head = _CHUNK.match(body)
    if head is None:
        raise FormatError("not a list of words")
    small, *wide = head.groups()
    count = small[0] & 31 if small else int.from_bytes(next(w for w in wide if w), "big")
    words: list[Word] = []
    at, end = head.end(), len(body)
    while at < end:
        found = _WORD.match(body, at)
        if found is None:
            raise FormatError(f"no word at {at}")
        stop = found.end()
        if stop < end:
            stop -= 1  # the next word's array head
            if body[stop] != 0x83:
                raise FormatError(f"unexpected item at {stop}")
        text = found.group(1)
        try:
            word = (text[1:] if text[0] < 0x78 else text[2:]).decode()
        except UnicodeDecodeError as e:
            raise FormatError(f"not UTF-8 at {at}") from e
        words.append((word, body[at:stop]))
        at = stop
    if len(words) != count:
        raise FormatError("word count differs")
    return words


def _decoded_words(body: bytes) -> list[Word]:
    try:
        value, end = decode(body, 0)
    except (IndexError, UnicodeDecodeError) as e:
        raise FormatError(f"not CBOR ({e})") from e
    if not (end == len(body) and isinstance(value, list) and len(value) == 1
            and isinstance(value[0], list)):
        raise FormatError("unexpected chunk")
    words = [(w[0], encode(w)) for w in value[0] if isinstance(w, list) and w
             and isinstance(w[0], str)]
    if len(words) != len(value[0]) or encode(value) != body:
        raise FormatError("unexpected words")
    return words


# --- The CBOR Pagefind writes (minicbor): integers, strings, arrays, minimal lengths -------

def decode(data: bytes, at: int) -> tuple[Any, int]:
    """The CBOR value at `at` and where it ends: integers, text, byte strings and arrays."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        n = info
    elif info <= 27:
        width = 1 << (info - 24)
        n, at = int.from_bytes(data[at:at + width], "big"), at + width
    else:
        raise FormatError(f"unsupported CBOR item at {at - 1}")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major in (2, 3):
        if at + n > len(data):
            raise FormatError("truncated CBOR")
        raw = data[at:at + n]
        return (bytes(raw) if major == 2 else raw.decode()), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise FormatError(f"unsupported CBOR type {major}")


def encode(value: Any) -> bytes:
    """`value` as CBOR, each length in its shortest form (as minicbor writes it)."""
    if isinstance(value, bool):
        raise FormatError("unsupported value")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, str):
        raw = value.encode()
        return _head(3, len(raw)) + raw
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    raise FormatError(f"unsupported value {type(value).__name__}")


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes([major << 5 | info]) + n.to_bytes(width, "big")
    raise FormatError("integer too large")
