"""sitegen.fastjson writes sitegen's own records with orjson where it is installed: what it
writes must read back, with the standard library, to exactly what the standard library's own
text reads back to, keys in the same order; without orjson it is the standard library's text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen import fastjson

SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-2**80, 2**80)
           | st.text() | st.text(st.characters(codec=None)))  # lone surrogates too
KEYS = st.text() | st.integers(-5, 5)  # the standard library writes an integer key as text
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                      | st.dictionaries(KEYS, inner, max_size=5), max_leaves=30)


def _pairs(text: bytes | str) -> Any:
    return json.loads(text, object_pairs_hook=lambda pairs: ("object", pairs))


@settings(max_examples=300, deadline=None)
@given(VALUES, st.booleans())
def test_what_it_writes_reads_back_as_the_standard_librarys_text(value: Any,
                                                                 sort_keys: bool) -> None:
    try:
        theirs = json.dumps(value, separators=(",", ":"), sort_keys=sort_keys)
    except TypeError:  # keys of both kinds cannot be sorted: refused either way
        with pytest.raises(TypeError):
            fastjson.dumps(value, sort_keys=sort_keys)
        return
    assert _pairs(fastjson.dumps(value, sort_keys=sort_keys)) == _pairs(theirs)


@settings(max_examples=100, deadline=None)
@given(VALUES, st.booleans())
def test_without_orjson_it_is_the_standard_librarys_text(value: Any, sort_keys: bool) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastjson, "orjson", None)
        try:
            ours = fastjson.dumps(value, sort_keys=sort_keys)
        except TypeError:
            return
    assert ours == json.dumps(value, separators=(",", ":"), sort_keys=sort_keys).encode()


def test_orjson_is_what_writes_them_when_installed() -> None:
    pytest.importorskip("orjson", reason="orjson (the `fast` extra) is not installed")
    assert fastjson.orjson is not None
    assert fastjson.dumps({"b": "é", "a": [1, None]}, sort_keys=True) == \
        '{"a":[1,null],"b":"é"}'.encode()


# The published exports' records: text exactly as the standard library's, orjson or not
EXPORTED = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-2**80, 2**80) | st.text()
    | st.text(st.characters(codec=None)),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(EXPORTED)
def test_an_exported_record_is_the_standard_librarys_text(value: Any) -> None:
    assert fastjson.dumps_text(value) == json.dumps(value, ensure_ascii=False,
                                                    separators=(",", ":"))


def test_every_character_is_spelled_as_the_standard_library_spells_it() -> None:
    text = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    value = {text[:5000]: [text, 2**63 - 1, -2**63, True, None]}
    assert fastjson.dumps_text(value) == json.dumps(value, ensure_ascii=False,
                                                    separators=(",", ":"))


# sitegen's own records, read back: what the standard library reads, but for an integer past
# 64 bits, which orjson reads as a float (no record holds one: the readers check their types)
RECORDS = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**64 - 1) | st.text()
    | st.text(st.characters(codec=None)),  # lone surrogates: orjson refuses, json reads
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(RECORDS, st.booleans())
def test_a_record_reads_back_as_the_standard_library_reads_it(value: Any,
                                                              as_text: bool) -> None:
    data = fastjson.dumps(value)
    assert _pairs(json.dumps(fastjson.loads(data.decode() if as_text else data))) == \
        _pairs(json.dumps(json.loads(data)))


def test_a_record_that_is_not_json_is_a_value_error_either_way() -> None:
    for text in (b"", b"{", b'{"a": 1,}', b"\xff", b"[" * 100_000):
        with pytest.raises((ValueError, RecursionError)):
            fastjson.loads(text)
    assert fastjson.loads(b"NaN") != fastjson.loads(b"NaN")  # the standard library's reading


def test_a_manifest_with_an_integer_past_64_bits_is_refused_or_read_exactly(
        tmp_path: Any) -> None:
    # orjson reads it as a float: the manifest's columns are checked for integers, so the
    # output folder is refused as one whose manifest is unreadable (exit 2); the standard
    # library reads the integer as it is. Never a float taken for a size.
    from sitegen import write
    from sitegen.errors import OutputError

    good = write.manifest_bytes(write.Manifest({"index.html": write.Owned(3, 4, "d", "k")}, {}))
    assert write._parse_manifest(good) is not None
    assert good.count(b"[3]") == 1
    (tmp_path / write.MANIFEST).write_bytes(good.replace(b"[3]", b"[" + b"9" * 30 + b"]"))
    try:
        manifest = write.load_manifest(tmp_path, force=False)
    except OutputError as e:
        assert "its manifest is unreadable" in str(e)
    else:
        assert type(manifest.files["index.html"].size) is int
        assert manifest.files["index.html"].size == int("9" * 30)
