"""`sitegen deploy`: a fresh build becomes the tip of gh-pages on the remote; nothing else moves.

Every test deploys from a throwaway source repository to a local bare repository in tmp_path.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import load_config
from sitegen.deploy import github_pages_url
from tests.helpers import SITE_TOML, entry, run, tree_digest, write_files

ENTRIES: dict[str, str | bytes] = {
    "content/entries/2022/2022-12-28-ferry-resumes.md": entry(
        title="River ferry resumes after a week of ice", date="2022-12-28", topics="[aid]",
        body="The ferry carried its first passengers since the freeze, a test report said."),
    "content/entries/2022/2022-12-29-substation-repaired.md": entry(
        title="Crews repair the northern substation", date="2022-12-29",
        topics="[energy-grid]", body="Power returned to three districts by the evening."),
    "content/entries/2022/2022-12-30-border-talks.md": entry(
        title="Border officials meet for a second round", date="2022-12-30",
        body="Both sides described the talks as practical."),
    "content/entries/2022/2022-12-31-new-year-lights.md": entry(
        title="Lights stay on for New Year's Eve", date="2022-12-31", topics="[energy-grid, aid]",
        body="Generators donated by a test charity kept the square lit."),
}
DRAFT: dict[str, str | bytes] = {"content/drafts/2023-01-02-unfinished.md": entry(
    title="Unfinished draft about a bridge", date="2023-01-02", body="Not ready to publish.")}
Deploy = Callable[..., tuple[int, str]]
IDENTITY = {"GIT_AUTHOR_NAME": "Test Curator", "GIT_AUTHOR_EMAIL": "curator@example.org",
            "GIT_COMMITTER_NAME": "Test Curator", "GIT_COMMITTER_EMAIL": "curator@example.org"}


@dataclasses.dataclass(frozen=True)
class Project:
    """A site in a git repository whose `origin` is the bare repository `remote`."""

    root: Path
    remote: Path


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd`; its output (a failure fails the test)."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def isolate_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ignore the machine's git config; commit as a test identity."""
    for name, value in IDENTITY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def make_project(root: Path, remote: Path, files: dict[str, str | bytes]) -> Project:
    """Write `files` under `root`, commit them on `main`, and add `remote` (bare) as origin."""
    write_files(root, files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Curated entries")
    git(remote.parent, "init", "-q", "--bare", remote.name)
    git(root, "remote", "add", "origin", str(remote))
    return Project(root, remote)


def clone_pages(remote: Path, dest: Path) -> Path:
    """A checkout of the remote's gh-pages branch: what GitHub Pages would serve."""
    git(remote.parent, "clone", "-q", "--branch", "gh-pages", str(remote), str(dest))
    return dest


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".git" not in p.parts}


def comparable(files: dict[str, bytes]) -> list[tuple[str, bytes]]:
    """The files, with Pagefind's content-hashed chunks compared by count: Pagefind writes
    filters in an unstable order, so two indexings of the same pages differ in those bytes."""
    out = []
    for name, data in files.items():
        hashed = re.sub(r"_[0-9a-f]{7,}(?=\.)", "_#", name) if name.startswith("pagefind/") \
            else name
        # Per partition: its entry file, page ids and stamp name those hashed files.
        unstable = hashed != name or name.rsplit("/", 1)[-1] in (
            "pagefind-entry.json", "order.json", ".sitegen-stamp")
        out.append((hashed, b"" if unstable else data))
    return sorted(out)


def remote_commits(remote: Path) -> list[str]:
    listed = subprocess.run(["git", "rev-list", "refs/heads/gh-pages"], cwd=remote,
                            capture_output=True, text=True, check=False)
    return listed.stdout.split() if listed.returncode == 0 else []


def remote_refs(remote: Path) -> str:
    return git(remote, "for-each-ref")


def source_state(root: Path) -> dict[str, object]:
    """Everything deploy promises not to touch: HEAD, source branch, index, working tree."""
    return {
        "head": git(root, "symbolic-ref", "HEAD"),
        "main": git(root, "rev-parse", "refs/heads/main"),
        "index": (root / ".git" / "index").read_bytes(),
        "status": git(root, "--no-optional-locks", "status", "--porcelain"),
        "files": {k: v for k, v in tree_digest(root).items() if not k.startswith(".git/")},
    }


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


@pytest.fixture
def project(site_dir: Path, tmp_path: Path) -> Project:
    return make_project(site_dir, tmp_path / "remote.git", {**ENTRIES, **DRAFT})


@pytest.fixture
def deploy(project: Project, capsys: pytest.CaptureFixture[str]) -> Deploy:
    """Run `sitegen deploy ARGS` in the project; returns (exit code, everything printed)."""
    def call(*args: str) -> tuple[int, str]:
        return run(project.root, "deploy", *args, capsys=capsys)
    return call


def fresh_build(root: Path, out: Path, base_url: str) -> dict[str, bytes]:
    config = dataclasses.replace(load_config(root / "sitegen.toml"), base_url=base_url)
    build(config, Cache(None), out=out)
    (out / ".sitegen-manifest.json").unlink()  # the build's bookkeeping, never deployed
    return files_of(out)


def test_deploy_publishes_exactly_a_fresh_build(project: Project, deploy: Deploy,
                                                tmp_path: Path) -> None:
    code, output = deploy("--base-url", "/REPO/")
    assert code == 0, output
    assert "Deployed" in output and "origin/gh-pages" in output
    published = files_of(clone_pages(project.remote, tmp_path / "pages"))
    expected = fresh_build(project.root, tmp_path / "fresh", "/REPO/")
    assert comparable(published) == comparable(expected)
    assert published[".nojekyll"] == b""
    assert b"Page not found" in published["404.html"]
    assert "pagefind/partitions.json" in published
    assert "CNAME" not in published
    assert not any("unfinished" in name for name in published)
    assert b'href="/REPO/static/style.css' in published["index.html"]
    assert len(remote_commits(project.remote)) == 1


def test_a_second_deploy_without_changes_makes_no_commit(project: Project, deploy: Deploy) -> None:
    assert deploy("--base-url", "/REPO/")[0] == 0
    first = remote_commits(project.remote)
    code, output = deploy("--base-url", "/REPO/")
    assert code == 0, output
    assert "Nothing changed" in output
    assert remote_commits(project.remote) == first


def test_an_edit_makes_one_new_commit_with_the_change(project: Project, deploy: Deploy,
                                                      tmp_path: Path) -> None:
    assert deploy("--base-url", "/REPO/")[0] == 0
    [first] = remote_commits(project.remote)
    write_files(project.root, {"content/entries/2022/2022-12-29-substation-repaired.md": entry(
        title="Crews repair the northern substation overnight", date="2022-12-29",
        topics="[energy-grid]", body="Power returned to three districts before dawn.")})
    code, output = deploy("--base-url", "/REPO/", "--message", "Publish the overnight repair")
    assert code == 0, output
    commits = remote_commits(project.remote)
    assert commits[1:] == [first]
    assert git(project.remote, "log", "-1", "--format=%s", "gh-pages").strip() == \
        "Publish the overnight repair"
    changed = git(project.remote, "diff", "--name-only", first, "gh-pages").split()
    assert "entries/2022-12-29-substation-repaired/index.html" in changed
    assert "static/style.css" not in changed
    page = clone_pages(project.remote, tmp_path / "pages") / \
        "entries/2022-12-29-substation-repaired/index.html"
    assert "before dawn" in page.read_text()


def test_deploy_never_touches_working_tree_index_or_branch(project: Project,
                                                           deploy: Deploy) -> None:
    write_files(project.root, {"content/entries/2022/2022-12-30-border-talks.md": entry(
        title="Border officials meet again", date="2022-12-30")})
    git(project.root, "add", "content")
    write_files(project.root, {"notes.txt": "an untracked note\n",
                               "content/entries/2022/2022-12-28-ferry-resumes.md": entry(
                                   title="Ferry resumes, edited but not staged",
                                   date="2022-12-28", topics="[aid]")})
    before = source_state(project.root)
    for args in (["--base-url", "/REPO/"], ["--base-url", "/REPO/"], ["--no-push"]):
        code, output = deploy(*args)
        assert code == 0, output
        assert source_state(project.root) == before
    assert not (project.root / "site").exists()
    assert not (project.root / ".sitegen-cache").exists()
    message = git(project.remote, "log", "-1", "--format=%s", "gh-pages").strip()
    assert message.startswith("Deploy site from main@")
    assert message.endswith("with uncommitted changes")


def test_no_push_commits_locally_and_a_later_deploy_pushes_it(project: Project,
                                                              deploy: Deploy) -> None:
    code, output = deploy("--base-url", "/REPO/", "--no-push")
    assert code == 0, output
    assert "not pushed" in output
    assert remote_refs(project.remote) == ""
    local = git(project.root, "rev-parse", "refs/heads/gh-pages").strip()
    code, output = deploy("--base-url", "/REPO/")
    assert code == 0, output
    assert remote_commits(project.remote) == [local]


def test_history_deployed_from_another_clone_is_kept(project: Project, deploy: Deploy,
                                                     tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert deploy("--base-url", "/REPO/")[0] == 0
    [first] = remote_commits(project.remote)
    laptop = tmp_path / "laptop"
    git(tmp_path, "clone", "-q", "--no-local", "--single-branch", "--branch", "main",
        str(project.root), str(laptop))
    git(laptop, "remote", "set-url", "origin", str(project.remote))
    write_files(laptop, {"content/entries/2023/2023-01-01-quiet-day.md": entry(
        title="A quiet first day of the year", date="2023-01-01")})
    code, output = run(laptop, "deploy", "--base-url", "/REPO/", capsys=capsys)
    assert code == 0, output
    assert remote_commits(project.remote)[1:] == [first]


def test_a_github_project_site_gets_its_subpath_by_default(project: Project, deploy: Deploy,
                                                           tmp_path: Path) -> None:
    github = "https://github.com/alice/river-news.git"
    git(project.root, "remote", "set-url", "origin", github)
    git(project.root, "config", f"url.{project.remote}.insteadOf", github)
    code, output = deploy()
    assert code == 0, output
    assert "https://alice.github.io/river-news/" in output
    assert 'base_url is "/"' in output
    pages = clone_pages(project.remote, tmp_path / "pages")
    assert 'href="/river-news/static/style.css' in (pages / "index.html").read_text()
    assert 'href="/river-news/topics/"' in (pages / "404.html").read_text()
    feed = (pages / "feed.xml").read_text()
    assert "https://alice.github.io/river-news/entries/2022-12-31-new-year-lights/" in feed


def test_a_custom_domain_publishes_cname_at_the_root(site_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    files: dict[str, str | bytes] = {
        "sitegen.toml": 'cname = "news.example.org"\n' + SITE_TOML, **ENTRIES}
    project = make_project(site_dir, tmp_path / "remote.git", files)
    git(project.root, "remote", "set-url", "origin", "git@github.com:alice/river-news.git")
    git(project.root, "config", f"url.{project.remote}.insteadOf",
        "git@github.com:alice/river-news.git")
    code, output = run(project.root, "deploy", capsys=capsys)
    assert code == 0, output
    assert "https://news.example.org/" in output
    pages = files_of(clone_pages(project.remote, tmp_path / "pages"))
    assert pages["CNAME"] == b"news.example.org\n"
    assert b'href="/static/style.css' in pages["index.html"]
    assert b"<loc>https://news.example.org/topics/</loc>" in pages["sitemap.xml"]


def test_outside_a_git_repository_deploy_refuses(site_dir: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write_files(site_dir, ENTRIES)
    code, output = run(site_dir, "deploy", capsys=capsys)
    assert code == 1
    assert "not a git repository" in output and "git init" in output
    assert not (site_dir / ".git").exists()


def test_a_missing_remote_is_refused_and_nothing_is_pushed(project: Project,
                                                           deploy: Deploy) -> None:
    code, output = deploy("--remote", "upstream")
    assert code == 1
    assert "no git remote named 'upstream'" in output
    assert "git remote add upstream" in output and "origin" in output
    assert remote_refs(project.remote) == ""
    assert git(project.root, "branch", "--list", "gh-pages") == ""


def test_a_failing_build_is_refused_and_nothing_is_pushed(project: Project, deploy: Deploy) -> None:
    assert deploy("--base-url", "/REPO/")[0] == 0
    published = remote_commits(project.remote)
    local = git(project.root, "rev-parse", "gh-pages")
    bad = "content/entries/2023/2023-01-03-bad-topic.md"
    write_files(project.root, {bad: entry(title="Bad", date="2023-01-03", topics="[weather]")})
    code, output = deploy("--base-url", "/REPO/")
    assert code == 1
    assert re.search(rf"{re.escape(bad)}:\d+: .*weather", output), output
    assert remote_commits(project.remote) == published
    assert git(project.root, "rev-parse", "gh-pages") == local


def test_deploy_refuses_to_replace_the_checked_out_branch(project: Project, deploy: Deploy) -> None:
    git(project.root, "switch", "-q", "-c", "gh-pages")
    code, output = deploy("--base-url", "/REPO/")
    assert code == 1
    assert "current branch is 'gh-pages'" in output
    assert remote_refs(project.remote) == ""


@pytest.mark.parametrize(("remote", "url"), [
    ("https://github.com/alice/river-news.git", "https://alice.github.io/river-news/"),
    ("https://github.com/Alice/River-News", "https://alice.github.io/River-News/"),
    ("git@github.com:alice/river-news.git", "https://alice.github.io/river-news/"),
    ("ssh://git@github.com/alice/river-news.git", "https://alice.github.io/river-news/"),
    ("https://token@github.com/alice/river-news/", "https://alice.github.io/river-news/"),
    ("https://github.com/alice/alice.github.io.git", "https://alice.github.io/"),
    ("https://gitlab.com/alice/river-news.git", None),
    ("/srv/git/river-news.git", None),
])
def test_github_remotes_give_the_pages_address(remote: str, url: str | None) -> None:
    assert github_pages_url(remote) == url


SECRET = b"TOP SECRET: the curator's private notes\n"


def push_old_pages(remote: Path, work: Path, files: dict[str, tuple[str, bytes]]) -> str:
    """Push a gh-pages commit holding `files` ({path: (mode, bytes)}; a submodule's bytes are
    its commit id) to `remote`, as a hostile or older deployer could: any mode, and names
    git's own tools refuse to write."""
    git(work.parent, "init", "-q", "--bare", work.name)
    commit = git(work, "commit-tree", make_tree(work, files), "-m", "An older deploy").strip()
    git(work, "push", "-q", str(remote), f"{commit}:refs/heads/gh-pages")
    return commit


def make_tree(work: Path, files: dict[str, tuple[str, bytes]]) -> str:
    """The id of a tree of `files`, made with `git mktree` (which checks no name)."""
    folders: dict[str, dict[str, tuple[str, bytes]]] = {}
    lines = []
    for name, (mode, data) in files.items():
        top, _, rest = name.partition("/")
        if rest:
            folders.setdefault(top, {})[rest] = (mode, data)
        elif mode == "160000":
            lines.append(f"{mode} commit {data.decode()}\t{name}")
        else:
            lines.append(f"{mode} blob {hash_blob(work, data)}\t{name}")
    lines += [f"040000 tree {make_tree(work, inner)}\t{top}" for top, inner in folders.items()]
    return subprocess.run(["git", "mktree", "--missing"], cwd=work, capture_output=True,
                          text=True, check=True, input="".join(f"{x}\n" for x in lines)
                          ).stdout.strip()


def hash_blob(work: Path, data: bytes) -> str:
    return subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=work, input=data,
                          capture_output=True, check=True).stdout.decode().strip()


def every_object(remote: Path) -> bytes:
    """The bytes of every object the remote holds, whatever branch reaches it."""
    return subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=remote,
                          capture_output=True, check=True).stdout


REGULAR_STAMP = {"pagefind/.sitegen-records": ("100644", b"{}\n")}


@pytest.mark.parametrize(("entry_", "shown"), [
    ({"pagefind/leak.txt": ("120000", b"SECRET_PATH")}, "pagefind/leak.txt (a symbolic link)"),
    ({"pagefind/2022-12/": ("120000", b"SECRET_DIR")}, "a symbolic link"),
    ({"pagefind/vendor": ("160000", b"0123456789abcdef0123456789abcdef01234567")},
     "pagefind/vendor (a submodule)"),
    ({"pagefind/../x": ("100644", b"outside the bundle\n")}, "pagefind/../x (an unsafe name)"),
], ids=["file-link", "folder-link", "submodule", "dot-dot"])
def test_an_old_bundle_with_links_is_never_reused_and_no_local_file_is_pushed(
        project: Project, deploy: Deploy, tmp_path: Path, entry_: dict[str, tuple[str, bytes]],
        shown: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    (tmp_path / "secret-dir").mkdir()
    (tmp_path / "secret-dir" / "pagefind-entry.json").write_bytes(SECRET)
    targets = {b"SECRET_PATH": str(secret).encode(),
               b"SECRET_DIR": str(tmp_path / "secret-dir").encode()}
    files = {name.rstrip("/"): (mode, targets.get(data, data))
             for name, (mode, data) in entry_.items()}
    old = push_old_pages(project.remote, tmp_path / "evil.git", {**REGULAR_STAMP, **files})
    code, output = deploy("--base-url", "/REPO/")
    assert code == 0, output
    assert shown in output
    assert "the bundle is not reused, and the search is indexed afresh" in output
    assert SECRET not in every_object(project.remote)
    assert remote_commits(project.remote)[1:] == [old]
    published = git(project.remote, "ls-tree", "-r", "--name-only", "gh-pages").split()
    assert "pagefind/partitions.json" in published
    assert not set(files) & set(published)
    assert not [line for line in git(project.remote, "ls-tree", "-r", "gh-pages").splitlines()
                if not line.startswith(("100644 ", "100755 "))]


def test_a_link_in_the_built_site_is_refused_and_nothing_is_pushed(
        project: Project, deploy: Deploy, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import sitegen.deploy

    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)

    def build_with_a_link(*args: object, out: Path, **kwargs: object) -> None:
        build(*args, out=out, **kwargs)  # type: ignore[arg-type]
        (out / "static" / "notes.txt").symlink_to(secret)
    monkeypatch.setattr(sitegen.deploy, "build", build_with_a_link)
    code, output = deploy("--base-url", "/REPO/")
    assert code == 1
    assert "the built site's static/notes.txt is a symbolic link, not a file" in output
    assert "nothing was committed or pushed" in output
    assert "Traceback" not in output
    assert remote_refs(project.remote) == ""
    assert git(project.root, "branch", "--list", "gh-pages") == ""
    assert SECRET not in every_object(project.root / ".git")


def test_an_old_bundle_without_its_stamp_is_indexed_afresh(project: Project, deploy: Deploy,
                                                          tmp_path: Path) -> None:
    old = push_old_pages(project.remote, tmp_path / "old.git", {
        "index.html": ("100644", b"<p>an older site</p>\n"),
        "pagefind/pagefind.js": ("100644", b"// an older Pagefind\n"),
        "pagefind/fragment/en_0123456.pf_fragment": ("100644", b"old fragment"),
    })
    code, output = deploy("--base-url", "/REPO/")
    assert code == 0, output
    assert "has no pagefind/.sitegen-records, so it cannot be reused; indexing afresh" in output
    assert "--force" not in output and "sitegen-deploy-" not in output
    assert remote_commits(project.remote)[1:] == [old]
    published = files_of(clone_pages(project.remote, tmp_path / "pages"))
    expected = fresh_build(project.root, tmp_path / "fresh", "/REPO/")
    assert comparable(published) == comparable(expected)
    code, output = deploy("--base-url", "/REPO/")
    assert code == 0, output
    assert "Nothing changed" in output and "indexing afresh" not in output


@pytest.mark.parametrize(("args", "problem", "fix"), [
    (["--branch", "HEAD"], "names the current commit, not a branch", "--branch gh-pages"),
    (["--branch", "@"], "names the current commit, not a branch", "--branch gh-pages"),
    (["--branch", "refs/heads/site"], "is a full ref name", "pass --branch site"),
    (["--branch", "refs/tags/v1"], "is a full ref name", "pass --branch gh-pages"),
    (["--branch=-site"], "a branch name cannot start with '-'", "--branch gh-pages"),
    (["--branch", "site..old"], "is not a valid git branch name", "--branch gh-pages"),
    (["--branch", "@{-1}"], "is not a valid git branch name", "--branch gh-pages"),
], ids=["HEAD", "at", "refs-heads", "refs-tags", "dash", "dot-dot", "previous-branch"])
def test_a_branch_name_git_would_misread_is_refused(project: Project, deploy: Deploy,
                                                    args: list[str], problem: str,
                                                    fix: str) -> None:
    git(project.root, "switch", "-q", "-c", "other")
    git(project.root, "switch", "-q", "main")  # so @{-1} names 'other'
    code, output = deploy(*args)
    name = args[-1].removeprefix("--branch=")
    assert code == 2
    assert f"error: --branch {name!r}: {problem}" in output
    assert fix in output
    assert "Traceback" not in output
    assert remote_refs(project.remote) == ""
    assert git(project.root, "for-each-ref", "--format=%(refname)", "refs/heads").split() == \
        ["refs/heads/main", "refs/heads/other"]


def test_a_nested_branch_name_is_deployed(project: Project, deploy: Deploy) -> None:
    code, output = deploy("--base-url", "/REPO/", "--branch", "site/pages")
    assert code == 0, output
    assert "origin/site/pages" in output
    assert git(project.remote, "for-each-ref", "--format=%(refname)").split() == \
        ["refs/heads/site/pages"]
