"""Regenerate the drafts each fixture article must produce: `python -m tests.ingest.regen`.

Review the diff of tests/ingest/fixtures/*/expected/ before committing it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

from sitegen.ingest.cli import main
from tests.ingest.conftest import FIXTURES, site_toml

# case -> (input file, command-line arguments besides the file)
CASES: dict[str, tuple[str, list[str]]] = {
    "liveblog": ("article.txt", ["--published", "2023-02-15", "--publisher", "The Daily Courier"]),
    "briefing": ("article.txt", ["--published", "2023-03-10", "--publisher", "The Morning Ledger"]),
    "plain": ("article.txt", ["--publisher", "Lviv Evening Post"]),  # dated by its dateline
    "markdown": ("article.md", ["--publisher", "Anniversary Wire"]),  # dated by front matter
    "html": ("article.html", ["--publisher", "Harbour Post"]),  # dated by its <meta>
    # issue 12: timestamped live blogs, sectioned briefings, saved news pages, plain articles
    "stamped-text": ("article.txt", ["--published", "2023-05-12", "--publisher", "Harbour Post"]),
    "sections-md": ("article.md", ["--published", "2023-09-08", "--publisher",
                                   "The Morning Ledger"]),
    "stamped-md": ("article.md", ["--publisher", "Danube Dispatch"]),  # front matter date
    "stamped-dash": ("article.txt", ["--published", "2023-05-23", "--publisher",
                                     "Eastern Ledger"]),  # "2.40pm - Title" on one line
    "sections-paragraphs": ("article.md", ["--publisher", "The Kyiv Letter"]),
    "sections-leadins": ("article.md", ["--published", "2023-05-24", "--publisher",
                                        "Ukraine Daily"]),
    "page-roundup": ("article.html", ["--publisher", "North Sea Wire"]),  # JSON-LD date
    "page-single": ("article.html", ["--publisher", "Riverside Herald"]),  # meta date
    "page-liveblog": ("article.html", ["--publisher", "Eastern Ledger"]),  # timed posts
    "page-wire": ("article.html", ["--publisher", "Wire"]),  # "Elsewhere, ..." paragraphs
    "plain-single": ("article.txt", ["--published", "2023-12-18", "--publisher",
                                     "Harbour Wire"]),  # a Monday
    "plain-dateline": ("article.txt", ["--published", "2023-03-14", "--publisher",
                                       "Volyn Courier"]),  # a Tuesday
}


def run_case(case: str, site: Path) -> tuple[int, str]:
    """Ingest one fixture in `site` (which must be the working directory): exit code, output."""
    name, args = CASES[case]
    shutil.copyfile(FIXTURES / case / name, site / name)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main([name, *args])
    return code, stdout.getvalue()


def regenerate(case: str) -> None:
    expected = FIXTURES / case / "expected"
    shutil.rmtree(expected, ignore_errors=True)
    with tempfile.TemporaryDirectory() as temp:
        site = Path(temp)
        (site / "sitegen.toml").write_text(site_toml(), encoding="utf-8")
        here = Path.cwd()
        os.chdir(site)
        try:
            code, out = run_case(case, site)
        finally:
            os.chdir(here)
        assert code == 0, f"{case}: exit {code}"
        shutil.copytree(site / "content" / "drafts", expected)
        (expected / "report.txt").write_text(out, encoding="utf-8")


if __name__ == "__main__":
    for case in CASES:
        regenerate(case)
        print(f"regenerated {FIXTURES / case / 'expected'}")
