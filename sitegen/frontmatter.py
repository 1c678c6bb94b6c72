"""Split a Markdown file into YAML front matter and body, keeping file line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

FENCE = re.compile(r"^---[ \t]*$")


class FrontMatterError(Exception):
    """Malformed front matter; `line` is the file's own 1-based line number."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Document:
    """A parsed file: front matter values, the file line of each top-level key, and the body."""

    data: dict[str, Any]
    key_lines: dict[str, int]
    body: str
    body_line: int


# libyaml's parser when PyYAML has it (4-5x faster on a large site), else the pure-Python one.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """A safe loader that leaves timestamps as strings: the day is read as written, never
    shifted to UTC."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def normalise_text(raw: bytes) -> str:
    """Decode UTF-8 (with or without a byte-order mark) and turn CRLF/CR into LF."""
    text = raw.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str) -> Document:
    """Split `text` into front matter and body; raise FrontMatterError with a file line."""
    if not text.strip():
        raise FrontMatterError(1, "the file is empty; add front matter with at least "
                                  "`title:` and `date:` between two `---` lines")
    lines = text.split("\n")
    if not FENCE.match(lines[0]):
        raise FrontMatterError(1, "the file must start with a `---` line opening the front matter")
    closing = next((i for i in range(1, len(lines)) if FENCE.match(lines[i])), None)
    if closing is None:
        raise FrontMatterError(1, "front matter opened with `---` is never closed; "
                                  "add a `---` line after the last key")
    data, key_lines = _parse_yaml("\n".join(lines[1:closing]), offset=2)
    return Document(data, key_lines, "\n".join(lines[closing + 1:]), closing + 2)


def _parse_yaml(source: str, offset: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a YAML mapping; `offset` is the file line of the block's first line."""
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        line = offset + _error_line(e, source)
        raise FrontMatterError(line, f"YAML syntax error: {e.problem or e}; "
                                     "check indentation, colons and quotes") from e
    except yaml.YAMLError as e:
        raise FrontMatterError(offset, f"YAML error: {e}") from e
    finally:
        loader.dispose()
    if data is None:
        raise FrontMatterError(offset - 1, "the front matter is empty; add `title:` and `date:`")
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise FrontMatterError(offset, "front matter must be `key: value` lines, "
                                       f"not a {type(data).__name__}")
    key_lines = {str(k.value): offset + k.start_mark.line for k, _ in node.value}
    return {str(k): v for k, v in data.items()}, key_lines


def _error_line(error: yaml.MarkedYAMLError, source: str) -> int:
    """0-based line of a YAML error: where the problem is, or, when the parser only noticed at
    the end of the block (an unclosed bracket or quote), where the unclosed thing began."""
    problem, context = error.problem_mark, error.context_mark
    at_end = problem is not None and problem.line >= source.rstrip("\n").count("\n")
    mark = context if (at_end or problem is None) and context is not None else problem
    return mark.line if mark is not None else 0
