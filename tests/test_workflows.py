"""The GitHub Actions workflows: valid YAML, the official Pages flow, and CI running `make test`."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from sitegen.cli import main
from tests.helpers import entry, write_files

WORKFLOWS = Path(__file__).resolve().parent.parent / ".github" / "workflows"
BASE_URL_OUTPUT = "${{ steps.pages.outputs.base_url }}"


def load(name: str) -> dict[str, Any]:
    """A workflow as a dict; PyYAML reads the key `on` as True (YAML 1.1), so put it back."""
    workflow: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


def step_using(steps: list[dict[str, Any]], action: str) -> tuple[int, dict[str, Any]]:
    """The position and body of the one step that uses `action` (any version)."""
    found = [(i, s) for i, s in enumerate(steps) if s.get("uses", "").split("@")[0] == action]
    assert len(found) == 1, f"expected one step using {action}, found {len(found)}"
    return found[0]


def step_running(steps: list[dict[str, Any]], command: str) -> tuple[int, dict[str, Any]]:
    found = [(i, s) for i, s in enumerate(steps) if command in s.get("run", "")]
    assert len(found) == 1, f"expected one step running {command!r}, found {len(found)}"
    return found[0]


def major(step: dict[str, Any]) -> int:
    match = re.fullmatch(r"[\w-]+/[\w-]+@v(\d+)", step["uses"])
    assert match, f"{step['uses']} should be pinned to a major version tag"
    return int(match[1])


def test_pages_workflow_runs_on_push_to_main_and_by_hand() -> None:
    workflow = load("pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in workflow["on"]
    assert workflow["permissions"] == {"pages": "write", "id-token": "write", "contents": "read"}
    assert workflow["concurrency"]["group"] == "pages"


def test_pages_build_job_builds_for_the_pages_address_and_uploads_hidden_files() -> None:
    steps = load("pages.yml")["jobs"]["build"]["steps"]
    checkout, _ = step_using(steps, "actions/checkout")
    python, setup = step_using(steps, "actions/setup-python")
    install, _ = step_running(steps, "pip install .")
    configure, pages = step_using(steps, "actions/configure-pages")
    build, build_step = step_running(steps, "sitegen build")
    upload, artifact = step_using(steps, "actions/upload-pages-artifact")
    assert checkout < python < install < build and configure < build < upload
    assert str(setup["with"]["python-version"]) == "3.11"
    assert pages["id"] == "pages"
    assert f'--base-url "{BASE_URL_OUTPUT}/"' in build_step["run"]
    out = shlex.split(build_step["run"])
    assert artifact["with"]["path"].rstrip("/") == out[out.index("--out") + 1].rstrip("/")
    # v4 and later drop dotfiles (.nojekyll) unless include-hidden-files, which v5 added.
    assert major(artifact) >= 5
    assert str(artifact["with"]["include-hidden-files"]).lower() == "true"


def test_pages_deploy_job_deploys_the_artifact_to_the_pages_environment() -> None:
    deploy = load("pages.yml")["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    _, step = step_using(deploy["steps"], "actions/deploy-pages")
    assert deploy["environment"]["url"] == f"${{{{ steps.{step['id']}.outputs.page_url }}}}"


def test_ci_runs_make_test_on_every_push_and_pull_request() -> None:
    workflow = load("ci.yml")
    assert {"push", "pull_request"} <= set(workflow["on"])
    [job] = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest"
    checkout, _ = step_using(job["steps"], "actions/checkout")
    test, _ = step_running(job["steps"], "make test")
    assert checkout < test


@pytest.mark.parametrize("name", ["pages.yml", "ci.yml"])
def test_every_action_is_pinned_to_a_major_version(name: str) -> None:
    for job in load(name)["jobs"].values():
        for step in job["steps"]:
            if "uses" in step:
                assert major(step) >= 1


def test_the_pages_build_command_builds_a_project_site(site_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The workflow's own build line, with configure-pages' output for a project site."""
    _, step = step_running(load("pages.yml")["jobs"]["build"]["steps"], "sitegen build")
    command = shlex.split(step["run"].replace(BASE_URL_OUTPUT, "https://alice.github.io/news"))
    write_files(site_dir, {"content/entries/2022/2022-12-30-vote.md": entry(title="A vote")})
    monkeypatch.chdir(site_dir)
    assert command[0] == "sitegen"
    assert main([*command[1:], "--config", "sitegen.toml"]) == 0
    site = site_dir / "site"
    assert (site / ".nojekyll").is_file()
    assert 'href="/news/static/style.css' in (site / "404.html").read_text()
    assert "https://alice.github.io/news/entries/2022-12-30-vote/" in \
        (site / "feed.xml").read_text()
