"""Compiled templates: the packaged theme's are kept inside sitegen's own package (as Python
keeps __pycache__), a user's theme is compiled every time, and nothing compiled is ever read
from or written to a project."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

import sitegen
from sitegen import build, render
from sitegen.config import PACKAGED_THEME, SiteConfig, load_config
from tests.helpers import entry, run, tree_digest, write_files

STORE = Path(sitegen.__file__).parent / "__jinjacache__"


def _site(root: Path) -> None:
    write_files(root, {f"content/entries/2022-12-{10 + i}-event-{i}.md":
                       entry(f"Event {i}", f"2022-12-{10 + i}") for i in range(3)})


def _store(config: SiteConfig) -> Path:
    store = render.make_environment(config).bytecode_cache
    assert isinstance(store, jinja2.FileSystemBytecodeCache)
    return Path(store.directory)


def _compiled_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith("__jinja2_")]


def test_the_packaged_themes_compiled_templates_live_in_the_package(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _site(site_dir)
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    config = load_config(site_dir / "sitegen.toml")
    assert _store(config).is_relative_to(STORE)
    assert _compiled_under(_store(config))  # entry.html, base.html...
    assert not _compiled_under(site_dir)  # not the project, its cache or its output


def test_a_users_theme_is_never_compiled_into_a_store(site_dir: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    _site(site_dir)
    shutil.copytree(PACKAGED_THEME, site_dir / "theme")
    (site_dir / "sitegen.toml").write_text('theme = "theme"\n' +
                                           (site_dir / "sitegen.toml").read_text())
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    config = load_config(site_dir / "sitegen.toml")
    assert render.make_environment(config).bytecode_cache is None
    assert not _compiled_under(site_dir)


def test_a_damaged_compiled_template_is_compiled_again(
        site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Garbage, a truncated file and another template's code in the store: each build's
    pages are those of a build that compiles every template from its source."""
    _site(site_dir)
    config = load_config(site_dir / "sitegen.toml")
    store = _store(config)
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    compiled = sorted(_compiled_under(store))
    assert len(compiled) >= 2
    good = compiled[0].read_bytes()
    compiled[0].write_bytes(b"not a compiled template")
    compiled[1].write_bytes(good[: len(good) // 2])
    if len(compiled) > 2:
        compiled[2].write_bytes(good)  # valid code, but for another template's source
    build._ENVIRONMENTS.clear()
    shutil.rmtree(site_dir / "site")
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    with_store = tree_digest(site_dir / "site")

    monkeypatch.setattr(render, "_packaged_bytecode", lambda env, theme_dir: None)
    build._ENVIRONMENTS.clear()
    shutil.rmtree(site_dir / "site")
    shutil.rmtree(site_dir / ".sitegen-cache")
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    fresh = tree_digest(site_dir / "site")
    def pages(tree: dict[str, str]) -> dict[str, str]:  # the manifest holds mtimes
        return {k: v.split(":")[0] for k, v in tree.items() if k != ".sitegen-manifest.json"}

    assert len(pages(fresh)) > 10 and pages(with_store) == pages(fresh)


def test_a_store_that_cannot_be_used_compiles_every_time(
        site_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A file where the store's folder should be (or a read-only package): the build works."""
    _site(site_dir)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file")
    original = render._packaged_bytecode

    def store_in_a_file(env: jinja2.Environment, theme_dir: Path) -> jinja2.BytecodeCache | None:
        found = original(env, theme_dir)
        assert isinstance(found, jinja2.FileSystemBytecodeCache)
        found.directory = str(blocked / "store")
        return found
    monkeypatch.setattr(render, "_packaged_bytecode", store_in_a_file)
    build._ENVIRONMENTS.clear()
    code, printed = run(site_dir, "build", capsys=capsys)
    assert code == 0 and "Traceback" not in printed
    assert "Event 2" in (site_dir / "site/index.html").read_text()
    assert blocked.read_text() == "a file"
