"""What a theme's templates show and call, on sitegen's Jinja environment (its quicker escape
and call): the same as Jinja's own, for any text and any callable a theme can reach."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen import render
from sitegen.config import load_config


class _Shown:
    def __html__(self) -> str:
        return "<b>shown</b>"


class _Named(str):
    pass


@given(st.one_of(st.text(), st.text().map(markupsafe.Markup), st.text().map(_Named),
                 st.integers(), st.floats(allow_nan=False), st.none(), st.just(_Shown())))
def test_the_quicker_escape_is_markupsafes(value: Any) -> None:
    made = render.FAST_ESCAPE(value)
    assert made == markupsafe.escape(value) and type(made) is markupsafe.Markup


@pytest.fixture
def env(site_dir: Path) -> jinja2.Environment:
    return render.make_environment(load_config(site_dir / "sitegen.toml"))


def test_text_is_escaped_once_and_markup_kept(env: jinja2.Environment) -> None:
    page = env.from_string(
        '{% macro em(x) %}<em>{{ x }}</em>{% endmacro %}'
        '{{ text }}|{{ markup }}|{{ em(text) }}|{% set held %}{{ text }}{% endset %}{{ held }}')
    shown = page.render(text='<script>"&\'', markup=markupsafe.Markup("<i>ok</i>"))
    assert shown == ("&lt;script&gt;&#34;&amp;&#39;|<i>ok</i>|<em>&lt;script&gt;&#34;&amp;&#39;"
                     "</em>|&lt;script&gt;&#34;&amp;&#39;")


def test_a_callable_that_takes_the_context_still_gets_it(env: jinja2.Environment) -> None:
    @jinja2.pass_context
    def who(context: Any, greeting: str) -> str:
        return f"{greeting} {context['name']}"

    class Caller:
        @jinja2.pass_context
        def __call__(self, context: Any) -> str:
            return context["name"].upper()

    @jinja2.pass_environment
    def strict(environment: Any) -> str:
        return environment.undefined.__name__

    page = env.from_string("{{ who('hello') }} {{ caller() }} {{ strict() }} "
                           "{% for n in [1] %}{{ who('again') }}{% endfor %}")
    assert page.render(name="Ada", who=who, caller=Caller(), strict=strict) == \
        "hello Ada ADA StrictUndefined again Ada"


def test_plain_calls_take_their_arguments_as_given(env: jinja2.Environment) -> None:
    def named(**kwargs: Any) -> str:
        return ",".join(f"{k}={v}" for k, v in sorted(kwargs.items()))

    def ends() -> str:
        raise StopIteration

    page = env.from_string("{{ named(self=1, obj=2) }} {{ parts.get('a') }} "
                           "{% for x in [1] %}{{ named(x=x) }}{% endfor %} {{ ends() is defined }}")
    assert page.render(named=named, parts={"a": "A"}, ends=ends) == \
        "obj=2,self=1 A x=1 False"


def test_a_macro_called_with_a_caller_block_gets_it(env: jinja2.Environment) -> None:
    page = env.from_string("{% macro box(n) %}[{{ n }}:{{ caller() }}]{% endmacro %}"
                           "{% call box(2) %}<b>in</b>{% endcall %}")
    assert page.render() == "[2:<b>in</b>]"


def test_each_date_is_shown_as_its_entry_gives_it_though_times_are_equal_instants() -> None:
    # 10:00+01:00 and 09:00+00:00 are the same instant, so equal as values: each shows its own.
    from sitegen.load import parse_entry
    from tests.helpers import entry

    shown = []
    for when in ("2022-12-30T10:00:00+01:00", "2022-12-30T09:00:00+00:00",
                 "2022-12-30T10:00:00+01:00", "2022-12-30"):
        outcome = parse_entry(Path(f"e{len(shown)}.md"), entry(date=when).encode(),
                              frozenset({"belarus"}))
        assert outcome.entry is not None, outcome.problems
        shown.append(str(render.when(outcome.entry)))
    assert shown[0] == shown[2] != shown[1]
    assert "10:00" in shown[0] and "+01:00" in shown[0]
    assert "09:00" in shown[1] and "+00:00" in shown[1]
    assert shown[3] == '<time datetime="2022-12-30">Friday 30 December 2022</time>'
