"""Regenerate the golden site: `make golden` (review the diff, then commit it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sitegen.cli import main

GOLDEN = Path(__file__).resolve().parent / "golden"
SOURCE = GOLDEN / "src"
EXPECTED = GOLDEN / "expected"


def build_golden(out: Path, static: Path | None = None) -> int:
    """Build the fixture site into `out`, without the search bundle (binary, versioned) and the
    theme's static files (copied verbatim; moved to `static` when given, for the test that
    compares them with the theme)."""
    code = main(["build", "--config", str(SOURCE / "sitegen.toml"), "--out", str(out), "-q"])
    shutil.rmtree(out / "pagefind", ignore_errors=True)
    drop_bookkeeping(out)
    if static is not None:
        shutil.copytree(out / "static", static)
    shutil.rmtree(out / "static", ignore_errors=True)
    shutil.rmtree(SOURCE / ".sitegen-cache", ignore_errors=True)
    return code


IMPORT_SOURCE = GOLDEN.parent / "importer" / "fixtures" / "hugo"
IMPORTED = GOLDEN / "imported"


def drop_bookkeeping(site: Path) -> None:
    """Remove the build's own records (the manifest of stats, the lock beside the folder):
    they say when files were written, not what the site is."""
    (site / ".sitegen-manifest.json").unlink(missing_ok=True)
    (site.parent / f".{site.name}.lock").unlink(missing_ok=True)


def build_imported(out: Path, work: Path) -> int:
    """Import the Hugo fixture site into `work`, then build it under a subpath into `out`: the
    new site's files (`out/source/`) and its built pages (`out/site/`), without the search
    bundle and theme files."""
    code = main(["import", str(IMPORT_SOURCE), "--out", str(work), "-q"])
    if code:
        return code
    code = main(["build", "--config", str(work / "sitegen.toml"), "--out", str(out / "site"),
                 "--base-url", "/river/", "-q"])
    shutil.rmtree(out / "site" / "pagefind", ignore_errors=True)
    shutil.rmtree(out / "site" / "static", ignore_errors=True)
    drop_bookkeeping(out / "site")
    shutil.rmtree(work / ".sitegen-cache", ignore_errors=True)
    shutil.copytree(work, out / "source")
    return code


if __name__ == "__main__":
    import tempfile

    shutil.rmtree(EXPECTED, ignore_errors=True)
    shutil.rmtree(IMPORTED, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        codes = build_golden(EXPECTED), build_imported(IMPORTED, Path(tmp) / "imported")
    raise SystemExit(max(codes))
