"""Plain front matter read without PyYAML's composer (sitegen.fastyaml) gives exactly what
PyYAML gives: the same values, types and key lines; whatever it does not take, PyYAML reads
(and reports, when it is wrong)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import blog, corpus
from sitegen import fastyaml, frontmatter


def pyyaml(source: str) -> Any:
    try:
        return frontmatter._pyyaml(source, 1, False)
    except frontmatter.FrontMatterError:
        return "refused"


def fast(source: str) -> Any:
    plain = fastyaml.parse(source)
    if plain is None:
        return None
    data, lines = plain
    return data, {key: line + 1 for key, line in lines.items()}


def _front_matter(text: str) -> str:
    return text.split("---\n", 2)[1]


def test_benchmark_front_matter_takes_the_fast_path_with_pyyaml_values() -> None:
    texts = [corpus.sitegen_entry(e) for e in corpus.make_entries(300)]
    texts += [corpus.sitegen_entry(p) for p in blog.make_posts(50)]
    for text in texts:
        block = _front_matter(text)
        made = fast(block)
        assert made is not None, block
        assert made == pyyaml(block)


def test_a_typed_value_keeps_its_python_type() -> None:
    data, _ = fastyaml.parse("order: 12\ndraft: yes\nweight: 1.5\nnone: ~\nday: 2022-12-19\n"
                             "n: 0x1F\ntopics: [a, on, 3]\n")  # type: ignore[misc]
    assert data == {"order": 12, "draft": True, "weight": 1.5, "none": None,
                    "day": "2022-12-19", "n": 31, "topics": ["a", True, 3]}
    assert type(data["order"]) is int and type(data["draft"]) is bool


KEYS = st.sampled_from(["title", "date", "topics", "sources", "summary", "order", "a-b", "_x",
                        "yes", "on", "null", "1", "title", "Key", "k2"])
SEP = st.sampled_from([": ", ":", ":  ", ": \t", ":\t", " : "])
SCALARS = st.sampled_from([
    "plain words", "yes", "No", "ON", "~", "null", "Null", "", "1", "-1", "+1", "0x1F", "0o7",
    "012", "1_000", "1:30", "1.5", "1e3", ".inf", "-.Inf", ".NaN", "2010-02-15",
    "2010-02-15 10:00:00", "a: b", "a #b", "a#b", "http://x.org/y?q=1#z", "'q'", '"d"',
    '"e\\n"', "'it''s'", '"a # b"', '"x" # c', "[a, b]", "[]", "[ ]", "[yes, 1, \"x\", 'y']",
    "[a, [b]]", "[a,,b]", "[a, b,]", "{a: 1}", "&a x", "*a", "!!str 1", "|", ">", "%x", "@x",
    "`x", "é", "a\u00a0b", "x:", "...", "---", "=", "<<", "- x", "? x", "a,b", "\"unclosed",
    "'unclosed", "1.", "0.", "-", "a\\b", "😀", "\u2028", "\x85", "a  b ", "[ a , b ]",
])
BLOCKS = st.sampled_from([
    "\n  - a", "\n  - k: v\n    k2: 2", "\n- a\n- b", "\n  -", "\n   - a", "\n  # c",
    "\n  - k: v\n      k2: v", "\n  - k:\n    k2: v", "\n  k: v", "\n  - [a]", "\n  - - a",
    "\n  - k: v\n    k: w", "\n  - yes: 1", "\n\n  - a\n\n  - b", "\n  - a\n -b",
])
LINE = st.one_of(
    st.tuples(KEYS, SEP, SCALARS).map("".join),
    st.tuples(KEYS, st.just(":"), st.lists(BLOCKS, min_size=1, max_size=3).map("".join))
    .map("".join),
    st.sampled_from(["", "  ", "# comment", " indented: x", "\t", "plain line", "- item"]),
)


@settings(max_examples=3000, deadline=None)
@given(st.lists(LINE, max_size=8).map("\n".join))
def test_any_front_matter_the_fast_path_takes_reads_as_pyyaml_reads_it(source: str) -> None:
    made = fast(source)
    if made is not None:
        assert made == pyyaml(source)
        assert repr(made) == repr(pyyaml(source))  # bool is not int, 1.0 is not 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_reads_as_pyyaml_reads_it(source: str) -> None:
    made = fast(source)
    if made is not None:
        assert repr(made) == repr(pyyaml(source))


# Scalars PyYAML types as an int, a float or a timestamp and then cannot make (its constructor
# raises ValueError, KeyError or AttributeError): a clear error on the value's line, never a
# traceback, and the fast path hands them on.
UNREADABLE = [
    ("title: 0x_", 1), ("a: b\ntitle: 0b_", 2), ("topics: [a, 0x_]", 1),
    ("order: " + "1" * 5000, 1), ("a: b\nlist:\n  - x\n  - [" + "9" * 4301 + "]", 4),
    ("day: !!timestamp soon", 1), ("day: !!timestamp 2020-99-99", 1), ("n: !!int x", 1),
    ("a: b\nf: !!float x", 2), ("ok: !!bool maybe", 1),
]


@pytest.mark.parametrize(("source", "line"), UNREADABLE)
def test_a_value_pyyaml_cannot_make_is_an_error_on_its_line(source: str, line: int) -> None:
    assert fastyaml.parse(source) is None
    with pytest.raises(frontmatter.FrontMatterError) as caught:
        frontmatter._pyyaml(source, 1, False)
    assert caught.value.line == line
    assert "quote it" in caught.value.message


# Front matter PyYAML refuses that is otherwise in the plain shape: the fast path hands it on.
@pytest.mark.parametrize("source", [
    "a" * 1025 + ": b", "k:\n- " + "a" * 1025 + ": b", "k:\n- x: y\n  " + "a" * 1025 + ": b",
])
def test_front_matter_pyyaml_refuses_is_not_taken(source: str) -> None:
    assert pyyaml(source) == "refused"
    assert fastyaml.parse(source) is None


def test_its_resolver_table_is_pyyamls_but_the_timestamps() -> None:
    # fastyaml types scalars with a copy of PyYAML's implicit resolvers (so an edit need not
    # import PyYAML): the copy must be PyYAML's own, tag for tag, pattern for pattern, in its
    # order for every first character, with timestamps left as text.
    import yaml

    theirs = {first: [(tag, r.pattern, r.flags) for tag, r in resolvers
                      if tag != "tag:yaml.org,2002:timestamp"]
              for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    theirs = {first: found for first, found in theirs.items() if found}
    ours = {first: [(tag, r.pattern, r.flags) for tag, r in fastyaml._resolvers(first)]
            for first in {f for _, _, _, firsts in fastyaml.RESOLVERS for f in firsts}}
    assert None not in theirs  # no resolver for every first character
    assert ours == theirs
    assert frontmatter.yaml_loader().yaml_implicit_resolvers == {
        first: [(tag, r) for tag, r in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def test_plain_front_matter_is_read_without_importing_pyyaml() -> None:
    # Text, bools, nulls and decimal integers are made as PyYAML makes them, without it; a
    # float is PyYAML's to make. In a fresh interpreter: this one has PyYAML loaded.
    import subprocess
    import sys

    code = ("import sys; from sitegen import fastyaml, load; "
            "got = fastyaml.parse('title: A\\ndate: 2022-12-19\\norder: 12\\nkey: yes\\n"
            "none: ~\\ntopics: [a, 3]\\n'); "
            "print('yaml' in sys.modules, got[0]); "
            "fastyaml.parse('weight: 1.5\\n'); print('yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[0] == "False {'title': 'A', 'date': '2022-12-19', 'order': 12, 'key': True, " \
                     "'none': None, 'topics': ['a', 3]}"
    assert out[1] == "True"
