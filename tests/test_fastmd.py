"""markdown-it-pyrs behind markdown-it-py (sitegen.fastmd): every body it takes renders to the
bytes markdown-it-py with our plugins renders; every body it cannot take, and every body when
it is missing, goes to markdown-it-py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench import blog, corpus
from sitegen import fastmd
from sitegen import markdown as md

ROOT = Path(__file__).resolve().parent.parent


def python_html(source: str) -> str:
    return str(md._renderer("escape").render(source))


def fast_html(source: str) -> str | None:
    return fastmd.render(source, md._highlight, md.heading_slug)


def test_the_accelerator_is_installed_where_make_installs_sitegen() -> None:
    # make's .venv installs sitegen[fast]; without it every body would quietly go the slow way
    assert fastmd.available(), "markdown-it-pyrs is missing: run `make .venv` again"


@pytest.mark.parametrize("bodies", [
    pytest.param(lambda: [e.body for e in corpus.make_entries(400)], id="timeline"),
    pytest.param(lambda: [p.body for p in blog.make_posts(120)], id="blog"),
])
def test_benchmark_bodies_take_the_fast_path_and_render_the_same(bodies) -> None:  # type: ignore[no-untyped-def]
    for body in bodies():
        assert fast_html(body) == python_html(body)


def _shipped_markdown() -> list[Path]:
    found = [p for p in ROOT.glob("content/**/*.md")]
    found += [p for p in (ROOT / "tests").rglob("*.md")]
    return found


def test_every_markdown_file_in_the_repository_renders_the_same() -> None:
    files = _shipped_markdown()
    assert len(files) > 20
    taken = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        made = fast_html(text)
        if made is not None:
            taken += 1
            assert made == python_html(text), path
    assert taken > len(files) // 2


# Pieces of Markdown that meet in every way: containers, emphasis, links of every kind,
# footnotes, headings, fences with and without a language, tables, escapes, entities, and
# the things the accelerator must hand on (task boxes, definitions, {#id}, punycode hosts).
PIECES = st.sampled_from([
    "# ", "## ", "### ", "> ", ">", "- ", "* ", "+ ", "1. ", "2) ", "2. ", "10. ", "  ", "    ",
    "\t",
    "```", "```py", "```python x=1", "~~~", "```c\\+\\+", "```nosuchlang", "```&amp;",
    "*", "**", "_", "__", "~~", "~", "`", "``", "\\*", "\\", "&amp;", "&copy;", "&#0;", "&lt;",
    "[a](http://x.org/p?q=1&r=2)", "[b](https://Ex.com \"t\")", "[c](//cdn.org/x)",
    "[d](/entries/x/)", "[e](#head)", "[f](#Head-Two)", "<http://auto.link/x>",
    "<http://a.b/%28x%29>", "%20", "<a@b.co>",
    "![i](p.png)", "![*i*](p.png \"t\")", "[g](javascript:x)", "[h](http://bücher.de/ä)",
    "[i](http://xn--bcher-kva.de)", "[j]", "[j]: http://ref.org", "[^1]", "[^n]", "[^1]: ",
    "[^n]: ", "^[inline]", "| a | b |", "|---|:-:|", "|", "{#id}", "{.c}", "}", "{", "[ ] ",
    "[x] ", ": ", "~ ", "Term", "<b>", "<div>", "<!-- c -->", "é", "Ünï", "😀", "日本",
    "- a\n  ```\n  b\n  ```\n", "1. a:\n       code\n", "> q\n2. b\n",
    "text", "more words", " ", "  ", "\xa0", "a\xa0b", "\u3000", "\n", "\n", "\n", "\n\n",
    "---", "===", "***", "   ",
])


# Bodies the two parsers read differently, each found by fuzzing or on a real blog: the
# accelerator must hand each of them on (or make its HTML right).
KNOWN = [
    "> ", "```    ```", "~~~\n# ", "**\n[^1]: ", "x[^1]\n\npara\n[^1]: a\n", "[^1]: # [^1]",
    "[^1]: [^1]: [^1]", "[^1]:    [^1]", "*_*😀", "\xa0", "> **\n- ", "> x\n2. y\n",
    "[^1]: > **\n[^1]: ", "x[^1]\n\n[^1]: a\n[^1]: b\n", "x[^1][^2]\n\n[^1]: - a\n[^2]: b\n",
    "[j]: http://ref.org\\\n[j]", "<https://kb.org/a+%28b%29>", "[^1]:    &amp;\n**",
    "a[^2] b[^1]\n\n[^1]: one\n\n[^2]: two\n", "1. **Step**:\n   ```yaml\n   a: 1\n   ```\n",
    "[x](http://bücher.de/)", "<http://xn--bcher-kva.de>", "[e](#Head)\n\n## Head\n",
    "> > > \t# ", "| a |\n---\n", "a\n|-|\n", "x\n :-| -:\n", "![W<a@b.c>x](/a.jpg)\n",
    "[![W<http://a.b>x](/a.jpg)](/b)\n", "> 1. a:\n       code\n2) x", "[^1]\n[^1]: a",
    "> a `x\n  y` b\n", "- > a `x\n   y` b\n",
    "~~a~~~~b\n", "a~~b~~~~c~~d\n", "[^1]\n\n [^1]: a\n", "# \n---|",
    "**Ünï*😀", "> **\n2) > ", "> **\n- > ",
]


@pytest.mark.parametrize("source", KNOWN)
def test_bodies_the_two_read_differently_render_as_markdown_it_py_does(source: str) -> None:
    assert md.render_body(source) == python_html(source)


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_any_body_the_accelerator_takes_renders_as_markdown_it_py_does(source: str) -> None:
    made = fast_html(source)
    if made is not None:
        assert made == python_html(source)
    assert md.render_body(source) == python_html(source)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_renders_as_markdown_it_py_does(source: str) -> None:
    assert md.render_body(source) == python_html(source)


HOSTILE = [
    "'>' * 100_000", "'- ' * 100_000 + 'x'", "'  ' * 60_000 + '- x'", "'> - ' * 40_000",
    "'1. ' * 50_000", "'*a ' * 8_000 + 'b' + ' c*' * 8_000", "'~~a ' * 20_000 + 'b'",
    "'[^1]' * 20_000 + '\\n\\n[^1]: x'",
    # quadratic (hangs) before: the port's footnote scan, the guards' own regular expressions
    "'[^x' * 50_000", "'<' + '%' * 300_000", "'#\\n' * 100_000", "'[^x' * 20_000 + ']:'",
]


@pytest.mark.parametrize("expr", HOSTILE)
def test_hostile_nesting_goes_to_markdown_it_py_not_into_the_rust_stack(expr: str) -> None:
    # The Rust port overflows its stack (the process dies) on deep enough nesting, and is
    # quadratic in nested emphasis: such bodies must never reach it. A child process, so a
    # crash is a failure, not a lost test run.
    code = ("import time, sys\nfrom sitegen import markdown as md, fastmd\n"
            f"s = {expr}\nt = time.perf_counter()\nmd.render_body(s)\n"
            "print(fastmd.render(s, md._highlight, md.heading_slug) is None)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]


def test_without_markdown_it_pyrs_every_body_renders_the_same(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bodies = [e.body for e in corpus.make_entries(50)] + [p.body for p in blog.make_posts(10)]
    fast = [md.render_body(b) for b in bodies]
    monkeypatch.setitem(sys.modules, "markdown_it_pyrs", None)  # import raises ImportError
    fastmd._parser.cache_clear()
    try:
        assert not fastmd.available()
        assert all(fast_html(b) is None for b in bodies)
        assert [md.render_body(b) for b in bodies] == fast
    finally:
        monkeypatch.undo()
        fastmd._parser.cache_clear()
    assert fastmd.available()


# The Rust port reads on to a paragraph's end for each link reference definition that opens it
# (20,000 in a row took 33 s, 40,000 over two minutes); markdown-it-py is linear in them.
MANY_DEFINITIONS = [
    "[a]: /\n" * 40_000, "[a]: /\n" * 2_000 + "x\n" * 100_000, "[a]:\n" * 50_000,
    "> [a]: /\n" * 20_000, "[a]: / \"t\"\n" * 20_000,
    "".join(f"[a{i}]: /{i}\n" for i in range(20_000)),
]


@pytest.mark.parametrize("source", MANY_DEFINITIONS, ids=lambda s: repr(s[:12]))
def test_a_body_of_many_link_definitions_goes_to_markdown_it_py(source: str) -> None:
    assert fast_html(source) is None
    assert md.render_body(source) == python_html(source)


def test_a_body_with_the_link_definitions_of_a_real_post_takes_the_fast_path() -> None:
    prose = "".join(f"A paragraph with [a link][r{i % 100}] and more words.\n\n"
                    for i in range(2_000))
    source = prose + "".join(f"[r{i}]: https://example.org/{i}\n" for i in range(100))
    made = fast_html(source)
    assert made is not None and made == python_html(source)
