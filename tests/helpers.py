"""Helpers for tests: write a site from a dict of files, build it, read what a user would see."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sitegen.cli import main

SITE_TOML = """\
title = "Test Timeline"
description = "A timeline for tests."
base_url = "/"
timezone = "UTC"
entries_per_page = 3

[[topics]]
slug = "belarus"
name = "Belarus"
description = "Belarus and its leadership."
keywords = ["Belarus", "Belarusian", "Lukashenko"]

[[topics]]
slug = "energy-grid"
name = "Energy grid"
description = "Power cuts and attacks on power infrastructure."
keywords = ["power cut", "blackout", "outage"]

[[topics]]
slug = "aid"
name = "Aid"
description = "Money and weapons pledged to Ukraine."
keywords = ["aid", "pledge"]
"""


def entry(title: str = "A test event", date: str = "2022-12-30", topics: str = "[belarus]",
          body: str = "Something happened, according to a test source.", extra: str = "") -> str:
    """The text of an entry file with the given fields."""
    return (f"---\ntitle: {title}\ndate: {date}\ntopics: {topics}\n"
            "sources:\n  - publisher: Test Wire\n    author: A. Writer\n"
            "    headline: Test headline\n    published: 2022-12-30\n"
            f"{extra}---\n{body}\n")


def write_files(root: Path, files: dict[str, str | bytes]) -> None:
    """Write `files` (path relative to root -> text or bytes) under `root`."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")


def run(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run `sitegen ARGS --config root/sitegen.toml`; return exit code and everything printed."""
    command, *rest = args
    code = main([command, "--config", str(root / "sitegen.toml"), *rest])
    out, err = capsys.readouterr()
    return code, out + err


def tree_digest(folder: Path) -> dict[str, str]:
    """Each file's path -> (sha256, mtime_ns): proves a folder was left exactly as it was."""
    return {p.relative_to(folder).as_posix(): f"{hashlib.sha256(p.read_bytes()).hexdigest()}"
            f":{p.stat().st_mtime_ns}" for p in sorted(folder.rglob("*")) if p.is_file()}
