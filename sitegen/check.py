"""`sitegen check`: load, assemble and render in memory, and check internal links; write nothing."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from pathlib import Path

from sitegen import search, urls
from sitegen.assemble import assemble_site
from sitegen.build import load_stage, render_stage
from sitegen.cache import Cache
from sitegen.config import SiteConfig
from sitegen.errors import ContentError, Problem
from sitegen.model import Site
from sitegen.write import Planned

log = logging.getLogger(__name__)
HREF = re.compile(r'href="([^"#?]*)')


def check(config: SiteConfig, *, drafts: bool = False) -> int:
    """Validate the site; raise ContentError listing every problem; return the entry count."""
    entries, digests, _ = load_stage(config, Cache(None), drafts=drafts)
    site = assemble_site(entries, config)
    files = render_stage(site, config, digests)
    problems = broken_links(site, set(files) | search_files(site, files))
    if problems:
        raise ContentError(problems)
    log.info("Checked %d entries, %d topics: no problems", len(entries), len(config.topics))
    return len(entries)


def broken_links(site: Site, outputs: set[str]) -> list[Problem]:
    """Root-relative links in entry bodies to pages that the build does not produce."""
    problems = []
    for entry in site.entries:
        for href in HREF.findall(entry.body_html):
            if href.startswith("/") and not href.startswith("//") \
                    and not _exists(href[1:], outputs):
                problems.append(Problem(Path(entry.path), 1, f"link to {href} leads nowhere; "
                                                             "fix or remove it"))
    return problems


def search_files(site: Site, files: Mapping[str, Planned]) -> set[str]:
    """The search bundle's files a link could name without running Pagefind: its list of
    partitions and each partition's script, as the build would lay them out."""
    sizes = {rel: len(p.data) if isinstance(p.data, bytes) else 0
             for rel, p in files.items() if search.is_record_page(rel)}
    partitions = search.plan_partitions(site.entries, sizes)
    names = {f"{search.BUNDLE}/{p.name}/{file}" for p in partitions
             for file in ("pagefind.js", search.ORDER)}
    return names | {f"{search.BUNDLE}/{search.MANIFEST}"} if partitions else set()


def _exists(rel: str, outputs: set[str]) -> bool:
    return urls.output_file(rel) in outputs or rel in outputs
