"""Redirect pages for old URLs (`aliases:`), so links into a site's earlier home keep working."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from html import escape

from sitegen import security, urls, write
from sitegen.config import SiteConfig
from sitegen.errors import ContentError, Problem
from sitegen.model import Site


def redirect_files(site: Site, config: SiteConfig, pages: Collection[str]) -> dict[str, bytes]:
    """One small page per alias that sends the reader (and search engines) to the entry; an
    alias that would replace a page, a file or another alias is an error naming both."""
    out: dict[str, bytes] = {}
    owner: dict[str, str] = {}
    folders: set[str] | None = None  # every folder of the site's files: made at the first alias
    problems = []
    for entry in sorted(site.entries, key=lambda e: e.slug):
        for alias in entry.aliases:
            path = alias_file(alias)
            if _reserved(path):
                problems.append(Problem(entry.path, 1, f"alias /{alias} is where sitegen keeps "
                                                       "its own records or search bundle; "
                                                       "remove it from `aliases:`"))
                continue
            if path in pages or path in out:
                other = f"the entry '{owner[path]}'" if path in owner else "a page sitegen writes"
                problems.append(Problem(entry.path, 1, f"alias /{alias} is already {other}; "
                                                       "remove it from `aliases:`"))
                continue
            if folders is None:
                folders = {folder for rel in pages for folder in _folders_of(rel)}
            # a file where a folder of the site's must be, or the reverse: `/feed.xml/`
            both = path if path in folders else next(
                (f for f in _folders_of(path) if f in pages or f in out), None)
            if both is not None:
                problems.append(Problem(entry.path, 1, f"alias /{alias} needs /{both} to be a "
                                                       "folder and a file at once (the site "
                                                       "has it as the other); remove it from "
                                                       "`aliases:`"))
                continue
            folders.update(_folders_of(path))
            owner[path] = entry.slug
            out[path] = redirect_page(urls.absolute(config.base_url, urls.entry(entry.slug)),
                                      config.language)
    if problems:
        raise ContentError(problems)
    return out


def _folders_of(rel: str) -> Iterator[str]:
    """The folders that hold the file `rel`: `a/b/c.html` is in `a/b` and in `a`."""
    while "/" in rel:
        rel = rel.rpartition("/")[0]
        yield rel


def _reserved(path: str) -> bool:
    """Whether a redirect page at `path` would stand where the build keeps its manifest or
    commit journal, or inside the search bundle's folder (which the search stage owns)."""
    first = path.split("/", 1)[0]
    return first in (write.MANIFEST, write.JOURNAL, write.OLD_MANIFEST, write.BUNDLE)


def alias_file(alias: str) -> str:
    """The file that answers an old URL: `2021/x/` and `2021/x` are `2021/x/index.html`,
    `old.html` is itself."""
    if alias.endswith("/"):
        return alias + "index.html"
    last = alias.rsplit("/", 1)[-1]
    return alias if "." in last else alias + "/index.html"


def redirect_page(target: str, language: str) -> bytes:
    """A page that sends the reader on to `target` at once, without JavaScript."""
    href = escape(target, quote=True)
    return (f'<!doctype html>\n<html lang="{escape(language)}">\n<meta charset="utf-8">\n'
            f"<title>Moved</title>\n<link rel=\"canonical\" href=\"{href}\">\n"
            f'<meta name="robots" content="noindex">\n{security.head_tags()}'
            f'<meta http-equiv="refresh" content="0; url={href}">\n'
            f'<p>This page has moved to <a href="{href}">{href}</a>.</p>\n</html>\n').encode()
