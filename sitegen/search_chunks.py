"""Cut a Pagefind bundle's word index into small chunks, so a query fetches little of it.

Pagefind cuts its word index into chunks of about 20,000 word locations (its `chunk_index`,
not configurable) and a query fetches, in every partition, the chunk that holds its word: about
20 KB a partition whatever the word. The chunks are CBOR lists of words, each with its pages
and locations, listed in the metadata file by the range of words they hold. This rewrites them
as chunks of `CHUNK_LOCATIONS` and the metadata's list to match (the words, their order and
their data stay as Pagefind wrote them), under new names. A bundle in any other form than the
one read here is left exactly as Pagefind wrote it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
MAGIC = b"pagefind_dcd"
# Locations a chunk holds (Pagefind: 20,000). Smaller chunks make a query fetch less of the
# index but lengthen the metadata, which every query fetches whole, by one range a chunk.
# 0: off, Pagefind's chunks are kept. Off by default: re-encoding every partition's index in
# Python cost a cold build ~4 ms an entry (10,000 entries: 20 s of wall time, twice the whole
# Pagefind run), measured by the final benchmark; it needs a faster codec before it is on.
CHUNK_LOCATIONS = 0
ENTRY = "pagefind-entry.json"


class FormatError(ValueError):
    """The bundle is not in the form this module reads."""


def rechunk(bundle: Path, prefix: str) -> bool:
    """Rewrite `bundle`'s word index in small chunks and name its pages' fragments `prefix`
    and their number in base 36; whether it did (False: the bundle was left as it was).

    Pagefind names a fragment after a digest of it (10 characters, which every query fetches
    once a page in the metadata); `prefix` must be unique to the bundle among those a search
    page merges, and change with its content, so that a browser never keeps a stale fragment.
    """
    try:
        plan = _plan(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as e:
        log.debug("search: %s keeps Pagefind's index chunks (%s)", bundle, e)
        return False
    entry, meta_path, meta, old_chunks, new_chunks = plan
    fragments = bundle / "fragment"
    renamed = [(page[0], f"{prefix}{_base36(n)}") for n, page in enumerate(meta[1])]
    for old, new in renamed:
        (fragments / f"{old}.pf_fragment").rename(fragments / f"{new}.pf_fragment")
    meta[1] = [[new, page[1], *page[2:]] for (_, new), page in zip(renamed, meta[1], strict=True)]
    for path in old_chunks:
        path.unlink()
    index = bundle / "index"
    ranges = []
    for words, (first, last) in zip(new_chunks, _ranges(new_chunks), strict=True):
        data = _pack(encode([words]))
        name = _unique_name(index, data, "pf_index")
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
    return True


Plan = tuple[dict[str, Any], Path, list[Any], list[Path], list[list[Any]]]


def _plan(bundle: Path) -> Plan:
    """Read the bundle, check its form (every file read must encode back to its own bytes),
    and cut its words into new chunks; nothing is written."""
    entry = json.loads((bundle / ENTRY).read_text())
    if list(entry["languages"]) != ["en"]:
        raise FormatError("not one language")
    meta_path = bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta"
    meta = _read(meta_path)
    if not (isinstance(meta, list) and len(meta) > 2 and isinstance(meta[2], list)):
        raise FormatError("unexpected metadata")
    words: list[Any] = []
    old = []
    for _, _, name in meta[2]:
        chunk = _read(bundle / "index" / f"{name}.pf_index")
        if not (isinstance(chunk, list) and len(chunk) == 1 and isinstance(chunk[0], list)):
            raise FormatError(f"unexpected chunk {name}")
        words += chunk[0]
        old.append(bundle / "index" / f"{name}.pf_index")
    if [w[0] for w in words] != sorted(w[0] for w in words):
        raise FormatError("words out of order")
    pages = meta[1]
    if not (isinstance(pages, list) and all(isinstance(p, list) and p and isinstance(p[0], str)
                                            for p in pages)):
        raise FormatError("unexpected pages")
    if len({p[0] for p in pages}) != len(pages) or not all(
            (bundle / "fragment" / f"{p[0]}.pf_fragment").is_file() for p in pages):
        raise FormatError("pages without their own fragment")
    return entry, meta_path, meta, old, _cut(words, CHUNK_LOCATIONS)


def _cut(words: Sequence[Any], size: int) -> list[list[Any]]:
    """Pagefind's rule with a smaller size: a chunk closes once it holds `size` locations."""
    chunks: list[list[Any]] = [[]]
    held = 0
    for word in words:
        chunks[-1].append(word)
        held += sum(len(page[1]) + 1 for page in word[1])
        if held >= size:
            chunks.append([])
            held = 0
    return [c for c in chunks if c]


def _ranges(chunks: Sequence[Sequence[Any]]) -> list[tuple[str, str]]:
    """Each chunk's range as Pagefind's `chunk_meta` writes it: its first and last words, cut
    between neighbours to the shortest prefixes that tell them apart."""
    ranges = [[str(c[0][0]), str(c[-1][0])] for c in chunks]
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


def _unique_name(folder: Path, data: bytes, suffix: str) -> str:
    digest = hashlib.sha256(data).hexdigest()
    for length in range(7, len(digest) + 1):
        name = f"en_{digest[:length]}"
        if not (folder / f"{name}.{suffix}").exists():
            return name
    raise FormatError("no free chunk name")


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(MAGIC):
        raise FormatError(f"{path.name}: no Pagefind header")
    body = raw[len(MAGIC):]
    value, end = decode(body, 0)
    if end != len(body) or encode(value) != body:
        raise FormatError(f"{path.name}: not plain CBOR")
    return value


def _pack(body: bytes) -> bytes:
    return gzip.compress(MAGIC + body, mtime=0)


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
