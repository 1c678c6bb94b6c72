"""Hostile input that would put script in a reader's browser, hang a build, publish a secret or
bury the source branch: each is refused with `path:line: message`, and nothing is lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.helpers import SITE_TOML, entry, run, tree_digest, write_files
from tests.hostile.scan import scripts_in_site
from tests.test_deploy import isolate_git, make_project, remote_refs

GOOD = "content/entries/2022/2022-12-30-good.md"
XSS_BASE = '/x"><img src=x onerror=alert(1)>/'
LINKED = entry(title="Links to another entry", date="2022-12-31",
               body="See [earlier](/entries/2022-12-30-good/) for the start.")


@pytest.fixture
def built(site_dir: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A site that built once, with a body link the base URL is written into."""
    write_files(site_dir, {GOOD: entry(title="A good entry"),
                           "content/entries/2022/2022-12-31-linked.md": LINKED})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    return site_dir


def with_config(root: Path, line: str) -> None:
    text = SITE_TOML.replace('base_url = "/"\n', "")
    (root / "sitegen.toml").write_text(f"{line}\n{text}", encoding="utf-8")


@pytest.mark.parametrize("base", [XSS_BASE, "javascript:alert(1)", "JavaScript://%0aalert(1)",
                                  "data:text/html,<script>x</script>", "//evil.example/",
                                  "https://evil.example/?q=<script>"])
def test_a_hostile_base_url_in_the_config_is_refused_at_its_line(
        built: Path, capsys: pytest.CaptureFixture[str], base: str) -> None:
    before = tree_digest(built / "site")
    with_config(built, f"base_url = '{base}'")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "sitegen.toml:1: base_url" in output
    assert "a base URL is a path such as /timeline/ or an http(s) URL" in output
    assert tree_digest(built / "site") == before


@pytest.mark.parametrize("base", [XSS_BASE, "javascript:alert(1)", "vbscript:x"])
def test_a_hostile_base_url_on_the_command_line_is_a_usage_error(
        built: Path, capsys: pytest.CaptureFixture[str], base: str) -> None:
    before = tree_digest(built / "site")
    code, output = run(built, "build", "--base-url", base, capsys=capsys)
    assert code == 2
    assert f"--base-url {base!r}" in output
    assert tree_digest(built / "site") == before


@pytest.mark.parametrize("base", ["/timeline/", "https://user.example.org/timeline/"])
def test_a_valid_base_url_is_written_into_links_and_feeds_harmlessly(
        built: Path, capsys: pytest.CaptureFixture[str], base: str) -> None:
    code, _ = run(built, "build", "--base-url", base, capsys=capsys)
    assert code == 0
    page = (built / "site/entries/2022-12-31-linked/index.html").read_text()
    assert 'href="/timeline/entries/2022-12-30-good/"' in page
    assert scripts_in_site(built / "site") == []


def test_cname_must_be_a_domain(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with_config(built, "cname = 'x.org\"><script>alert(1)</script>'")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "sitegen.toml:1: cname" in output and "is not a domain name" in output


BOMB = ("lol1: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + "".join(f"lol{i}: &{chr(97 + i - 1)} [{', '.join(['*' + chr(97 + i - 2)] * 9)}]\n"
                  for i in range(2, 10)))


@pytest.mark.parametrize(("front", "line", "says"), [
    (f"title: Bomb\ndate: 2022-12-30\n{BOMB}", 4, "anchors and aliases"),
    ("title: Bomb\ndate: &d [x, *d]\n", 3, "anchors and aliases"),
    ("title: &t Once\nsummary: *t\ndate: 2022-12-30\n", 2, "anchors and aliases"),
    ("title: Merge\ndate: 2022-12-30\nbase: &b {x: 1}\nother:\n  <<: *b\n", 4,
     "anchors and aliases"),
    ("title: Deep\ndate: 2022-12-30\ndeep: " + "[" * 600 + "]" * 600 + "\n", 4, "nested"),
    ("title: Deep\ndate: 2022-12-30\ndeep:\n" + "".join("  " * i + "- \n" for i in range(1, 60)),
     None, "nested"),
    ("title: Big\ndate: 2022-12-30\nbig: '" + "x" * 300_000 + "'\n", 2, "KiB allowed"),
])
def test_yaml_bombs_and_deep_nesting_are_refused_quickly(
        built: Path, capsys: pytest.CaptureFixture[str], front: str, line: int | None,
        says: str) -> None:
    before = tree_digest(built / "site")
    rel = "content/entries/2022/2022-12-29-bomb.md"
    write_files(built, {rel: f"---\n{front}---\nBody.\n"})
    for command in ("build", "check"):
        code, output = run(built, command, capsys=capsys)
        assert code == 1, output
        assert says in output
        assert f"{rel}:{line if line else ''}" in output
    assert tree_digest(built / "site") == before


def test_duplicate_front_matter_keys_are_an_error_naming_both_lines(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rel = "content/entries/2022/2022-12-29-twice.md"
    write_files(built, {rel: "---\ntitle: First\ndate: 2022-12-29\ntitle: Second\n---\nBody\n"})
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert f"{rel}:4: duplicate key 'title' (also set on line 2)" in output


def test_a_yaml_bomb_in_an_ingested_file_is_refused(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = site_dir / "raw.md"
    article.write_text(f"---\ntitle: Raw\n{BOMB}---\nOn Thursday a bridge reopened.\n")
    code, output = run(site_dir, "ingest", str(article), "--published", "2022-12-30",
                       "--publisher", "Test Wire", capsys=capsys)
    assert code == 1
    assert "raw.md:3: YAML anchors and aliases" in output
    assert not (site_dir / "content/drafts").exists()


def test_a_symlink_out_of_content_is_refused_by_name_and_never_published(
        built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secrets.md"
    secret.write_text(entry(title="The password is hunter2"))
    (built / "content/entries/2022/y.md").symlink_to(secret)
    before = tree_digest(built / "site")
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "content/entries/2022/y.md:1: is a symlink to" in output
    assert "outside" in output
    assert tree_digest(built / "site") == before
    assert not any("hunter2" in p.read_text(errors="replace")
                   for p in (built / "site").rglob("*.html"))


def test_a_symlinked_folder_out_of_content_is_refused(
        built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "elsewhere"
    write_files(outside, {"2022-12-29-far.md": entry(title="From elsewhere")})
    (built / "content/entries/far").symlink_to(outside, target_is_directory=True)
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert "content/entries/far:1: is a symlink to" in output


def test_a_symlink_inside_content_is_followed(
        built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_files(built, {"content/shared/2022-12-28-shared.md": entry(title="Shared entry")})
    (built / "content/entries/2022/2022-12-28-shared.md").symlink_to(
        built / "content/shared/2022-12-28-shared.md")
    code, _ = run(built, "build", capsys=capsys)
    assert code == 0
    assert (built / "site/entries/2022-12-28-shared/index.html").is_file()


@pytest.fixture
def project(site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_git(monkeypatch)
    return make_project(site_dir, tmp_path / "remote.git", {GOOD: entry()}).root


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout.strip()


def deploy(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["deploy", "--config", str(root / "sitegen.toml"), "--base-url", "/REPO/",
                 *args])
    out, err = capsys.readouterr()
    return code, out + err


def test_deploy_refuses_the_source_branch_from_another_branch(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "push", "-q", "origin", "main")
    git(project, "switch", "-q", "-c", "feature")
    main_tip = git(project, "rev-parse", "main")
    remote_before = remote_refs(project.parent / "remote.git")
    code, output = deploy(project, capsys, "--branch", "main")
    assert code == 1
    assert "branch 'main'" in output and "shares history with the source" in output
    assert git(project, "rev-parse", "main") == main_tip
    assert remote_refs(project.parent / "remote.git") == remote_before


def test_deploy_refuses_a_branch_only_the_remote_has_that_holds_the_source(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "push", "-q", "origin", "main:develop")
    code, output = deploy(project, capsys, "--branch", "develop")
    assert code == 1
    assert "branch 'develop' (origin) shares history" in output
    assert git(project, "branch", "--list", "develop") == ""


def test_deploy_refuses_a_branch_checked_out_in_another_worktree(
        project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "switch", "-q", "-c", "feature")
    git(project, "worktree", "add", "-q", "-b", "pages", str(tmp_path / "other"))
    code, output = deploy(project, capsys, "--branch", "pages")
    assert code == 1
    assert "checked out in another worktree" in output


def test_deploy_to_a_fresh_site_branch_still_works(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = deploy(project, capsys, "--no-push")
    assert code == 0, output
    assert git(project, "rev-list", "--count", "gh-pages") == "1"  # an orphan: site only


@pytest.mark.parametrize("front", ["x = " + "[" * 600 + "]" * 600,
                                   "x = " + "[" * 40 + "]" * 40])
def test_deep_toml_front_matter_is_refused(built: Path, capsys: pytest.CaptureFixture[str],
                                           front: str) -> None:
    rel = "content/entries/2022/2022-12-29-deep.md"
    write_files(built, {rel: f"+++\ntitle = 'Deep'\ndate = 2022-12-29\n{front}\n+++\nBody\n"})
    code, output = run(built, "build", capsys=capsys)
    assert code == 1
    assert f"{rel}:2: values nested more than 32 levels deep" in output


@pytest.mark.browser
def test_the_search_page_shows_hostile_text_as_text(
        site_dir: Path, capsys: pytest.CaptureFixture[str], page: object,
        static_server: object) -> None:
    evil = '<img src=x onerror="window.hit=1"><script>window.hit=2</script>'
    write_files(site_dir, {GOOD: entry(title=f"Hostile {evil}", body=f"Marker {evil} text",
                                       extra=f"summary: '{evil}'\n")})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    base = static_server(site_dir / "site", "/")  # type: ignore[operator]
    page.goto(base + "search/?q=marker")  # type: ignore[attr-defined]
    page.wait_for_selector("#search-results li", timeout=15_000)  # type: ignore[attr-defined]
    made = page.evaluate(  # type: ignore[attr-defined]
        "document.querySelectorAll('#search-results script, #search-results img, "
        "#search-results [onerror]').length")
    assert made == 0
    assert page.evaluate("window.hit") is None  # type: ignore[attr-defined]
    assert "Hostile" in page.inner_text("#search-results")  # type: ignore[attr-defined]


@pytest.mark.parametrize("link", ["%2F{secret}", "%2f{secret}", "img/..%2F..%2F{up}"],
                         ids=["an encoded absolute path", "lower case", "encoded dots"])
def test_a_body_link_to_a_file_outside_its_folder_publishes_nothing(
        site_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], link: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("the password is hunter2")
    folder = site_dir / GOOD.rsplit("/", 1)[0]
    up = "../" * len(folder.relative_to(tmp_path).parts) + "secret.txt"
    href = link.format(secret=str(secret).lstrip("/").replace("/", "%2F"),
                       up=up.replace("/", "%2F"))
    write_files(site_dir, {GOOD: entry(body=f"A map: ![map]({href})")})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    assert not any("hunter2" in p.read_text(errors="replace")
                   for p in (site_dir / "site").rglob("*") if p.is_file())
