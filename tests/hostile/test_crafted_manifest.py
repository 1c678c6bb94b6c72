"""A crafted output manifest (`site/.sitegen-manifest.json`, which may come with a site from
anywhere) that names files outside the output folder: the build refuses it and touches none."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.helpers import entry, run, write_files


@pytest.mark.parametrize("name", ["../victim.txt", "{victim}", "a/../../victim.txt"],
                         ids=["up and out", "absolute", "out through a folder"])
def test_a_manifest_naming_a_file_outside_the_site_is_refused(
        site_dir: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    victim = site_dir / "victim.txt"
    victim.write_text("a file of the user's")
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry()})
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    manifest = site_dir / "site/.sitegen-manifest.json"
    data = json.loads(manifest.read_text())
    # its digest, as a build that had written it would record: the build may remove it
    data["files"][name.format(victim=victim)] = [
        1, 0, hashlib.sha256(victim.read_bytes()).hexdigest(), ""]
    manifest.write_text(json.dumps(data))
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(title="Retitled")})
    code, output = run(site_dir, "build", capsys=capsys)
    assert code == 2 and "manifest is unreadable" in output
    assert victim.read_text() == "a file of the user's"
