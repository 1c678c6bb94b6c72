"""The search bundle: Pagefind indexes the built entry pages in one call of its binary."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
from pathlib import Path

from sitegen.errors import Problem, SitegenError
from sitegen.model import Site

log = logging.getLogger(__name__)
BUNDLE = "pagefind"
STAMP = ".sitegen-records"


def records_digest(site: Site, base_path: str) -> str:
    """A hash of everything a search record holds; the same digest means the same index."""
    records = [
        [e.slug, e.title, e.datetime_attr, e.summary, list(e.topics), e.body_html,
         [s.publisher for s in e.sources], e.draft]
        for e in site.entries
    ]
    payload = json.dumps([_pagefind_version(), base_path, records], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def index_site(staging: Path, digest: str) -> bool:
    """Build `staging/pagefind/` unless its stamp says it already indexes these records."""
    bundle = staging / BUNDLE
    stamp = bundle / STAMP
    if stamp.is_file() and stamp.read_text() == digest:
        return False
    if bundle.exists():
        shutil.rmtree(bundle)
    _run_pagefind(staging)
    stamp.write_text(digest)
    return True


def _run_pagefind(site_dir: Path) -> None:
    command = [str(_executable()), "--site", str(site_dir), "--output-subdir", BUNDLE, "--silent"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (site_dir / BUNDLE / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SitegenError(Problem(site_dir, 1, f"search indexing failed: {detail[0]}; "
                                                "the previous site was left as it was"))


def _executable() -> Path:
    from pagefind_bin import get_executable  # type: ignore[import-untyped]

    return Path(get_executable())


def _pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind_bin")
    except Exception:  # noqa: BLE001 - a missing version only weakens the cache key
        return "unknown"
