"""The search bundle: Pagefind indexes the built entry pages in one call of its binary."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from sitegen import urls
from sitegen.errors import Problem, SitegenError
from sitegen.model import Site

log = logging.getLogger(__name__)
BUNDLE = "pagefind"
STAMP = ".sitegen-records"
# The pages Pagefind reads: entry pages only, so a timeline or topic page is never a result.
RECORD_PAGES = urls.output_file(urls.entry("*"))
# Pagefind's prebuilt UIs (418 KB): our search page drives pagefind.js itself, so they are
# never loaded and need not be published.
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js",
          "pagefind-modular-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css",
          "pagefind-highlight.js")


def records_digest(site: Site, base_path: str) -> str:
    """A hash of everything a search record holds; the same digest means the same index."""
    records = [
        [e.slug, e.title, e.datetime_attr, e.summary, list(e.topics), e.body_html,
         [s.publisher for s in e.sources], e.draft]
        for e in site.entries
    ]
    payload = json.dumps([_pagefind_version(), base_path, records], sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def index_site(site_dir: Path, digest: str, pages: Mapping[str, bytes] | None = None) -> bool:
    """Build `site_dir/pagefind/` unless its stamp says it already indexes these records.

    The stamp also covers the bytes of the entry pages, which are exactly what Pagefind reads:
    a theme change to what the entry template marks for search re-indexes too. `pages` (path ->
    bytes) spares reading them back when the caller has them; default: read from `site_dir`.
    The new bundle replaces the old one only once it is complete, so a failure leaves the old
    one in place.
    """
    bundle = site_dir / BUNDLE
    pages = _read_pages(site_dir) if pages is None else pages
    key = _pages_digest(digest, pages)
    if _stamped(bundle, key):
        return False
    if not pages:
        shutil.rmtree(bundle, ignore_errors=True)
        log.info("no entries to index; the site has no search bundle")
        return False
    fresh = site_dir / f".{BUNDLE}.tmp"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        _run_pagefind(site_dir, fresh)
        for name in UNUSED:
            (fresh / name).unlink(missing_ok=True)
        (fresh / STAMP).write_text(key)
        shutil.rmtree(bundle, ignore_errors=True)
        fresh.rename(bundle)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return True


def is_current(site_dir: Path, digest: str, pages: Mapping[str, bytes]) -> bool:
    """Whether `site_dir`'s bundle already indexes these records and entry pages (or, with no
    entries, whether there is rightly no bundle)."""
    bundle = site_dir / BUNDLE
    return _stamped(bundle, _pages_digest(digest, pages)) if pages else not bundle.exists()


def is_record_page(rel: str) -> bool:
    """Whether the output file `rel` is an entry page, which Pagefind indexes."""
    return rel.startswith("entries/") and rel.endswith("/index.html") and rel.count("/") == 2


def stamp(site: Site, base_path: str, page_digests: Mapping[str, str]) -> str:
    """A digest of everything the index depends on: the records and the bytes of the pages."""
    h = hashlib.sha256(records_digest(site, base_path).encode())
    for rel in sorted(page_digests):
        h.update(f"{rel}\0{page_digests[rel]}\0".encode())
    return h.hexdigest()


def index_pages(out: Path, pages: Mapping[str, bytes | None]) -> dict[str, bytes]:
    """Run Pagefind over the entry pages; return the bundle's files (path in it -> bytes).

    A page given as None is unchanged and read where the live site has it (hard-linked into
    a private folder beside `out`, never written through): Pagefind sees exactly the new
    site's entry pages, and the live site is untouched until the build publishes.
    """
    if not pages:
        log.info("no entries to index; the site has no search bundle")
        return {}
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.search-") as tmp:
        view, bundle = Path(tmp) / "site", Path(tmp) / "bundle"
        for rel, data in pages.items():
            target = view / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if data is None:
                _link_or_copy(out / rel, target)
            else:
                target.write_bytes(data)
        _run_pagefind(view, bundle)
        return {p.relative_to(bundle).as_posix(): p.read_bytes()
                for p in sorted(bundle.rglob("*")) if p.is_file() and p.name not in UNUSED}


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def record_pages(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The entry pages among a build's output files: what Pagefind indexes."""
    return {rel: data for rel, data in files.items()
            if rel.startswith("entries/") and rel.endswith("/index.html")
            and rel.count("/") == 2}


def _read_pages(site_dir: Path) -> dict[str, bytes]:
    return {p.relative_to(site_dir).as_posix(): p.read_bytes()
            for p in site_dir.glob(RECORD_PAGES)}


def _stamped(bundle: Path, key: str) -> bool:
    stamp = bundle / STAMP
    return stamp.is_file() and stamp.read_text() == key and (bundle / "pagefind.js").is_file()


def _pages_digest(digest: str, pages: Mapping[str, bytes]) -> str:
    h = hashlib.sha256(digest.encode())
    for rel in sorted(pages):
        data = pages[rel]
        h.update(f"{rel}\0{len(data)}\0".encode())
        h.update(data)
    return h.hexdigest()


def _run_pagefind(site_dir: Path, output: Path) -> None:
    command = [str(_executable(site_dir)), "--site", str(site_dir), "--glob", RECORD_PAGES,
               "--output-path", str(output), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as e:
        raise _failure(site_dir, f"cannot run {command[0]} ({e.strerror})") from e
    if result.returncode != 0 or not (output / "pagefind.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise _failure(site_dir, detail[0])


def _failure(site_dir: Path, detail: str) -> SitegenError:
    return SitegenError(Problem(site_dir, 1, f"search indexing failed: {detail}; "
                                             "the previous site was left as it was"))


def _executable(site_dir: Path) -> Path:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]

        return Path(get_executable())
    except (ImportError, OSError) as e:
        raise _failure(site_dir, f"the Pagefind binary is missing ({e}); "
                                 "install it with `pip install 'pagefind[bin]'`") from e


def _pagefind_version() -> str:
    try:
        from importlib.metadata import version

        return version("pagefind_bin")
    except Exception:  # noqa: BLE001 - a missing version only weakens the cache key
        return "unknown"
