"""The golden site: a small fixture built and compared file by file with a committed tree.

After an intended change to the output, regenerate it with `make golden` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

from sitegen.config import PACKAGED_THEME
from tests.golden_regen import EXPECTED, IMPORTED, build_golden, build_imported


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_golden_site_matches_file_by_file(tmp_path: Path) -> None:
    assert build_golden(tmp_path / "out") == 0
    built, expected = files(tmp_path / "out"), files(EXPECTED)
    assert sorted(built) == sorted(expected), "run `make golden` if the change is intended"
    for name, data in expected.items():
        assert built[name].decode() == data.decode(), f"{name} differs; `make golden` if intended"


def test_theme_static_files_are_copied_verbatim(tmp_path: Path) -> None:
    assert build_golden(tmp_path / "out", static=tmp_path / "static") == 0
    assert files(tmp_path / "static") == files(PACKAGED_THEME / "static")


def test_imported_site_matches_file_by_file(tmp_path: Path) -> None:
    """A Hugo site imported and built under a subpath: the new site's files and its pages."""
    assert build_imported(tmp_path / "out", tmp_path / "work") == 0
    built, expected = files(tmp_path / "out"), files(IMPORTED)
    assert sorted(built) == sorted(expected), "run `make golden` if the change is intended"
    for name, data in expected.items():
        assert built[name] == data, f"{name} differs; `make golden` if intended"
