"""User-facing errors: every one names `path:line` and what to do."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input file, located to a line."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return one_line(f"{display_path(self.path)}:{self.line}: {self.message}")


class SitegenError(Exception):
    """An error the user can fix; carries every problem found, not just the first."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[SitegenError], tuple[list[Problem]]]:
        # as itself, with its problems, when raised in a pool worker
        return type(self), (self.problems,)


class ConfigError(SitegenError):
    """The site's configuration is missing, malformed or has a bad value."""


class ContentError(SitegenError):
    """One or more content files are malformed."""


class TemplateError(SitegenError):
    """A theme template failed to compile or render."""


class OutputError(SitegenError):
    """The build refuses to write where it was asked to: a user's files would be at risk, or
    another build holds the lock (exit 2, nothing written)."""

    exit_code = 2


class UsageError(Exception):
    """The command line asked for something impossible (exit 2)."""


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters (a NUL in a file name or a value)
    shown as escapes, so one problem is always one line."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path) -> str:
    """`path` relative to the working directory when it is inside it, else as given."""
    # abspath, not resolve: a symlink is named as itself, and a symlink loop cannot raise here
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def report(error: SitegenError, outcome: str = "") -> int:
    """Print every problem as `error: path:line: message`, then a count; return exit code 1."""
    for problem in error.problems:
        print(f"error: {problem}", file=sys.stderr)
    count = len(error.problems)
    print(f"{count} error{'s' if count != 1 else ''}{outcome}", file=sys.stderr)
    return error.exit_code
