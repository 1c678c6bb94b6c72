"""The preview's edit path (sitegen/incremental.py): after an edit that keeps the site's
structure (a title, a summary, a source, a body) the preview makes only the files that show the
changed entries, and holds exactly the files a fresh build makes. Any other change (a date, a
topic, a key event, a new file) builds in full, to the same end."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen import incremental, load, render, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import load_config
from sitegen.errors import SitegenError
from tests.helpers import SITE_TOML, entry, write_files
from tests.test_engine import entries

COUNT = 30


class Preview:
    """`build()` as `serve` calls it (one cache, an in-memory writer), counting the full
    build's planning and every page rendered."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.cache = root, Cache(None)
        self.files: dict[str, bytes] = {}
        self.planned = 0
        self.rendered: list[str] = []
        plan, page = render.plan_pages, render.render_page

        def counted_plan(*args: Any) -> Any:
            self.planned += 1
            return plan(*args)

        def counted_page(env: Any, item: Any, *rest: Any) -> bytes:
            self.rendered.append(item.url)
            return page(env, item, *rest)
        monkeypatch.setattr(render, "plan_pages", counted_plan)
        monkeypatch.setattr(render, "render_page", counted_page)

    def build(self, changed: list[Path] | None = None) -> dict[str, bytes]:
        def writer(site: Any, config: Any, files: dict[str, bytes], out: Path) -> Any:
            self.files = dict(files)
            return write.WriteStats(len(files), 0, 0), None
        self.planned, self.rendered = 0, []
        build(load_config(self.root / "sitegen.toml"), self.cache, drafts=True,
              out=self.root / "preview", writer=writer, changed=changed)
        return self.files

    def verify(self) -> set[Path]:
        return incremental.verify(load_config(self.root / "sitegen.toml"),
                                  self.cache.preview.get("held"))


def fresh(root: Path) -> dict[str, bytes]:
    """What a fresh `sitegen build` (drafts included, no search) writes."""
    out = root.parent / f"fresh-{time.monotonic_ns()}"
    build(load_config(root / "sitegen.toml"), Cache(None), drafts=True, out=out, workers=1,
          search=False)
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != write.MANIFEST}


def save(path: Path, old: str, new: str) -> None:
    """Save as editors do (a new file renamed over the old), an hour old: past the racy
    window, so the next build trusts its stat."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_text(text.replace(old, new, 1), encoding="utf-8")
    then = time.time() - 3600
    os.utime(tmp, (then, then))
    os.replace(tmp, path)


def entry_file(root: Path, n: int) -> Path:
    return next(root.glob(f"content/entries/2022/*-event-{n}.md"))


@pytest.fixture
def site(site_dir: Path) -> Path:
    write_files(site_dir, entries(COUNT))
    then = time.time() - 7200
    for path in site_dir.rglob("*"):
        os.utime(path, (then, then))
    return site_dir


NEWEST = 27  # event 27 is dated 2022-10-29, the newest: every feed and list starts with it


@pytest.mark.parametrize("n, old, new, full", [
    (12, "title: Event number 12", "title: The twelfth event", False),
    (NEWEST, "title: Event number 27", 'title: "<b>Bold</b> & \\"quoted\\", with a comma"',
     False),
    (12, "topics:", 'summary: "A summary, with \\"quotes\\" and a comma"\ntopics:', False),
    (12, "headline: Test headline", "headline: A new headline", False),
    (12, "What happened in event 12", "Event 12, told again", False),
    (12, "date: 2022-10-14", "date: 2022-10-15", True),
    (12, "topics: [belarus]", "topics: [aid]", True),
    (12, "topics:", "key: true\ntopics:", True),
    (12, "topics:", "slug: a-new-slug\ntopics:", True),
], ids=["title", "newest title, with markup", "summary", "source", "body", "date", "topic",
        "key event", "slug"])
def test_an_edit_makes_what_a_fresh_build_makes(site: Path, monkeypatch: pytest.MonkeyPatch,
                                               n: int, old: str, new: str, full: bool) -> None:
    preview = Preview(site, monkeypatch)
    before = preview.build()
    path = entry_file(site, n)
    save(path, old, new)
    after = preview.build()
    assert preview.planned == (1 if full else 0)
    assert after == fresh(site)
    assert after != before


def test_a_title_edit_renders_only_the_pages_that_show_the_entry(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = Preview(site, monkeypatch)
    before = preview.build()
    save(entry_file(site, 12), "title: Event number 12", "title: The twelfth event")
    after = preview.build()
    changed = {rel for rel in after if after[rel] != before.get(rel)}
    made = {f"{url}index.html" if url.endswith("/") or not url else url
            for url in preview.rendered}
    assert preview.planned == 0
    assert {rel for rel in changed if rel.endswith(".html")} <= made
    assert len(made) < len([r for r in after if r.endswith(".html")]) / 4
    assert "entries/2022-10-14-event-12/index.html" in changed
    assert {"entries.json", "entries.csv", "timeline.json"} <= changed
    assert all("The twelfth event" in after[rel].decode() for rel in changed)


def test_a_body_edit_renders_its_own_page_alone(site: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    preview = Preview(site, monkeypatch)
    preview.build()
    save(entry_file(site, 12), "What happened in event 12", "Event 12, told again")
    after = preview.build()
    assert preview.rendered == ["entries/2022-10-14-event-12/"] and preview.planned == 0
    assert after == fresh(site)


def test_edits_in_a_row_and_between_full_builds(site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    preview = Preview(site, monkeypatch)
    preview.build()
    steps: list[tuple[int, str, str, int]] = [
        (12, "title: Event number 12", "title: Twelve", 0),
        (12, "What happened in event 12", "Twelve, told again", 0),
        (13, "title: Event number 13", "title: Thirteen", 0),
        (12, "date: 2022-10-14", "date: 2022-10-20", 1),  # moves: the full build
        (12, "title: Twelve", "title: Twelve again", 0),  # held from the full build
        (NEWEST, "What happened in event 27", "The newest, retold", 0),
    ]
    for n, old, new, planned in steps:
        save(entry_file(site, n), old, new)
        files = preview.build()
        assert preview.planned == planned, (n, new)
        assert files == fresh(site), (n, new)


def test_a_new_file_or_a_problem_builds_in_full(site: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    preview = Preview(site, monkeypatch)
    preview.build()
    write_files(site, {"content/entries/2022/2022-11-30-new.md":
                       entry(title="A new one", date="2022-11-30")})
    files = preview.build()
    assert preview.planned == 1
    assert files == fresh(site)
    save(entry_file(site, 12), "title: Event number 12", "title:")  # no title: a problem
    with pytest.raises(Exception, match="title"):
        preview.build()


def test_a_non_entry_file_under_content_builds_in_full(site: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(site, {"content/files/note.txt": "a file of the site\n"})
    preview = Preview(site, monkeypatch)
    preview.build()
    save(site / "content/files/note.txt", "a file", "another file")
    files = preview.build()
    assert preview.planned == 1
    assert files == fresh(site)


def test_an_export_line_is_replaced_only_where_the_full_build_wrote_it() -> None:
    head = b'slug,title\r\n'
    data = head + b'a,"x\r\nb,T\r\n"\r\nb,T\r\n'  # row "b,T" also inside a's quoted field
    assert incremental._splice_bytes(data, "csv", [("b,T\r\n", "b,U\r\n")]) is None
    assert incremental._splice_bytes(head + b"b,T\r\n", "csv", [("b,T\r\n", "b,U\r\n")]) == \
        head + b"b,U\r\n"
    json_data = b'{"title":"t","entries":[\n{"slug":"a"},\n{"slug":"b"}\n]}\n'
    assert incremental._splice_bytes(json_data, "json", [('{"slug":"b"}', '{"slug":"c"}')]) \
        == json_data.replace(b'"b"', b'"c"')
    assert incremental._splice_bytes(json_data, "json", [('{"slug":"x"}', "{}")]) is None


EDITS = st.lists(st.tuples(st.integers(0, COUNT - 1),
                           st.sampled_from(["title", "summary", "body", "date", "topic"]),
                           st.integers(1, 9)), min_size=1, max_size=6)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=EDITS)
def test_random_edits_end_as_a_fresh_build(tmp_path_factory: pytest.TempPathFactory,
                                           edits: list[tuple[int, str, int]]) -> None:
    root = tmp_path_factory.mktemp("random")
    (root / "sitegen.toml").write_text(SITE_TOML, encoding="utf-8")
    write_files(root, entries(COUNT))
    with pytest.MonkeyPatch.context() as monkeypatch:
        preview = Preview(root, monkeypatch)
        preview.build()
        for n, kind, value in edits:
            path = entry_file(root, n)
            text = path.read_text(encoding="utf-8")
            head, body = text.split("---\n", 2)[1:]
            lines = [line for line in head.splitlines() if not line.startswith(
                {"title": "title:", "summary": "summary:", "date": "date:",
                 "topic": "topics:", "body": "\0"}[kind])]
            if kind == "title":
                lines.append(f"title: Event {n}, version {value}")
            elif kind == "summary":
                lines.append(f'summary: "A summary, take {value}"')
            elif kind == "date":
                lines.append(f"date: 2022-11-{value:02d}")
            elif kind == "topic":
                lines.append(f"topics: [{['belarus', 'aid', 'energy-grid'][value % 3]}]")
            else:
                body = f"Told for the {value}th time.\n"
            new = "---\n" + "\n".join(lines) + "\n---\n" + body
            path.write_text(new, encoding="utf-8")
            then = time.time() - 3600 + value
            os.utime(path, (then, then))
            assert preview.build() == fresh(root), (n, kind, value)


def test_a_time_with_another_offset_is_a_new_place(site: Path) -> None:
    old = load.parse_entry(Path("a.md"), entry(date="2022-12-30T10:00+01:00").encode(),
                           frozenset({"belarus"})).entry
    new = load.parse_entry(Path("a.md"), entry(date="2022-12-30T09:00Z").encode(),
                           frozenset({"belarus"})).entry
    assert old is not None and new is not None and old.time == new.time  # the same instant
    assert not incremental.same_structure(old, new)  # but they sort apart, as written


def test_told_what_changed_it_reads_only_that_and_a_walk_catches_what_it_was_not_told(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    preview = Preview(site, monkeypatch)
    preview.build()
    twelve, thirteen = entry_file(site, 12), entry_file(site, 13)
    save(twelve, "title: Event number 12", "title: The twelfth event")
    temporary = twelve.with_name(f".{twelve.name}.saving")  # an editor's, renamed over it
    files = preview.build(changed=[twelve, temporary])
    assert preview.planned == 0
    assert files == fresh(site)
    assert preview.verify() == set()
    save(thirteen, "title: Event number 13", "title: The thirteenth event")
    files = preview.build(changed=[])  # the watcher missed it
    assert b"The thirteenth event" not in files["entries/2022-10-15-event-13/index.html"]
    missed = preview.verify()
    assert missed == {thirteen}
    files = preview.build(changed=list(missed))
    assert preview.planned == 0
    assert files == fresh(site)
    new = site / "content/entries/2022/2022-11-30-new.md"
    write_files(site, {"content/entries/2022/2022-11-30-new.md":
                       entry(title="A new one", date="2022-11-30")})
    files = preview.build(changed=[new])
    assert preview.planned == 1, "a new file: the full build"
    assert files == fresh(site)
    new.unlink()
    files = preview.build(changed=[new])
    assert preview.planned == 1, "a file removed: the full build"
    assert files == fresh(site)


def test_the_content_folder_gone_is_a_full_build_that_says_so(
        site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The watcher names the folder itself when it is moved away: no file under it is
    reported, yet the site is gone. The preview fails as `sitegen build` does, and holds
    nothing for `verify` to find different again and again (a rebuild every second)."""
    preview = Preview(site, monkeypatch)
    preview.build()
    content = site / "content"
    content.rename(site / "away")
    with pytest.raises(SitegenError, match="content"):
        preview.build(changed=[content])
    assert preview.verify() == set()
    (site / "away").rename(content)
    assert preview.build(changed=[content]) == fresh(site)
    assert preview.verify() == set()
    year = content / "entries/2022"
    year.rename(site / "away")  # a folder of entries: only the folder is named
    with pytest.raises(SitegenError, match="content"):
        preview.build(changed=[year])
