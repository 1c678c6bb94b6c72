"""Entry bodies shaped to make rendering take minutes (a red team's, and more found since): each
renders in seconds, and real Markdown renders as it did. No test asserts a time: each checks
what the page shows, or counts the work done, under a generous watchdog (GUARD) that turns a
regression into a failure instead of a hung run; the inputs are sized so the old code would
take far longer than the guard (its time is beside each, measured on the development VM)."""

from __future__ import annotations

import functools
import signal
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pygments
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from sitegen import markdown as md

GUARD = 60  # seconds


class _Hung(BaseException):  # not an Exception: no `except Exception` on the way takes it
    pass


@pytest.fixture
def watchdog() -> Iterator[None]:
    def ring(*_: object) -> None:
        raise _Hung(f"still rendering after {GUARD} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(GUARD)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# Task lists: our rule in place of mdit-py-plugins' tasklists, whose scan back from each item
# to its list made 20,000 tasks take 27 s.

@functools.cache
def _with_plugin() -> MarkdownIt:
    """Our renderer as it was: mdit-py-plugins' tasklists where our rule is."""
    made = md._renderer.__wrapped__("escape")
    made.core.ruler.disable("task_lists")
    return made.use(tasklists_plugin)


def _untasked() -> MarkdownIt:
    made = md._renderer.__wrapped__("escape")
    made.core.ruler.disable("task_lists")
    return made


TASK_LISTS = [
    "- [ ] a\n- [x] b\n- [X] c\n",
    "- [ ] a\n  - [x] b\n    - [ ] c\n      1. [x] d\n  - e\n- f\n",
    "1. [ ] one\n2. [x] two\n3) [ ] other list\n",
    "- [ ]\ttab\n- [x]  two spaces\n- [ ]\n- [] no\n- [y] no\n- [ ]x\n- [x]\n",
    "> - [ ] quoted\n>   - [x] nested\n>\n> text\n",
    "- [ ] loose\n\n- [x] list\n\n  more\n",
    "- a\n\n  - [ ] inner\n  - [ ] inner too\n- [x] outer\n",
    "- [x] [link](/x) *em* **strong**\n- [ ] `code`\n- [ ] ![i](p.png)\n",
    "[x]: /ref\n[ ]: /no\n\n- [x] a reference\n- [ ] not one\n",
    "Text[^1]\n\n[^1]: - [ ] in a note\n    - [x] nested in it\n",
    "Term\n: - [ ] in a definition\n",
    "- [ ] a\n\n  para\n\n  - [x] b\n\n    > - [ ] c\n",
    "* [ ] star\n+ [x] plus\n- [X] dash\n",
    "- # [ ] heading\n- > [ ] quote\n- ```\n  [ ] code\n  ```\n",
    "[ ] not in a list\n\n[x] nor this\n",
    "- [ ] a\nlazy line\n- [x] b\n",
    "## Tasks {#todo}\n\n- [ ] [x] two boxes\n- [x]\u00a0nbsp\n- [ ] \\[x] escaped\n",
    "1. [ ] a\n   - [x] b\n     1. c\n        - [ ] d\n2. [x] e\n",
]


@pytest.mark.parametrize("source", TASK_LISTS)
def test_task_lists_render_as_mdit_py_plugins_renders_them(source: str) -> None:
    assert md._renderer().render(source) == _with_plugin().render(source)
    assert md.render_body(source) == _with_plugin().render(source)


LINES = st.builds(lambda indent, mark, box, text: " " * indent + mark + box + text,
                  st.sampled_from([0, 2, 3, 4, 6, 8]),
                  st.sampled_from(["- ", "* ", "1. ", "2) ", "> ", "> - ", ""]),
                  st.sampled_from(["[ ] ", "[x] ", "[X] ", "[ ]\t", "[ ]", "[] ", "[x]", ""]),
                  st.sampled_from(["a", "*b*", "[c](/d)", "`e`", "", "[ ] f", "#"]))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(LINES, st.just("")), max_size=12).map("\n".join))
def test_any_nesting_of_task_lists_renders_as_the_plugin_renders_it(source: str) -> None:
    assert md._renderer().render(source) == _with_plugin().render(source)


class _CountedTokens(list[Any]):
    """A token list that counts how often a token is looked up by index."""

    reads = 0

    def __getitem__(self, index: Any) -> Any:
        self.reads += 1
        return super().__getitem__(index)


def _boxed(rule: Any, source: str) -> _CountedTokens:
    tokens = _CountedTokens(_untasked().parse(source))
    rule(SimpleNamespace(tokens=tokens))
    return tokens


def test_twenty_thousand_tasks_are_boxed_in_one_pass() -> None:
    tokens = _boxed(md._task_lists, "- [ ] x\n" * 20_000)  # 160 KB: the plugin took 27 s
    assert tokens.reads <= 2 * len(tokens)
    html = md._renderer().renderer.render(tokens, md._renderer().options, {})
    assert html.count('<li class="task-list-item"><input class="task-list-item-checkbox"') == 20_000
    plugin = next(rule.fn for rule in _with_plugin().core.ruler.__rules__
                  if rule.name == "github-tasklists")
    tokens = _boxed(plugin, "- [ ] x\n" * 1_000)
    assert tokens.reads > 100 * len(tokens)  # the plugin's scans: quadratic, as counted


# Highlighting: Pygments' regex lexers are quadratic or worse on some text, so each block (and
# each entry) is lexed to a budget of CPU time; past it the block is shown plain.

def _plain(lang: str, code: str) -> str:
    escaped = (code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;"))
    return f'<pre><code class="language-{lang}">{escaped}</code></pre>\n'


def _fenced(lang: str, code: str) -> str:
    return f"~~~~~~~~{lang}\n{code}~~~~~~~~\n"


def test_real_code_up_to_the_entrys_limit_is_highlighted_as_pygments_highlights_it() -> None:
    code = ""  # Pygments' own source: ~420 KiB of Python, near what an entry may highlight
    for path in sorted(Path(pygments.__file__).parent.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(code) + len(text) < md.MAX_CODE * 7 // 8:
            code += text
    assert len(code) > md.MAX_CODE * 3 // 4
    spans = pygments.highlight(code, PythonLexer(), HtmlFormatter(nowrap=True))
    assert md.render_body(_fenced("python", code)) == (
        f'<pre class="highlight"><code class="language-python">{spans}</code></pre>\n\n')


@pytest.mark.parametrize(("lang", "code"), [
    ("csharp", "a\n" * 10_000),  # the red team's: 34 s (each doubling 4x)
    ("make", "a" * 40_000 + "\n"),  # 28 s
], ids=["csharp", "make"])
def test_code_a_lexer_is_quadratic_on_is_shown_plain(lang: str, code: str) -> None:
    assert md.render_body(_fenced(lang, code)) == _plain(lang, code)


@pytest.fixture
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """A tenth of a second a block, a second an entry: the hostile tests run in about that."""
    monkeypatch.setattr(md, "CODE_SECONDS", 0.1)
    monkeypatch.setattr(md, "CODE_SECONDS_PER_CHAR", 0.0)
    monkeypatch.setattr(md, "ENTRY_CODE_SECONDS", 1.0)


HOSTILE_CODE = [
    ("csharp", "a\n" * 40_000),  # ~9 min before (34 s at 10,000 lines, quadratic)
    ("java", "a\n" * 40_000),  # ~2 min (8 s at 10,000)
    ("make", "a" * 160_000 + "\n"),  # ~7 min (25-31 s at 40,000, quadratic)
    ("systemd", "a" * 160_000 + "\n"),  # ~7 min
    ("lilypond", "a" * 160_000 + "\n"),  # ~8 min
    ("xquery", "a" * 160_000 + "\n"),  # ~8 min
    ("zeek", "1" * 100_000 + "\n"),  # one match, quadratic: 15 s at 16,000 digits; ~10 min
    ("ini", "a" + " " * 200_000 + "\n"),  # one match, quadratic: 6 s at 20,000; ~10 min
    ("urbiscript", '"' + "\\" * 60 + "\n"),  # one match, exponential: 40 took over 10 s
    ("easytrieve", "\t" * 20_000 + "\n"),  # one match, cubic or worse: 1.3 s at 1,000
]


@pytest.mark.usefixtures("watchdog", "small_budget")
@pytest.mark.parametrize(("lang", "code"), HOSTILE_CODE, ids=[lang for lang, _ in HOSTILE_CODE])
def test_code_a_lexer_would_take_minutes_on_is_shown_plain_within_its_budget(
        lang: str, code: str) -> None:
    assert md.render_body(_fenced(lang, code)) == _plain(lang, code)


@pytest.mark.usefixtures("watchdog", "small_budget")
def test_an_entrys_code_is_highlighted_until_its_budget_is_spent() -> None:
    hostile = "a\n" * 4_000  # 5.6 s each before; 100 of them, ~9 min
    body = _fenced("python", "x = 1\n") + "".join(_fenced("csharp", hostile) for _ in range(100))
    html = md.render_body(body + _fenced("python", "y = 2\n"))
    highlighted = md.render_body(_fenced("python", "x = 1\n"))
    assert highlighted.startswith('<pre class="highlight"><code class="language-python">')
    assert html == highlighted + _plain("csharp", hostile) * 100 + _plain("python", "y = 2\n")
    # spent: the entry's later code is plain too


def test_an_entrys_code_past_its_limit_is_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(md, "MAX_CODE", 100)
    blocks = ["a = 1\n" * 10, "b = 2\n" * 10, "c\n"]  # 60, 60 and 2 characters
    html = md.render_body("".join(_fenced("python", code) for code in blocks))
    assert html.count('<pre class="highlight">') == 1
    assert html.endswith(_plain("python", blocks[1]) + _plain("python", blocks[2]))
    assert md.render_body(_fenced("python", blocks[2])).startswith('<pre class="highlight">')


# In-page links to another generator's ids: each link's key looked up at the lengths headings'
# keys have, not compared with every heading (10,000 of each took 6 s).

def _by_prefix_before(key: str, by_key: dict[str, str]) -> str | None:
    found = [k for k in by_key if len(k) >= 4 and key.startswith(k)]
    return by_key[max(found, key=len)] if found else None


def _lengths(by_key: dict[str, str]) -> list[int]:
    return sorted({len(k) for k in by_key if len(k) >= 4}, reverse=True)


KEYS = st.text(alphabet="ab1", max_size=7)


@settings(max_examples=500, deadline=None)
@given(st.lists(KEYS, max_size=12), KEYS)
def test_a_link_finds_the_heading_it_found_before(headings: list[str], key: str) -> None:
    by_key = {k: f"id-{k}" for k in headings}
    assert md._by_prefix(key, by_key, _lengths(by_key)) == _by_prefix_before(key, by_key)


@pytest.mark.usefixtures("watchdog")
def test_ten_thousand_links_find_their_headings_among_a_hundred_thousand() -> None:
    by_key = {f"heading{i}": f"h-{i}" for i in range(100_000)}  # 10^9 comparisons before
    lengths = _lengths(by_key)
    found = [md._by_prefix(f"heading{i}crab", by_key, lengths) for i in range(0, 100_000, 10)]
    assert found == [f"h-{i}" for i in range(0, 100_000, 10)]
    assert md.render_body("## Issues\n\n[see](#issues-crab)\n").count('href="#issues"') == 1
