"""What a reader's browser would run: every script, event handler and script URL in a built site."""

from __future__ import annotations

import gzip
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

# Our own scripts: theme assets by URL, and inline data blocks the browser never runs.
DATA_TYPES = {"application/json", "application/ld+json"}
SCRIPT_URL = re.compile(r"^\s*(?:javascript|vbscript|data\s*:\s*text/html)\s*:?", re.IGNORECASE)
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background",
             "srcdoc", "data"}


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.found.append(f"event handler <{tag} {name}={value!r}>")
            if name in URL_ATTRS and SCRIPT_URL.match(value.replace("\x00", "")):
                self.found.append(f"script URL <{tag} {name}={value!r}>")
        if tag == "script":
            kind = values.get("type", "").strip().lower()
            src = values.get("src", "")
            if kind in DATA_TYPES:
                return
            if not re.match(r"^(?:/[A-Za-z0-9._~%/-]*)?/static/[a-z0-9.-]+\.js(?:\?v=[0-9a-f]+)?$",
                            src):
                self.found.append(f"script <script {values}>")
        if tag in ("iframe", "object", "embed", "base"):
            self.found.append(f"<{tag}> element")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh" \
                and "javascript" in values.get("content", "").lower():
            self.found.append("meta refresh to a script URL")


def scripts_in_html(text: str) -> list[str]:
    """Everything in `text` (HTML) that a browser could run but that is not one of our files."""
    finder = _Finder()
    finder.feed(text)
    finder.close()
    return finder.found


def scripts_in_site(site: Path) -> list[str]:
    """Every runnable thing, by file, in the pages, feeds, sitemap and search records."""
    found: list[str] = []
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            found += [f"{rel}: {f}" for f in scripts_in_html(path.read_text("utf-8"))]
        elif path.suffix == ".xml":
            found += [f"{rel}: {f}" for f in _scripts_in_xml(path.read_text("utf-8"))]
        elif path.suffix == ".pf_fragment":
            found += [f"{rel}: {f}" for f in _scripts_in_record(path.read_bytes())]
    return found


def _scripts_in_xml(text: str) -> list[str]:
    found = scripts_in_html(text)  # attributes of the XML itself (links)
    # type="html" content is HTML a feed reader renders; other elements are plain text
    for _, escaped in re.findall(r'<(content|summary|title) type="(?:x?html)"[^>]*>(.*?)</\1>',
                              text, re.DOTALL):
        found += scripts_in_html(html.unescape(escaped))
    for loc in re.findall(r"<loc>(.*?)</loc>", text):
        if SCRIPT_URL.match(html.unescape(loc)):
            found.append(f"script URL in <loc>{loc}</loc>")
    return found


def _scripts_in_record(raw: bytes) -> list[str]:
    """A Pagefind fragment: gzip, a signature, then JSON. Its title, content and meta are the
    page's text as a reader sees it (our search page inserts them as text: see the browser
    test); what a browser would follow are its URLs, which must never be script URLs."""
    data = gzip.decompress(raw)
    record = json.loads(data[data.index(b"{"):])
    urls = [record.get("url", ""), *(v for k, v in record.get("meta", {}).items()
                                     if k in ("url", "image", "link"))]
    return [f"script URL {u!r}" for u in urls if SCRIPT_URL.match(str(u))]


# What search.js makes for a result; anything else in the results came from content.
RESULT_TAGS = ["A", "H2", "LI", "MARK", "P", "SPAN", "TIME", "UL"]
_INJECTED = """(ours) => [
  ...[...document.querySelectorAll('#search-results *')].filter((e) =>
    !ours.includes(e.tagName) || [...e.attributes].some((a) => a.name.startsWith('on'))
    || /^\\s*javascript:/i.test(e.getAttribute('href') ?? '')).map((e) => e.outerHTML),
  ...[...document.querySelectorAll('img, svg, iframe, object, embed, [onerror], [onload]')]
    .map((e) => e.outerHTML),
  ...[...document.scripts].filter((s) => !s.src && s.type !== 'application/json')
    .map((s) => s.outerHTML)]"""


def injected(page: Any) -> list[str]:
    """In a live search page (a Playwright page): every element in the results that search.js
    does not make or that has an event handler or script URL, and any image, SVG, frame,
    handler or inline script anywhere on the page (the theme has none)."""
    return list(page.evaluate(_INJECTED, RESULT_TAGS))
