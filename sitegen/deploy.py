"""`sitegen deploy`: build a clean site and commit it as the tip of a gh-pages branch, then push.

Only git plumbing is used (hash-object, update-index on a temporary index, write-tree,
commit-tree, update-ref), so the working tree, the index and the current branch are never touched.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sitegen import search, urls, write
from sitegen.build import build
from sitegen.cache import Cache
from sitegen.config import SiteConfig
from sitegen.errors import Problem, SitegenError, UsageError, one_line

log = logging.getLogger(__name__)

GITHUB_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]+@)?github\.com[:/]"
    r"(?P<owner>[A-Za-z0-9-]+)/(?P<repo>[A-Za-z0-9._-]+?)(?:\.git)?/?$", re.IGNORECASE)
REGULAR = frozenset({"100644", "100755"})  # the tree modes of a file; a link is 120000
MODES = {"120000": "a symbolic link", "160000": "a submodule"}


class DeployError(SitegenError):
    """Deploying was refused or failed before anything was pushed."""


@dataclass(frozen=True)
class Repo:
    """The source repository, and the remote the site is published to."""

    root: Path
    git_dir: Path
    remote: str
    remote_url: str


@dataclass(frozen=True)
class Tips:
    """The site branch's commit here and on the remote, before this deploy (None: absent)."""

    local: str | None
    remote: str | None


def deploy(config: SiteConfig, *, remote: str = "origin", branch: str = "gh-pages",
           message: str | None = None, push: bool = True) -> int:
    """Publish a fresh build of `config`'s site to `branch` on `remote`; print where it will be."""
    started = time.perf_counter()
    repo = open_repo(config, remote)
    check_branch(repo, branch)
    refuse_checked_out(repo, branch)
    config = with_default_base_url(config, repo.remote_url)
    tips = fetch_tips(repo, branch)
    refuse_source_branch(repo, branch, tips)
    parent = choose_parent(repo, tips)
    with tempfile.TemporaryDirectory(prefix="sitegen-deploy-") as tmp:
        site = Path(tmp) / "site"
        reuse_search_bundle(repo, parent, site)
        build(config, Cache(None), drafts=False, out=site)
        tree = write_tree(repo, site, Path(tmp) / "index")
    commit = commit_site(repo, branch, tree, parent, tips.local,
                         message or default_message(repo))
    if push and commit != tips.remote:
        push_branch(repo, branch)
    print(outcome(repo, branch, site_url(config, repo.remote_url) or
                  f"serve the '{branch}' branch at {urls.base_path(config.base_url)}",
                  commit, created=commit != parent, pushed=push and commit != tips.remote,
                  seconds=time.perf_counter() - started))
    if push and tips.remote is None and "github.com" in repo.remote_url:
        log.info("First deploy: in the repository's Settings > Pages, choose \"Deploy from a "
                 "branch\", branch %s, folder / (root)", branch)
    return 0


def open_repo(config: SiteConfig, remote: str) -> Repo:
    """The git repository holding the site, with `remote`; refuse when either is missing."""
    if shutil.which("git") is None:
        raise DeployError(Problem(config.root, 1, "git is not installed; install git to deploy"))
    found = _git(config.root, "rev-parse", "--absolute-git-dir")
    if found.returncode != 0:
        raise DeployError(Problem(config.root, 1, "not a git repository, so there is nowhere to "
                                  "publish; run `git init` and `git remote add origin URL` here"))
    url = _git(config.root, "config", "--get", f"remote.{remote}.url")
    if url.returncode != 0:
        known = _git(config.root, "remote").stdout.split()
        listed = f"; remotes here: {', '.join(known)}" if known else ""
        raise DeployError(Problem(config.root, 1, f"no git remote named '{remote}'{listed}; add "
                                  f"it with `git remote add {remote} URL` or pass --remote NAME"))
    return Repo(config.root, Path(found.stdout.strip()), remote, url.stdout.strip())


def check_branch(repo: Repo, branch: str) -> None:
    """Refuse a --branch that is not a branch's own short name: git would make
    refs/heads/HEAD of 'HEAD', and refs/heads/refs/heads/x of 'refs/heads/x'."""
    problem = branch_problem(repo, branch)
    if problem:
        raise UsageError(f"--branch {branch!r}: {problem}")


def branch_problem(repo: Repo, branch: str) -> str | None:
    """What is wrong with `branch` as a branch name (`git check-ref-format --branch`), and
    what to pass instead; None when nothing is."""
    if branch in ("HEAD", "@"):
        return ("names the current commit, not a branch; pass the name of the site's own "
                "branch, such as --branch gh-pages")
    if branch.startswith("refs/"):
        short = branch.removeprefix("refs/heads/") if branch.startswith("refs/heads/") else ""
        return ("is a full ref name, and deploy takes a branch's short name (it would make "
                f"refs/heads/{branch}); pass --branch {short or 'gh-pages'}")
    if branch.startswith("-"):
        return "a branch name cannot start with '-'; pass a name such as --branch gh-pages"
    checked = _git(repo.root, "check-ref-format", "--branch", branch)
    if checked.returncode != 0 or checked.stdout.strip() != branch or \
            _git(repo.root, "check-ref-format", f"refs/heads/{branch}").returncode != 0:
        return ("is not a valid git branch name (see `git check-ref-format --branch`); pass "
                "a name such as --branch gh-pages")
    return None


def refuse_checked_out(repo: Repo, branch: str) -> None:
    """Moving a checked-out branch (here or in any worktree) would change what that working
    tree appears to hold."""
    head = _git(repo.root, "symbolic-ref", "-q", "HEAD").stdout.strip()
    if head == f"refs/heads/{branch}":
        raise DeployError(Problem(repo.root, 1, f"the current branch is '{branch}', which deploy "
                                  "replaces with the built site; switch to your source branch "
                                  "first (git switch main) or pass --branch NAME"))
    listed = _git(repo.root, "worktree", "list", "--porcelain").stdout.splitlines()
    if f"branch refs/heads/{branch}" in listed:
        raise DeployError(Problem(repo.root, 1, f"branch '{branch}' is checked out in another "
                                  "worktree (see `git worktree list`), and deploy would replace "
                                  "its tip with the built site; pass --branch gh-pages"))


def refuse_source_branch(repo: Repo, branch: str, tips: Tips) -> None:
    """A site branch holds only site commits: one that shares history with the source (HEAD)
    is a source branch, and deploying onto it would bury the source under the built site."""
    for where, tip in (("local", tips.local), (repo.remote, tips.remote)):
        if tip and _git(repo.root, "merge-base", "HEAD", tip).returncode == 0:
            raise DeployError(Problem(repo.root, 1, f"branch '{branch}' ({where}) shares history "
                                      "with the source you are deploying from, so it holds "
                                      "source, not a built site; deploy refuses to replace it: "
                                      "pass --branch gh-pages (or another site-only branch)"))


def github_pages_url(remote_url: str) -> str | None:
    """https://USER.github.io/REPO/ (or https://USER.github.io/ for a user site) for a GitHub
    remote; None for any other remote."""
    match = GITHUB_REMOTE.match(remote_url.strip())
    if not match:
        return None
    owner, name = match["owner"].lower(), match["repo"]
    if name.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{name}/"


def site_url(config: SiteConfig, remote_url: str) -> str | None:
    """Where the site will be: an absolute base_url, else the custom domain, else GitHub's."""
    if "://" in config.base_url:
        return config.base_url
    if config.cname:
        return f"https://{config.cname}{urls.base_path(config.base_url)}"
    return github_pages_url(remote_url)


def with_default_base_url(config: SiteConfig, remote_url: str) -> SiteConfig:
    """A base_url of "/" would break every link of a project site: use the site's real address."""
    url = site_url(config, remote_url)
    if config.base_url != "/":
        if url and urlsplit(url).path != urls.base_path(config.base_url):
            log.warning("warning: links start with %s, but the site will be served at %s; "
                        "set base_url or pass --base-url to match",
                        urls.base_path(config.base_url), url)
        return config
    if url is None:
        log.info("base_url is \"/\": links assume the site is served at a domain's root; "
                 "pass --base-url /REPO/ if it lives under a subpath")
        return config
    source = "the cname" if config.cname else f"remote '{_display(remote_url)}'"
    log.info("base_url is \"/\"; using %s (from %s); pass --base-url to choose another",
             url, source)
    return dataclasses.replace(config, base_url=url)


def fetch_tips(repo: Repo, branch: str) -> Tips:
    """The branch's local and remote commits, fetching the remote one so its history is kept."""
    listed = _must(repo, f"cannot reach remote '{repo.remote}' ({_display(repo.remote_url)})"
                   "; check its URL and your access", "ls-remote", "--heads", repo.remote,
                   f"refs/heads/{branch}")
    remote_tip = listed.split()[0] if listed.strip() else None
    if remote_tip:
        _must(repo, f"cannot fetch {repo.remote}/{branch}", "fetch", "--quiet", "--no-tags",
              repo.remote, f"+refs/heads/{branch}:refs/remotes/{repo.remote}/{branch}")
    return Tips(_rev(repo, f"refs/heads/{branch}"), remote_tip)


def choose_parent(repo: Repo, tips: Tips) -> str | None:
    """The commit the new one follows: the remote tip, or local commits not yet pushed on it."""
    if tips.remote is None or tips.local in (None, tips.remote):
        return tips.local or tips.remote
    ahead = _git(repo.root, "merge-base", "--is-ancestor", tips.remote, str(tips.local))
    if ahead.returncode == 0:
        return tips.local
    log.warning("warning: the local branch had diverged from %s's; building on the remote's "
                "(the local commits stay in the reflog)", repo.remote)
    return tips.remote


def reuse_search_bundle(repo: Repo, parent: str | None, site: Path) -> None:
    """Put the last deploy's search bundle in the empty output folder.

    The build keeps it only when its stamp says it indexes exactly the records being built;
    otherwise it indexes afresh. Pagefind's output is not byte-stable (its metadata file lists
    filters in random order), so indexing unchanged records again would commit a change that
    is no change. A bundle deploy could not have made (no stamp, a symbolic link, a submodule)
    is left behind, and the search is indexed afresh.
    """
    site.mkdir(parents=True, exist_ok=True)
    blobs = bundle_blobs(repo, parent) if parent is not None else {}
    if not blobs:
        return
    try:
        for rel, (mode, data) in _read_blobs(repo, blobs).items():
            _write_new(site / rel, data, 0o755 if mode == "100755" else 0o644)
    except (OSError, ValueError) as e:
        log.info("search: cannot reuse the last deploy's search bundle (%s); indexing afresh", e)
        shutil.rmtree(site)
        site.mkdir()
        return
    stamp = (site / search.BUNDLE / search.STAMP).read_text(encoding="utf-8", errors="replace")
    write.adopt(site, {"search": stamp})  # the build owns the copy, and keeps it while it holds


def bundle_blobs(repo: Repo, parent: str) -> dict[str, tuple[str, str]]:
    """The last deploy's search bundle as {path: (mode, blob id)}; empty when there is none,
    or when it is not one that deploy made: each entry a regular file, the stamp among them."""
    listed = _raw(repo, "cannot read the last deploy's search bundle", "ls-tree", "-r", "-z",
                  "--full-tree", parent, "--", search.BUNDLE).decode(errors="replace").split("\0")
    blobs, odd = {}, []
    for item in filter(None, listed):
        info, _, rel = item.partition("\t")
        mode, _, blob = info.split(" ", 2)
        if mode in REGULAR and rel.startswith(f"{search.BUNDLE}/") and _plain_path(rel):
            blobs[rel] = (mode, blob)
        else:
            odd.append(f"{rel} ({_odd(mode, rel)})")
    stamp = f"{search.BUNDLE}/{search.STAMP}"
    if odd:  # a link would publish what it points to on this machine, not the bundle's bytes
        log.warning("warning: the last deploy's search bundle holds %s, which deploy never "
                    "writes nor copies; the bundle is not reused, and the search is indexed "
                    "afresh", one_line(", ".join(odd[:3]) + (f" and {len(odd) - 3} more"
                                                            if len(odd) > 3 else "")))
    elif blobs and stamp not in blobs:
        log.info("search: the last deploy's search bundle has no %s, so it cannot be reused; "
                 "indexing afresh", stamp)
    return blobs if blobs and not odd and stamp in blobs else {}


def _odd(mode: str, rel: str) -> str:
    if mode not in REGULAR:
        return MODES.get(mode, f"mode {mode}")
    return "a file, not a folder" if rel == search.BUNDLE else "an unsafe name"


def _plain_path(rel: str) -> bool:
    """Whether `rel` is a name a tree of git's own making could hold: no '', '.', '..' or
    '.git' part (a hostile remote's tree may have one), valid UTF-8, no line break."""
    parts = rel.split("/")
    return "\n" not in rel and "\ufffd" not in rel and \
        not any(part in ("", ".", "..") or part.lower() == ".git" for part in parts)


def _read_blobs(repo: Repo, blobs: dict[str, tuple[str, str]],
                ) -> dict[str, tuple[str, memoryview]]:
    """Each blob's bytes, read with `git cat-file --batch` (no filters, no attributes): views
    of git's one answer, not copies of it."""
    out = _raw(repo, "cannot read the last deploy's search bundle", "cat-file", "--batch",
               stdin="".join(f"{blob}\n" for _, blob in blobs.values()).encode())
    whole = memoryview(out)
    pos, read = 0, {}
    for rel, (mode, blob) in blobs.items():
        end = out.index(b"\n", pos)
        name, kind, size = (out[pos:end].decode(errors="replace").split(" ") + ["", ""])[:3]
        if name != blob or kind != "blob" or not size.isdigit():
            raise ValueError(f"{rel} is not a file in git's object store")
        pos = end + 1 + int(size) + 1
        read[rel] = (mode, whole[end + 1:pos - 1])
    return read


def _write_new(path: Path, data: bytes | memoryview, mode: int) -> None:
    """Write a new file; never over one already there, never through a link."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def write_tree(repo: Repo, site: Path, index: Path) -> str:
    """Store every file under `site` as git objects; the tree's id. Uses only a private index."""
    files = site_files(repo, site)
    env = {"GIT_INDEX_FILE": str(index)}
    plumbing = ("--git-dir", str(repo.git_dir), "--work-tree", str(site))
    blobs = _must(repo, "cannot store the site in git", *plumbing, "hash-object", "-w",
                  "--no-filters", "--stdin-paths", stdin="".join(f"{f}\n" for f in files),
                  cwd=site)
    listing = "".join(f"{_mode(site / name)} {blob}\t{name}\0"
                      for name, blob in zip(files, blobs.split(), strict=True))
    _must(repo, "cannot index the site", *plumbing, "update-index", "--add", "-z",
          "--index-info", stdin=listing, env=env, cwd=site)
    return _must(repo, "cannot write the site's tree", *plumbing, "write-tree", env=env,
                 cwd=site).strip()


def site_files(repo: Repo, site: Path) -> list[str]:
    """Every regular file under `site`, sorted; refuse anything else but a folder (a link is
    never followed: its target may be any file on this machine)."""
    files, refused = [], []
    for path in sorted(site.rglob("*")):
        kind = path.lstat().st_mode
        rel = path.relative_to(site).as_posix()
        if stat.S_ISREG(kind):
            if path.name != write.MANIFEST:  # build bookkeeping only
                files.append(rel)
        elif not stat.S_ISDIR(kind):
            refused.append(Problem(repo.root, 1, f"the built site's {rel} is "
                                   f"{_kind(kind)}, not a file; deploy publishes only files, "
                                   "never what a link points to, so nothing was committed or "
                                   "pushed; please report this (a build makes only files)"))
    if refused:
        raise DeployError(refused)
    if any("\n" in name for name in files):
        raise DeployError(Problem(repo.root, 1, "a file name in the built site contains a "
                                  "line break, which git cannot be given; rename its source"))
    return files


def commit_site(repo: Repo, branch: str, tree: str, parent: str | None, old_local: str | None,
                message: str) -> str:
    """Commit `tree` after `parent` unless it holds the same tree; point the branch at it."""
    if parent is not None and _rev(repo, f"{parent}^{{tree}}") == tree:
        commit = parent
    else:
        parents = ("-p", parent) if parent else ()
        commit = _must(repo, "cannot commit the site (if git does not know who you are, set "
                       "`git config user.name` and `git config user.email`)", "commit-tree",
                       tree, *parents, "-m", message).strip()
    if commit != old_local:
        _must(repo, f"cannot update branch '{branch}'", "update-ref", "-m", "sitegen deploy",
              f"refs/heads/{branch}", commit, old_local or "")
    return commit


def push_branch(repo: Repo, branch: str) -> None:
    """Push the branch; a refusal leaves the commit on the local branch to push again."""
    _must(repo, f"cannot push '{branch}' to '{repo.remote}' (the commit is on the local "
          f"branch; run `sitegen deploy` again or `git push {repo.remote} {branch}`)",
          "push", "--quiet", repo.remote, f"refs/heads/{branch}:refs/heads/{branch}")


def default_message(repo: Repo) -> str:
    """'Deploy site from main@1a2b3c4', noting uncommitted changes that the build included."""
    head = _git(repo.root, "rev-parse", "--short", "-q", "--verify", "HEAD").stdout.strip()
    name = _git(repo.root, "symbolic-ref", "--short", "-q", "HEAD").stdout.strip()
    status = _git(repo.root, "--no-optional-locks", "status", "--porcelain").stdout
    source = f"{name or 'HEAD'}@{head}" if head else name or "an empty repository"
    return f"Deploy site from {source}" + (" with uncommitted changes" if status.strip() else "")


def outcome(repo: Repo, branch: str, where: str, commit: str, *, created: bool, pushed: bool,
            seconds: float) -> str:
    """The line a user reads last: what happened, and where the site will be."""
    short = commit[:7]
    if pushed:
        return f"Deployed {short} to {repo.remote}/{branch} in {seconds:.2f} s: {where}"
    if created:
        return (f"Committed {short} to the local branch '{branch}' in {seconds:.2f} s, not "
                f"pushed (publish with `git push {repo.remote} {branch}`): {where}")
    return f"Nothing changed: '{branch}' already holds this site ({short}): {where}"


def _mode(path: Path) -> str:
    return "100755" if path.lstat().st_mode & 0o111 else "100644"


def _kind(mode: int) -> str:
    return "a symbolic link" if stat.S_ISLNK(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
        "a socket" if stat.S_ISSOCK(mode) else "a device"


def _rev(repo: Repo, name: str) -> str | None:
    found = _git(repo.root, "rev-parse", "-q", "--verify", name)
    return found.stdout.strip() if found.returncode == 0 else None


def _display(remote_url: str) -> str:
    """The remote URL without any credentials written into it."""
    return re.sub(r"//[^/@]+@", "//", remote_url)


def _must(repo: Repo, what: str, *args: str, stdin: str | None = None,
          env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run git; its output, or a DeployError saying `what` failed and git's own reason."""
    done = _git(cwd or repo.root, *args, stdin=stdin, env=env)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise DeployError(Problem(repo.root, 1, f"{what}: {_display(reason[0])}"))
    return done.stdout


def _raw(repo: Repo, what: str, *args: str, stdin: bytes = b"") -> bytes:
    """Run git on the repository for bytes (file names and contents need not be text)."""
    done = subprocess.run(["git", "--git-dir", str(repo.git_dir), *args], cwd=repo.root,
                          input=stdin, capture_output=True, check=False)
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        raise DeployError(Problem(repo.root, 1, f"{what}: {_display(reason[0])}"))
    return done.stdout


def _git(cwd: Path, *args: str, stdin: str | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, text=True,
                          check=False, env={**os.environ, **(env or {})})
