"""`sitegen ingest`: argument parsing only; `run()` calls `ingest()` and prints its report."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen.config import find_config, load_config
from sitegen.errors import SitegenError, report

DESCRIPTION = """Turn raw articles (a live blog, a briefing or a plain article; text, Markdown
or a saved HTML page) into one dated, tagged draft entry per event. Repeated posts are merged;
nothing is written if any input is bad or any existing file would be overwritten."""


def add_parser(subparsers: Any,
               parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
    """Add the `ingest` command to `subparsers`; its `run` is set as the `run` default."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "ingest", parents=list(parents), help="draft entries from raw articles",
        description=DESCRIPTION)
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE",
                        help="article files: .txt, .md or .html, or - for standard input "
                             "(its format is told from its text)")
    parser.add_argument("--published", type=iso_date, metavar="YYYY-MM-DD",
                        help="the articles' publication date; relative dates count from it "
                             "(needed unless the file states its own)")
    parser.add_argument("--publisher", required=True, metavar="NAME", type=_named,
                        help="who published the articles, e.g. \"The Sun\"")
    parser.add_argument("--url", default="", type=web_url,
                        help="the article's address, cited in each draft")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where drafts go (default: content/drafts/)")
    parser.add_argument("--force", action="store_true",
                        help="replace existing drafts and ignore curated entries' slugs")
    parser.add_argument("--dry-run", action="store_true",
                        help="print what would be drafted; write nothing")
    parser.add_argument("--explain", action="store_true",
                        help="also show how each file was split: which lines became which post "
                             "and draft, and which were left out and why")
    with contextlib.suppress(argparse.ArgumentError):  # a parent may already offer these
        parser.add_argument("--config", type=Path, help="sitegen.toml or pyproject.toml to use")
    with contextlib.suppress(argparse.ArgumentError):
        parser.add_argument("-q", "--quiet", action="count", default=0,
                            help="print only the last line (and errors)")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run an ingest from parsed arguments; print the report (with -q, its last line) or every
    error. Return the exit code: 0, or 1 when nothing was written because of an error."""
    from sitegen.ingest.pipeline import Request, ingest
    from sitegen.ingest.report import render_report

    try:
        config = load_config(Path(args.config) if args.config else find_config(Path.cwd()))
        request = Request(files=tuple(args.files), publisher=args.publisher,
                          published=args.published, url=args.url,
                          out_dir=(args.out or config.drafts_dir).resolve(),
                          entries_dir=config.entries_dir, force=args.force,
                          dry_run=args.dry_run)
        outcome = ingest(request, config.topics)
    except SitegenError as e:
        return report(e, "; nothing was written")
    table = render_report(outcome)
    print(table.splitlines()[-1] if getattr(args, "quiet", 0) else table)
    if args.explain:
        from sitegen.ingest.explain import render_explain

        print()
        print(render_explain(outcome))
    return 0


def iso_date(text: str) -> dt.date:
    """argparse type for YYYY-MM-DD."""
    from sitegen.ingest.pipeline import EARLIEST, LATEST

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it as YYYY-MM-DD, "
                                         "e.g. 2022-12-30") from None
    if not EARLIEST <= day <= LATEST:
        raise argparse.ArgumentTypeError(f"{text!r} is out of range; give a date from "
                                         f"{EARLIEST} to {LATEST}")
    return day


def web_url(text: str) -> str:
    """argparse type for --url: an http(s) address, or empty."""
    from sitegen.urls import is_web_url

    if text.strip() and not is_web_url(text.strip()):
        raise argparse.ArgumentTypeError(f"{text!r} is not an http(s) address; give the "
                                         "article's URL, e.g. https://example.org/story")
    return text.strip()


def _named(text: str) -> str:
    """argparse type for a name that must not be blank."""
    if not text.strip():
        raise argparse.ArgumentTypeError("give the publisher's name, e.g. --publisher \"The Sun\"")
    return text.strip()


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m sitegen.ingest FILE... --publisher NAME ...` (the same as `sitegen ingest`)."""
    parser = argparse.ArgumentParser(prog="sitegen")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["ingest", *(sys.argv[1:] if argv is None else argv)])
    return int(args.run(args))
