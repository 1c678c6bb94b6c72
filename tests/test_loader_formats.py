"""The loader takes posts as other generators write them: TOML front matter, page bundles, any
file name, Jekyll's `published: false`, mixed date precision, every problem in one pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.slugs import slugify
from tests.helpers import entry, run, write_files

E = "content/entries"


def build(site: Path, files: dict[str, str | bytes],
          capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    write_files(site, files)
    return run(site, "build", capsys=capsys)


def page(site: Path, slug: str) -> str:
    return (site / "site" / "entries" / slug / "index.html").read_text(encoding="utf-8")


def test_blank_line_and_bom_before_the_fence_are_accepted(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/blank.md": "\n\n" + entry(title="After a blank line"),
        f"{E}/bom.md": b"\xef\xbb\xbf\n" + entry(title="After a BOM").encode(),
    }, capsys)
    assert code == 0, out
    assert "After a blank line" in page(site_dir, "blank")
    assert "After a BOM" in page(site_dir, "bom")


def test_toml_front_matter_with_offset_date_is_read(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = ('+++\ntitle = "Written for Zola"\ndate = 2021-03-04T23:30:00+01:00\n'
            'tags = ["aid"]\n\n[extra]\nauthor = "Someone"\n+++\nThe body.\n')
    code, out = build(site_dir, {f"{E}/zola.md": toml}, capsys)
    assert code == 0, out
    html = page(site_dir, "zola")
    assert "Written for Zola" in html
    assert 'datetime="2021-03-04T23:30:00+01:00"' in html  # the day as written, not UTC's
    assert "The body." in html


def test_toml_syntax_error_names_the_file_line(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {f"{E}/bad.md": '+++\ntitle = "A"\ndate = \n+++\n'}, capsys)
    assert code == 1
    assert "bad.md:3: TOML syntax error" in out


def test_page_bundle_takes_its_folder_name_and_section_files_are_skipped(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/2021/first-post/index.md": entry(title="First bundle"),
        f"{E}/2021/second-post/index.md": entry(title="Second bundle"),
        f"{E}/2021/_index.md": "+++\ntitle = \"Section\"\n+++\n",
        f"{E}/_index.md": "---\ntitle: Blog\n---\n",
    }, capsys)
    assert code == 0, out
    assert "First bundle" in page(site_dir, "first-post")
    assert "Second bundle" in page(site_dir, "second-post")
    assert "Built 2 entries" in out


def test_bundle_folder_with_a_date_prefix_gives_the_date(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "---\ntitle: Dated by its folder\n---\nBody.\n"
    code, out = build(site_dir, {f"{E}/2020-05-06-dated/index.md": text}, capsys)
    assert code == 0, out
    assert 'datetime="2020-05-06"' in page(site_dir, "2020-05-06-dated")


@pytest.mark.parametrize(("name", "slug"), [
    ("v20.0.0", "v20-0-0"), ("Rust-1.88.0", "rust-1-88-0"), ("обстріл-києва", "обстріл-києва"),
    ("Обстріл Києва", "обстріл-києва"), ("My Post (draft 2)", "my-post-draft-2"),
    ("东京 旅行", "东京-旅行"), ("नमस्ते", "नमस्ते"), ("snake_case", "snake_case"),
])
def test_one_slug_rule_for_every_file_name(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_file_names_with_dots_capitals_and_cyrillic_build(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/v20.0.0.md": entry(title="Release twenty"),
        f"{E}/Rust-1.88.0.md": entry(title="Rust release"),
        f"{E}/обстріл-києва.md": entry(title="Kyiv shelling"),
    }, capsys)
    assert code == 0, out
    assert "Release twenty" in page(site_dir, "v20-0-0")
    assert "Rust release" in page(site_dir, "rust-1-88-0")
    assert "Kyiv shelling" in page(site_dir, "обстріл-києва")
    assert "lowercase" not in out


def test_published_false_and_draft_true_keep_a_post_out(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/kept.md": entry(title="Kept"),
        f"{E}/jekyll-unpublished.md": entry(title="Unpublished", extra="published: false\n"),
        f"{E}/hugo-draft.md": entry(title="Draft", extra="draft: true\n"),
    }, capsys)
    assert code == 0, out
    assert "Built 1 entry" in out
    assert not (site_dir / "site/entries/jekyll-unpublished").exists()
    assert not (site_dir / "site/entries/hugo-draft").exists()


def test_date_only_and_offset_times_on_one_day_sort(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/a.md": entry(title="Day only", date="2021-03-04"),
        f"{E}/b.md": entry(title="With offset", date="2021-03-04 10:00:00 +0100"),
        f"{E}/c.md": entry(title="Naive time", date="2021-03-04 09:00"),
    }, capsys)
    assert code == 0, out
    home = (site_dir / "site/index.html").read_text()
    assert home.index("With offset") < home.index("Naive time") < home.index("Day only")
    code, out = run(site_dir, "check", capsys=capsys)
    assert code == 0, out


def test_slug_collisions_are_reported_with_front_matter_errors(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/2021/same.md": entry(title="One"),
        f"{E}/2022/same.md": entry(title="Two", date="not a date"),
        f"{E}/broken.md": "---\ntitle: [unclosed\n---\n",
    }, capsys)
    assert code == 1
    assert "2022/same.md:3: cannot read date" in out
    assert "2022/same.md:1: duplicate slug 'same'" in out
    assert "broken.md:2: YAML syntax error" in out
    assert "3 errors" in out


@pytest.mark.parametrize("base", ["/", "/timeline/"])
def test_aliases_become_redirect_pages_to_the_entry(
        site_dir: Path, capsys: pytest.CaptureFixture[str], base: str) -> None:
    aliases = "aliases: [/2021/03/04/old-post/, old.html, 'https://old.example/x/y']\n"
    code, out = build(site_dir, {f"{E}/moved.md": entry(title="Moved", extra=aliases)},
                      capsys)
    assert code == 0, out
    code, out = run(site_dir, "build", "--base-url", base, capsys=capsys)
    assert code == 0, out
    site = site_dir / "site"
    for path in ("2021/03/04/old-post/index.html", "old.html", "x/y/index.html"):
        page = (site / path).read_text()
        assert f'<meta http-equiv="refresh" content="0; url={base}entries/moved/">' in page
        assert f'<link rel="canonical" href="{base}entries/moved/">' in page
    assert not (site / "sitemap.xml").exists()  # a path base URL: no sitemap (needs full URLs)
    assert "old-post" not in (site / "index.html").read_text()


def test_an_alias_that_would_replace_a_page_or_another_alias_is_an_error(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = build(site_dir, {
        f"{E}/a.md": entry(extra="aliases: [/feed.xml, /old/]\n"),
        f"{E}/b.md": entry(extra="aliases: /old/\n"),
        f"{E}/c.md": entry(extra="aliases: [../../etc/passwd]\n"),
    }, capsys)
    assert code == 1
    assert "c.md:10: alias '../../etc/passwd' must be a path inside the site" in out
    code, out = build(site_dir, {f"{E}/c.md": entry()}, capsys)
    assert "a.md:1: alias /feed.xml is already a page sitegen writes" in out
    assert "b.md:1: alias /old/ is already the entry 'a'" in out



@pytest.mark.parametrize("alias", ["/.sitegen-manifest.json", "/.sitegen-manifest.json/",
                                   "/.sitegen-commit.json", "/pagefind/", "/pagefind/x.js"])
def test_an_alias_where_the_build_keeps_its_records_or_search_bundle_is_an_error(
        site_dir: Path, capsys: pytest.CaptureFixture[str], alias: str) -> None:
    # `/.sitegen-manifest.json/` made a folder where the manifest goes ("cannot check this
    # file (Not a directory)", naming no entry); the commit journal's name was a redirect
    # page that the journal itself then replaced; `/pagefind/` a page in the search bundle.
    code, out = build(site_dir, {f"{E}/a.md": entry(extra=f"aliases: ['{alias}']\n")}, capsys)
    assert code == 1, out
    assert f"a.md:1: alias {alias} is where sitegen keeps its own records" in out
    assert not (site_dir / "site").exists()


def test_an_alias_spelt_with_empty_parts_is_the_same_path(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `/entries//a/` was another file to the build than `/entries/a/`, a web server's same
    # page: entry b's redirect replaced entry a's page, and every later build refused.
    code, out = build(site_dir, {f"{E}/a.md": entry(title="A"), f"{E}/b.md": entry(
        title="B", extra='aliases: ["/entries//a/", "//old///b//"]\n')}, capsys)
    assert code == 1, out
    assert "b.md:1: alias /entries/a/ is already a page sitegen writes" in out
    code, out = build(site_dir, {f"{E}/b.md": entry(title="B", extra="aliases: [//old///b//]\n")},
                      capsys)
    assert code == 0, out
    assert "url=/entries/b/" in (site_dir / "site/old/b/index.html").read_text()
    assert 'refresh' not in (site_dir / "site/entries/a/index.html").read_text()


@pytest.mark.parametrize("alias", ['"/a\\0b/"', '"/x\\ny/"', "/.git/config", "/x/.Git/y/",
                                   "/.hg/", "/.svn/wc.db"])
def test_an_alias_with_a_control_character_or_into_a_repository_is_an_error(
        site_dir: Path, capsys: pytest.CaptureFixture[str], alias: str) -> None:
    # A NUL was a traceback (ValueError: embedded null byte); `/.git/config` was written, and
    # every later build then refused the output folder as one holding a repository.
    code, out = build(site_dir, {f"{E}/a.md": entry(extra=f"aliases: [{alias}]\n")}, capsys)
    assert code == 1 and "Traceback" not in out, out
    said = "a repository's own folder" if "." in alias.split("/")[1] or "Git" in alias \
        else "must be a path inside the site"
    assert "a.md:10: alias" in out and said in out, out
    assert not (site_dir / "site").exists()


@pytest.mark.parametrize("alias", ["/" + "a/" * 1000, "/" + ("b" * 250 + "/") * 20],
                         ids=["1,000 folders", "5,000 bytes"])
def test_an_alias_too_deep_or_too_long_for_a_path_is_an_error_naming_its_line(
        site_dir: Path, capsys: pytest.CaptureFixture[str], alias: str) -> None:
    # 1,000 folders: RecursionError in os.makedirs, a traceback; 5,000 bytes: "cannot write
    # the new site (File name too long) ... free some space", naming a staging file.
    code, out = build(site_dir, {f"{E}/a.md": entry(extra=f"aliases: ['{alias}']\n")}, capsys)
    assert code == 1 and "Traceback" not in out, out
    assert "a.md:10: alias" in out and "is longer than an old URL of the site may be" in out
    assert not (site_dir / "site").exists()


@pytest.mark.parametrize("aliases", ["[/feed.xml/]", "[/entries.json/x.html]",
                                     "[/old.html, /old.html/]", "[/topics/index.html/x/]"])
def test_an_alias_that_needs_a_file_to_be_a_folder_is_an_error(
        site_dir: Path, capsys: pytest.CaptureFixture[str], aliases: str) -> None:
    # The build failed writing it: "cannot write the new site ... free some space or fix
    # the permissions", naming a staging path and not the entry.
    code, out = build(site_dir, {f"{E}/a.md": entry(extra=f"aliases: {aliases}\n")}, capsys)
    assert code == 1 and "Traceback" not in out, out
    assert "a.md:1: alias" in out and "to be a folder and a file at once" in out, out
    assert "free some space" not in out and not (site_dir / "site").exists()


def test_a_slug_or_alias_longer_than_a_file_name_is_an_error_naming_its_line(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The build failed writing it: "cannot write the new site (File name too long) ... free
    # some space or fix the permissions", naming a staging path and not the entry.
    code, out = build(site_dir, {f"{E}/a.md": entry(extra=f"slug: {'b' * 300}\n")}, capsys)
    assert code == 1, out
    assert "a.md:10: the slug is 300 bytes long" in out and "set a shorter `slug:`" in out
    code, out = build(site_dir, {f"{E}/a.md": entry(extra=f"aliases: [/x/{'ж' * 128}/]\n")},
                      capsys)
    assert code == 1, out
    assert "a.md:10: alias '/x/" in out and "longer than a file's name may be" in out
    assert not (site_dir / "site").exists()

def test_topic_slugs_follow_the_same_rule(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = (site_dir / "sitegen.toml").read_text()
    write_files(site_dir, {"sitegen.toml": toml + '\n[[topics]]\nslug = "київ"\nname = "Київ"\n'})
    code, out = build(site_dir, {f"{E}/a.md": entry(topics="[київ]")}, capsys)
    assert code == 0, out
    assert (site_dir / "site/topics/київ/index.html").is_file()
