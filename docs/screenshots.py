"""Refresh the README's screenshots: `make screenshots`.

Builds this repository's site into a temporary folder, serves it on 127.0.0.1, and photographs
the home page, a topic, an entry and a search, in light and dark, with Debian's headless
Chromium (driven by Playwright; never a downloaded browser). Writes docs/screenshots/*.png.
"""

from __future__ import annotations

import functools
import http.server
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

from sitegen.cli import main as sitegen

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
PAGES = {
    "home": "",
    "topic": "topics/drones/",
    "entry": "entries/2022-12-30-sixteen-shahed-drones-shot-down/",
    "search": "search/?q=Lukashenko",
}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def shoot(site: Path) -> list[Path]:
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM,
                                        args=["--headless", "--no-sandbox", "--disable-gpu"])
            for scheme in ("light", "dark"):
                context = browser.new_context(viewport={"width": 1000, "height": 1250},
                                              color_scheme=scheme)
                page = context.new_page()
                for name, path in PAGES.items():
                    page.goto(base + path)
                    if name == "search":
                        page.wait_for_selector("#search-results li", timeout=15_000)
                    target = OUT / f"{name}-{scheme}.png"
                    page.screenshot(path=str(target))
                    written.append(target)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        code = sitegen(["build", "--config", str(REPO / "pyproject.toml"), "--out", str(site),
                        "--base-url", "/", "-q"])
        if code:
            return code
        for path in shoot(site):
            print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
