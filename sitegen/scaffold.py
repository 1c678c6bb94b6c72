"""`sitegen init` and `sitegen new`: create a site or an entry file, never overwriting one."""

from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from sitegen.config import SiteConfig
from sitegen.errors import Problem, SitegenError, UsageError
from sitegen.load import parse_date

log = logging.getLogger(__name__)

SITE_TOML = '''\
# The settings of this sitegen site. Paths resolve against this file's folder.
title = "My Timeline"
description = "A curated, dated record of events, each summarised from published reporting."
base_url = "/"
language = "en"
timezone = "UTC"
entries_per_page = 50

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
        if path.exists():
            raise SitegenError(Problem(path, 1, "already exists; `sitegen init` never "
                                                "overwrites a file: choose an empty folder"))
    entry.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(SITE_TOML, encoding="utf-8")
    entry.write_text(SAMPLE_ENTRY.format(date="2024-01-01"), encoding="utf-8")
    log.info("Created a site in %s; build it with: cd %s && sitegen build", folder, folder)


def slugify(title: str) -> str:
    """'Lviv runs on hourly power cuts!' -> 'lviv-runs-on-hourly-power-cuts'."""
    unquoted = re.sub(r"['\u2019]", "", title)
    ascii_title = unicodedata.normalize("NFKD", unquoted).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    return "-".join(words[:8]) or "entry"


def new_entry(config: SiteConfig, title: str, date: str, topics: list[str]) -> Path:
    """Write content/entries/YYYY/YYYY-MM-DD-slug.md for a new event; refuse to overwrite."""
    parsed = parse_date(date)
    if parsed is None:
        raise UsageError(f"--date {date!r} is not a date; write it as YYYY-MM-DD")
    unknown = [t for t in topics if t not in config.topic_slugs]
    if unknown:
        raise UsageError(f"unknown topic {unknown[0]!r}; known topics: "
                         + ", ".join(sorted(config.topic_slugs)))
    day = parsed[0]
    path = config.entries_dir / f"{day.year:04d}" / f"{day.isoformat()}-{slugify(title)}.md"
    if path.exists():
        raise SitegenError(Problem(path, 1, "already exists; pick another title or edit it"))
    path.parent.mkdir(parents=True, exist_ok=True)
    quoted = title.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(f'---\ntitle: "{quoted}"\ndate: {date}\ntopics: [{", ".join(topics)}]\n'
                    "sources: []  # - {publisher: ..., author: ..., headline: ..., "
                    "published: YYYY-MM-DD, url: ...}\n"
                    "---\nWhat happened, in your words, citing the source.\n",
                    encoding="utf-8")
    print(path)
    return path
