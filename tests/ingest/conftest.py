"""Ingest fixtures: a site folder in tmp_path with the taxonomy, and a way to run the command."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.ingest.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The site's taxonomy (pyproject.toml [tool.sitegen]) as of issue 3, kept here so these tests do
# not change when the site's keywords are tuned.
TAXONOMY = {
    "belarus": ["Belarus", "Belarusian", "Lukashenko", "Minsk"],
    "energy-grid": ["power cut", "blackout", "outage", "electricity", "power grid",
                    "energy infrastructure", "energy system", "Ukrenergo", "heating",
                    "power supply", "shutdown"],
    "aid": ["aid", "military aid", "support package", "pledge", "weapon systems", "funding",
            "donate", "donation"],
    "strikes": ["missile", "missile strike", "shelling", "shelled", "barrage", "bombardment",
                "artillery", "rocket"],
    "drones": ["drone", "Shahed", "kamikaze drone", "UAV"],
    "air-defence": ["air defence", "air defense", "shot down", "intercepted", "air raid",
                    "air shield", "downed"],
    "casualties": ["killed", "dead", "death", "injured", "wounded", "casualties", "losses",
                   "mourn"],
    "diplomacy": ["ambassador", "summit", "talks", "foreign minister", "foreign ministry",
                  "United Nations", "Security Council", "state visit", "peace", "diplomat"],
    "china": ["China", "Chinese", "Beijing", "Xi Jinping"],
    "iran": ["Iran", "Iranian", "Tehran"],
    "nuclear": ["nuclear"],
    "military-command": ["commander", "command", "general", "Wagner", "desert", "deserter",
                         "recruits", "conscripts", "Chief of Staff"],
    "frontline": ["front line", "frontline", "offensive", "Bakhmut", "Donetsk", "Kherson",
                  "Luhansk", "Belgorod", "assault"],
    "civilian-life": ["residents", "civilians", "shelter", "families", "Eurovision", "gifts",
                      "New Year"],
    "economy": ["gas price", "price cap", "sanctions", "economy", "economic", "euros"],
}


def site_toml() -> str:
    topics = "".join(f'\n[[topics]]\nslug = "{slug}"\nname = "{slug}"\nkeywords = {keywords}\n'
                     for slug, keywords in TAXONOMY.items())
    return 'title = "Ingest Test"\n' + topics.replace("'", '"')


@dataclass(frozen=True)
class Run:
    """What a user sees after one `sitegen ingest`: exit code, stdout, stderr."""

    code: int
    out: str
    err: str


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty site (config + content/entries/) that is also the working directory."""
    root = tmp_path / "site"
    (root / "content" / "entries").mkdir(parents=True)
    (root / "sitegen.toml").write_text(site_toml(), encoding="utf-8")
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def ingest(site: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run `sitegen ingest ARGS` in the site folder."""

    def run(*args: str) -> Run:
        code = main(list(args))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def copy_fixture(case: str, name: str, into: Path) -> Path:
    """Copy fixtures/<case>/<name> into `into` (so printed paths are short and stable)."""
    target = into / name
    shutil.copyfile(FIXTURES / case / name, target)
    return target


def drafts(site: Path) -> dict[str, str]:
    """Every draft written: file name -> text."""
    folder = site / "content" / "drafts"
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))}


def front_matter(text: str) -> dict[str, Any]:
    """A draft's front matter as data."""
    _, block, _ = text.split("---\n", 2)
    data = yaml.safe_load(block)
    assert isinstance(data, dict)
    return data


def body(text: str) -> str:
    return text.split("---\n", 2)[2]


def table_rows(out: str) -> dict[str, dict[str, str]]:
    """The printed table: draft file name -> {column name: cell}."""
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("date "))
    names = header.split()
    starts = [header.index(f"{name} ") if name != names[-1] else header.rindex(name)
              for name in names]
    rows: dict[str, dict[str, str]] = {}
    for line in lines[lines.index(header) + 1:]:
        if not line[:4].isdigit():
            break
        cells = {name: line[start:end].strip() for name, start, end in
                 zip(names, starts, [*starts[1:], None], strict=True)}
        rows[cells["draft"]] = cells
    return rows
