"""Pagefind is given only the part of an entry page it reads (search.search_view): the page's
language, title and its one `data-pagefind-body` element. Its records must be the same as
from the whole page, and a page of any other shape is given whole."""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sitegen import search
from tests.helpers import SITE_TOML, entry, run, write_files

PAGE = (b'<!doctype html>\n<html lang="fr"><head><title>T</title><meta name="x"></head><body>'
        b'<nav><a href="/">Home</a></nav><main><div class="e" data-pagefind-body><div>'
        b'<h1 data-pagefind-meta="title">Titre</h1><p>Texte</p></div></div>'
        b'<aside>Related</aside></main></body></html>\n')


def test_the_view_keeps_the_language_title_and_the_body_element_whole() -> None:
    view = search.search_view(PAGE)
    assert view == (b'<!doctype html>\n<html lang="fr"><head><title>T</title></head><body>'
                    b'<div class="e" data-pagefind-body><div><h1 data-pagefind-meta="title">'
                    b'Titre</h1><p>Texte</p></div></div></body></html>\n')


def test_the_view_drops_token_spans_only_in_highlighted_code_it_can_read_whole() -> None:
    ours = (b'<pre class="highlight"><code class="language-py"><span class="k">def</span> '
            b'<span class="nf">f</span>\n</code></pre>')
    theirs = (b'<pre class="highlight"><code class="language-py"><span title="t">x</span>'
              b'<span class="k">y</span></code></pre>')
    page = PAGE.replace(b"<p>Texte</p>", b"<p><span class=\"k\">T</span></p>" + ours + theirs)
    view = search.search_view(page)
    assert view is not None
    assert b'<code class="language-py">def f\n</code>' in view  # our spans: text kept
    assert theirs in view and b'<p><span class="k">T</span></p>' in view  # kept whole


@pytest.mark.parametrize("page", [
    PAGE.replace(b" data-pagefind-body", b""),  # nothing marked: Pagefind reads it all
    PAGE.replace(b"<aside>", b"<aside data-pagefind-body>"),  # two bodies
    PAGE.replace(b'<meta name="x">', b'<meta data-pagefind-meta="image[content]" '
                 b'content="/a.png">'),  # an attribute outside the body
    PAGE.replace(b"<p>Texte</p>", b"<script>'</div>'</script>"),  # raw text inside
    PAGE.replace(b"<p>Texte</p>", b"<!-- </div> -->"),
    PAGE.replace(b"</div></div>", b"</div>"),  # the body never closed
    PAGE.replace(b'<html lang="fr">', b""),
], ids=["unmarked", "two-bodies", "outside", "script", "comment", "unclosed", "no-html"])
def test_a_page_of_another_shape_is_given_whole(page: bytes) -> None:
    assert search.search_view(page) is None


def _cbor(data: bytes, at: int) -> tuple[Any, int]:
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    n = info
    if 24 <= info <= 27:
        width = 1 << (info - 24)
        n, at = int.from_bytes(data[at:at + width], "big"), at + width
    if major in (0, 1):
        return (n if major == 0 else -1 - n), at
    if major in (2, 3):
        raw = data[at:at + n]
        return (bytes(raw) if major == 2 else raw.decode()), at + n
    if major in (4, 5):
        items = []
        for _ in range(n * (2 if major == 5 else 1)):
            item, at = _cbor(data, at)
            items.append(item)
        if major == 5:
            return {json.dumps(k): v for k, v in zip(items[::2], items[1::2], strict=True)}, at
        return items, at
    raise AssertionError(f"CBOR type {major}")


def _records(bundle: Path) -> dict[str, Any]:
    """Everything a search reads from a bundle, decoded: each page's record, the word index,
    the filters (Pagefind writes a filter's map in any order)."""
    out: dict[str, Any] = {}
    for path in sorted(bundle.rglob("*.pf_*")):
        data = gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd")
        if path.suffix == ".pf_fragment":
            out[f"fragment:{json.loads(data)['url']}"] = json.loads(data)
        elif path.suffix == ".pf_index":
            out[f"index:{path.name}"] = _cbor(data, 0)[0]
        elif path.suffix == ".pf_filter":  # [name, [[value, pages], ...]] in any order
            name, values = _cbor(data, 0)[0]
            out[f"filter:{name}"] = sorted(json.dumps(v) for v in values)
    return out


def test_pagefind_makes_the_same_records_from_the_views(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str],
                                                        ) -> None:
    bodies = [
        "## A heading\n\nText with a [link](https://example.org/a) and `code`.\n",
        "![A map](map.png)\n\nA footnote[^1].\n\n[^1]: The note.\n",
        "- one\n- two\n\n> A quote from the minister.\n\n```python\nx = 1\n```\n",
        "Plain words: Belarus, the grid, aid.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        # highlighted code, whose token spans the view drops: a string across lines, words
        # that touch across tokens, a tag-like string, two blocks and an unknown language
        '```python\ndef grid(load):\n    """Two\n    lines"""\n    return load<3 and "<b>"\n```\n\n'
        "Between.\n\n```rust\nfn main() { let x = 1; }\n```\n\n```nolang\nplain <text>\n```\n",
        "- item\n\n  ```bash\n  echo $HOME && ls -la | wc -l # count\n  ```\n",
    ]
    files: dict[str, str | bytes] = {"sitegen.toml": SITE_TOML}
    for i, body in enumerate(bodies * 3):
        files[f"content/entries/e{i}.md"] = entry(
            title=f"Event number {i}", date=f"2022-12-{10 + i:02d}",
            topics="[belarus, energy-grid]" if i % 2 else "[belarus]", body=body)
    write_files(tmp_path, files)
    code, out = run(tmp_path, "build", capsys=capsys)
    assert code == 0, out
    pages = sorted((tmp_path / "site").glob("entries/*/index.html"))
    assert len(pages) == len(bodies) * 3
    whole, viewed = tmp_path / "whole", tmp_path / "viewed"
    for page in pages:
        rel = page.relative_to(tmp_path / "site")
        view = search.search_view(page.read_bytes())
        assert view is not None and len(view) < page.stat().st_size / 2, rel
        for root, data in ((whole, page.read_bytes()), (viewed, view)):
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(data)
    pagefind = search._executable(tmp_path / "site")
    for root in (whole, viewed):
        subprocess.run([str(pagefind), "--site", str(root), "--output-path",
                        str(root / "bundle"), "--silent"], check=True)
    made = _records(whole / "bundle")
    assert sum(key.startswith("fragment:") for key in made) == len(pages)
    assert _records(viewed / "bundle") == made
