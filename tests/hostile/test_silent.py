"""Input that used to be accepted silently (or with a confusing message) and now says exactly
what is wrong and where."""

from __future__ import annotations

import re
from pathlib import Path

import markupsafe
import pytest

from sitegen.cli import main
from tests import helpers
from tests.helpers import SITE_TOML, entry, tree_digest, write_files
from tests.hostile.test_careless import sitegen

GOOD = "content/entries/2022/2022-12-30-good.md"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$")


def run(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`sitegen ARGS` in `root`; paths in the output relative to it, as a curator sees them."""
    code, output = helpers.run(root, *args, capsys=capsys)
    return code, output.replace(f"{root}/", "")


@pytest.fixture
def built(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    write_files(site_dir, {GOOD: entry(title="A good entry")})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    return site_dir


def test_a_content_dir_typo_is_an_error_at_its_line_not_an_empty_site(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(built / "site")
    (built / "sitegen.toml").write_text(SITE_TOML.replace(
        'timezone = "UTC"\n', 'timezone = "UTC"\ncontent_dir = "contnet"\n'))
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "sitegen.toml:5: content_dir 'contnet' is not a folder" in output
    assert tree_digest(built / "site") == before
    assert run(built, "check", capsys=capsys)[0] == 1


def test_a_content_dir_without_entries_is_an_error(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(built / "site")
    (built / "empty/entries").mkdir(parents=True)
    (built / "sitegen.toml").write_text(SITE_TOML.replace(
        'timezone = "UTC"\n', 'timezone = "UTC"\ncontent_dir = "empty"\n'))
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "sitegen.toml:5: no entries: empty/entries/ holds no Markdown file" in output
    assert tree_digest(built / "site") == before


@pytest.mark.parametrize("language", ["english-but-much-too-long-for-a-language-tag-xx",
                                      "en_US", "../../etc", 'en"><script>', "e", ""])
def test_an_odd_language_is_an_error_at_its_line(
        built: Path, capsys: pytest.CaptureFixture[str], language: str) -> None:
    before = tree_digest(built / "site")
    (built / "sitegen.toml").write_text(f"language = '{language}'\n{SITE_TOML}")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert f"sitegen.toml:1: language {language!r} is not a BCP 47 language tag" in output
    assert tree_digest(built / "site") == before


@pytest.mark.parametrize("language", ["uk", "pt-BR", "zh-Hant-TW", "sr-Latn-RS"])
def test_real_language_tags_build(built: Path, capsys: pytest.CaptureFixture[str],
                                  language: str) -> None:
    (built / "sitegen.toml").write_text(f"language = '{language}'\n{SITE_TOML}")
    assert run(built, "build", capsys=capsys)[0] == 0
    assert f'<html lang="{language}">' in (built / "site/index.html").read_text()


def test_a_topic_error_points_at_that_topic_s_line(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = SITE_TOML.replace('keywords = ["aid", "pledge"]', 'keywords = "aid"')
    (built / "sitegen.toml").write_text(bad)
    line = bad.splitlines().index('keywords = "aid"') + 1
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert f"sitegen.toml:{line}: topic 'keywords' must be a list" in output


def test_a_topic_slug_error_points_at_its_slug_line_even_if_the_slug_is_short(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = SITE_TOML + '\n[[topics]]\nname = "Aid two"\nslug = "A"\n'
    (built / "sitegen.toml").write_text(bad)
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert f"sitegen.toml:{len(bad.splitlines())}: topic slug 'A'" in output


def test_a_pyproject_error_is_found_in_tool_sitegen_not_in_project(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = ('[project]\nname = "x"\ndescription = "a package"\n\n[tool.sitegen]\n'
            'title = "T"\ndescription = 3\n')
    (tmp_path / "pyproject.toml").write_text(text)
    code = main(["build", "--config", str(tmp_path / "pyproject.toml")])
    output = capsys.readouterr().err
    assert code == 1
    assert "pyproject.toml:7: 'description' must be a string" in output


def test_ingest_refuses_a_javascript_url(site_dir: Path) -> None:
    (site_dir / "raw.txt").write_text("Yesterday a bridge reopened after repairs.\n")
    done = sitegen(site_dir, "ingest", "raw.txt", "--published", "2022-12-30", "--publisher",
                   "Wire", "--url", "javascript:alert(1)", "--config", "sitegen.toml")
    assert done.returncode == 2
    assert "'javascript:alert(1)' is not an http(s) address" in done.stderr
    assert not (site_dir / "content/drafts").exists()


def test_ingest_drops_a_page_s_javascript_canonical_link(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (site_dir / "raw.html").write_text(
        '<!doctype html><html><head><title>Bridge</title>'
        '<link rel="canonical" href="javascript:alert(1)">'
        '<meta property="og:url" content="javascript:alert(2)"></head><body><article>'
        "<p>Yesterday a bridge reopened after repairs, officials said.</p>"
        "</article></body></html>")
    code, output = run(site_dir, "ingest", str(site_dir / "raw.html"), "--published",
                       "2022-12-30", "--publisher", "Wire", "--url",
                       "https://example.org/bridge", capsys=capsys)
    assert code == 0, output
    drafts = list((site_dir / "content/drafts").glob("*.md"))
    assert drafts
    for draft in drafts:
        text = draft.read_text()
        assert "javascript:" not in text
        assert "url: https://example.org/bridge" in text
    assert run(site_dir, "build", "--drafts", capsys=capsys)[0] == 0


@pytest.mark.parametrize("title", ["Talks\n---\ntitle: injected", "Bell\x07 rings",
                                   "Null\x00byte", "Line\u2028separator", "   "])
def test_new_refuses_titles_it_could_not_write_safely(
        site_dir: Path, capsys: pytest.CaptureFixture[str], title: str) -> None:
    code, output = run(site_dir, "new", title, "--date", "2022-12-30", capsys=capsys)
    assert code == 2
    assert "title" in output
    assert list((site_dir / "content/entries").rglob("*.md")) == []


@pytest.mark.parametrize("title", ['A "quoted" --- title', "--- only dashes ---",
                                   "Back\\slash: and # hash", "Кирилиця і 'лапки'",
                                   "key: value, [list], {map}, &anchor *alias"])
def test_new_writes_any_one_line_title_so_the_build_reads_it_back(
        site_dir: Path, capsys: pytest.CaptureFixture[str], title: str) -> None:
    code, output = run(site_dir, "new", title, "--date", "2022-12-30", capsys=capsys)
    assert code == 0, output
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 0, output
    page = next((site_dir / "site/entries").glob("*/index.html")).read_text()
    assert f"{markupsafe.escape(title)}</h1>" in page


def test_a_nul_byte_message_stays_on_one_line(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel = "content/entries/2022/2022-12-29-nul.md"
    write_files(built, {rel: "---\ntitle: 'a\x00b'\ndate: 2022-12-29\n---\nBody\n"})
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    errors = [line for line in output.splitlines() if line.strip()]
    assert errors == [f"error: {rel}:2: the front matter holds the control character U+0000, "
                      "which YAML does not allow; remove it", "1 error"]


def test_a_file_name_with_a_line_break_is_reported_on_one_line(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (built / "content/entries/2022/bad\nname.md").write_text("no front matter\n")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "bad\\nname.md:1:" in output
    assert len([line for line in output.splitlines() if line.startswith("error:")]) == 1


@pytest.mark.parametrize("timezone", ["Europe/Kyiv", "America/New_York", "Asia/Kathmandu"])
def test_year_one_dates_give_valid_atom_timestamps(
        built: Path, capsys: pytest.CaptureFixture[str], timezone: str) -> None:
    (built / "sitegen.toml").write_text(SITE_TOML.replace('"UTC"', f'"{timezone}"'))
    write_files(built, {"content/entries/2022/old.md": entry(title="Long ago",
                                                             date="0001-01-01")})
    code, output = run(built, "build", capsys=capsys)
    assert code == 0, output
    feed = (built / "site/feed.xml").read_text()
    stamps = re.findall(r"<(?:updated|published)>([^<]*)<", feed)
    assert stamps and all(RFC3339.match(s) for s in stamps), stamps
    assert "0001-01-01T00:00:00" in feed
