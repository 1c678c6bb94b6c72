"""A saved HTML page as blocks of text plus the metadata its <head> declares."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from sitegen.ingest.blocks import Block

SKIP = frozenset({"script", "style", "noscript", "nav", "footer", "aside", "form", "svg",
                  "button", "iframe", "figcaption", "template", "select", "head"})
BLOCK = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                   "section", "article", "header", "main", "td", "th", "dd", "dt", "pre",
                   "figure", "tr", "ul", "ol", "body", "address"})
VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "col",
                  "embed", "param", "track", "base"})
BYLINE_RE = re.compile(r"\b(?:author|byline)\b", re.IGNORECASE)
META_KEYS = {"og:title": "title", "twitter:title": "title",
             "article:published_time": "published", "datepublished": "published",
             "date": "published", "pubdate": "published", "author": "author",
             "article:author": "author", "og:url": "url"}


@dataclass(frozen=True)
class HtmlPage:
    """Blocks of visible text and the page's declared metadata: title, published, author, url."""

    blocks: tuple[Block, ...]
    meta: dict[str, str] = field(hash=False)


def html_page(source: str) -> HtmlPage:
    """Parse a saved web page; scripts, navigation, footers and figure captions are skipped."""
    parser = _PageParser()
    parser.feed(source)
    parser.close()
    parser.flush()
    return HtmlPage(tuple(parser.blocks), dict(parser.meta))


class _PageParser(HTMLParser):
    """Collects a block per block element; `stack` holds the open elements and their roles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.meta: dict[str, str] = {}
        self.stack: list[tuple[str, bool]] = []  # (tag, is a byline)
        self.parts: list[str] = []
        self.line = 0
        self.lead_in: list[str] | None = None
        self.lead_in_done = ""
        self.skipping: list[str] = []
        self.title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self._head_tag(tag, values)
        if tag in VOID:
            if tag in {"br", "hr"} and not self.skipping:
                self.flush(separator=tag == "hr")
            return
        if tag == "body":
            self.skipping.clear()  # a page whose </head> is missing
        if tag in SKIP:
            self.skipping.append(tag)
        if self.skipping:
            return
        if tag in BLOCK:
            self.flush()
        byline = bool(BYLINE_RE.search(" ".join((values.get("class", ""), values.get("rel", ""),
                                                 values.get("itemprop", "")))))
        self.stack.append((tag, byline))
        if tag in {"strong", "b"} and not "".join(self.parts).strip():
            self.lead_in = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "title" and self.title is not None:
            self.meta.setdefault("title_tag", " ".join("".join(self.title).split()))
            self.title = None
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in {"strong", "b"} and self.lead_in is not None:
            self.lead_in_done = " ".join("".join(self.lead_in).split())
            self.lead_in = None
        if tag in BLOCK:
            self.flush()
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def _head_tag(self, tag: str, values: dict[str, str]) -> None:
        """Record what <meta>, <link rel=canonical>, <title> and <time> declare."""
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            name = META_KEYS.get(key.lower())
            if name and values.get("content"):
                self.meta.setdefault(name, values["content"].strip())
        elif tag == "link" and values.get("rel") == "canonical" and values.get("href"):
            self.meta.setdefault("url", values["href"])
        elif tag == "title":
            self.title = []
        elif tag == "time" and values.get("datetime") and (
                values.get("itemprop") == "datePublished" or "pubdate" in values):
            self.meta.setdefault("published", values["datetime"])

    def handle_data(self, data: str) -> None:
        if self.title is not None:
            self.title.append(data)
        if self.skipping:
            return
        if not self.parts and data.strip():
            self.line = self.getpos()[0] + data[: len(data) - len(data.lstrip())].count("\n")
        if self.parts or data.strip():
            self.parts.append(data)
        if self.lead_in is not None:
            self.lead_in.append(data)

    def flush(self, separator: bool = False) -> None:
        """End the block being collected, if it holds any text."""
        text = " ".join("".join(self.parts).split())
        if text:
            tags = [tag for tag, _ in self.stack]
            heading = next((int(t[1]) for t in reversed(tags) if re.fullmatch(r"h[1-6]", t)), 0)
            if any(byline for _, byline in self.stack) and not text.lower().startswith("by "):
                text = f"By {text}"
            self.blocks.append(Block(self.line, text, heading=heading, bullet="li" in tags,
                                     lead_in=self.lead_in_done))
        elif separator:
            self.blocks.append(Block(self.getpos()[0], "", separator=True))
        self.parts = []
        self.lead_in = None
        self.lead_in_done = ""
