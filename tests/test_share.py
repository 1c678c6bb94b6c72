"""Sharing and reuse: canonical URLs and share tags on every page, JSON-LD on entry pages, and
the open-data exports (TimelineJS JSON, entries JSON and CSV) matching the entries."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import entry, run, write_files

FULL = {
    "content/entries/2022-12-16-range.md": entry(
        title="A three-day range", date="2022-12-16", topics="[aid, belarus]",
        extra=('end: 2022-12-18\nkey: true\nplaces: ["Kyiv"]\nsummary: "Aid & a </script> test"\n'
               "updated: 2023-01-05\ncorrections:\n  - date: 2023-01-05\n"
               "    text: The range was three days, not two.\n")),
    "content/entries/2022-12-month.md": entry(title="Known to the month", date="2022-12",
                                              extra="date_basis: reported\n"),
    "content/entries/2022-12-30-timed.md": entry(title="At a time", date="2022-12-30 14:30",
                                                 topics="[energy-grid]"),
}


@pytest.fixture
def site(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    text = (site_dir / "sitegen.toml").read_text().replace(
        'base_url = "/"', 'base_url = "https://example.org/tl/"')
    write_files(site_dir, {**FULL, "sitegen.toml": text})
    code, out = run(site_dir, "build", capsys=capsys)
    assert code == 0, out
    return site_dir / "site"


class Head(HTMLParser):
    """The meta and link tags and the JSON-LD scripts of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical = ""
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta[a.get("property") or a["name"]] = a.get("content", "")
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        self._in_ld = tag == "script" and a.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False


def head(site: Path, rel: str) -> Head:
    parser = Head()
    parser.feed((site / rel).read_text(encoding="utf-8"))
    return parser


@pytest.mark.parametrize(("rel", "url"), [
    ("index.html", "https://example.org/tl/"),
    ("topics/aid/index.html", "https://example.org/tl/topics/aid/"),
    ("entries/2022-12-16-range/index.html", "https://example.org/tl/entries/2022-12-16-range/"),
    ("key-events/index.html", "https://example.org/tl/key-events/"),
    ("archive/2022/12/index.html", "https://example.org/tl/archive/2022/12/"),
])
def test_every_page_has_a_canonical_url_description_and_share_tags(site: Path, rel: str,
                                                                   url: str) -> None:
    h = head(site, rel)
    assert h.canonical == url and h.meta["og:url"] == url
    assert h.meta["og:title"] and h.meta["twitter:title"] == h.meta["og:title"]
    assert h.meta["twitter:card"] == "summary"
    assert h.meta["og:site_name"] == "Test Timeline"
    assert h.meta["description"] and h.meta["og:description"] == h.meta["description"]


def test_an_entry_page_shares_its_own_title_and_summary(site: Path) -> None:
    h = head(site, "entries/2022-12-16-range/index.html")
    assert h.meta["og:title"].startswith("A three-day range")
    assert h.meta["og:description"] == "Aid & a </script> test"
    assert h.meta["og:type"] == "article"


def test_entry_json_ld_is_a_news_article_with_sources_dates_and_corrections(site: Path) -> None:
    html = (site / "entries/2022-12-16-range/index.html").read_text(encoding="utf-8")
    assert "</script> test" not in html.split('application/ld+json">')[1].split("</script>")[0]
    (ld,) = head(site, "entries/2022-12-16-range/index.html").json_ld
    data = json.loads(ld)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "A three-day range"
    assert data["description"] == "Aid & a </script> test"
    assert data["url"] == "https://example.org/tl/entries/2022-12-16-range/"
    assert data["temporalCoverage"] == "2022-12-16/2022-12-18"
    assert data["dateModified"] == "2023-01-05"
    assert data["spatialCoverage"] == [{"@type": "Place", "name": "Kyiv"}]
    assert data["isBasedOn"] == [{"@type": "NewsArticle", "headline": "Test headline",
                                  "publisher": {"@type": "Organization", "name": "Test Wire"},
                                  "author": {"@type": "Person", "name": "A. Writer"},
                                  "datePublished": "2022-12-30"}]
    assert data["correction"] == [{"@type": "CorrectionComment", "datePublished": "2023-01-05",
                                   "text": "The range was three days, not two."}]
    month = json.loads(head(site, "entries/2022-12-month/index.html").json_ld[0])
    assert month["temporalCoverage"] == "2022-12" and "contentReferenceTime" not in month


def test_timeline_json_is_timelinejs_with_every_entry(site: Path) -> None:
    data = json.loads((site / "timeline.json").read_text(encoding="utf-8"))
    assert data["title"]["text"]["headline"] == "Test Timeline"
    events = data["events"]
    assert [e["unique_id"] for e in events] == ["2022-12-month", "2022-12-16-range",
                                                "2022-12-30-timed"]
    for event in events:  # TimelineJS requires start_date.year and a text or media
        assert isinstance(event["start_date"]["year"], int)
        assert event["text"]["headline"]
    by_id = {e["unique_id"]: e for e in events}
    assert by_id["2022-12-month"]["start_date"] == {"year": 2022, "month": 12}
    assert by_id["2022-12-16-range"]["end_date"] == {"year": 2022, "month": 12, "day": 18}
    assert by_id["2022-12-16-range"]["display_date"] == "16–18 December 2022"
    assert by_id["2022-12-30-timed"]["start_date"] == {"year": 2022, "month": 12, "day": 30,
                                                       "hour": 14, "minute": 30}
    assert by_id["2022-12-16-range"]["group"] == "Aid"
    assert "https://example.org/tl/entries/2022-12-16-range/" in \
        by_id["2022-12-16-range"]["text"]["text"]
    topic = json.loads((site / "topics/aid/timeline.json").read_text(encoding="utf-8"))
    assert [e["unique_id"] for e in topic["events"]] == ["2022-12-16-range"]


def test_entries_json_and_csv_match_the_entries(site: Path) -> None:
    data = json.loads((site / "entries.json").read_text(encoding="utf-8"))
    records = {r["slug"]: r for r in data["entries"]}
    assert set(records) == {"2022-12-month", "2022-12-16-range", "2022-12-30-timed"}
    r = records["2022-12-16-range"]
    assert (r["date"], r["end"], r["precision"], r["key"]) == ("2022-12-16", "2022-12-18",
                                                               "day", True)
    assert r["topics"] == [{"slug": "aid", "name": "Aid"},
                           {"slug": "belarus", "name": "Belarus"}]
    assert r["places"] == ["Kyiv"] and r["updated"] == "2023-01-05"
    assert r["sources"][0]["publisher"] == "Test Wire"
    assert records["2022-12-month"]["date_basis"] == "reported"
    rows = list(csv.DictReader(io.StringIO((site / "entries.csv").read_text(encoding="utf-8"))))
    assert [row["slug"] for row in rows] == [e["slug"] for e in data["entries"]]
    row = {row["slug"]: row for row in rows}["2022-12-16-range"]
    assert row["url"] == "https://example.org/tl/entries/2022-12-16-range/"
    assert row["topics"] == "aid;belarus" and row["key"] == "true"
    assert row["summary"] == "Aid & a </script> test"
    assert row["corrections"] == "2023-01-05: The range was three days, not two."
    assert row["source_publishers"] == "Test Wire"


def test_the_readme_documents_every_export_field() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    from sitegen.exports import CSV_FIELDS
    section = readme.split("## Open data", 1)[1].split("\n## ", 1)[0]
    for name in CSV_FIELDS:
        assert f"`{name}`" in section, name
    assert re.search(r"`unique_id`", section)


@pytest.mark.parametrize("part_bytes", [1, 7, 100, 1 << 20])
def test_an_export_streamed_in_parts_is_the_same_bytes(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch, part_bytes: int) -> None:
    from sitegen import exports
    from sitegen.assemble import assemble_site
    from sitegen.build import load_stage
    from sitegen.cache import Cache
    from sitegen.config import load_config

    write_files(site_dir, {"content/entries/2022/2022-12-01-kyiv.md": entry(
        title="'Київ: “quoted” — and more'", extra='summary: "Ünïcode ≠ ASCII"\n',
        body="Łódź, 東京 and «more»."), **FULL})
    config = load_config(site_dir / "sitegen.toml")
    entries, _, _ = load_stage(config, Cache(None), drafts=False)
    plans = list(exports.plan_exports(assemble_site(entries, config), config))
    whole = {e.path: exports.render_export(config, e) for e in plans}
    monkeypatch.setattr(exports, "PART_BYTES", part_bytes)
    for export in plans:
        parts = list(exports.export_parts(config, export))
        assert b"".join(parts) == whole[export.path]
        assert len(parts) > 1 or part_bytes > 100  # it streams: many parts when they are small
