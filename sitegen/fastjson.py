"""JSON text of sitegen's own records, written on every build: the output's manifest and the
cache's stamp and snapshot (at 10,000 entries the manifest alone took 48 ms to write with the
standard library, a twentieth of an edit build). orjson, where it is installed (the optional
`fast` extra), writes them in 7.

They hold strings, integers, booleans, None, lists and dicts, never a float (orjson writes
NaN as null). What orjson will not write (an integer past 64 bits, a lone surrogate, a key
that is not a string) the standard library writes, or refuses as it always did. The text
differs only in spelling (characters past ASCII as UTF-8, not escaped), and `json.loads`
reads both to the same values; published files (pages, feeds, exports, the search bundle)
never come from here.

`loads` reads them back (an edit build reads 10 MB of them: the manifest, the stamp and the
snapshot) with orjson, a third faster than the standard library in a fresh process here
(41 -> 31 ms for a 10,000-entry snapshot); what orjson refuses (a lone surrogate, from a file
name that is not UTF-8; NaN) the standard library reads. orjson reads an integer past 64 bits
as a float: none of these records holds one where a reader does not check that each of its
integers is one (an entry's own values, which may, are read with `json.loads`).
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson as _orjson
except ImportError:  # not installed, or a wheel that does not load here
    _orjson = None  # type: ignore[assignment]
orjson: Any = _orjson


def loads(data: bytes | str) -> Any:
    """sitegen's own record `data` (as `dumps` wrote it) read back."""
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:  # a ValueError
            pass
    return json.loads(data)


def dumps(value: Any, *, sort_keys: bool = False) -> bytes:
    """`value` as compact JSON text, UTF-8 encoded."""
    if orjson is not None:
        try:
            text: bytes = orjson.dumps(value, option=orjson.OPT_SORT_KEYS if sort_keys else 0)
        except TypeError:  # orjson.JSONEncodeError is one
            pass
        else:
            return text
    return json.dumps(value, separators=(",", ":"), sort_keys=sort_keys).encode()


def dumps_text(value: Any) -> str:
    """`value` as compact JSON text with characters past ASCII as they are: exactly what
    `json.dumps(value, ensure_ascii=False, separators=(",", ":"))` writes, for the published
    exports' records (strings, integers, booleans, None, lists, dicts; never a float, which
    orjson would spell otherwise). orjson writes /entries.json's 10,000 records in a sixth of
    the time; what it will not write (an integer past 64 bits, a lone surrogate) the
    standard library writes."""
    if orjson is not None:
        try:
            return str(orjson.dumps(value), "utf-8")
        except TypeError:
            pass
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
