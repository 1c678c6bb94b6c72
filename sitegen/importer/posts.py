"""Find a source site's posts and map each to a sitegen entry: slug, title, date, topics,
summary, author, draft, old URLs, and the keys sitegen has no use for."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sitegen.importer import oldurls
from sitegen.importer.meta import Meta, MetaError, date_of, normalise_date, read_meta
from sitegen.importer.sources import POST_DIRS, SiteInfo, known_timezone, walk_posts
from sitegen.slugs import slugify

DATE_PREFIX = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[-_ ]|$)")
COLLECTION_TAGS = frozenset({"posts", "post", "blog", "all", "pages", "page", "articles"})
BUNDLE_NAMES = re.compile(r"^index(\.[a-z]{2}(-[a-z]{2})?)?\.(md|markdown)$", re.IGNORECASE)
# Keys that are mapped, or that only steered the old generator.
MAPPED = frozenset({
    "title", "date", "publishdate", "pubdate", "published", "lastmod", "modified", "updated",
    "slug", "tags", "categories", "category", "taxonomies", "description", "summary", "excerpt",
    "subtitle", "author", "authors", "draft", "status", "aliases", "redirect_from", "permalink",
    "url", "path", "layout", "template", "type", "weight", "menu", "sitemap", "save_as",
    "eleventyexcludefromcollections", "eleventycomputed", "eleventynavigation", "sources",
    "topics", "kind", "order", "date_from",
})


@dataclass(frozen=True)
class Post:
    """One source post, read."""

    path: Path
    rel: str  # relative to the source root, posix
    meta: Meta
    bundle: bool  # `x/index.md`: its folder's files belong to it
    sections: tuple[str, ...]  # folders from the content root to the post (a bundle's excluded)
    file_slug: str  # file stem, or a bundle's folder name
    in_drafts: bool = False


@dataclass
class Entry:
    """What one post becomes."""

    post: Post
    slug: str
    title: str
    date: str
    topics: list[str]  # topic names, as written
    summary: str
    author: str
    draft: bool
    old_urls: list[str]
    original: dict[str, Any]
    body: str
    warnings: list[tuple[int, str]] = field(default_factory=list)


def find_posts(info: SiteInfo) -> Iterator[tuple[Path, bool]]:
    """Every post file of the site, with whether it is an unpublished draft."""
    if info.generator == "jekyll":
        for parent, dirs, _ in os.walk(info.root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in
                             ("node_modules", "_site", "vendor"))
            here = Path(parent)
            if here.name in ("_posts", "_drafts"):
                for path in sorted(walk_posts(here)) + sorted(here.rglob("*.html")):
                    yield path, here.name == "_drafts"
                dirs[:] = []
        return
    for path in walk_posts(info.content):
        if info.generator == "pelican" and "pages" in path.relative_to(info.content).parts:
            continue
        yield path, False


def read_post(path: Path, info: SiteInfo, in_drafts: bool) -> Post:
    """Read one post file; raise MetaError when its metadata is unreadable."""
    meta = read_meta(path.read_bytes(), pelican=info.generator == "pelican")
    base = info.content if path.is_relative_to(info.content) else info.root
    parts = path.relative_to(base).parts
    bundle = bool(BUNDLE_NAMES.match(path.name)) and len(parts) > 1
    folders = parts[:-2] if bundle else parts[:-1]
    if info.generator == "jekyll":
        # Jekyll's categories from the path are the folders above `_posts` (`news/_posts/x.md`
        # is in `news`), never those inside it (`_posts/news/x.md` is in none)
        special = next((i for i, p in enumerate(parts) if p in ("_posts", "_drafts")), None)
        folders = parts[:special] if special is not None else folders
    stem = path.parent.name if bundle else path.name.rsplit(".", 1)[0]
    return Post(path, path.relative_to(info.root).as_posix(), meta, bundle, tuple(folders),
                stem, in_drafts)


def is_post(post: Post, info: SiteInfo) -> bool:
    """Whether a file is a post rather than a page (an about page, a home page)."""
    if info.generator in ("jekyll", "pelican"):
        return True
    data = post.meta.data
    dated = date_of(data, "date", "publishdate", "pubdate", "published") is not None \
        or DATE_PREFIX.match(post.file_slug) is not None or _dated_path(data) is not None
    if not dated and not _title(data) and not re.match(r"\s*#\s", post.meta.body):
        return False  # a template page (`template = "latest.html"`), not a post
    if info.generator == "eleventy":
        tags = {t.lower() for t in _names(data.get("tags"), split_spaces=False)}
        in_posts_dir = any(p.lower() in POST_DIRS for p in post.sections)
        return dated or in_posts_dir or bool(tags & COLLECTION_TAGS)
    return dated  # Hugo and Zola list an undated page with no date: a page, not a post


def map_post(post: Post, info: SiteInfo) -> Entry:
    """The entry a post becomes (its body not yet converted)."""
    data = {str(k).lower(): v for k, v in post.meta.data.items()}
    warnings: list[tuple[int, str]] = []
    body = post.meta.body
    title = _title(data)
    if not title:
        title, body = _title_from_body(body, post)
    date = _date(post, data, info, warnings)
    slug = slugify(_base_slug(post, data, info, title)) or "post"
    return Entry(
        post=post, slug=slug, title=title, date=date, topics=_topics(post, data, info),
        summary=_first_text(data, "description", "summary", "excerpt", "subtitle"),
        author=_author(data), draft=_draft(data, post), old_urls=_old_urls(post, data, info,
                                                                          date, title),
        original={k: _plain(v) for k, v in post.meta.data.items() if k.lower() not in MAPPED},
        body=body, warnings=warnings)


def _title(data: dict[str, Any]) -> str:
    value = data.get("title")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return " ".join(str(value).split())
    return ""


def _title_from_body(body: str, post: Post) -> tuple[str, str]:
    """A post without a title: its first `# heading` (taken out of the body, as the page shows
    the title), else its file name made readable."""
    m = re.match(r"\s*#\s+(.+?)\s*#*\s*\n", body + "\n")
    if m:
        return m.group(1), body[m.end():]
    words = DATE_PREFIX.sub("", post.file_slug).replace("-", " ").replace("_", " ").strip()
    return (words[:1].upper() + words[1:]) or post.file_slug, body


def _date(post: Post, data: dict[str, Any], info: SiteInfo,
          warnings: list[tuple[int, str]]) -> str:
    """The post's date: front matter, else the file name, else the file's time (as Eleventy
    and Pelican do), with a warning."""
    zone = ZoneInfo(info.timezone) if info.generator == "jekyll" and \
        known_timezone(info.timezone) else None
    found = date_of(data, "date", "publishdate", "pubdate", "published")
    if found and isinstance(found[1], str | int | float) and not isinstance(found[1], bool):
        text = normalise_date(found[1], zone)
        if text:
            return text
        if str(found[1]).strip() not in ("Last Modified", "Created", "git Last Modified",
                                         "git Created"):
            warnings.append((0, f"cannot read date {found[1]!r}; used the file name or file "
                                "time instead"))
    prefix = DATE_PREFIX.match(post.file_slug) or DATE_PREFIX.match(post.path.name) or \
        _dated_path(data)
    if prefix:
        try:
            return dt.date(*(int(g) for g in prefix.groups())).isoformat()
        except ValueError:
            pass
    stamp = dt.datetime.fromtimestamp(post.path.stat().st_mtime, dt.UTC).date().isoformat()
    warnings.append((0, f"no date in the front matter or file name; dated {stamp} from the "
                        "file's time: set `date:` if that is wrong"))
    return stamp


DATED_PATH = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")


def _dated_path(data: dict[str, Any]) -> re.Match[str] | None:
    """A date in the post's old path (`path = "2020/07/27/x"` in Zola, a Jekyll `permalink`,
    Hugo's `url`)."""
    for key in ("path", "permalink", "url"):
        value = data.get(key)
        if isinstance(value, str) and (m := DATED_PATH.search(value)):
            return m
    return None


def _base_slug(post: Post, data: dict[str, Any], info: SiteInfo, title: str) -> str:
    given = data.get("slug")
    if isinstance(given, str | int) and str(given).strip():
        return str(given)
    if info.generator == "pelican":
        return oldurls.ascii_slug(title) or post.file_slug
    return DATE_PREFIX.sub("", post.file_slug) or post.file_slug


def _names(value: Any, *, split_spaces: bool) -> list[str]:
    """Tag or category names from a list, or a string of one (or several, comma-separated;
    space-separated for Jekyll)."""
    if isinstance(value, str):
        if "," in value:
            return [v.strip() for v in value.split(",") if v.strip()]
        return value.split() if split_spaces else ([value.strip()] if value.strip() else [])
    return [n for v in oldurls.strings(value) for n in _names(v, split_spaces=False)]


def _topics(post: Post, data: dict[str, Any], info: SiteInfo) -> list[str]:
    jekyll = info.generator == "jekyll"
    names: list[str] = []
    for key in ("categories", "category", "tags"):
        names += _names(data.get(key), split_spaces=jekyll)
    if info.generator == "pelican" and not data.get("category"):
        names += _names(_pelican_folder(post, info), split_spaces=False)
    taxonomies = data.get("taxonomies")
    if isinstance(taxonomies, dict):
        for value in taxonomies.values():
            names += _names(value, split_spaces=False)
    if info.generator == "eleventy":
        names = [n for n in names if n.lower() not in COLLECTION_TAGS]
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _pelican_folder(post: Post, info: SiteInfo) -> str:
    """Pelican's category for a post that names none: its folder (`USE_FOLDER_AS_CATEGORY`,
    on unless the config turns it off), '' for a post at the top of the content folder."""
    if info.settings.get("USE_FOLDER_AS_CATEGORY") is False or not post.sections:
        return ""
    return post.sections[-1]


def topic_slug(name: str) -> str:
    """A topic's slug from its name: the one slug rule, with C++ and C# kept apart from C."""
    return slugify(re.sub(r"(?<=\w)#", "-sharp", re.sub(r"(?<=\w)\+", "-plus", name)))


def _first_text(data: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _author(data: dict[str, Any]) -> str:
    value = data.get("author") or data.get("authors")
    if isinstance(value, dict):
        value = value.get("name") or value.get("display_name") or ""
    names = [n.get("name", "") if isinstance(n, dict) else str(n)
             for n in (value if isinstance(value, list) else [value]) if n]
    names = [" ".join(str(n).split()) for n in names if str(n).strip()]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def _draft(data: dict[str, Any], post: Post) -> bool:
    status = str(data.get("status", "")).strip().lower()
    return post.in_drafts or data.get("draft") is True or str(data.get("draft")).lower() == \
        "true" or data.get("published") is False or status in ("draft", "hidden")


def _old_urls(post: Post, data: dict[str, Any], info: SiteInfo, date: str,
              title: str) -> list[str]:
    """The post's URL on the old site, and every alias it listed."""
    urls = [_old_url(post, data, info, date, title)]
    for key in ("aliases", "redirect_from"):
        for alias in oldurls.strings(data.get(key)):
            if not alias.startswith(("/", "http://", "https://")):
                alias = "/" + "/".join([*post.sections, alias])
            urls.append(alias)
    return [u for u in dict.fromkeys(urls) if u]


def _old_url(post: Post, data: dict[str, Any], info: SiteInfo, date: str, title: str) -> str:
    moment = oldurls.as_moment(date)
    given_slug = str(data.get("slug") or "")
    if info.generator == "jekyll":
        permalink = data.get("permalink")
        if not isinstance(permalink, str) or not permalink.strip():
            permalink = str(info.settings.get("permalink") or "date")
        cats = _names(data.get("categories"), split_spaces=True) or \
            _names(data.get("category"), split_spaces=False)
        name = given_slug or DATE_PREFIX.sub("", post.file_slug)
        return oldurls.jekyll_url(permalink, moment=moment, title=name,
                                  slug=slugify(name), categories=[*post.sections, *cats])
    if info.generator == "hugo":
        return _hugo_url(post, data, info, moment, title, given_slug)
    if info.generator == "zola":
        if isinstance(data.get("path"), str) and data["path"].strip():
            return "/" + str(data["path"]).strip().strip("/") + "/"
        name = given_slug or DATE_PREFIX.sub("", post.file_slug)
        return "/" + "/".join([*post.sections, oldurls.ascii_slug(name) or name]) + "/"
    if info.generator == "eleventy":
        permalink = data.get("permalink")
        if isinstance(permalink, str) and permalink.strip() and "{" not in permalink:
            return "/" + permalink.strip().lstrip("/")
        return "/" + "/".join([*post.sections, post.file_slug]) + "/"
    pattern = str(data.get("url") or data.get("save_as") or
                  info.settings.get("ARTICLE_URL") or "{slug}.html")
    return oldurls.pelican_url(pattern, moment=moment,
                               slug=given_slug or oldurls.ascii_slug(title),
                               category=str(data.get("category") or _pelican_folder(post, info)
                                            or info.settings.get("DEFAULT_CATEGORY") or "misc"),
                               author=_author(data), lang=str(data.get("lang") or ""))


def _hugo_url(post: Post, data: dict[str, Any], info: SiteInfo, moment: dt.datetime,
              title: str, given_slug: str) -> str:
    if isinstance(data.get("url"), str) and data["url"].strip():
        return "/" + str(data["url"]).strip().lstrip("/")
    permalinks = info.settings.get("permalinks")
    if isinstance(permalinks, dict) and isinstance(permalinks.get("page"), dict):
        permalinks = permalinks["page"]
    section = post.sections[0] if post.sections else ""
    pattern = permalinks.get(section) if isinstance(permalinks, dict) else None
    ugly = info.settings.get("uglyurls")
    if isinstance(ugly, dict):  # `[uglyURLs] posts = true`: per section
        ugly = {str(k).lower(): v for k, v in ugly.items()}.get(section.lower())
    ugly = ugly is True
    if isinstance(pattern, str):
        url = oldurls.hugo_url(pattern, moment=moment, title=title, slug=given_slug,
                               filename=post.file_slug, sections=list(post.sections))
        # Hugo adds `.html` to a permalink too when URLs are ugly: `/:filename/` is `/x.html`
        return url.rstrip("/") + ".html" if ugly and url.strip("/") else url
    name = given_slug or post.file_slug
    path = "/".join([*post.sections, name]).lower().replace(" ", "-")
    return f"/{path}.html" if ugly else f"/{path}/"


def _plain(value: Any) -> Any:
    """A value YAML can write back as it was: nested lists and mappings of plain values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


__all__ = ["Entry", "MetaError", "Post", "find_posts", "is_post", "map_post", "read_post",
           "topic_slug"]
