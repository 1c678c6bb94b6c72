"""`sitegen import`: argument parsing only; `run()` calls `import_site()` and prints its report."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sitegen.importer import GENERATORS

DESCRIPTION = """Create a new sitegen site in DIR from a Jekyll, Hugo, Zola, Eleventy or Pelican
site (or a folder of its posts). SRC is only read; DIR must be new or empty."""


def add_parser(subparsers: Any,
               parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
    """Add the `import` command to `subparsers`; its `run` is set as the `run` default."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "import", parents=list(parents), help="create a site from another generator's site",
        description=DESCRIPTION)
    parser.add_argument("src", type=Path, metavar="SRC", help="the old site's folder")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR",
                        help="the new site's folder (must be new or empty)")
    parser.add_argument("--from", dest="generator", default="auto",
                        choices=("auto", *GENERATORS), help="the old site's generator")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Import, print each warning and the summary; 0 on success."""
    from sitegen.importer.run import import_site

    report = import_site(args.src, args.out, args.generator)
    for warning in report.warning_lines():
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    return 0
