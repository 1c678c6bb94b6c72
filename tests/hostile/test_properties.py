"""Property tests: whatever bytes an entry file holds, the loader answers with an entry or our
own error, quickly; whatever text any front-matter field or config string holds, no built
page, feed or search record carries script a browser would run."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, expect

from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import load_config
from sitegen.errors import SitegenError
from sitegen.load import ParseOutcome, parse_entry
from tests.hostile.scan import injected, scripts_in_site

TOPICS = frozenset({"belarus", "aid"})
PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    '"><svg onload=alert(1)>', "</title><script>alert(1)</script>", "]]><script>x</script>",
    "[link](javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "<a href='javascript:x'>a</a>",
    "![i](x\" onerror=\"alert(1))", "{{ config }}", "{% raw %}", "&lt;script&gt;", "\u2028",
    "<iframe src=//evil.example>", "<!--", "<style>*{}</style>", "data:text/html,<script>",
    "<math><mi xlink:href='javascript:1'>", "`<script>`", "***<b onmouseover=x>***",
]
TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(PAYLOADS),
    st.lists(st.sampled_from(PAYLOADS), min_size=1, max_size=4).map(" ".join),
)
FRONT = st.fixed_dictionaries({
    "title": TEXT, "summary": TEXT, "publisher": TEXT, "author": TEXT, "headline": TEXT,
    "extra": TEXT, "body": TEXT, "url": st.sampled_from(["", "https://example.org/a?b=<c>",
                                                         "https://x.example/\"onmouseover=1"]),
})
CONFIG = st.fixed_dictionaries({"title": TEXT, "description": TEXT, "topic_name": TEXT,
                                "topic_description": TEXT})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=400),
    st.builds(lambda head, body: b"---\n" + head + b"\n---\n" + body,
              st.binary(max_size=200), st.binary(max_size=100)),
    st.builds(lambda head: ("---\n" + head + "\n---\nBody\n").encode("utf-8", "surrogatepass"),
              st.text(max_size=200)),
    st.builds(lambda head: ("+++\n" + head + "\n+++\nBody\n").encode("utf-8", "surrogatepass"),
              st.text(max_size=200)),
))
def test_any_bytes_give_an_entry_or_our_error_quickly(raw: bytes) -> None:
    started = time.monotonic()
    outcome = parse_entry(Path("content/entries/2022/2022-12-30-x.md"), raw, TOPICS)
    assert time.monotonic() - started < 2.0
    assert isinstance(outcome, ParseOutcome)
    assert (outcome.entry is None) == bool(outcome.problems)
    for problem in outcome.problems:
        assert "\n" not in str(problem) and problem.line >= 1


def yaml(text: str) -> str:
    """A YAML double-quoted scalar holding exactly `text` (json.dumps would write astral
    characters as surrogate pairs, which YAML refuses)."""
    escaped = "".join(f"\\U{ord(c):08x}" if ord(c) < 0x20 or ord(c) >= 0x7f or c in '"\\'
                      else c for c in text)
    return f'"{escaped}"'


def toml(text: str) -> str:
    escaped = "".join(f"\\u{ord(c):04x}" if ord(c) < 0x20 or c in '\x7f"\\' else c
                      for c in text)
    return f'"{escaped}"'


def write_site(root: Path, front: dict[str, str], config: dict[str, str]) -> None:
    (root / "content/entries/2022").mkdir(parents=True, exist_ok=True)
    (root / "sitegen.toml").write_text(
        f"title = {toml(config['title'])}\ndescription = {toml(config['description'])}\n"
        'base_url = "https://example.org/tl/"\n'
        f'[[topics]]\nslug = "aid"\nname = {toml(config["topic_name"])}\n'
        f"description = {toml(config['topic_description'])}\n", encoding="utf-8")
    url = f"\n    url: {yaml(front['url'])}" if front["url"] else ""
    (root / "content/entries/2022/2022-12-30-x.md").write_text(
        f"---\ntitle: {yaml(front['title'] or 'untitled')}\ndate: 2022-12-30\n"
        f"topics: [aid]\nsummary: {yaml(front['summary'])}\nnote: {yaml(front['extra'])}\n"
        f"sources:\n  - publisher: {yaml(front['publisher'] or 'p')}\n"
        f"    author: {yaml(front['author'])}\n    headline: {yaml(front['headline'])}{url}\n"
        f"---\n{front['body']}\n\n[a link](/entries/2022-12-30-x/)\n", encoding="utf-8")


def build_and_scan(root: Path, *, search: bool) -> list[str]:
    try:
        build(load_config(root / "sitegen.toml"), Cache(None), out=root / "site",
              search=search, force=True)
    except SitegenError:
        return []  # refused with our error: nothing was published
    return scripts_in_site(root / "site")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(FRONT, CONFIG)
def test_no_text_in_any_field_puts_script_in_pages_or_feeds(
        tmp_path_factory: pytest.TempPathFactory, front: dict[str, str],
        config: dict[str, str]) -> None:
    root = tmp_path_factory.mktemp("prop")
    write_site(root, front, config)
    assert build_and_scan(root, search=False) == []


# A build and two page loads per example: few examples, and a failure is reported as found
# (shrinking would repeat them for minutes).
@pytest.mark.browser
@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(FRONT, CONFIG)
def test_no_text_in_any_field_puts_script_in_search_records_or_results(
        tmp_path_factory: pytest.TempPathFactory, browser: Browser,
        static_server: Callable[[Path, str], str], front: dict[str, str],
        config: dict[str, str]) -> None:
    root = tmp_path_factory.mktemp("prop-search")
    write_site(root, front, config)
    assert build_and_scan(root, search=True) == []
    if not (root / "site/index.html").is_file():
        return  # refused with our error
    assert (root / "site/pagefind/partitions.json").is_file()
    # The records as the search page shows them, without the CSP to help: every field of the
    # entry in a topic listing (title, date, topics, summary) and a word's excerpt.
    context = browser.new_context(bypass_csp=True)
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        base = static_server(root / "site", "/tl/")
        for query in ("?topic=aid", "?q=link"):
            page.goto(base + "search/" + query)
            expect(page.locator(".search-result")).to_have_count(1)
            assert injected(page) == [] and dialogs == []
    finally:
        context.close()
