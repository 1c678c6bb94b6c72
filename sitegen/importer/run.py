"""`import_site(src, out)`: read a whole source site, plan the new one, then write it at once.

Nothing is written into `src`; `out` must be new or empty, and appears complete or not at all.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml

from sitegen.config import PACKAGED_THEME
from sitegen.errors import UsageError, display_path
from sitegen.importer import GENERATORS
from sitegen.importer.convert import Context, convert_body
from sitegen.importer.meta import MetaError, read_meta
from sitegen.importer.posts import Entry, find_posts, is_post, map_post, read_post, topic_slug
from sitegen.importer.sources import (
    SiteInfo,
    detect,
    known_timezone,
    site_info,
    walk_files,
)
from sitegen.load import parse_entry
from sitegen.redirects import alias_file

RESERVED_TOP = frozenset({"entries", "topics", "archive", "search", "page", "pagefind",
                          "key-events"})
RESERVED_FILES = frozenset({"index.html", "404.html", "feed.xml", "sitemap.xml", "robots.txt",
                            "CNAME", ".nojekyll", "timeline.json", "entries.json",
                            "entries.csv"})
UNSAFE_SVG = re.compile(rb"<script|\son\w+\s*=|javascript:|data:text/html", re.IGNORECASE)


@dataclass
class Report:
    """What an import did, for its summary."""

    generator: str
    src: Path
    out: Path
    posts: int = 0
    entries: int = 0
    drafts: int = 0
    skipped: int = 0
    pages: int = 0
    topics: int = 0
    assets: int = 0
    redirects: int = 0
    warnings: list[tuple[Path, int, str]] = field(default_factory=list)

    def warning_lines(self, relative: bool = False) -> list[str]:
        """Each warning as `path:line: message`; paths from the source folder when `relative`,
        else as the user would type them."""
        return [f"{p.relative_to(self.src).as_posix() if relative else display_path(p)}:{n}: {m}"
                for p, n, m in self.warnings]

    def summary(self) -> str:
        config = display_path(self.out / "sitegen.toml")
        lines = [
            f"Imported a {self.generator} site from {display_path(self.src)} into "
            f"{display_path(self.out)}:",
            f"  {self.posts:,} posts: {self.entries:,} entries ({self.drafts:,} "
            f"draft{'' if self.drafts == 1 else 's'}), "
            f"{self.skipped:,} not imported; {self.pages:,} pages without a date left out",
            f"  {self.topics:,} topics, {self.assets:,} files, {self.redirects:,} redirects "
            f"from old URLs, {len(self.warnings):,} warnings"
            + (" (listed above and in import-report.txt)" if self.warnings else ""),
            "Next:",
            f"  sitegen build --config {config}",
            f"  sitegen serve --config {config}",
        ]
        return "\n".join(lines)


def import_site(src: Path, out: Path, generator: str = "auto") -> Report:
    """Import the site at `src` into the new folder `out`."""
    src, out = src.resolve(), out.resolve()
    _check_folders(src, out)
    generator = detect(src) if generator == "auto" else generator
    if generator not in GENERATORS:
        raise UsageError(f"unknown --from {generator!r}; use auto or one of "
                         f"{', '.join(GENERATORS)}")
    info = site_info(src, generator)
    report = Report(generator, src, out)
    entries = _read_entries(info, report)
    files = _static_files(info, entries, report)
    topics = _topic_names(entries)
    links = Links(info, entries, files, topics)
    plan: dict[str, bytes] = {}
    claimed = {alias_file(f) for f in files.values()} | set(files.values())
    for entry in entries:
        _plan_entry(entry, info, links, topics, claimed, plan, report)
    for source, dest in files.items():
        plan[f"content/files/{dest}"] = source.read_bytes()
    report.assets += len(files)
    report.topics = len(topics)
    plan["sitegen.toml"] = _config(info, topics).encode()
    if report.warnings:
        head = f"# sitegen import: warnings; paths are inside {report.src.name}/\n"
        plan["import-report.txt"] = (head + "\n".join(report.warning_lines(True)) + "\n").encode()
    _write_all(out, plan)
    return report


def _check_folders(src: Path, out: Path) -> None:
    if not src.is_dir():
        raise UsageError(f"{display_path(src)} is not a folder; give the site's folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{display_path(out)} already exists and is not empty; import never "
                         "overwrites: choose a new folder for --out")
    if out.is_relative_to(src) or src.is_relative_to(out):
        raise UsageError(f"--out {display_path(out)} must be outside {display_path(src)} "
                         "(the source is left untouched)")


def _warn(report: Report, path: Path, line: int, message: str) -> None:
    report.warnings.append((path, line, message))


def _read_entries(info: SiteInfo, report: Report) -> list[Entry]:
    """Every post read and mapped; unreadable ones are reported, pages without dates left out."""
    entries: list[Entry] = []
    slugs: set[str] = set()
    for path, in_drafts in find_posts(info):
        try:
            post = read_post(path, info, in_drafts)
        except MetaError as e:
            report.posts += 1
            report.skipped += 1
            _warn(report, path, e.line, f"not imported: {e.message}")
            continue
        if not is_post(post, info):
            report.pages += 1
            _warn(report, path, 1, "left out: a page with no date, not a post; add `date:` "
                                   "to the source and import again to keep it")
            continue
        report.posts += 1
        entry = map_post(post, info)
        entry.slug = _unique(entry.slug, slugs)
        entries.append(entry)
    if info.generator == "pelican":
        for rst in sorted(info.content.rglob("*.rst")):
            report.posts += 1
            report.skipped += 1
            _warn(report, rst, 1, "not imported: reStructuredText is not Markdown; convert it "
                                  "(e.g. with pandoc) and import again")
    return entries


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in taken:
        candidate, n = f"{slug}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _static_files(info: SiteInfo, entries: list[Entry], report: Report) -> dict[Path, str]:
    """The site's own files (images, attachments) -> where they go under content/files/."""
    bundles = {e.post.path.parent for e in entries if e.post.bundle}
    found: dict[Path, str] = {}
    roots: list[tuple[Path, bool]]
    if info.generator in ("hugo", "zola"):
        roots = [(info.root / "static", False), (info.content, False)]
    elif info.generator == "pelican":
        roots = [(info.content, False)]
    else:
        roots = [(info.content, True)]
    for root, skip_underscore in roots:
        for path in walk_files(root, skip_underscore=skip_underscore):
            if any(path.is_relative_to(b) for b in bundles):
                continue
            dest = path.relative_to(root).as_posix()
            if _unsafe(path) or _reserved(dest):
                _warn(report, path, 1, "not copied: " + ("an SVG with script in it"
                                                         if _unsafe(path) else
                                                         f"/{dest} is a path sitegen uses"))
                continue
            found.setdefault(path, dest)
    return found


def _unsafe(path: Path) -> bool:
    return path.suffix.lower() == ".svg" and bool(UNSAFE_SVG.search(path.read_bytes()))


def _reserved(dest: str) -> bool:
    top = dest.split("/", 1)[0]
    return top in RESERVED_TOP or dest in RESERVED_FILES or (
        top == "static" and (PACKAGED_THEME / dest).exists())


def _topic_names(entries: list[Entry]) -> dict[str, str]:
    """Topic slug -> name: the spelling most posts used, ties to the first seen."""
    spellings: dict[str, Counter[str]] = {}
    for entry in entries:
        for name in entry.topics:
            slug = topic_slug(name)
            if slug:
                spellings.setdefault(slug, Counter())[name] += 1
    return {slug: counts.most_common(1)[0][0] for slug, counts in sorted(spellings.items())}


class Links:
    """Where a reference in an old post (another post, a file, a tag) lives on the new site."""

    def __init__(self, info: SiteInfo, entries: list[Entry], files: dict[Path, str],
                 topics: dict[str, str]) -> None:
        self.info = info
        self.topics = topics
        self.old_host = old_host(info)
        self.files = {p.resolve(): d for p, d in files.items()}
        self.by_dest = set(files.values())
        self.posts: dict[str, str] = {}
        self.by_path: dict[Path, str] = {}
        for entry in entries:
            url = f"/entries/{entry.slug}/"
            post = entry.post
            self.by_path[post.path.resolve()] = url
            rel_content = post.path.relative_to(info.content).as_posix() \
                if post.path.is_relative_to(info.content) else post.rel
            stem = post.path.name.rsplit(".", 1)[0]
            for key in (post.rel, rel_content, _no_ext(post.rel), _no_ext(rel_content), stem,
                        post.file_slug, post.path.name):
                self.posts.setdefault(key.lower(), url)
            if post.bundle:
                self.posts.setdefault(post.path.parent.relative_to(info.root).as_posix().lower(),
                                      url)

    def resolve(self, post: Path, kind: str, ref: str) -> str | None:
        ref = ref.strip().strip("\"'")
        if not ref:
            return None
        path, _, anchor = ref.partition("#")
        suffix = f"#{anchor}" if anchor else ""
        if kind == "topic":
            slug = topic_slug(unquote(path))
            return f"/topics/{slug}/" if slug in self.topics else None
        if kind == "relative":
            return self._relative(post, path, suffix)
        if kind == "file":
            return self._file(post, path, suffix)
        found = self._post(post, path)
        if found is None and kind == "link":
            found = self._file(post, path, "")
        return found + suffix if found else self._old_page(path, suffix)

    def _old_page(self, ref: str, suffix: str) -> str | None:
        """A page of the old site that was not imported (not a post): its address there, from
        its `permalink`/`url`/`path`, on the old host when the config names it."""
        rel = unquote(ref).strip("/")
        for base in (self.info.root, self.info.content):
            path = base / rel
            if not path.is_file() or not path.resolve().is_relative_to(self.info.root):
                continue
            try:
                data = read_meta(path.read_bytes()).data
            except MetaError:
                data = {}
            given = next((str(data[k]) for k in ("permalink", "url", "path")
                          if isinstance(data.get(k), str) and "{" not in data[k]), None)
            url = "/" + (given or _no_ext(path.relative_to(base).as_posix()).lstrip("_") + "/"
                         ).lstrip("/")
            return self.old_host + url + suffix if self.old_host else None
        return None

    def _post(self, post: Path, ref: str) -> str | None:
        ref = unquote(ref).strip("/")
        if not ref:
            return None
        for key in (ref, _no_ext(ref), ref.removeprefix("content/"),
                    posixpath.basename(ref), _no_ext(posixpath.basename(ref))):
            if key.lower() in self.posts:
                return self.posts[key.lower()]
        beside = (post.parent / ref).resolve()
        return self.by_path.get(beside)

    def _file(self, post: Path, ref: str, suffix: str) -> str | None:
        if urlsplit(ref).scheme:
            return None
        clean = unquote(ref)
        if clean.startswith("/"):
            rel = clean.lstrip("/")
            for base in (self.info.root / "static", self.info.content, self.info.root):
                dest = self.files.get((base / rel).resolve())
                if dest is not None:
                    return f"/{dest}{suffix}"
            return f"/{rel}{suffix}" if rel in self.by_dest else None
        return self._relative(post, ref, suffix)

    def _relative(self, post: Path, ref: str, suffix: str) -> str | None:
        target = (post.parent / unquote(ref)).resolve()
        if self.info.generator in ("hugo", "zola", "eleventy") and \
                post.name.lower().startswith("index.") and target.is_relative_to(
                    post.parent.resolve()):
            return None  # a bundle's own file: copied beside the entry, link unchanged
        if target in self.files:
            return f"/{self.files[target]}{suffix}"
        if target in self.by_path:
            return self.by_path[target] + suffix
        return None


def old_host(info: SiteInfo) -> str:
    """The old site's address (`url` in Jekyll's config, `baseURL` in Hugo's, ...), without a
    trailing slash; '' when the config does not give one."""
    for key in ("url", "baseurl", "base_url", "SITEURL"):
        value = info.settings.get(key)
        if isinstance(value, str) and re.match(r"https?://[^/\s]+", value):
            return value.rstrip("/")
    return ""


def _no_ext(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in posixpath.basename(path) else path


def _plan_entry(entry: Entry, info: SiteInfo, links: Links, topics: dict[str, str],
                claimed: set[str], plan: dict[str, bytes], report: Report) -> None:
    """Convert one entry's body, write its file (and a bundle's files) into the plan."""
    post = entry.post
    ctx = Context(info.generator, post.meta.data,
                  lambda kind, ref: links.resolve(post.path, kind, ref), info.settings)
    body = convert_body(entry.body, ctx)
    for line, message in [*entry.warnings, *ctx.warnings]:
        _warn(report, post.path, post.meta.body_line + line if line else 1, message)
    aliases = _aliases(entry, claimed, report)
    text = _entry_text(entry, body, aliases, topics)
    year = entry.date[:4]
    bundle_files = _bundle_files(post) if post.bundle else []
    rel = f"content/entries/{year}/{entry.slug}/index.md" if bundle_files else \
        f"content/entries/{year}/{entry.date[:10]}-{entry.slug}.md"
    outcome = parse_entry(Path(rel), text.encode(), frozenset(topics), "sanitize")
    if outcome.problems:
        report.skipped += 1
        for problem in outcome.problems:
            _warn(report, post.path, 1, f"not imported: {problem.message}")
        plan[f"not-imported/{post.rel}"] = text.encode()
        return
    plan[rel] = text.encode()
    folder = rel.rsplit("/", 1)[0]
    for source in bundle_files:
        if _unsafe(source):
            _warn(report, source, 1, "not copied: an SVG with script in it")
            continue
        plan[f"{folder}/{source.relative_to(post.path.parent).as_posix()}"] = source.read_bytes()
        report.assets += 1
    report.entries += 1
    report.drafts += entry.draft
    report.redirects += len(aliases)


def _bundle_files(post: Any) -> list[Path]:
    return list(walk_files(post.path.parent))


def _aliases(entry: Entry, claimed: set[str], report: Report) -> list[str]:
    """The entry's old URLs that can become redirect pages: inside the site, not a path sitegen
    writes, not taken by another post's redirect or a copied file."""
    out = []
    new = f"entries/{entry.slug}/"
    for url in entry.old_urls:
        path = unquote(urlsplit(url).path).lstrip("/")
        if not path or path == new or any(p in (".", "..") for p in path.split("/")):
            continue
        target = alias_file(path)
        if target.split("/", 1)[0] in RESERVED_TOP or target in RESERVED_FILES or \
                target in claimed:
            _warn(report, entry.post.path, 1, f"old URL /{path} not redirected: the path is "
                                              "taken on the new site")
            continue
        claimed.add(target)
        out.append("/" + path)
    return out


def _entry_text(entry: Entry, body: str, aliases: list[str], topics: dict[str, str]) -> str:
    data: dict[str, Any] = {"title": entry.title, "date": entry.date, "slug": entry.slug}
    slugs = [s for s in dict.fromkeys(topic_slug(n) for n in entry.topics) if s in topics]
    if slugs:
        data["topics"] = slugs
    if entry.summary:
        data["summary"] = entry.summary
    if entry.author:
        data["author"] = entry.author
    if entry.draft:
        data["draft"] = True
    if aliases:
        data["aliases"] = aliases
    data["imported_from"] = entry.post.rel
    if entry.original:
        data["original"] = entry.original
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096)
    return f"---\n{front}---\n{body.rstrip()}\n"


def _config(info: SiteInfo, topics: dict[str, str]) -> str:
    title = info.title or info.root.name
    language = info.language if re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*",
                                             info.language or "") else "en"
    timezone = info.timezone if known_timezone(info.timezone) else "UTC"
    lines = [f"# Imported from a {info.generator} site by `sitegen import`.",
             f"title = {json.dumps(title, ensure_ascii=False)}",
             'description = ""', 'base_url = "/"',
             f"language = {json.dumps(language.replace('_', '-'))}",
             f"timezone = {json.dumps(timezone)}", "entries_per_page = 50", "",
             "[markdown]",
             '# Imported posts carry raw HTML: a safe allowlist passes, nothing that runs.',
             'html = "sanitize"']
    for slug, name in topics.items():
        lines += ["", "[[topics]]", f"slug = {json.dumps(slug, ensure_ascii=False)}",
                  f"name = {json.dumps(name, ensure_ascii=False)}"]
    return "\n".join(lines) + "\n"


def _write_all(out: Path, plan: dict[str, bytes]) -> None:
    """Write the whole site into a hidden sibling, then move it into place in one step."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.parent / f".{out.name}.importing-{os.getpid()}"
    try:
        for rel, data in sorted(plan.items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        if out.exists():
            out.rmdir()  # empty: checked before anything was read
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
