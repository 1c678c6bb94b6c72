"""Careless and hostile text in what other programs read: every feed and the sitemap stay XML a
feed reader accepts whatever characters the content holds, and the TimelineJS export shows
titles, topics and the site's name as text in the page that embeds it, never as markup."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
import xml.dom.minidom
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest

from tests.helpers import SITE_TOML, entry, run, write_files

# Characters XML 1.0 forbids even as a reference: NUL and the other C0 controls but tab, LF and
# CR (a form feed from a PDF, a vertical tab from Word's line break, an escape from a
# terminal), and the non-characters U+FFFE and U+FFFF.
FORBIDDEN = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ufffe", "\uffff"]
REPLACED = "\ufffd"


def _quoted(text: str) -> str:
    """`text` as a TOML basic string, and a YAML double-quoted one: each escapes `\\uXXXX`."""
    return '"' + "".join(f"\\u{ord(c):04X}" if not " " <= c <= "~" or c in '"\\' else c
                         for c in text) + '"'


def _config(title: str, description: str, topic: str, topic_description: str) -> str:
    """The test config, with a full base URL (so a sitemap is written) and these texts."""
    return (SITE_TOML.replace('"Test Timeline"', _quoted(title))
            .replace('"A timeline for tests."', _quoted(description))
            .replace('name = "Belarus"', f"name = {_quoted(topic)}")
            .replace('"Belarus and its leadership."', _quoted(topic_description))
            .replace('base_url = "/"', 'base_url = "https://news.example.org/"'))


def _xml_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.xml"))


@pytest.mark.parametrize("char", FORBIDDEN, ids=lambda c: f"U+{ord(c):04X}")
def test_every_xml_file_reads_when_the_content_holds_a_character_xml_forbids(
        site_dir: Path, capsys: pytest.CaptureFixture[str], char: str) -> None:
    write_files(site_dir, {
        "sitegen.toml": _config(f"Test{char}Timeline", f"About{char}this", f"Bel{char}arus",
                                "Belarus."),
        "content/entries/2022/2022-12-30-talks.md": entry(
            title=_quoted(f"Talks{char}in Minsk"), body=f"Page{char}break, as pasted.",
            extra=(f"summary: {_quoted(f'Short{char}summary')}\n"
                   f"corrections:\n  - date: 2023-01-02\n"
                   f"    text: {_quoted(f'Fixed{char}name')}\n")),
    })
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0, output
    site = site_dir / "site"
    files = _xml_files(site)
    assert {f.relative_to(site).as_posix() for f in files} >= {
        "feed.xml", "topics/belarus/feed.xml", "sitemap.xml"}
    for path in files:
        ET.parse(path)  # raises ParseError: "not well-formed (invalid token)"
        xml.dom.minidom.parse(str(path))
    for rel, title in (("feed.xml", f"Test{REPLACED}Timeline"),
                       ("topics/belarus/feed.xml", f"Test{REPLACED}Timeline: Bel{REPLACED}arus")):
        feed = feedparser.parse((site / rel).read_bytes())
        assert feed.bozo == 0, (rel, feed.get("bozo_exception"))
        assert feed.feed.title == title
        assert feed.feed.subtitle == f"About{REPLACED}this"
        [item] = feed.entries
        assert item.title == f"Talks{REPLACED}in Minsk"
        assert item.summary == f"Short{REPLACED}summary"
        assert [t.label for t in item.tags] == [f"Bel{REPLACED}arus"]
        body = item.content[0].value
        assert f"Page{REPLACED}break, as pasted." in body
        assert f"Fixed{REPLACED}name" in body
        assert char not in body


def test_a_lone_surrogate_becomes_a_replacement_character_in_the_feed(
        site_dir: Path) -> None:
    """No file brings one in today (YAML, TOML and the UTF-8 reader refuse them), so the entry
    is made here: a feed must still be bytes a reader parses, never a UnicodeEncodeError."""
    from sitegen import feeds
    from sitegen.config import load_config

    config = load_config(site_dir / "sitegen.toml")
    item = dataclasses.replace(_entry(), title="Half \ud83d a face", summary="Alone \udfff",
                               body_html="<p>Body \ud800 text</p>\n")
    data = feeds.atom_feed(config, [item], title="Site \udc00", feed_url="feed.xml",
                           page_url="")
    ET.fromstring(data)
    feed = feedparser.parse(data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.feed.title == f"Site {REPLACED}"
    assert feed.entries[0].title == f"Half {REPLACED} a face"
    assert feed.entries[0].summary == f"Alone {REPLACED}"
    assert f"Body {REPLACED} text" in feed.entries[0].content[0].value


def _entry() -> Any:
    from sitegen.model import Entry

    return Entry(Path("x.md"), "2022-12-30-x", "x", dt.date(2022, 12, 30), None, ("belarus",),
                 (), "", "<p>x</p>\n")


# Text that is markup, or looks like it: each must reach a TimelineJS reader as these very
# characters, shown as text.
SITE_TITLE = "<img src=x onerror=alert('title')>"
SITE_DESCRIPTION = '</p><script>alert("description")</script>'
TOPIC_NAME = "<b onmouseover=alert(1)>Belarus</b> & co"
TOPIC_DESCRIPTION = "<svg onload=alert(2)>"
ENTRY_TITLE = "<img src=x onerror=alert(1)>"
SUMMARY = "Already escaped: &lt;b&gt; &amp; \"quoted\" <i>not</i>"


class _Rendered(HTMLParser):
    """What a browser makes of an HTML fragment set as innerHTML: its elements and its text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text = ""
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def _shows_as_text(value: str, original: str) -> None:
    assert "<" not in value, value
    assert html.unescape(value) == original
    rendered = _Rendered(value)
    assert (rendered.tags, rendered.text) == ([], original)


@pytest.fixture
def timeline_site(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_files(site_dir, {
        "sitegen.toml": _config(SITE_TITLE, SITE_DESCRIPTION, TOPIC_NAME, TOPIC_DESCRIPTION),
        "content/entries/2022/2022-12-16-range.md": entry(
            title=_quoted(ENTRY_TITLE), date="2022-12-16",
            extra=f"end: 2022-12-18\nsummary: {_quoted(SUMMARY)}\n"),
    })
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0, output
    return site_dir / "site"


def _timeline(site: Path, rel: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((site / rel).read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("rel, headline, description", [
    ("timeline.json", SITE_TITLE, SITE_DESCRIPTION),
    ("topics/belarus/timeline.json", f"{TOPIC_NAME} · {SITE_TITLE}", TOPIC_DESCRIPTION),
])
def test_a_timelinejs_embed_shows_every_text_as_written_and_runs_none(
        timeline_site: Path, rel: str, headline: str, description: str) -> None:
    data = _timeline(timeline_site, rel)
    _shows_as_text(data["title"]["text"]["headline"], headline)
    _shows_as_text(data["title"]["text"]["text"], description)
    [event] = data["events"]
    _shows_as_text(event["text"]["headline"], ENTRY_TITLE)
    _shows_as_text(event["group"], TOPIC_NAME)
    _shows_as_text(event["display_date"], "16–18 December 2022")
    text = _Rendered(event["text"]["text"])  # sitegen's own markup: the summary, then a link
    assert text.tags == ["p", "p", "a"]
    assert text.text == SUMMARY + "Read the entry and its sources"


def test_the_data_exports_keep_the_text_as_written(timeline_site: Path) -> None:
    data = json.loads((timeline_site / "entries.json").read_text(encoding="utf-8"))
    assert (data["title"], data["description"]) == (SITE_TITLE, SITE_DESCRIPTION)
    [record] = data["entries"]
    assert (record["title"], record["summary"]) == (ENTRY_TITLE, SUMMARY)
    assert record["topics"] == [{"slug": "belarus", "name": TOPIC_NAME}]
    csv_text = (timeline_site / "entries.csv").read_text(encoding="utf-8")
    assert ENTRY_TITLE in csv_text and "&lt;img" not in csv_text
