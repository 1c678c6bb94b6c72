"""Files published beside the pages: a post's images and attachments, and `content/files/`.

A page bundle (`my-post/index.md`) publishes every other file in its folder beside its page, at
`entries/my-post/...`; any post publishes the files beside it that it links to relatively
(`![](img/map.png)`), so those links work unchanged at `/` and under a subpath. `content/files/`
is published at the site root as it is (`files/images/a.png` is `/images/a.png`).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Container, Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from sitegen import urls
from sitegen.config import SiteConfig
from sitegen.errors import ContentError, Problem
from sitegen.load import BUNDLE_INDEX, ENTRY_SUFFIXES
from sitegen.model import Entry, Site
from sitegen.write import BUNDLE

# A src or href with no scheme (no colon before a / or the end), not root-relative, not a
# fragment: relative to the post's own folder.
LOCAL_REF = re.compile(r'\s(?:src|href)="(?![#/?])([^":#?]+)(?:[#?][^"]*)?"')


def asset_files(site: Site, config: SiteConfig, pages: Container[str],
                known: Mapping[str, dict[str, Path]] | None = None) -> dict[str, bytes]:
    """Every post's files and `content/files/`, keyed by output path; a file that would
    replace a page sitegen writes is an error naming it. `known`: `entry_assets` of some
    entries, by slug, found already (by the render workers, beside each page)."""
    found: dict[str, Path] = {}
    known = known or {}
    for entry in site.entries:
        mine = known.get(entry.slug)
        found.update(entry_assets(entry) if mine is None else mine)
    found.update(site_files(config.files_dir))
    clashes = [Problem(src, 1, f"would replace /{out}, which sitegen writes itself; "
                               "rename or move the file")
               if out in pages else
               Problem(src, 1, f"would go in /{BUNDLE}/, the search bundle's folder, which "
                               "the search stage owns (a file there would be dropped or "
                               "replaced); rename or move the file")
               for out, src in sorted(found.items())
               if out in pages or out.partition("/")[0] == BUNDLE]
    if clashes:
        raise ContentError(clashes)
    return {out: src.read_bytes() for out, src in sorted(found.items())}


def entry_assets(entry: Entry) -> dict[str, Path]:
    """The files one entry publishes: output path -> source file."""
    folder = entry.path.parent
    base = urls.entry(entry.slug)
    found: dict[str, Path] = {}
    if entry.path.name in BUNDLE_INDEX:
        for name in regular_files(folder):
            if not name.endswith(ENTRY_SUFFIXES):
                found[base + name] = folder / name
    for ref in _local_refs(entry.body_html):
        rel = PurePosixPath(unquote(html.unescape(ref)))
        if rel.is_absolute() or ".." in rel.parts or not rel.parts \
                or rel.suffix in ENTRY_SUFFIXES:
            continue  # `%2Fetc%2Fpasswd` is /etc/passwd once decoded: never beside the post
        source = folder / rel
        if source.is_file() and not source.is_symlink():
            found[base + rel.as_posix()] = source
    return found


def _local_refs(body_html: str) -> tuple[str, ...]:
    """The relative links in a body, kept per body text: `serve` rebuilds see the same bodies
    again and again. Kept by a digest of the text, not the text itself: a build that keeps
    its bodies out of memory (bodies.py) must not have them all held here instead."""
    key = hashlib.blake2b(body_html.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    refs = _REFS.get(key)
    if refs is None:
        if len(_REFS) >= 1 << 17:
            _REFS.clear()
        refs = _REFS[key] = tuple(LOCAL_REF.findall(body_html))
    return refs


_REFS: dict[bytes, tuple[str, ...]] = {}


def site_files(folder: Path) -> dict[str, Path]:
    """`content/files/` published at the site root."""
    return {rel: folder / rel for rel in regular_files(folder)} if folder.is_dir() else {}


def regular_files(folder: Path) -> list[str]:
    """Regular files under `folder` (not links, not hidden), as sorted posix paths: a link
    may lead anywhere on the machine, and is never published."""
    out = []
    for parent, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            path = os.path.join(parent, name)
            if not name.startswith(".") and os.path.isfile(path) and not os.path.islink(path):
                out.append(Path(path).relative_to(folder).as_posix())
    return sorted(out)
