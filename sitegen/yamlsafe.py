"""Bounds on YAML a curator (or an attacker) writes: no aliases (on import, aliases counted as
what they expand to), bounded depth and size, no duplicate keys. Checked on the composed node
graph, before anything is constructed."""

from __future__ import annotations

from typing import Any

import yaml

# Front matter is a few keys and a list of sources; these leave room for any honest entry.
MAX_BYTES = 256 * 1024
MAX_DEPTH = 32
MAX_NODES = 20_000

_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UnsafeYaml(Exception):
    """YAML refused before construction; `line` is a file line (the block's offset added)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def check_size(source: str, offset: int = 1) -> None:
    """Refuse YAML too large to be front matter before it is parsed at all."""
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise UnsafeYaml(offset, f"the front matter is {size:,} bytes, more than the "
                            f"{MAX_BYTES // 1024} KiB allowed; move long text into the body")


def check_node(root: yaml.Node, offset: int = 1, *, aliases: bool = False) -> None:
    """Refuse aliases (`*name`: a few lines of them expand to billions of values), nesting
    deeper than MAX_DEPTH, more than MAX_NODES values, and a key set twice in one mapping.

    With `aliases` (what `sitegen import` reads: Jekyll themes put `&image` and `*image` in
    every post), an alias is allowed but counted as the values it stands for, so the bounds
    hold for the data once written out: at most MAX_NODES values, MAX_BYTES of text, and no
    value that contains itself (it nests without end). Walks iteratively, so no input can
    exhaust the Python stack here. `offset` is the file line of the YAML text's first line.
    """
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    count = size = 0
    while stack:
        node, depth = stack.pop()
        line = offset + node.start_mark.line
        count += 1
        if id(node) in seen and not aliases:
            raise UnsafeYaml(line, "YAML anchors and aliases (`&name`, `*name`, `<<: *name`) "
                                   "are not allowed in front matter; write the value out")
        seen.add(id(node))
        if depth > MAX_DEPTH:
            raise UnsafeYaml(line, f"values nested more than {MAX_DEPTH} levels deep; "
                                   "front matter is a few keys and lists, flatten it")
        if count > MAX_NODES:
            raise UnsafeYaml(line, f"more than {MAX_NODES:,} values in the front matter; "
                                   "move long lists out of it")
        if isinstance(node, yaml.ScalarNode):
            size += len(node.value)
            if size > MAX_BYTES:
                raise UnsafeYaml(line, f"the front matter's aliases expand to more than "
                                       f"{MAX_BYTES // 1024} KiB; write the values out")
        elif isinstance(node, yaml.MappingNode):
            _check_duplicate_keys(node, offset)
            stack.extend((part, depth + 1) for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, depth + 1) for item in node.value)


def check_value(value: Any, line: int) -> None:
    """The same depth and size bounds for parsed data (TOML front matter); `line` is where the
    block starts."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    count = 0
    while stack:
        item, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise UnsafeYaml(line, f"values nested more than {MAX_DEPTH} levels deep; "
                                   "front matter is a few keys and lists, flatten it")
        if count > MAX_NODES:
            raise UnsafeYaml(line, f"more than {MAX_NODES:,} values in the front matter; "
                                   "move long lists out of it")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def _check_duplicate_keys(node: yaml.MappingNode, offset: int) -> None:
    first: dict[tuple[str, str], int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        name, line = (key.tag, key.value), offset + key.start_mark.line
        if name in first:
            raise UnsafeYaml(line, f"duplicate key '{key.value}' (also set on line "
                                   f"{first[name]}); keep one of them")
        first[name] = line


def safe_load(source: str, offset: int = 1) -> Any:
    """`yaml.safe_load` with the bounds above; raises UnsafeYaml or yaml.YAMLError."""
    check_size(source, offset)
    loader = _Base(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_node(node, offset)
        return loader.construct_document(node)
    finally:
        loader.dispose()
