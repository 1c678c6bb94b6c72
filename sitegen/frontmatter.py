"""Split a Markdown file into YAML (`---`) or TOML (`+++`) front matter and body, keeping file
line numbers."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import typing
from dataclasses import dataclass
from typing import Any

from sitegen import fastyaml

if typing.TYPE_CHECKING:  # PyYAML is imported to read what fastyaml does not
    import yaml

FENCE = re.compile(r"^---[ \t]*$")
TOML_FENCE = re.compile(r"^\+\+\+[ \t]*$")
TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')\s*=")


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


@functools.lru_cache(maxsize=1)
def yaml_loader() -> type[yaml.SafeLoader]:
    """PyYAML's safe loader, libyaml's parser when PyYAML has it (4-5x faster on a large site),
    that leaves timestamps as strings: the day is read as written, never shifted to UTC.
    (Made when first needed: an edit build whose front matter fastyaml reads never imports
    PyYAML.)"""
    import yaml

    base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[valid-type,misc]
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return Loader


def normalise_text(raw: bytes) -> str:
    """Decode UTF-8 (with or without a byte-order mark) and turn CRLF/CR into LF."""
    text = raw.decode("utf-8-sig")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str, *, aliases: bool = False) -> Document:
    """Split `text` into front matter and body; raise FrontMatterError with a file line.

    Blank lines before the opening fence are skipped, as Hugo and Jekyll do; `+++` opens TOML
    front matter (Zola, Hugo). `aliases` allows YAML aliases within the bounds of
    `yamlsafe.check_node` (for `sitegen import`, which writes the values out)."""
    if not text.strip():
        raise FrontMatterError(1, "the file is empty; add front matter with at least "
                                  "`title:` and `date:` between two `---` lines")
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip())
    fence = TOML_FENCE if TOML_FENCE.match(lines[start]) else FENCE
    if not fence.match(lines[start]):
        raise FrontMatterError(start + 1, "the file must start with a `---` line opening the "
                                          "front matter (or `+++` for TOML)")
    closing = next((i for i in range(start + 1, len(lines)) if fence.match(lines[i])), None)
    if closing is None:
        mark = lines[start].strip()
        raise FrontMatterError(start + 1, f"front matter opened with `{mark}` is never closed; "
                                          f"add a `{mark}` line after the last key")
    block, offset = "\n".join(lines[start + 1:closing]), start + 2
    if fence is TOML_FENCE:
        data, key_lines = _parse_toml(block, offset)
    else:
        data, key_lines = _parse_yaml(block, offset, aliases)
    return Document(data, key_lines, "\n".join(lines[closing + 1:]), closing + 2)


def _parse_toml(source: str, offset: int) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a TOML block; dates become the text they were written as, like YAML's."""
    from sitegen import yamlsafe

    try:
        yamlsafe.check_size(source, offset)
        data = tomllib.loads(source)
        yamlsafe.check_value(data, offset)
    except yamlsafe.UnsafeYaml as e:
        raise FrontMatterError(e.line, e.message) from e
    except RecursionError as e:  # tomllib recurses into nested arrays
        raise FrontMatterError(offset, f"values nested more than {yamlsafe.MAX_DEPTH} levels "
                                       "deep; front matter is a few keys and lists, "
                                       "flatten it") from e
    except tomllib.TOMLDecodeError as e:
        last = source.rstrip("\n").count("\n")  # "at end of document" has no line number
        line = int(m.group(1)) - 1 if (m := re.search(r"line (\d+)", str(e))) else last
        raise FrontMatterError(offset + line, f"TOML syntax error: {e}; check quotes, "
                                              "brackets and `key = value` lines") from e
    if not data:
        raise FrontMatterError(offset - 1, "the front matter is empty; add `title` and `date`")
    key_lines: dict[str, int] = {}
    for number, text in enumerate(source.split("\n")):
        if text.lstrip().startswith("["):
            break  # keys after a [table] header belong to that table
        if m := TOML_KEY.match(text):
            key_lines.setdefault(m.group(1).strip("\"'"), offset + number)
    return {str(k): _plain(v) for k, v in data.items()}, key_lines


def _plain(value: Any) -> Any:
    """TOML dates and times as ISO text, so they are read exactly as YAML's are."""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _parse_yaml(source: str, offset: int,
                aliases: bool = False) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse a YAML mapping; `offset` is the file line of the block's first line. Front
    matter in the plain shape is read by sitegen.fastyaml, to the same values."""
    if not aliases and (plain := fastyaml.parse(source)) is not None:
        data, lines = plain
        return data, {key: offset + line for key, line in lines.items()}
    return _pyyaml(source, offset, aliases)


def _pyyaml(source: str, offset: int, aliases: bool) -> tuple[dict[str, Any], dict[str, int]]:
    import yaml

    from sitegen import yamlsafe

    loader = yaml_loader()(source)
    node: yaml.Node | None = None
    try:
        yamlsafe.check_size(source, offset)
        node = loader.get_single_node()
        if node is not None:
            yamlsafe.check_node(node, offset, aliases=aliases)
        data = loader.construct_document(node) if node is not None else None
    except (ValueError, TypeError, KeyError, AttributeError) as e:  # a constructor's own error
        if node is None:  # not one: the parser's
            raise FrontMatterError(offset, f"YAML error: {e}; check indentation, colons and "
                                           "quotes") from e
        raise _unreadable(node, offset) from e
    except yamlsafe.UnsafeYaml as e:
        raise FrontMatterError(e.line, e.message) from e
    except yaml.MarkedYAMLError as e:
        line = offset + _error_line(e, source)
        raise FrontMatterError(line, f"YAML syntax error: {e.problem or e}; "
                                     "check indentation, colons and quotes") from e
    except yaml.reader.ReaderError as e:
        line = offset + source[: e.position].count("\n")
        raise FrontMatterError(line, f"the front matter holds the control character "
                                     f"U+{e.character:04X}, which YAML does not allow; "
                                     "remove it") from e
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


def _unreadable(root: yaml.Node, offset: int) -> FrontMatterError:
    """A scalar PyYAML resolves or is told to be a type it then cannot make (`0x_`, a
    4,301-digit int, `!!timestamp soon`): the error names the first such value's line."""
    import yaml

    constructor = yaml.constructor.SafeConstructor()
    stack, bad = [root], []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        else:
            try:
                constructor.construct_object(node)
            except Exception:  # noqa: BLE001 - any failure is the value to name
                bad.append(node)
    node = min(bad, key=lambda n: (n.start_mark.line, n.start_mark.column), default=root)
    return FrontMatterError(offset + node.start_mark.line,
                            f"YAML cannot read {str(node.value)[:40]!r} as "
                            f"{node.tag.rsplit(':', 1)[-1]}; quote it (and drop any `!!` "
                            "tag) to keep it as text")


def _error_line(error: yaml.MarkedYAMLError, source: str) -> int:
    """0-based line of a YAML error: where the problem is, or, when the parser only noticed at
    the end of the block (an unclosed bracket or quote), where the unclosed thing began."""
    problem, context = error.problem_mark, error.context_mark
    at_end = problem is not None and problem.line >= source.rstrip("\n").count("\n")
    mark = context if (at_end or problem is None) and context is not None else problem
    return mark.line if mark is not None else 0
