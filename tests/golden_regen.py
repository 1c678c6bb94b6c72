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
    if static is not None:
        shutil.copytree(out / "static", static)
    shutil.rmtree(out / "static", ignore_errors=True)
    shutil.rmtree(SOURCE / ".sitegen-cache", ignore_errors=True)
    return code


if __name__ == "__main__":
    shutil.rmtree(EXPECTED, ignore_errors=True)
    raise SystemExit(build_golden(EXPECTED))
