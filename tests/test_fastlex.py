"""sitegen.fastlex drives Pygments' regex lexers with each state's rules joined into one pattern:
the tokens must be Pygments' own, for every lexer Pygments has and any text, and a lexer that
would never end must stop."""

from __future__ import annotations

import itertools
import signal
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.lexer import ExtendedRegexLexer, RegexLexer, bygroups, default, this, using, words
from pygments.lexers import get_all_lexers, get_lexer_by_name
from pygments.token import Comment, Keyword, Name, Number, String, Text

from sitegen import fastlex, markdown

# Code of many kinds, written here: comments, strings and escapes, numbers, here-documents,
# markup, tabs and CRLF, text outside ASCII, and characters most lexers have no rule for.
SAMPLES = (
    'def f(x, *a, **k):\n    """Doc."""\n    return x + 1  # note\n',
    'fn main() { let s = "a\\"b"; /* c */ println!("{}", s); }\n',
    "SELECT a, b FROM t WHERE x = 'y' -- c\n;\n",
    "cat <<EOF\nhello $USER\nEOF\nif [ -f x ]; then echo `date`; fi\n",
    '<div class="a">text &amp; <b>bold</b></div>\n<!-- c -->\n',
    'x = {"k": [1, 2.5e3, true, null]}\n\t// tab\r\nend\n',
    "key: value\nlist:\n  - 'q'\n  - \"w\"\n# c\n",
    "é ü 中文 \\\\ \\n @decorator $var %x ^y ~z `q` ?:;\n\n",
)


class _Timeout(BaseException):  # not an Exception: no lexer's `except Exception` takes it
    pass


def _tokens(lexer: Any, text: str, seconds: float = 5) -> list[tuple[Any, str]] | str:
    """The lexer's tokens for `text`, or the name of what it raised; "hangs" after `seconds`
    (Pygments' own loop never ends on some input: fastlex must stop there). The alarm rings
    again every 0.2 s until it is heard: one that lands where Python cannot raise it (a
    finalizer) is lost, and the lexer would go on pushing states until memory ran out."""
    def stop(*_: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
    try:
        return list(lexer.get_tokens(text))
    except _Timeout:
        return "hangs"
    except Exception as e:
        return type(e).__name__
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Every lexer Pygments lists, by its first alias (its class is imported where it is tested)
ALIASES = [aliases[0] for _, aliases, _, _ in get_all_lexers() if aliases]
GROUPS = 8


def _joined(lexer: Any) -> int:
    """How many of the lexer's states (those used so far) have rules joined in one pattern."""
    tables = type(lexer).__dict__.get(fastlex._MATCHERS, {})
    return sum(any(type(rules) is dict for _, rules in matchers) for matchers in tables.values())


@pytest.mark.parametrize("group", range(GROUPS))
def test_every_lexer_gives_pygments_tokens(group: int) -> None:
    """Each regex lexer of Pygments, driven by fastlex, on each sample: Pygments' tokens (or
    Stalled where Pygments never ends); most of them join rules; any other lexer is kept."""
    regex = joined = 0
    for alias in ALIASES[group::GROUPS]:
        plain = get_lexer_by_name(alias)
        fast = fastlex.faster(plain)
        if not isinstance(plain, RegexLexer) or isinstance(plain, ExtendedRegexLexer):
            assert fast is plain
            continue
        if "_tokens" in vars(plain):  # rules of its own, made by its options: kept as made
            assert fast is plain
            continue
        regex += 1
        assert type(fast) is not type(plain)
        for text in SAMPLES:
            expected = _tokens(plain, text, seconds=2)
            if expected == "hangs":
                assert _tokens(fast, text) == "Stalled", (alias, text)
            else:
                assert _tokens(fast, text) == expected, (alias, text)
        joined += _joined(fast) > 0
    assert regex > 30 and joined > regex * 3 // 4


CODE = st.lists(st.sampled_from(
    list("abcdefxyz019_ \t\n\r\"'`\\/*#-+=<>()[]{}.,:;$@%!?&|^~é中") +
    ["def ", "fn ", "let ", "if ", "else", "return", "SELECT ", "<<EOF\n", "EOF\n", "//",
     "/*", "*/", '"""', "${", "0x1F", "1.5e3", "true", "null", "- ", ": "]),
    max_size=80).map("".join)
COMMON = ("python", "rust", "go", "javascript", "typescript", "bash", "sql", "toml", "c", "cpp",
          "java", "ruby", "html", "css", "json", "diff", "console", "php")


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(COMMON), CODE)
def test_any_text_lexes_as_pygments_does(alias: str, text: str) -> None:
    plain = get_lexer_by_name(alias)
    assert _tokens(fastlex.faster(plain), text) == _tokens(plain, text)


class Crafted(RegexLexer):
    """A lexer using each thing that decides whether a rule may be joined with its neighbours."""

    name = "crafted"
    tokens = {
        "root": [
            (r"\s+", Text),
            (r"(?i)select\b", Keyword),  # a global flag: scoped to its branch
            (r"(?x) \d+ (\.\d*)?  # a number; a comment at the end in verbose mode", Number),
            (r"(['\"])(.*?)(\1)", String),  # a back-reference: alone
            (r"(?P<name>[a-z]+)(\()", bygroups(Name.Function, Text), "call"),  # named: alone
            (r"(let)(\s+)([a-z]+)", bygroups(Keyword, Text, Name)),  # a callback's groups
            (words(("if", "else"), suffix=r"\b"), Keyword),
            (r"#", Comment, "comment"),
            (r"[a-z]+", Name),
            (r"\{", Text, "#push"),
            (r"\}", Text, "#pop"),
            (r"<", Text, ("comment", "call")),
            (r"(`)([^`]*)(`)", bygroups(Text, using(this), Text)),  # this lexer, inside
        ],
        "call": [
            (r"\)", Text, "#pop"),
            (r"[^()]+", Text),
            default("#pop:2"),
        ],
        "comment": [
            (r"[^\n]+", Comment),
            default("#pop"),
        ],
    }


def test_a_crafted_lexer_joins_what_it_may_and_gives_pygments_tokens() -> None:
    plain = Crafted()
    fast = fastlex.faster(plain)
    texts = ["SELECT x if 'a' \"b\" 12.5 f(y) let v # c\n{ { } } <z) `q`", "Select\n\"'\"",
             "g(h(", "}}}}", "12. 3", "let  x", "<<<<", "f(", "#\n#"]
    for text in texts:
        assert _tokens(fast, text) == _tokens(plain, text), text
    tables = type(fast).__dict__[fastlex._MATCHERS]
    root = tables["root"]
    assert len(root) < len(Crafted.tokens["root"])  # some rules joined
    alone = [rules for _, rules in root if type(rules) is not dict]
    assert {rule[0].__self__.pattern for rule in alone} >= {
        r"(['\"])(.*?)(\1)", r"(?P<name>[a-z]+)(\()"}


class Endless(RegexLexer):
    """A lexer that pushes a state without reading anything: Pygments' loop never ends."""

    name = "endless"
    tokens = {"root": [(r"a", Text), (r"(?=b)", Text, "#push")]}


def test_a_lexer_that_would_never_end_stops_and_its_code_is_shown_plain(
        monkeypatch: pytest.MonkeyPatch) -> None:
    endless = Endless().get_tokens_unprocessed("aab")  # Pygments' loop: an empty token a push
    assert len(list(itertools.islice(endless, 100_000))) == 100_000
    assert _tokens(fastlex.faster(Endless()), "aab") == "Stalled"
    monkeypatch.setattr(markdown, "_lexer", lambda lang: fastlex.faster(Endless()))
    html = markdown.render_body("```endless\naab <x>\n```\n", "escape")
    assert html == '<pre><code class="language-endless">aab &lt;x&gt;\n</code></pre>\n'


def test_highlighted_code_uses_the_faster_lexer() -> None:
    lexer = markdown._lexer("python")
    assert isinstance(lexer, fastlex._Faster)
    html = markdown.render_body("```python\ndef f():\n    return 1\n```\n", "escape")
    assert '<span class="k">def</span>' in html and _joined(lexer) > 0


def test_a_lexer_with_its_own_loop_is_left_alone() -> None:
    for alias in ("yaml", "html+jinja", "pycon"):  # ExtendedRegexLexer, DelegatingLexer, Lexer
        plain = get_lexer_by_name(alias)
        fast = fastlex.faster(plain)
        assert fast is plain


class Resetting(RegexLexer):
    """Empty matches on every line while the text is read: never a loop."""

    name = "resetting"
    tokens = {"root": [(r"a", Text), default("s")], "s": [(r"b", Keyword, "#pop")]}


class AsciiFlag(RegexLexer):
    name = "ascii"
    tokens = {"root": [(r"(?a)\w+", Name), (r"\s+", Text)]}


def test_what_pygments_finishes_fastlex_finishes() -> None:
    """Deep nesting unwound by `default('#pop')` (one empty match a level), empty matches on
    every line, a rule with `(?a)`, a lexer with rules of its own (C#'s `unicodelevel`) or a
    filter: the tokens are Pygments'."""
    deep = "(" * (fastlex.MAX_STALLS + 1) + "x"
    for plain, text in ((get_lexer_by_name("cirru"), deep), (get_lexer_by_name("promql"), deep),
                        (Resetting(), "c\n" * (fastlex.MAX_STALLS + 1)),
                        (AsciiFlag(), "ab cd é"),
                        (get_lexer_by_name("csharp", unicodelevel="full"), "class Été {}\n")):
        assert _tokens(fastlex.faster(plain), text) == _tokens(plain, text)
    filtered = get_lexer_by_name("python")
    filtered.add_filter("keywordcase", case="upper")
    assert _tokens(fastlex.faster(filtered), "def f(): pass\n")[0] == (Keyword, "DEF")


def test_lexing_past_its_budget_stops_between_tokens() -> None:
    text = "x = 1\n" * 200_000  # 1.2 MB: the clock is read at every token
    lexer = markdown._lexer("python")
    with fastlex.Budget(-1.0), pytest.raises(fastlex.OverBudget):  # spent before it began
        next(iter(fastlex.checked(lexer.get_tokens(text), len(text))))
    assert not fastlex._Timer.armed
    with fastlex.Budget(60.0) as spent:
        tokens = list(fastlex.checked(lexer.get_tokens(text[:6000]), len(text)))
    assert tokens == list(lexer.get_tokens(text[:6000])) and 0 < spent.seconds < 60


class Backtracking(RegexLexer):
    """A rule whose one match takes for ever: 2^n ways to split a run of `a` before failing."""

    name = "backtracking"
    tokens = {"root": [(r"(a+)+b", Text), (r"[\s\S]", Text)]}


def test_one_match_that_would_never_return_is_stopped_in_the_main_thread() -> None:
    text = "a" * 60
    with fastlex.Budget(0.2), pytest.raises(fastlex.OverBudget):
        _guarded(lambda: list(fastlex.checked(Backtracking().get_tokens(text), len(text))))
    assert signal.getitimer(signal.ITIMER_VIRTUAL) == (0.0, 0.0)  # the timer is off
    with fastlex.Budget(0.2):
        assert list(Backtracking().get_tokens("ab")) == [(Text, "ab"), (Text, "\n")]
    assert not fastlex._Timer.armed


def _guarded(run: Any) -> Any:
    """`run()` under a 60 s alarm: were the timer not to stop it, the test fails, not hangs."""
    def stop(*_: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    try:
        return run()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_outside_the_main_thread_the_budget_is_kept_between_tokens_without_a_signal() -> None:
    text = "x = 1\n" * 200_000
    lexer = markdown._lexer("python")
    raised: list[BaseException] = []

    def lex() -> None:
        try:
            with fastlex.Budget(-1.0):
                next(iter(fastlex.checked(lexer.get_tokens(text), len(text))))
        except fastlex.OverBudget as e:
            raised.append(e)

    thread = threading.Thread(target=lex)
    thread.start()
    thread.join()
    assert len(raised) == 1 and not fastlex._Timer.armed
