"""Write outputs into a staging copy of the site, then swap it in: a failed build touches nothing.

The staging folder starts as a hard-linked copy of the current site, so unchanged files keep
their inode and mtime; a changed file is written to a new inode (never through the link), and
files no longer produced are pruned. Only `swap_in` changes the live output folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WriteStats:
    """How many output files were written, left alone and removed."""

    written: int
    unchanged: int
    removed: int


def staging_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.staging"


def start_staging(out: Path) -> Path:
    """A fresh staging folder beside `out` holding a hard-linked copy of the current site."""
    staging = staging_dir(out)
    discard(staging)
    if out.is_dir():
        shutil.copytree(out, staging, copy_function=_link_or_copy, symlinks=True)
    else:
        staging.mkdir(parents=True)
    return staging


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@dataclass(frozen=True)
class Changes:
    """What must change in an output folder to make it hold exactly the new files."""

    changed: tuple[str, ...]  # to write: new, or different bytes
    stale: tuple[str, ...]  # to remove: no longer produced
    unchanged: int

    @property
    def none(self) -> bool:
        return not self.changed and not self.stale


def plan_changes(out: Path, files: Mapping[str, bytes], keep: Iterable[str] = ()) -> Changes:
    """Compare `files` with what `out` holds (ignoring the `keep` folders), byte for byte."""
    changed = tuple(rel for rel, data in files.items() if not _same_bytes(out / rel, data))
    stale = tuple(sorted(_listing(out, tuple(keep)) - files.keys()))
    return Changes(changed, stale, len(files) - len(changed))


def apply_changes(folder: Path, files: Mapping[str, bytes], changes: Changes) -> WriteStats:
    """Write the changed files into `folder` (each as a new inode) and remove the stale ones."""
    for rel in changes.changed:
        _replace(folder / rel, files[rel])
    for rel in changes.stale:
        _remove(folder, rel)
    return WriteStats(len(changes.changed), changes.unchanged, len(changes.stale))


def write_files(folder: Path, files: Mapping[str, bytes], keep: Iterable[str] = ()) -> WriteStats:
    """Make `folder` hold exactly `files` (plus anything under the `keep` folders)."""
    return apply_changes(folder, files, plan_changes(folder, files, keep))


def _listing(root: Path, keep: tuple[str, ...]) -> set[str]:
    """Every file under `root` as a relative POSIX path, skipping the top-level `keep` folders."""
    found: set[str] = set()
    for folder, subfolders, names in os.walk(root):
        rel = Path(folder).relative_to(root).as_posix()
        if rel == ".":
            subfolders[:] = [d for d in subfolders if d not in keep]
            found.update(names)
        else:
            found.update(f"{rel}/{name}" for name in names)
    return found


def write_changes(out: Path, files: Mapping[str, bytes],
                  previous: Mapping[str, bytes]) -> WriteStats:
    """Update `out`, which holds `previous`, to hold `files`, in place: the preview's writer.

    No staging copy and nothing read back from disk: the bytes are compared in memory with the
    last build's. Each file is still replaced atomically, and `serve` holds its requests while
    this runs, so no request sees a mix of two builds.
    """
    written = unchanged = 0
    for rel, data in files.items():
        old = previous.get(rel)
        if old is data or old == data:
            unchanged += 1
        else:
            _replace(out / rel, data)
            written += 1
    gone = sorted(previous.keys() - files.keys())
    for rel in gone:
        _remove(out, rel)
    return WriteStats(written, unchanged, len(gone))


def _replace(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)  # a new inode: the live site's hard link is left intact


def _remove(root: Path, rel: str) -> None:
    """Remove one output file, and the folders it leaves empty."""
    path = root / rel
    path.unlink(missing_ok=True)
    for folder in path.parents:
        if folder == root or not folder.is_relative_to(root) or any(folder.iterdir()):
            break
        folder.rmdir()


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def swap_in(staging: Path, out: Path) -> None:
    """Replace `out` with `staging` by two renames; the old tree is removed afterwards."""
    old = out.parent / f".{out.name}.old"
    discard(old)
    if out.exists():
        os.rename(out, old)
    os.rename(staging, out)
    discard(old)


def discard(path: Path) -> None:
    """Remove a staging or old folder if it exists."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
