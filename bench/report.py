"""Render a results JSON as bench/results/latest.md: `python -m bench.report RESULTS.json`
(and a latency-only run's JSON after it, to show that run's latency figures instead)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

TOOLS = ("sitegen", "hugo", "pelican")
SCENARIO_NAMES = {"cold": "cold build", "noop": "no-op rebuild", "edit": "one-entry edit"}
SOURCE_RE = re.compile(r"generated from `([^`]+\.json)`")


def markdown_report(results: dict[str, Any], source: str,
                    latency_run: tuple[dict[str, Any], str] | None = None) -> str:
    """The whole report: one table per corpus size, save-to-reload latency, search figures,
    machine and versions. `latency_run` (results, file name) is a latency-only run whose
    figures replace those of `results`."""
    also = f"; save-to-reload latency from `{latency_run[1]}`" if latency_run else ""
    parts = [
        "# sitegen benchmark\n",
        f"Run on {results['date']}; generated from `{source}`{also} by `python -m bench.run` "
        "(see `bench/README.md` for what each number means).\n",
    ]
    for size, data in _by_size(results):
        repeats = results["settings"]["repeats"][size]
        parts += _size_section(int(size), data, repeats)
    if latency_run:
        parts += _latency_section(latency_run[0]["latency"], _run_note(*latency_run))
    elif "latency" in results:
        parts += _latency_section(results["latency"], "")
    if "seed_site" in results:
        parts += _search_section(results)
    parts += _machine_section(results)
    return "\n".join(parts)


def latest_source(md_path: Path) -> Path | None:
    """The full results JSON that latest.md was rendered from (it names it first), if any."""
    if not md_path.is_file():
        return None
    match = SOURCE_RE.search(md_path.read_text())
    return md_path.parent / match.group(1) if match else None


def _by_size(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(results.get("sizes", {}).items(), key=lambda item: int(item[0]))


def _size_section(size: int, data: dict[str, Any], repeats: int) -> list[str]:
    runs = data["runs"]
    corpus = data["corpus"]
    stat = f"median of {repeats} runs" if repeats > 1 else "one run"
    lines = [f"## {size:,} entries\n",
             f"{corpus['files']:,} Markdown files, {corpus['bytes'] / 2**20:.1f} MiB, "
             f"{corpus['body_words']:,} words of body text. Seconds, {stat}.\n"]
    for measure, title in (("wall", "Wall-clock seconds"), ("cpu", "CPU seconds")):
        lines += [f"{title}:\n", *_timing_table(data, runs, measure), ""]
    lines += ["What each tool wrote (after the last build; sitegen's count includes its "
              "search bundle):\n",
              "| tool | files | MiB |", "|---|---:|---:|"]
    for tool in TOOLS:
        out = data["outputs"][tool]
        lines.append(f"| {tool} | {out['files']:,} | {out['bytes'] / 2**20:.1f} |")
    lines += ["", *_sitegen_notes(data), ""]
    return lines


def _timing_table(data: dict[str, Any], runs: dict[str, Any], measure: str) -> list[str]:
    pagefind = data["search"]["index"][f"median_{measure}"]
    lines = ["| scenario | sitegen | sitegen without search | Hugo | Pelican "
             "| sitegen / Hugo | sitegen / Pelican | Pagefind share of sitegen |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for scenario, name in SCENARIO_NAMES.items():
        sg, hugo, pel = (runs[t][scenario][f"median_{measure}"]
                         for t in ("sitegen", "hugo", "pelican"))
        search = pagefind if _indexed(data, scenario) else 0.0
        share = f"{search / sg:.0%}" if sg else "-"
        lines.append(f"| {name} | {sg:.2f} | {max(sg - search, 0):.2f} | {hugo:.2f} | {pel:.2f} "
                     f"| {_ratio(sg, hugo)} | {_ratio(sg, pel)} | {share} |")
    return lines


def _indexed(data: dict[str, Any], scenario: str) -> bool:
    """Whether sitegen ran Pagefind in most runs of `scenario` (cold and edit do)."""
    builds = [b for b in data["sitegen_builds"][scenario] if b is not None]
    if not builds:
        return scenario != "noop"
    return bool(sum(b["indexed"] for b in builds) * 2 > len(builds))


def _sitegen_notes(data: dict[str, Any]) -> list[str]:
    lines = []
    for scenario, name in SCENARIO_NAMES.items():
        builds = data["sitegen_builds"][scenario]
        last = builds[-1] if builds else None
        if last:
            index = "search index rebuilt" if last["indexed"] else "search index unchanged"
            lines.append(f"- sitegen {name}: {_files(last['written'])} written, "
                         f"{last['unchanged']:,} unchanged, {last['removed']:,} removed; "
                         f"{index}.")
    return lines


def _files(n: int) -> str:
    return f"{n:,} file{'' if n == 1 else 's'}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "-"


def _latency_section(latency: dict[str, Any] | str, note: str) -> list[str]:
    lines = ["## Save-to-reload latency (`sitegen serve`)\n",
             "From saving an entry with a new title (a temporary file renamed over it, as "
             "editors save) until headless Chromium, showing that entry's page, has reloaded "
             "and shows the new title; the saves are 1.5 s apart. Milliseconds; the rebuild is "
             f"serve's own figure for it.{note}\n"]
    if isinstance(latency, str):
        return [*lines, f"Not measured ({latency}).\n"]
    sites = [(f"generated, {int(size):,} entries", figures)
             for size, figures in sorted(latency["sizes"].items(), key=lambda i: int(i[0]))]
    seed = latency["seed_site"]
    sites.append(("repository's own timeline" + (
        f", {seed['entries']:,} entries" if isinstance(seed, dict) else ""), seed))
    lines += ["| site | saves | median ms | min ms | max ms | target (median) "
              "| median rebuild ms |", "|---|---:|---:|---:|---:|---|---:|"]
    for name, f in sites:
        if isinstance(f, str):
            lines.append(f"| {name} | {f} | | | | | |")
            continue
        lines.append(f"| {name} | {f['saves']} | {f['median_ms']:,} | {f['min_ms']:,} "
                     f"| {f['max_ms']:,} | {_target(f)} "
                     f"| {f['median_serve_build_seconds'] * 1000:,.0f} |")
    return [*lines, ""]


def _target(figures: dict[str, Any]) -> str:
    if figures["target_ms"] is None:
        return "-"
    verdict = "met" if figures["meets_target"] else "**missed**"
    return f"under {figures['target_ms']:,} ms: {verdict}"


def _run_note(results: dict[str, Any], source: str) -> str:
    s = results["settings"]
    return (f" Measured in a separate run on {results['date']} (`{source}`, sitegen "
            f"{results['versions']['sitegen']}); load average {_load(s['load_average_before'])} "
            f"before, {_load(s['load_average_after'])} after.")


def _search_section(results: dict[str, Any]) -> list[str]:
    sites = [(f"generated site of {int(size):,} entries", data["search"])
             for size, data in _by_size(results)]
    sites.append((f"repository's own timeline of {results['seed_site']['entries']} entries",
                  results["seed_site"]))
    lines = ["## Search (Pagefind)\n",
             "Index build is the Pagefind binary alone on a built site (median wall seconds); "
             "the bundle is `pagefind/` as written.\n",
             "| site | entry pages | index build s | bundle files | bundle MiB | on disk MiB "
             "| of which fragments MiB | index chunks MiB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in sites:
        b = s["bundle"]
        lines.append(f"| {name} | {s['pages_indexed']:,} | {s['index_seconds']:.2f} "
                     f"| {b['files']:,} | {_mib(b['bytes'])} | {_mib(b['disk_bytes'])} "
                     f"| {_mib(b.get('bytes_fragment', 0))} | {_mib(b.get('bytes_index', 0))} |")
    lines += ["", *_query_lines(sites), ""]
    return lines


def _query_lines(sites: list[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = []
    for name, s in sites:
        q = s.get("query")
        if isinstance(q, str):
            lines.append(f"- One-word query on the {name}: {q}.")
        elif q:
            lines.append(
                f"- One-word query “{q['word']}” on the {name}: the search page and its "
                f"results fetch {q['requests']} files, {_kib(q['bytes'])} KiB; of these "
                f"{q['pagefind_requests']} are Pagefind's, {_kib(q['pagefind_bytes'])} KiB "
                f"(runtime {_kib(q.get('pagefind_bytes_runtime', 0))}, "
                f"meta {_kib(q.get('pagefind_bytes_meta', 0))}, "
                f"filters {_kib(q.get('pagefind_bytes_filter', 0))}, "
                f"index chunks {_kib(q.get('pagefind_bytes_index', 0))}, "
                f"fragments {_kib(q.get('pagefind_bytes_fragment', 0))} KiB); "
                f"{q['results_shown']} results shown.")
    if lines:
        lines.insert(0, "Bytes a headless Chromium fetches from a plain, uncompressed local "
                        "server to open `/search/?q=WORD` and show the first results:\n")
    return lines


def _machine_section(results: dict[str, Any]) -> list[str]:
    m, s = results["machine"], results["settings"]
    lines = ["## Machine and versions\n",
             f"- {m['cpu_count']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, "
             f"{m['platform']}, Python {m['python']}",
             f"- projects generated on a `{s['work_filesystem']}` file system; load average "
             f"{_load(s['load_average_before'])} before, {_load(s['load_average_after'])} after; "
             f"the whole run took {s['total_seconds']} s",
             "- " + ", ".join(f"{k} {v}" for k, v in sorted(results["versions"].items()))]
    return [*lines, ""]


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "unknown"


def _mib(n: int) -> str:
    return f"{n / 2**20:.2f}"


def _kib(n: int) -> str:
    return f"{n / 1024:.0f}"


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) not in (1, 2):
        print("usage: python -m bench.report bench/results/DATE-HOST.json "
              "[bench/results/DATE-HOST-latency.json]", file=sys.stderr)
        return 2
    path = Path(args[0])
    latency_run = None
    if len(args) == 2:
        latency_run = (json.loads(Path(args[1]).read_text()), Path(args[1]).name)
    report = markdown_report(json.loads(path.read_text()), path.name, latency_run)
    (path.parent / "latest.md").write_text(report)
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
