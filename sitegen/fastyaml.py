"""Front matter in the plain shape nearly every entry has, read without PyYAML's composer and
constructor (a fifth of a cold build's parse): `key: value` lines, `[a, b]` lists, and block
lists of scalars or of one-level mappings (`sources:`). Each scalar is typed by PyYAML's
resolvers (a copy of their table: PyYAML itself is imported only to make a value other than
text, a bool, a null or a decimal integer, since importing it is a tenth of an edit build's
start) and made by PyYAML's constructors or, for those four, as they make them, so the values
are the ones PyYAML gives; anything else (a nested block, a comment, an anchor, a tab, a quote
with an escape, a key set twice, a character PyYAML might refuse) gives None and the caller
parses with PyYAML, which also reports errors. tests/test_fastyaml.py compares the two on
random front matter, and the table with PyYAML's."""

from __future__ import annotations

import functools
import re
from typing import Any

# A key of at most 128 characters: YAML refuses a simple key past 1,024 (PyYAML and libyaml).
KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?$")
ITEM_KEY = re.compile(r"- ([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +(.*))?$")
DOUBLE = re.compile(r'"([^"\\]*)" *$')
SINGLE = re.compile(r"'([^']*)' *$")
FLOW_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9 _./+-]*")
INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
MAX_CHARS = 16 * 1024  # well inside yamlsafe's bounds (MAX_BYTES, MAX_NODES) however it is cut
STR = "tag:yaml.org,2002:str"


# PyYAML's implicit resolvers (yaml/resolver.py: YAML 1.1's), in the order it adds them, but
# the timestamp's: sitegen reads a date as the text it was written as. Each is a tag, its
# pattern and flags, and the first characters of the scalars it is tried on ("" for the
# empty scalar).
RESOLVERS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("tag:yaml.org,2002:bool", r'''^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$''', re.X, tuple("yYnNtTfFoO")),
    ("tag:yaml.org,2002:float", r'''^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$''', re.X, tuple("-+0123456789.")),
    ("tag:yaml.org,2002:int", r'''^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$''', re.X, tuple("-+0123456789")),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", 0, ("<",)),
    ("tag:yaml.org,2002:null", r'''^(?: ~
                    |null|Null|NULL
                    | )$''', re.X, ("~", "n", "N", "")),
    ("tag:yaml.org,2002:value", r"^(?:=)$", 0, ("=",)),
    ("tag:yaml.org,2002:yaml", r"^(?:!|&|\*)$", 0, tuple("!&*")),
)
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
INT = "tag:yaml.org,2002:int"
BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True,
               "off": False}  # PyYAML's SafeConstructor.bool_values
DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")  # an int PyYAML makes as int() does


@functools.cache
def _resolvers(first: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The resolvers tried on a scalar starting with `first`, in PyYAML's order (compiled
    when first needed: most front matter needs two or three)."""
    return tuple((tag, re.compile(pattern, flags))
                 for tag, pattern, flags, firsts in RESOLVERS if first in firsts)


class _NotPlain(Exception):
    """The front matter is not in the plain shape: PyYAML reads it."""


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
    for tag, pattern in _resolvers(text[0] if text else ""):
        if pattern.match(text):
            return tag
    return STR


def _scalar(text: str) -> Any:
    """A plain scalar typed as PyYAML types it: bool, int, float, null, or text."""
    tag = _tag(text)
    if tag == STR:
        return text
    if tag == BOOL:
        return BOOL_VALUES[text.lower()]
    if tag == NULL:
        return None
    try:
        if tag == INT and DECIMAL.fullmatch(text):
            return int(text)
        return _construct(tag, text)
    except ValueError:  # `0x_`, an int past Python's 4,300 digits: PyYAML reports it
        raise _NotPlain from None


def _construct(tag: str, text: str) -> Any:
    """A scalar of `tag` as PyYAML's safe constructor makes it (a float, an octal int...)."""
    import yaml

    constructor = _constructor()
    build = constructor.yaml_constructors.get(tag)
    if tag.endswith((":merge", ":value", ":yaml")) or build is None:
        raise _NotPlain
    return build(constructor, yaml.ScalarNode(tag, text))


@functools.lru_cache(maxsize=1)
def _constructor() -> Any:
    import yaml

    return yaml.constructor.SafeConstructor()
