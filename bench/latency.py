"""Save-to-reload latency of `sitegen serve`: save an entry, time until an open tab shows it.

For one site: start `sitegen serve --port 0` as a user would, open one entry's page in headless
Chromium, wait until livereload's socket is connected and serve's first search index is written
(so the measurement starts from a settled server), then, N times: give the entry a new title,
saved as editors save (a temporary file renamed over the old one), and time from the rename until
the tab has reloaded (its `load` event) and its <h1> shows the new title. Then, with the entry
restored, N times again: add one paragraph with a new marker to its body alone (the front matter
byte for byte as it was), timed until the reloaded page's body shows the marker. A body edit is
what sitegen's edit fast path serves; a new title needs the full build. See bench/README.md.
"""

from __future__ import annotations

import json
import os
import re
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")  # Debian's; never a browser downloaded by Playwright
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]
# Medians under 300 ms at 1,000 entries (issue 5) and under 500 ms at 10,000 (issue 9).
TARGETS_MS = ((1000, 300), (10000, 500))
PAUSE_S = 1.5  # after each reload: two saves never fall into one rebuild
START_TIMEOUT_S = 600.0  # serve's first build: ~40 s at 10,000 entries without a disk cache
SETTLE_TIMEOUT_S = 300.0  # serve's first search index: ~15 s at 10,000 entries
RELOAD_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 90.0  # on Ctrl-C serve waits up to 60 s for a running Pagefind

SERVING_RE = re.compile(r"Serving the preview at (\S+)")
BUILT_RE = re.compile(r"Built [\d,]+ entr(?:y|ies).*? ([\d,]+) files? written.*; in ([\d.]+) s")
INDEXED_RE = re.compile(r"Search index refreshed|search index was not refreshed")
TITLE_LINE_RE = re.compile(r"^title:.*$", re.MULTILINE)
CONNECTED_JS = ("() => { const lr = window.LiveReload; "
                "return !!(lr && lr.connector && lr.connector.protocol >= 7); }")
SHOWS_JS = ("t => { const h = document.querySelector('h1'); "
            "return !!h && h.textContent.includes(t); }")
BODY_SHOWS_JS = ("t => { const b = document.querySelector('.entry-body') || document.body; "
                 "return !!b && b.textContent.includes(t); }")
TITLE_GONE_JS = ("t => { const h = document.querySelector('h1'); "
                 "return !!h && !h.textContent.includes(t); }")
TITLE_MARK = "(benchmark save"  # in every title the title series gives


def default_saves(entries: int) -> int:
    return 15 if entries <= 2000 else 9


def target_ms(entries: int) -> int | None:
    """The issue's target for a site of this many entries (the smallest size at least as big)."""
    return next((ms for size, ms in TARGETS_MS if entries <= size), None)


# --- The entry that is saved ----------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """The entry file the benchmark saves, and the page that shows it."""

    path: Path
    slug: str
    title: str
    text: str  # as found, restored afterwards


def pick_entry(files: list[Path]) -> Target:
    """The middle entry by file name that has a page of its own (a commentary has none)."""
    middle = len(files) // 2
    for path in files[middle:] + files[:middle]:
        text = path.read_text(encoding="utf-8")
        fields = _front_matter(text, path)
        if fields.get("kind", "entry") != "commentary":
            return Target(path, str(fields.get("slug") or path.stem), str(fields["title"]), text)
    raise RuntimeError("no entry with a page of its own to save")


def entry_files(project: Path) -> list[Path]:
    """The project's entry files, by path (the benchmark's projects and the repository's own
    keep them under content/entries/)."""
    return sorted((project / "content" / "entries").rglob("*.md"))


def retitle(target: Target, title: str) -> str:
    """The entry's text with `title` on its front matter's `title:` line."""
    end = _front_matter_end(target.text, target.path)
    head, found = TITLE_LINE_RE.subn(lambda _: f"title: {json.dumps(title)}",
                                     target.text[:end], count=1)
    text = head + target.text[end:]
    if not found or _front_matter(text, target.path).get("title") != title:
        raise RuntimeError(f"{target.path}: cannot rewrite its title (not one `title:` line)")
    return text


def rebody(target: Target, paragraph: str) -> str:
    """The entry's text with `paragraph` after the last of its body; the front matter, and its
    closing `---` line, byte for byte as they were."""
    end = _front_matter_end(target.text, target.path)
    close = target.text.find("\n", end)
    head = target.text if close < 0 else target.text[:close + 1]
    if close < 0:
        head += "\n"
    body = target.text[len(head):].rstrip()
    return f"{head}{body}\n\n{paragraph}\n" if body else f"{head}{paragraph}\n"


def _front_matter(text: str, path: Path) -> dict[str, Any]:
    fields = yaml.safe_load(text[4:_front_matter_end(text, path)])
    if not isinstance(fields, dict) or "title" not in fields:
        raise RuntimeError(f"{path}:2: front matter without a title")
    return fields


def _front_matter_end(text: str, path: Path) -> int:
    end = text.find("\n---", 3)
    if not text.startswith("---\n") or end < 0:
        raise RuntimeError(f"{path}:1: no front matter between `---` lines")
    return end + 1


def save(path: Path, text: str) -> None:
    """Save as editors do: a new file renamed over the old one."""
    tmp = path.with_name(f".{path.name}.saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# --- The server -----------------------------------------------------------------------------

def _interruptible() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class ServeProcess:
    """`sitegen serve` as a subprocess; every line it prints is kept, in order of arrival."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        # Ctrl-C as in a terminal: a benchmark started in the background (`make bench &`)
        # hands its children SIGINT ignored, and serve would never see it
        self._proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True,
                                      preexec_fn=_interruptible)
        self.lines: list[str] = []
        self._arrived = threading.Condition()
        self._readers = [threading.Thread(target=self._read, args=(stream,), daemon=True)
                         for stream in (self._proc.stdout, self._proc.stderr)]
        for reader in self._readers:
            reader.start()

    def _read(self, stream: IO[str] | None) -> None:
        for line in stream or ():
            with self._arrived:
                self.lines.append(line.rstrip("\n"))
                self._arrived.notify_all()

    def wait_for(self, pattern: re.Pattern[str], after: int, timeout: float) -> re.Match[str]:
        """The first line from number `after` on that matches; raise if none comes in time."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                match = next(filter(None, map(pattern.search, self.lines[after:])), None)
                if match:
                    return match
                if self._proc.poll() is not None:
                    raise RuntimeError(f"sitegen serve exited {self._proc.returncode}:\n"
                                       + self.tail())
                if time.monotonic() > deadline:
                    raise RuntimeError(f"sitegen serve printed no {pattern.pattern!r} within "
                                       f"{timeout:.0f} s:\n{self.tail()}")
                self._arrived.wait(timeout=0.5)

    def count(self, pattern: re.Pattern[str], after: int) -> int:
        with self._arrived:
            return sum(1 for line in self.lines[after:] if pattern.search(line))

    def tail(self, n: int = 20) -> str:
        return "\n".join(self.lines[-n:])

    def stop(self) -> int | None:
        """Stop it with Ctrl-C, as a user does; its exit status, or None if it had to be killed."""
        if self._proc.poll() is None:
            self._proc.send_signal(signal.SIGINT)
        try:
            status: int | None = self._proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
            status = None
        for reader in self._readers:
            reader.join(timeout=5)
        return status


# --- The measurement ------------------------------------------------------------------------

@dataclass(frozen=True)
class Save:
    """One save: milliseconds until the tab showed it, and what serve logged meanwhile."""

    ms: float
    build_seconds: float  # serve's own summary line for the rebuild
    written: int
    builds: int  # rebuilds between this save and the next (1 unless a save was split)
    indexed: int  # search index refreshes in the same span


def measure(sitegen: Path, config: Path, saves: int | None,
            log: Callable[[str], None]) -> dict[str, Any]:
    """Save one entry of the site `saves` times under `sitegen serve`; the figures as JSON."""
    from playwright.sync_api import sync_playwright

    files = entry_files(config.parent)
    target = pick_entry(files)
    count = saves or default_saves(len(files))
    disk_cache = (config.parent / ".sitegen-cache").is_dir()
    started = time.perf_counter()
    server = ServeProcess([str(sitegen), "serve", "--config", str(config), "--port", "0"],
                          config.parent)
    try:
        url = server.wait_for(SERVING_RE, 0, START_TIMEOUT_S).group(1)
        startup = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                _open(page, f"{url}entries/{target.slug}/")
                server.wait_for(INDEXED_RE, 0, SETTLE_TIMEOUT_S)
                runs = [_title_save(page, server, target, n + 1, count, log)
                        for n in range(count)]
                body = _body_series(page, server, target, count, log)
            finally:
                browser.close()
    finally:
        status = server.stop()
        save(target.path, target.text)
    if status != 0:
        log(f"latency: sitegen serve did not stop cleanly on Ctrl-C (exit status {status})")
    return {**_series(len(files), target, runs), "startup_seconds": round(startup, 3),
            "disk_cache_at_start": disk_cache, "exit_status": status,
            "body": body if isinstance(body, str) else _series(len(files), target, body)}


def _open(page: Page, url: str) -> None:
    response = page.goto(url)
    if response is None or response.status != 200:
        raise RuntimeError(f"{url} answered {response.status if response else 'nothing'}")
    page.wait_for_function(CONNECTED_JS, timeout=RELOAD_TIMEOUT_S * 1000)


def _title_save(page: Page, server: ServeProcess, target: Target, number: int, count: int,
                log: Callable[[str], None]) -> Save:
    marker = f"{TITLE_MARK} {number} of {count})"
    text = retitle(target, f"{target.title} {marker}")
    return _one_save(page, server, target.path, text, (SHOWS_JS, marker),
                     f"save {number}/{count}", log)


def _body_series(page: Page, server: ServeProcess, target: Target, count: int,
                 log: Callable[[str], None]) -> list[Save] | str:
    """The entry restored as found, then `count` saves that change its body alone; or why
    they could not be measured (the title series' figures are kept)."""
    try:
        _one_save(page, server, target.path, target.text, (TITLE_GONE_JS, TITLE_MARK),
                  "restored as found", log)
        return [_body_save(page, server, target, n + 1, count, log) for n in range(count)]
    except Exception as e:  # noqa: BLE001 - recorded in the results and logged, not dropped
        log(f"latency: body edits FAILED on {target.path}: {e}")
        return f"failed: {e}"


def _body_save(page: Page, server: ServeProcess, target: Target, number: int, count: int,
               log: Callable[[str], None]) -> Save:
    marker = f"benchmark body save {number} of {count}"
    text = rebody(target, f"A paragraph added by the {marker}.")
    return _one_save(page, server, target.path, text, (BODY_SHOWS_JS, marker),
                     f"body save {number}/{count}", log)


def _one_save(page: Page, server: ServeProcess, path: Path, text: str, shown: tuple[str, str],
              name: str, log: Callable[[str], None]) -> Save:
    """Save `text` as the entry's file; time it until the page reloads and `shown` (a check
    and its argument) holds."""
    page.wait_for_function(CONNECTED_JS, timeout=RELOAD_TIMEOUT_S * 1000)
    logged = len(server.lines)
    save(path, text)
    started = time.perf_counter()
    _wait_until_shown(page, shown, started + RELOAD_TIMEOUT_S)
    ms = (time.perf_counter() - started) * 1000
    built = server.wait_for(BUILT_RE, logged, RELOAD_TIMEOUT_S)
    time.sleep(PAUSE_S)
    log(f"latency: {name} shown after {ms:4.0f} ms "
        f"(serve rebuilt in {float(built.group(2)) * 1000:.0f} ms)")
    return Save(ms, float(built.group(2)), int(built.group(1).replace(",", "")),
                server.count(BUILT_RE, logged), server.count(INDEXED_RE, logged))


def _wait_until_shown(page: Page, shown: tuple[str, str], deadline: float) -> None:
    """Wait for each page load until the loaded page passes the check `shown`: a function of
    one argument, and the argument (the title series: the <h1> has the marker).

    Not `wait_for_function` alone: across a navigation Playwright retries it only after 100 ms,
    which would be counted as latency. The load event comes to us as soon as it fires.
    """
    from playwright.sync_api import Error

    check, marker = shown
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise RuntimeError(f"the page did not show {marker!r} within {RELOAD_TIMEOUT_S} s")
        page.wait_for_event("load", timeout=remaining * 1000)
        try:
            if page.evaluate(check, marker):
                return
        except Error:  # it navigated again before the check: wait for that load
            continue


def _series(entries: int, target: Target, runs: list[Save]) -> dict[str, Any]:
    """One series' figures: the title series' at the top level of a site's, the body's under
    "body"."""
    ms = [run.ms for run in runs]
    median = statistics.median(ms)
    target_value = target_ms(entries)
    return {
        "entries": entries, "entry": target.slug, "saves": len(runs), "pause_seconds": PAUSE_S,
        "ms": [round(x) for x in ms], "median_ms": round(median), "min_ms": round(min(ms)),
        "max_ms": round(max(ms)), "target_ms": target_value,
        "meets_target": None if target_value is None else median < target_value,
        "serve_build_seconds": [round(run.build_seconds, 3) for run in runs],
        "median_serve_build_seconds": round(statistics.median(r.build_seconds for r in runs), 3),
        "files_written": [run.written for run in runs],
        "builds_per_save": [run.builds for run in runs],
        "search_refreshes": sum(run.indexed for run in runs),
    }


def measure_or_note(sitegen: Path, config: Path, saves: int | None,
                    log: Callable[[str], None]) -> dict[str, Any] | str:
    """`measure`, or why it could not run: the other figures of a long run are kept."""
    if not CHROMIUM.exists():
        return f"skipped: no {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "skipped: playwright is not installed"
    try:
        return measure(sitegen, config, saves, log)
    except Exception as e:  # noqa: BLE001 - recorded in the results and logged, not dropped
        log(f"latency: FAILED on {config}: {e}")
        return f"failed: {e}"
