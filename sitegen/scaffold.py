"""`sitegen init` and `sitegen new`: create a site or an entry file, never overwriting one."""

from __future__ import annotations

import json
import logging
import os
import re
import unicodedata
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.errors import Problem, SitegenError, UsageError
from sitegen.load import parse_date

log = logging.getLogger(__name__)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")

SITE_TOML = '''\
# The settings of this sitegen site. Paths resolve against this file's folder.
title = "My Timeline"
description = "A curated, dated record of events, each summarised from published reporting."
base_url = "/"
language = "en"
timezone = "UTC"
entries_per_page = 50
# Feed entry ids are tag:AUTHORITY,DATE:SLUG and must never change once published: set this
# once to a domain or an email address you own, then leave it.
tag_authority = "my-timeline.sitegen.invalid"

[[topics]]
slug = "example"
name = "Example"
description = "A topic to show how topics work; rename or replace it."
keywords = ["example"]
'''

SAMPLE_ENTRY = '''\
---
title: The timeline opens with its first entry
date: {date}
topics: [example]
sources:
  - publisher: The editors
    headline: How this timeline is made
    published: {date}
summary: Each entry records one event on the day it happened, with its sources.
---
This is a sample entry. Each file under `content/entries/` is one event: the front matter
above says what happened, when, under which topics and who reported it; this body
summarises it in your own words.

Replace this file with your first real entry, then run `sitegen build`.
'''


def init_site(folder: Path) -> None:
    """Scaffold a site in `folder` (created if missing) that builds at once."""
    config = folder / "sitegen.toml"
    entry = folder / "content" / "entries" / "2024" / "2024-01-01-timeline-opens.md"
    for path in (config, entry):
        if path.is_symlink() and not path.exists():  # writing would create its target
            raise SitegenError(Problem(path, 1, "is a dangling symlink; `sitegen init` never "
                                                "writes through one: remove it or choose an "
                                                "empty folder"))
        if os.path.lexists(path):
            raise SitegenError(Problem(path, 1, "already exists; `sitegen init` never "
                                                "overwrites a file: choose an empty folder"))
    make_folder(entry.parent)
    create_file(config, SITE_TOML)
    create_file(entry, SAMPLE_ENTRY.format(date="2024-01-01"))
    log.info("Created a site in %s; build it with: cd %s && sitegen build", folder, folder)


def make_folder(folder: Path) -> None:
    """Create `folder` and its parents; a file in the way is an error naming it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        blocker = next((p for p in (folder, *folder.parents)
                        if os.path.lexists(p) and not p.is_dir()), folder)
        raise SitegenError(Problem(blocker, 1, f"is a file, not a folder, so {folder} cannot "
                                   "be made; move or rename it")) from e


def create_file(path: Path, text: str) -> None:
    """Write a new file; never replace one (nor write through a dangling symlink)."""
    try:
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError as e:
        raise SitegenError(Problem(path, 1, "already exists; sitegen never overwrites a "
                                   "file")) from e


def slugify(title: str) -> str:
    """'Lviv runs on hourly power cuts!' -> 'lviv-runs-on-hourly-power-cuts'."""
    unquoted = re.sub(r"['\u2019]", "", title)
    ascii_title = unicodedata.normalize("NFKD", unquoted).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:8]) or "entry"


def new_entry(config: SiteConfig, title: str, date: str, topics: list[str]) -> Path:
    """Write content/entries/YYYY/YYYY-MM-DD-slug.md for a new event; refuse to overwrite."""
    title = title.strip()
    if not title:
        raise UsageError("the title is empty; give one, e.g. sitegen new \"Bridge reopens\" ...")
    if CONTROL.search(title) or any(0xD800 <= ord(c) <= 0xDFFF for c in title):
        raise UsageError(f"the title {title!r} holds a line break or a control character; "
                         "give a title on one line of plain text")
    parsed = parse_date(date)
    if parsed is None:
        raise UsageError(f"--date {date!r} is not a date; write it as YYYY-MM-DD")
    unknown = [t for t in topics if t not in config.topic_slugs]
    if unknown:
        raise UsageError(f"unknown topic {unknown[0]!r}; known topics: "
                         + ", ".join(sorted(config.topic_slugs)))
    day = parsed[0]
    path = config.entries_dir / f"{day.year:04d}" / f"{day.isoformat()}-{slugify(title)}.md"
    if os.path.lexists(path):
        raise SitegenError(Problem(path, 1, "already exists; pick another title or edit it"))
    make_folder(path.parent)
    # JSON's string syntax is YAML's double-quoted one: every quote and backslash escaped
    create_file(path, f'---\ntitle: {json.dumps(title, ensure_ascii=False)}\n'
                      f'date: {date.strip()}\ntopics: [{", ".join(topics)}]\n'
                      "sources: []  # - {publisher: ..., author: ..., headline: ..., "
                      "published: YYYY-MM-DD, url: ...}\n"
                      "---\nWhat happened, in your words, citing the source.\n")
    print(path)
    return path
