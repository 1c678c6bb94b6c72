"""Every bad file is reported as path:line with a fix, all at once, and site/ is left untouched."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from sitegen.config import PACKAGED_THEME
from tests.helpers import entry, run, tree_digest, write_files

GOOD = "content/entries/2022/2022-12-30-good.md"


@pytest.fixture
def built(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A site that built once: the previous site/ every failing build must leave alone."""
    write_files(site_dir, {GOOD: entry(title="A good entry")})
    code, _ = run(site_dir, "build", capsys=capsys)
    assert code == 0
    return site_dir


BAD_FILES: dict[str, tuple[str | bytes, str]] = {
    "unclosed": ("---\ntitle: Never closed\ndate: 2022-12-30\n\nBody\n",
                 ":1: front matter opened with `---` is never closed"),
    "no-fence": ("title: No fence\n", ":1: the file must start with a `---` line"),
    "yaml-syntax": ("---\ntitle: A\ndate: 2022-12-30\ntopics: [belarus\n---\nBody\n",
                    ":4: YAML syntax error"),
    "yaml-indent": ("---\ntitle: A\n  date: 2022-12-30\n---\n", ":3: YAML syntax error"),
    "missing-title": ("---\ndate: 2022-12-30\n---\nBody\n", ":2: missing `title:`"),
    "empty-title": ("---\ntitle: ''\ndate: 2022-12-30\n---\n", ":2: `title` is empty"),
    "bad-date": (entry(date="30/12/2022"), ":3: cannot read date '30/12/2022'"),
    "impossible-date": (entry(date="2022-02-30"), ":3: cannot read date '2022-02-30'"),
    "title-list": ("---\ntitle: [a, b]\ndate: 2022-12-30\n---\n",
                   ":2: `title` must be text, not a list"),
    "topics-mapping": (entry(topics="{a: 1}"), ":4: `topics` must be a list of topic slugs"),
    "sources-string": ("---\ntitle: A\ndate: 2022-12-30\nsources: The Sun\n---\n",
                       ":4: `sources` must be a list"),
    "draft-string": (entry(extra="draft: maybe\n"), ":10: `draft` must be true or false"),
    "unknown-topic": (entry(topics="[belarrus]"),
                      ":4: unknown topic 'belarrus' (did you mean 'belarus'?)"),
    "empty": ("", ":1: the file is empty"),
    "not-utf8": ("---\ntitle: Caf\xe9\n---\n".encode("latin-1"), ":2: the file is not UTF-8"),
    "js-url": (entry().replace("published: 2022-12-30", "published: 2022-12-30\n"
                                "    url: javascript:alert(1)"),
               ":5: source url 'javascript:alert(1)' must start with http:// or https://"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_named_with_its_line_and_site_is_untouched(
        built: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    before = tree_digest(built / "site")
    data, expected = BAD_FILES[name]
    rel = f"content/entries/2022/2022-12-30-{name}.md"
    write_files(built, {rel: data})
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert f"{rel}{expected}" in output.replace(str(built) + "/", "")
    assert tree_digest(built / "site") == before


def test_every_bad_file_is_reported_not_just_the_first(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("missing-title", "unknown-topic", "empty", "bad-date"):
        write_files(built, {f"content/entries/2022/2022-12-30-{name}.md": BAD_FILES[name][0]})
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    errors = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(errors) == 4
    assert "4 errors" in output


def test_duplicate_slugs_name_both_files(built: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(built, {"content/entries/2023/2022-12-30-good.md": entry(title="Same slug")})
    monkeypatch.chdir(built)  # a curator in the site's folder: both files named from there
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "2022-12-30-good.md:1: duplicate slug '2022-12-30-good'" in output
    assert "rename one file or set `slug:`" in output
    other = re.search(r"also used by ([^)]*)\)", output)
    assert other and not os.path.isabs(other.group(1))  # named as the first file is
    assert (built / other.group(1)).is_file()


def test_bom_and_crlf_files_just_work(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    crlf = entry(title="Written on Windows").replace("\n", "\r\n").encode()
    write_files(built, {"content/entries/2022/2022-12-29-crlf.md": b"\xef\xbb\xbf" + crlf})
    code, _ = run(built, "build", capsys=capsys)
    assert code == 0
    page = (built / "site/entries/2022-12-29-crlf/index.html").read_text()
    assert "<h1 data-pagefind-meta=\"title\">Written on Windows</h1>" in page


def test_template_error_names_template_and_line(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    theme = built / "theme"
    templates = Path(__file__).resolve().parents[1] / "sitegen/themes/default"
    write_files(theme, {p.relative_to(templates).as_posix(): p.read_bytes()
                        for p in templates.rglob("*") if p.is_file()})
    config = built / "sitegen.toml"
    config.write_text('theme = "theme"\n' + config.read_text())
    before = tree_digest(built / "site")
    entry_html = theme / "templates/entry.html"
    lines = entry_html.read_text().splitlines()
    lines.insert(5, "{{ entry.no_such_field }}")
    entry_html.write_text("\n".join(lines))
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "theme/templates/entry.html:6: error rendering /entries/2022-12-30-good/" in output
    assert "no_such_field" in output
    assert tree_digest(built / "site") == before


def test_template_syntax_error_names_template_and_line(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_minimal_theme(built, base_html="<p>\n{% if %}\n")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "theme/templates/base.html:2: template syntax error" in output


def test_an_entry_file_named_in_bytes_not_utf8_is_named_and_the_site_untouched(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree_digest(built / "site")
    folder = os.fsencode(built / "content/entries/2022")
    (Path(os.fsdecode(folder + b"/2022-12-30-caf\xe9.md"))).write_text(entry(title="Latin-1"))
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "2022-12-30-caf\\xe9.md:1: the file's name is not UTF-8; rename it" in output
    assert tree_digest(built / "site") == before


def test_a_theme_file_named_in_bytes_not_utf8_is_published_under_that_name(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(PACKAGED_THEME, built / "theme")
    config = built / "sitegen.toml"
    config.write_text('theme = "theme"\n' + config.read_text())
    Path(os.fsdecode(os.fsencode(built / "theme/static") + b"/caf\xe9.txt")).write_text("hi")
    code, output = run(built, "build", capsys=capsys)
    assert code == 0, output
    assert os.listdir(os.fsencode(built / "site/static")).count(b"caf\xe9.txt") == 1
    code, output = run(built, "build", capsys=capsys)
    assert code == 0 and "0 files written" in output, output


def test_missing_theme_asset_names_template_line_and_file(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    use_minimal_theme(built, base_html="<p>\n{{ asset('logo.png') }}\n")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "theme/templates/base.html:2: error rendering" in output
    assert "asset('logo.png'): no such file" in output


def test_bad_config_is_an_error_naming_the_key(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = built / "sitegen.toml"
    config.write_text('titel = "Oops"\n' + config.read_text())
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "sitegen.toml:1: unknown config key 'titel' (did you mean 'title'?)" in output


def use_minimal_theme(site: Path, base_html: str) -> None:
    """Point the site at a theme whose every page extends the given base.html."""
    pages = ("timeline.html", "entry.html", "topics.html", "archive.html", "month.html",
             "search.html", "404.html", "_macros.html")
    write_files(site / "theme", {"templates/base.html": base_html, "static/style.css": "",
                                 **{f"templates/{name}": '{% extends "base.html" %}'
                                    for name in pages}})
    config = site / "sitegen.toml"
    config.write_text('theme = "theme"\n' + config.read_text())


def test_a_link_in_a_themes_static_folder_is_not_published(
        built: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # A theme's static/ was read with rglob and is_file(), which follow a link: a theme
    # from anywhere could publish the file one leads to (~/.ssh/id_rsa).
    theme = built / "theme"
    templates = Path(__file__).resolve().parents[1] / "sitegen/themes/default"
    write_files(theme, {p.relative_to(templates).as_posix(): p.read_bytes()
                        for p in templates.rglob("*") if p.is_file()})
    secret = tmp_path / "id_rsa"
    secret.write_text("PRIVATE KEY")
    (theme / "static/key.txt").symlink_to(secret)
    (theme / "static/keys").symlink_to(tmp_path, target_is_directory=True)
    config = built / "sitegen.toml"
    config.write_text('theme = "theme"\n' + config.read_text())
    code, output = run(built, "build", capsys=capsys)
    assert code == 0, output
    site = built / "site"
    assert (site / "static/style.css").is_file()
    assert not (site / "static/key.txt").exists() and not (site / "static/keys").exists()
    assert not any(b"PRIVATE KEY" in p.read_bytes() for p in site.rglob("*") if p.is_file())


@pytest.mark.parametrize("search", [True, False], ids=["with search", "without"])
def test_a_site_file_in_the_search_bundles_folder_is_an_error_naming_it(
        built: Path, capsys: pytest.CaptureFixture[str], search: bool) -> None:
    # content/files/pagefind/notes.txt was dropped without a word: the search bundle won.
    write_files(built, {"content/files/pagefind/notes.txt": "mine",
                        "content/files/pagefind-notes.txt": "a name of its own: published"})
    before = tree_digest(built / "site")
    code, output = run(built, "build", *([] if search else ["--no-search"]), capsys=capsys)
    assert code == 1 and output.count("error:") == 1, output
    assert "content/files/pagefind/notes.txt:1: would go in /pagefind/" in output, output
    assert tree_digest(built / "site") == before
    (built / "content/files/pagefind/notes.txt").unlink()
    assert run(built, "build", capsys=capsys)[0] == 0
    assert (built / "site/pagefind-notes.txt").read_text() == "a name of its own: published"
