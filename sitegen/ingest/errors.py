"""Ingest errors: each names the input file, the line where one applies, and the fix."""

from __future__ import annotations

from dataclasses import dataclass

from sitegen.errors import Problem, SitegenError, display_path


@dataclass(frozen=True)
class FileProblem(Problem):
    """A problem with a whole file, where no line applies (e.g. it cannot be opened)."""

    def __str__(self) -> str:
        return f"{display_path(self.path)}: {self.message}"


class IngestError(SitegenError):
    """An input article, an option or the drafts folder stops the ingest; nothing was written."""
