"""What real posts use renders: footnotes, heading ids that in-page links reach, task and
definition lists, highlighted code, raw HTML escaped or sanitized, files beside a post."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it.common import normalize_url
from pygments import format as pygments_format
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.token import STANDARD_TYPES, Token

from sitegen.markdown import format_spans, highlight_css, normalize_link, render_body
from tests.helpers import SITE_TOML, entry, run, write_files

E = "content/entries"


def ids_and_fragments(html: str) -> tuple[set[str], set[str]]:
    return set(re.findall(r'\sid="([^"]+)"', html)), set(re.findall(r'href="#([^"]+)"', html))


def test_footnotes_render_as_notes_not_markers() -> None:
    html = render_body("A claim.[^src]\n\n[^src]: Where it came from.\n")
    assert "[^src]" not in html
    assert '<a href="#fn1" id="fnref1">' in html
    assert '<li id="fn1" class="footnote-item"><p>Where it came from.' in html


def test_in_page_links_reach_headings_whatever_generator_named_them() -> None:
    source = ("Jump to [setup](#setup-and-install), [kramdown's](#setup_and_install), "
              "[custom](#my-id) or [Ukrainian](#обстріл-києва).\n\n"
              "## Setup and install\n\n## Custom heading {#my-id}\n\n"
              "### Later: a heading {: #later .note}\n\n## Обстріл Києва\n")
    html = render_body(source)
    ids, fragments = ids_and_fragments(html)
    assert fragments <= ids, fragments - ids
    assert '<h2 id="my-id">Custom heading</h2>' in html
    assert '<h3 id="later" class="note">Later: a heading</h3>' in html


def test_task_and_definition_lists() -> None:
    html = render_body("- [x] done\n- [ ] to do\n\nTerm\n: What it means\n")
    assert 'type="checkbox"' in html and 'checked="checked"' in html
    assert "<dl>\n<dt>Term</dt>\n<dd>What it means</dd>\n</dl>" in html


def test_fenced_code_with_a_language_is_highlighted_with_classes_only() -> None:
    html = render_body("```python\ndef f():\n    return '<b>'\n```\n\n```\nplain < text\n```\n")
    assert '<pre class="highlight"><code class="language-python"><span class="k">def</span>' \
        in html
    assert "&#39;&lt;b&gt;&#39;" in html or "'&lt;b&gt;'" in html
    assert "<pre><code>plain &lt; text" in html
    assert "style=" not in html and "<script" not in html


_CODE_PIECES = ["def", " ", "\n", "\n\n", "x", "<b>", "&", '"', "'", "  ", "\t", "1", "#",
                "é", "//", "/*", ""]


@settings(max_examples=300, deadline=None)
@given(tokens=st.lists(st.tuples(st.sampled_from([*sorted(STANDARD_TYPES, key=str),
                                                   Token.Name.Custom.Deeper]),
                                 st.lists(st.sampled_from(_CODE_PIECES), max_size=4)
                                 .map("".join)), max_size=30))
def test_code_spans_are_what_pygments_html_formatter_makes(
        tokens: list[tuple[object, str]]) -> None:
    # format_spans is our one-pass copy of HtmlFormatter(nowrap=True): any token stream, any
    # text (blank lines, runs of one type, escapes), the same bytes
    assert format_spans(tokens) == pygments_format(tokens, HtmlFormatter(nowrap=True))


@pytest.mark.parametrize("lang", ["python", "rust", "go", "javascript", "bash", "sql", "yaml",
                                  "toml", "html", "diff", "console"])
def test_highlighted_code_is_byte_for_byte_pygments_output(lang: str) -> None:
    code = ("\n  leading blank line\nx = '<a href=\"/\">' & 1  # note\n\n\tfn(a, b) {}\n"
            "-- end ; @ $HOME\n\n\n")
    html = render_body(f"```{lang}\n{code}```\n")
    spans = pygments_highlight(code, get_lexer_by_name(lang), HtmlFormatter(nowrap=True))
    assert html.startswith(f'<pre class="highlight"><code class="language-{lang}">{spans}'
                           "</code></pre>\n")


def test_highlight_css_has_light_and_dark_and_matches_the_theme() -> None:
    css = highlight_css()
    assert "@media (prefers-color-scheme: dark)" in css and ".highlight .k" in css
    theme = Path(__file__).parent.parent / "sitegen/themes/default/static/highlight.css"
    assert theme.read_text() == css, "regenerate: python -m sitegen.markdown > " + str(theme)


HOSTILE = """<div onclick="alert(1)" style="background:url(javascript:alert(1))">kept text</div>

<script>alert(1)</script><style>body{display:none}</style>

<a href="javascript:alert(1)">bad link</a> <img src="x.png" onerror="alert(1)">
<a href="JaVaScRiPt:alert(1)">mixed case</a> <svg onload="alert(1)"><circle/></svg>

<iframe src="https://www.youtube.com/embed/xyz"></iframe>
<form action="/x"><input type="text" name="q"></form>

| left | right |
|:-----|------:|
| a    | b     |
"""


def test_sanitize_keeps_safe_html_and_drops_anything_that_runs() -> None:
    html = render_body(HOSTILE, "sanitize")
    for bad in ("onclick", "onerror", "onload", "javascript", "<script", "<style", "alert",
                "<iframe", "<form", "<svg", 'type="text"', "background"):
        assert bad.lower() not in html.lower(), bad
    assert "<div>kept text</div>" in html
    assert '<img src="x.png">' in html
    assert ('<a class="embed" href="https://www.youtube.com/embed/xyz" '
            'rel="noopener noreferrer">') in html
    assert '<td class="align-right">b</td>' in html and "style=" not in html


def test_sanitize_gives_raw_links_our_rel_and_never_the_authors() -> None:
    # A raw link to another site had no rel, and an author's `rel="opener"` was kept (the
    # page opened could then steer this one); the README promises noopener noreferrer.
    html = render_body('<a href="https://example.org/" rel="opener">there</a> '
                       '<a href="https://example.net/" target="_blank">new tab</a>\n',
                       "sanitize")
    assert html.count('rel="noopener noreferrer"') == 2, html
    assert "opener\"" not in html.replace('rel="noopener noreferrer"', ""), html


def test_escape_is_the_default_and_shows_html_as_text() -> None:
    html = render_body("<b>bold</b> <script>alert(1)</script>\n")
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "<script" not in html


def build(site: Path, files: dict[str, str | bytes], capsys: pytest.CaptureFixture[str],
          *args: str) -> tuple[int, str]:
    write_files(site, files)
    return run(site, "build", *args, capsys=capsys)


def test_config_chooses_sanitize_and_rejects_unknown_modes(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = "<b>bold</b> <img src=x onerror=alert(1)>"
    files: dict[str, str | bytes] = {f"{E}/a.md": entry(body=body)}
    write_files(site_dir, {"sitegen.toml": SITE_TOML + '\n[markdown]\nhtml = "sanitize"\n'})
    code, out = build(site_dir, files, capsys)
    assert code == 0, out
    page = (site_dir / "site/entries/a/index.html").read_text()
    assert "<b>bold</b>" in page and "onerror" not in page
    write_files(site_dir, {"sitegen.toml": SITE_TOML + '\n[markdown]\nhtml = "raw"\n'})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 1
    assert 'sitegen.toml:' in out and '[markdown] html must be "escape" or "sanitize"' in out


PNG = b"\x89PNG\r\n\x1a\nfake image bytes"


@pytest.mark.parametrize("base", ["/", "/timeline/"])
def test_files_beside_a_post_are_published_and_links_work(
        site_dir: Path, capsys: pytest.CaptureFixture[str], base: str) -> None:
    code, out = build(site_dir, {
        f"{E}/2021/bundle/index.md": entry(title="Bundle", body="![map](map.png)\n\n"
                                           "[the data](data/table.csv)"),
        f"{E}/2021/bundle/map.png": PNG,
        f"{E}/2021/bundle/data/table.csv": "a,b\n",
        f"{E}/2021/plain.md": entry(title="Plain", body="![chart](img/chart.png) and "
                                    "![root](/images/logo.png)"),
        f"{E}/2021/img/chart.png": PNG,
        "content/files/images/logo.png": PNG,
    }, capsys, "--base-url", base)
    assert code == 0, out
    site = site_dir / "site"
    bundle = (site / "entries/bundle/index.html").read_text()
    assert '<img src="map.png" alt="map"' in bundle
    assert (site / "entries/bundle/map.png").read_bytes() == PNG
    assert (site / "entries/bundle/data/table.csv").read_text() == "a,b\n"
    plain = (site / "entries/plain/index.html").read_text()
    assert (site / "entries/plain/img/chart.png").read_bytes() == PNG
    assert f'src="{base}images/logo.png"' in plain
    assert (site / "images/logo.png").read_bytes() == PNG
    code, out = run(site_dir, "check", capsys=capsys)
    assert code == 0, out


def test_a_file_that_would_replace_a_page_is_an_error(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {f"{E}/a.md": entry(), "content/files/feed.xml": "<x/>"},
                      capsys)
    assert code == 1
    assert "content/files/feed.xml:1: would replace /feed.xml" in out


def test_only_pages_with_highlighted_code_load_its_stylesheet(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {f"{E}/code.md": entry(body="```sh\necho hi\n```"),
                                 f"{E}/prose.md": entry(body="Just words.")}, capsys)
    assert code == 0, out
    site = site_dir / "site"
    assert 'href="/static/highlight.css?v=' in (site / "entries/code/index.html").read_text()
    assert "highlight.css" not in (site / "entries/prose/index.html").read_text()
    assert (site / "static/highlight.css").read_text() == highlight_css()


def test_noscript_fallback_is_shown_not_escaped() -> None:
    html = render_body('<div><noscript><img src="chart.png" alt="chart"></noscript></div>\n',
                       "sanitize")
    assert '<img src="chart.png" alt="chart">' in html and "&lt;" not in html


def test_links_to_emoji_headings_and_definition_terms_resolve() -> None:
    html = render_body("[crab](#i-unsound-issues-crab) and [term](#publishdir)\n\n"
                       "## I-unsound issues (🦀)\n\n`publishDir`\n: Where the site goes.\n")
    ids, fragments = ids_and_fragments(html)
    assert fragments <= ids, fragments - ids
    assert '<dt id="publishdir"><code>publishDir</code></dt>' in html


def test_a_heading_without_letters_still_gets_an_id() -> None:
    html = render_body("## Notes\n\n##\n\n## 🎉\n\n### ***\n")
    assert '<h2 id="notes">Notes</h2>' in html
    assert '<h2 id="section"></h2>' in html and '<h2 id="section-1">🎉</h2>' in html
    assert '<h3 id="section-2">***</h3>' in html and 'id=""' not in html


def test_a_link_whose_address_the_sanitizer_refuses_keeps_its_text_only() -> None:
    # a zero-width space pasted into a host: nh3 drops the href, and `rel` needs one
    html = render_body("[the photo](http://\u200bphotos.example/p1 ) and "
                       "[a good one](https://photos.example/p2)\n", "sanitize")
    assert "<a>the photo</a>" in html
    assert '<a href="https://photos.example/p2" rel="noopener noreferrer">a good one</a>' in html
    assert "<a>x</a>" in render_body('<a rel="nofollow" name="n" href="javascript:x">x</a>\n',
                                     "sanitize").replace(' name="n"', "")


_URL_PIECES = ["https://", "http://", "HTTP://", "//", "/", "xn--", "x", "Z", "0", ".", "..",
               "-", "_", "~", "%", "%20", " ", ":", "@", "é", "?", "#", "&", "(", "[", "\\"]


@settings(max_examples=500, deadline=None)
@given(url=st.lists(st.sampled_from(_URL_PIECES), max_size=8).map("".join))
@example(url="/a b")
@example(url="/ ")
@example(url="https://E.org/")
@example(url="")
@example(url="https://xn--bcher-kva.example/")
@example(url="/%41")
@example(url="http://a.b:80/")
def test_links_are_normalised_as_markdown_it_normalises_them(url: str) -> None:
    assert normalize_link(url) == normalize_url.normalizeLink(url)


def test_links_in_a_body_keep_their_encoding_rules() -> None:
    html = render_body("[a](https://docs.example.org/a b) [b](/entries/x-y/) "
                       "[c](https://ÉXAMPLE.org/ü) [d](<https://example.org/a b>)\n")
    assert 'href="https://docs.example.org/a%20b"' not in html  # a space ends the link
    assert 'href="/entries/x-y/"' in html
    assert 'href="https://xn--XAMPLE-voa.org/%C3%BC"' in html
    assert 'href="https://example.org/a%20b"' in html


def test_many_headings_of_one_title_get_ids_in_one_pass() -> None:
    # The anchors plugin's unique ids rescanned -1, -2... for every repeat: 100,000 empty
    # headings never finished in markdown-it-py (sanitize mode, or a body the accelerator
    # hands on). A child process with a generous bound: a hang fails, a slow machine does not.
    code = ("from sitegen import markdown as md\n"
            "out = md.render_body('#\\n' * 100_000 + '# section-7\\n', 'sanitize')\n"
            "assert out.count('<h1 id=') == 100_001, out[:200]\n"
            "assert '<h1 id=\"section-99999\">' in out and '<h1 id=\"section-7-1\">' in out\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.mark.parametrize("mode", ["escape", "sanitize"])
def test_a_tables_column_alignment_survives_the_pages_policy(mode: str) -> None:
    # markdown-it writes style="text-align:right", which `style-src 'self'` blocks: every
    # column showed left-aligned. A class the theme's stylesheet aligns is what it writes now.
    html = render_body("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n", mode)
    assert "style=" not in html, html
    for cell, side in (("1", "left"), ("2", "center"), ("3", "right")):
        assert f'<td class="align-{side}">{cell}</td>' in html, html
    css = (Path(__file__).resolve().parents[1] /
           "sitegen/themes/default/static/style.css").read_text()
    for side in ("left", "center", "right"):
        assert f".entry-body .align-{side} {{ text-align: {side}; }}" in css
