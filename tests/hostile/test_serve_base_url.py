"""`sitegen serve` and the base URL: a hostile one is refused as `build` refuses it (a config
error at its line, exit 1; a usage error for `--base-url`, exit 2), and `--base-url /timeline/`
previews the site under that path with every link of its pages working."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.parse
from collections.abc import Callable
from pathlib import Path

import pytest

from sitegen.serve import PreviewServer
from tests.helpers import SITE_TOML, entry
from tests.hostile.test_security import XSS_BASE
from tests.test_serve import TALKS, TALKS_PAGE, Start, Tab, edit, get, preview, tabs, until

__all__ = ["preview", "tabs"]  # the fixtures


def sitegen(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process: a serve that starts instead of refusing would run
    until the timeout, and fail the test."""
    return subprocess.run([sys.executable, "-m", "sitegen", *args, "--port", "0"], cwd=root,
                          text=True, capture_output=True, timeout=30, check=False)


@pytest.mark.parametrize("base", [XSS_BASE, "javascript:alert(1)", "//evil.example/"])
def test_serve_refuses_a_hostile_base_url_in_the_config_at_its_line(
        site_dir: Path, base: str) -> None:
    (site_dir / "sitegen.toml").write_text(
        f"base_url = '{base}'\n" + SITE_TOML.replace('base_url = "/"\n', ""), encoding="utf-8")
    done = sitegen(site_dir, "serve")
    assert done.returncode == 1
    assert "sitegen.toml:1: base_url" in done.stderr
    assert "a base URL is a path such as /timeline/ or an http(s) URL" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "Serving" not in done.stdout


@pytest.mark.parametrize("base", [XSS_BASE, "javascript:alert(1)", "vbscript:x"])
def test_serve_refuses_a_hostile_base_url_option_as_a_usage_error(
        site_dir: Path, base: str) -> None:
    done = sitegen(site_dir, "serve", "--base-url", base)
    assert done.returncode == 2
    assert f"--base-url {base!r}" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout and "Serving" not in done.stdout


def links(html: str) -> set[str]:
    return {urllib.parse.unquote(m) for m in re.findall(r'(?:href|src)="(/[^"]*)"', html)}


def test_a_preview_under_a_subpath_serves_every_link_of_its_pages(preview: Start) -> None:
    server = preview(base_path="/timeline/")
    origin = server.url.removesuffix("/timeline/")
    assert server.url.endswith("/timeline/")
    seen: set[str] = set()
    queue = ["/timeline/", f"/timeline/{TALKS_PAGE}", "/timeline/search/", "/timeline/topics/"]
    while queue:  # every page reached from those, and every file they load
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        status, body = get(origin + path)
        assert status == 200, f"{path}: {status}"
        if path.endswith("/") or path.endswith(".html"):
            found = {link.split("#")[0] for link in links(body)
                     if not link.startswith("/livereload.js")}
            assert all(link.startswith("/timeline/") for link in found), (path, found)
            queue += [link.split("?")[0] if "static/" not in link else link for link in found]
    assert len(seen) > 20
    # Search: its bundle is where the page looks for it once the indexer has run.
    until(lambda: get(origin + "/timeline/pagefind/partitions.json")[0] == 200)
    # Outside the base path: the root leads to the site, anything else is the site's 404 page.
    status, body = get(origin + "/")
    assert status == 200 and "The new year begins with outages" in body
    status, body = get(origin + f"/{TALKS_PAGE}")
    assert status == 404 and 'href="/timeline/' in body


def test_under_a_subpath_the_search_tab_reloads_when_its_index_lands(
        preview: Start, tabs: Callable[[PreviewServer, str], Tab], site_dir: Path) -> None:
    server = preview(base_path="/timeline/")
    until(lambda: get(server.url + "pagefind/partitions.json")[0] == 200)
    tab = tabs(server, "search/")
    edit(site_dir, TALKS, entry(title="Quokka summit", date="2022-12-19"))
    # once for the new build, and once more when the new index is served
    until(lambda: len(tab.seen) >= 2, timeout=30)
