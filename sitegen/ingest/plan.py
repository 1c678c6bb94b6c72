"""Check every draft against the files already there, then write them all or none."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sitegen.errors import Problem, display_path
from sitegen.ingest.drafts import Draft, render
from sitegen.ingest.errors import FileProblem, IngestError
from sitegen.load import entry_files
from sitegen.safeio import UnreadableFile, read_regular_file

log = logging.getLogger(__name__)

DATE_PREFIX_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-")
SLUG_KEY_RE = re.compile(r"^slug:\s*['\"]?([^'\"\s#]+)", re.MULTILINE)


@dataclass(frozen=True)
class Planned:
    """A draft, its bytes, and what writing it does: "new", "unchanged" or "replaced"."""

    draft: Draft
    content: bytes
    status: str


def plan_writes(drafts: Sequence[Draft], entries_dir: Path, *, force: bool) -> tuple[Planned, ...]:
    """What writing `drafts` would do; raise IngestError listing every file it would clobber.

    A draft clobbers an existing draft with other bytes, and a curated entry with the same
    file name or slug (with or without its date); `force` allows both. Identical bytes are
    "unchanged", so running twice on the same input succeeds and changes nothing.
    """
    curated = _curated_slugs(entries_dir)
    planned: list[Planned] = []
    problems: list[Problem] = []
    for draft in drafts:
        content = render(draft).encode("utf-8")
        existing = _read(draft.path)
        entry = curated.get(draft.path.stem) or curated.get(_undated(draft.path.stem))
        if entry is not None and entry != draft.path and not force:
            problems.append(Problem(draft.origin, draft.line, (
                f"this post is already curated as {display_path(entry)} (same slug); delete "
                f"that entry first, or pass --force to write {draft.path.name} as well")))
        elif existing is None:
            planned.append(Planned(draft, content, "new"))
        elif existing == content:
            planned.append(Planned(draft, content, "unchanged"))
        elif force:
            planned.append(Planned(draft, content, "replaced"))
        else:
            problems.append(Problem(draft.origin, draft.line, (
                f"{display_path(draft.path)} already exists and differs (edited?); pass "
                "--force to replace it, or move it out of the way")))
    if problems:
        raise IngestError(problems)
    return tuple(planned)


def write_all(planned: Sequence[Planned], out_dir: Path) -> None:
    """Write every new or changed draft: all to temporary files first, then rename each."""
    pending = [p for p in planned if p.status != "unchanged"]
    if not pending:
        return
    staged: list[tuple[str, Path]] = []
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in pending:
            handle, temp = tempfile.mkstemp(dir=out_dir, prefix=".ingest-", suffix=".tmp")
            staged.append((temp, item.draft.path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(item.content)
    except OSError as e:
        for temp, _ in staged:
            Path(temp).unlink(missing_ok=True)
        raise IngestError(FileProblem(out_dir, 0, f"cannot write drafts here ({e.strerror or e})"
                                                  "; pick another folder with --out")) from e
    for (temp, path), item in zip(staged, pending, strict=True):
        if item.status == "replaced":
            os.replace(temp, path)
            continue
        try:  # a link, not a rename: it fails rather than replace a file made meanwhile
            os.link(temp, path)
        except FileExistsError:
            log.warning("warning: %s: appeared while the drafts were written, and is kept; run "
                        "ingest again to compare it with the draft", display_path(path))
        except OSError:  # a file system without hard links: a new file all the same
            with open(path, "xb") as stream:
                stream.write(item.content)
        finally:
            Path(temp).unlink(missing_ok=True)


def _read(path: Path) -> bytes | None:
    """The bytes of the file at a draft's path; None when nothing is there. A pipe, a device or
    a folder there is an error (a FIFO would wait for a writer for ever)."""
    if not os.path.lexists(path):
        return None
    try:
        return read_regular_file(path)
    except UnreadableFile as e:
        raise IngestError(FileProblem(path, 0, f"{e.reason}, where a draft would go; move it "
                                               "away, or pick another folder with --out")) from e


def _curated_slugs(entries_dir: Path) -> dict[str, Path]:
    """Each curated entry's slugs (file stem, stem without date, `slug:` key) -> its path."""
    slugs: dict[str, Path] = {}
    for path in entry_files(entries_dir):
        names = {path.stem, _undated(path.stem)}
        declared = SLUG_KEY_RE.search(_front_matter(path))
        if declared:
            names |= {declared.group(1), _undated(declared.group(1))}
        for name in names:
            slugs.setdefault(name, path)
    return slugs


def _front_matter(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    if not text.startswith("---"):
        return ""
    end = text.find("\n---", 3)
    return text[3:end] if end > 0 else ""


def _undated(stem: str) -> str:
    return DATE_PREFIX_RE.sub("", stem)
