"""Front matter in the plain shape nearly every entry has, read without PyYAML's composer and
constructor (a fifth of a cold build's parse): `key: value` lines, `[a, b]` lists, and block
lists of scalars or of one-level mappings (`sources:`). Each scalar is typed by PyYAML's own
resolvers and constructors, so the values are the ones PyYAML gives; anything else (a nested
block, a comment, an anchor, a tab, a quote with an escape, a key set twice, a character
PyYAML might refuse) gives None and the caller parses with PyYAML, which also reports errors.
tests/test_fastyaml.py compares the two on random front matter."""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml

# A key of at most 128 characters: YAML refuses a simple key past 1,024 (PyYAML and libyaml).
KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?$")
ITEM_KEY = re.compile(r"- ([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?$")
DOUBLE = re.compile(r'"([^"\\]*)" *$')
SINGLE = re.compile(r"'([^']*)' *$")
FLOW_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 _./+-]*")
INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
MAX_CHARS = 16 * 1024  # well inside yamlsafe's bounds (MAX_BYTES, MAX_NODES) however it is cut
STR = "tag:yaml.org,2002:str"

_resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
_constructor = yaml.constructor.SafeConstructor()


class _NotPlain(Exception):
    """The front matter is not in the plain shape: PyYAML reads it."""


def use_resolvers(resolvers: dict[Any, list[tuple[str, re.Pattern[str]]]]) -> None:
    """The implicit resolvers of the loader this stands in for (frontmatter's leaves
    timestamps as text)."""
    _resolvers.clear()
    _resolvers.update(resolvers)
    _tag.cache_clear()


def parse(source: str) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The mapping and each top-level key's 0-based line, as PyYAML reads them; None for
    anything not in the plain shape, or empty."""
    if len(source) > MAX_CHARS:
        return None
    lines = source.split("\n")
    try:
        return _mapping(lines)
    except _NotPlain:
        return None


def _mapping(lines: list[str]) -> tuple[dict[str, Any], dict[str, int]] | None:
    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        if not line.strip(" "):
            i += 1
            continue
        m = KEY.match(line)
        if m is None or not line.isprintable():
            raise _NotPlain
        key = _key(m.group(1), data)
        key_lines[key] = i
        rest = m.group(2)
        i += 1
        if rest is not None and rest.strip(" "):
            data[key] = _value(rest)
            continue
        block = i
        while i < n and (lines[i].startswith((" ", "-")) or not lines[i].strip(" ")):
            i += 1
        data[key] = _block(lines[block:i])
    return (data, key_lines) if data else None


def _key(text: str, seen: dict[str, Any]) -> str:
    if _tag(text) != STR or text in seen:
        raise _NotPlain  # a key typed as a bool or a number, or set twice
    return text


def _block(lines: list[str]) -> Any:
    """What follows `key:` on lines of its own: nothing (null) or a block list."""
    while lines and not lines[-1].strip(" "):
        lines = lines[:-1]
    if not lines:
        return None
    first = lines[0]
    indent = len(first) - len(first.lstrip(" "))
    items: list[Any] = []
    current: dict[str, Any] | None = None
    for line in lines:
        if not line.strip(" "):
            continue
        if not line.isprintable() or len(line) - len(line.lstrip(" ")) < indent:
            raise _NotPlain
        body = line[indent:]
        if body.startswith("- "):
            if m := ITEM_KEY.match(body):
                current = {}
                items.append(current)
                current[_key(m.group(1), current)] = _item_value(m.group(2))
            else:
                current = None
                items.append(_item_value(body[2:]))
        elif current is not None and body.startswith("  ") and (m := KEY.match(body[2:])):
            current[_key(m.group(1), current)] = _item_value(m.group(2))
        else:
            raise _NotPlain  # deeper nesting, a mapping, a comment: PyYAML reads it
    return items


def _item_value(rest: str | None) -> Any:
    if rest is None or not rest.strip(" "):
        raise _NotPlain  # a nested block inside a list item
    return _value(rest)


def _value(text: str) -> Any:
    text = text.strip(" ")
    first = text[0]
    if first == '"':
        return _quoted(DOUBLE, text)
    if first == "'":
        return _quoted(SINGLE, text)
    if first == "[":
        return _flow(text)
    if first in INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        raise _NotPlain
    return _scalar(text)


def _quoted(pattern: re.Pattern[str], text: str) -> str:
    m = pattern.fullmatch(text)
    if m is None:
        raise _NotPlain
    return m.group(1)


def _flow(text: str) -> list[Any]:
    if not text.endswith("]"):
        raise _NotPlain
    inner = text[1:-1]
    if not inner.strip(" "):
        return []
    out: list[Any] = []
    for part in inner.split(","):
        part = part.strip(" ")
        if not part:
            raise _NotPlain
        if part[0] == '"':
            out.append(_quoted(DOUBLE, part))
        elif part[0] == "'":
            out.append(_quoted(SINGLE, part))
        elif FLOW_PLAIN.fullmatch(part):
            out.append(_scalar(part))
        else:
            raise _NotPlain
    return out


@functools.lru_cache(maxsize=4096)  # keys and many values repeat from entry to entry
def _tag(text: str) -> str:
    for tag, pattern in _resolvers.get(text[0] if text else "", []) + _resolvers.get(None, []):
        if pattern.match(text):
            return tag
    return STR


def _scalar(text: str) -> Any:
    """A plain scalar typed as PyYAML types it: bool, int, float, null, or text."""
    tag = _tag(text)
    if tag == STR:
        return text
    build = _constructor.yaml_constructors.get(tag)
    if tag.endswith((":merge", ":value")) or build is None:
        raise _NotPlain
    try:
        return build(_constructor, yaml.ScalarNode(tag, text))
    except ValueError:  # `0x_`, an int past Python's 4,300 digits: PyYAML reports it
        raise _NotPlain from None
