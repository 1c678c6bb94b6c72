"""Render results as bench/results/latest.md.

    python -m bench.report RESULTS.json [--before BEFORE.json] [--latency LATENCY.json]

The report opens with issue 9's table: each figure with its goal, this run's value and ratio,
and, given --before, the same figure from an earlier run (the engine before the change).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCENARIO_NAMES = {"cold": "cold build", "noop": "no-op rebuild", "edit": "edit of the newest entry"}
SOURCE_RE = re.compile(r"generated from `([^`]+\.json)`")
BEFORE_RE = re.compile(r"before figures from `([^`]+\.json)`")
MIB = 2**20
GOAL_SIZE = "10000"
HUGE_SIZE = "100000"


# --- Figures --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figures:
    """Issue 9's figures for one corpus of one run (seconds, bytes); None where not measured."""

    cold: float | None
    peer_cold: float | None  # Hugo + Pagefind, the median of their sums per repetition
    cold_no_search: float | None
    hugo: float | None
    noop: float | None
    edit: float | None
    edit_pages: float | None
    peak_python: int | None
    peak_pagefind: int | None
    peak_any: int | None
    peak_hugo: int | None
    peak_pagefind_on_hugo: int | None
    no_search_how: str
    cold_cpu: float | None = None
    peer_cold_cpu: float | None = None


def figures(data: dict[str, Any]) -> Figures:
    runs = data["runs"]
    cold, noop, edit = runs["cold"], runs["noop"], runs["edit"]
    sg_series = [s for by in runs.values() for name, s in by.items() if name.startswith("sitegen")]
    peer = peer_cpu = None
    if "hugo" in cold and "pagefind_on_hugo" in cold:
        peer_cpu = statistics.median(a + b for a, b in zip(cold["hugo"]["cpu"],
                                                          cold["pagefind_on_hugo"]["cpu"],
                                                          strict=True))
        peer = statistics.median(a + b for a, b in zip(cold["hugo"]["wall"],
                                                      cold["pagefind_on_hugo"]["wall"],
                                                      strict=True))
    how = ("sitegen's `--no-search` build" if "sitegen_no_search" in cold else
           "sitegen's build minus the time its Pagefind process ran")
    return Figures(
        cold=_median(cold.get("sitegen")), peer_cold=peer,
        cold_no_search=_without_search(cold), hugo=_median(cold.get("hugo")),
        noop=_median(noop.get("sitegen")), edit=_median(edit.get("sitegen")),
        edit_pages=_without_search(edit),
        peak_python=max((s["peaks"]["python"] for s in sg_series), default=None),
        peak_pagefind=max((s["peaks"]["pagefind"] for s in sg_series), default=None),
        peak_any=max((s["max_peak_rss"] for s in sg_series), default=None),
        peak_hugo=cold["hugo"]["max_peak_rss"] if "hugo" in cold else None,
        peak_pagefind_on_hugo=(cold["pagefind_on_hugo"]["max_peak_rss"]
                               if "pagefind_on_hugo" in cold else None),
        no_search_how=how,
        cold_cpu=float(cold["sitegen"]["median_cpu"]) if "sitegen" in cold else None,
        peer_cold_cpu=peer_cpu)


def _median(series: dict[str, Any] | None) -> float | None:
    return None if series is None else float(series["median_wall"])


def _without_search(by: dict[str, Any]) -> float | None:
    if "sitegen_no_search" in by:
        return float(by["sitegen_no_search"]["median_wall"])
    s = by.get("sitegen")
    if s is None:
        return None
    pairs = zip(s["wall"], s["pagefind_wall"], strict=True)
    return float(statistics.median(max(w - p, 0.0) for w, p in pairs))


# --- The goals table ------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    figure: str
    goal: str
    value: Callable[[dict[str, Any]], str]  # results -> "x s" etc.
    verdict: Callable[[dict[str, Any]], bool | None]


def _corpus(results: dict[str, Any], key: str) -> Figures | None:
    data = results.get("corpora", {}).get(key)
    return figures(data) if data else None


def _ratio_text(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}×" if a is not None and b else "-"


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f} s"


def _m(x: int | None) -> str:
    return "-" if not x else f"{x / MIB:,.0f} MiB"


def _cell(results: dict[str, Any], pick: Callable[[Figures], float | None],
          peer: Callable[[Figures], float | None] | None = None, key: str = GOAL_SIZE) -> str:
    f = _corpus(results, key)
    if f is None or pick(f) is None:
        return "not measured"
    if peer is None:
        return _s(pick(f))
    return f"{_s(pick(f))} vs {_s(peer(f))}: **{_ratio_text(pick(f), peer(f))}**"


def _verdict(results: dict[str, Any], test: Callable[[Figures], bool | None],
             key: str = GOAL_SIZE) -> bool | None:
    f = _corpus(results, key)
    return None if f is None else test(f)


def _le(a: float | None, b: float | None, factor: float = 1.0) -> bool | None:
    return None if a is None or b is None else a <= b * factor


def _lt(a: float | None, limit: float) -> bool | None:
    return None if a is None else a < limit


def _latency_cell(results: dict[str, Any], series: str | None = None) -> str:
    f = _latency(results, series)
    return f"{f['median_ms']:,} ms median of {f['saves']}" if f else "not measured"


def _latency(results: dict[str, Any], series: str | None = None) -> dict[str, Any] | None:
    """The 10,000-entry latency figures: the title series', or those under `series` ("body")."""
    lat = results.get("latency")
    f = lat.get("sizes", {}).get(GOAL_SIZE) if isinstance(lat, dict) else None
    if isinstance(f, dict) and series is not None:
        f = f.get(series)
    return f if isinstance(f, dict) else None


def _latency_ok(results: dict[str, Any], series: str | None = None) -> bool | None:
    f = _latency(results, series)
    return None if f is None else bool(f["median_ms"] < 500)


def _huge_source(results: dict[str, Any]) -> dict[str, Any]:
    return results.get("_huge_run") or results


def _huge_cell(results: dict[str, Any]) -> str:
    results = _huge_source(results)
    huge, base = _corpus(results, HUGE_SIZE), _corpus(results, GOAL_SIZE)
    if huge is None:
        return "not measured"
    return (f"{_s(huge.cold)}, {_ratio_text(huge.cold, base.cold if base else None)} the "
            f"10,000 time; peak {_m(huge.peak_any)}")


def _huge_verdict(results: dict[str, Any]) -> bool | None:
    results = _huge_source(results)
    huge, base = _corpus(results, HUGE_SIZE), _corpus(results, GOAL_SIZE)
    if huge is None or base is None or huge.cold is None or base.cold is None:
        return None
    return huge.cold <= 11 * base.cold and (huge.peak_any or 0) < 2**30


def _peak_cell(results: dict[str, Any]) -> str:
    f = _corpus(results, GOAL_SIZE)
    if f is None:
        return "not measured"
    return (f"Python {_m(f.peak_python)}, Pagefind {_m(f.peak_pagefind)} "
            f"(Hugo {_m(f.peak_hugo)}, Pagefind on Hugo {_m(f.peak_pagefind_on_hugo)})")


def _peak_ok(f: Figures) -> bool | None:
    if f.peak_python is None:
        return None
    return f.peak_python < 300 * MIB and (f.peak_pagefind or 0) < 300 * MIB


ROWS = (
    Row("cold build with search, 10,000 entries, vs Hugo + Pagefind", "≤ 1.0× Hugo + Pagefind",
        lambda r: _cell(r, lambda f: f.cold, lambda f: f.peer_cold),
        lambda r: _verdict(r, lambda f: _le(f.cold, f.peer_cold))),
    Row("the same in CPU seconds (every process; on a saturated machine wall time follows "
        "them)", "-", lambda r: _cell(r, lambda f: f.cold_cpu, lambda f: f.peer_cold_cpu),
        lambda r: None),
    Row("cold build without search, 10,000, vs Hugo alone", "≤ 0.8× Hugo",
        lambda r: _cell(r, lambda f: f.cold_no_search, lambda f: f.hugo),
        lambda r: _verdict(r, lambda f: _le(f.cold_no_search, f.hugo, 0.8))),
    Row("no-op rebuild, fresh process, 10,000", "< 0.3 s",
        lambda r: _cell(r, lambda f: f.noop), lambda r: _verdict(r, lambda f: _lt(f.noop, 0.3))),
    Row("edit of the newest entry, `sitegen build` with search, 10,000", "< 1.0 s",
        lambda r: _cell(r, lambda f: f.edit), lambda r: _verdict(r, lambda f: _lt(f.edit, 1.0))),
    Row("edit of the newest entry, pages alone, 10,000", "< 0.5 s",
        lambda r: _cell(r, lambda f: f.edit_pages),
        lambda r: _verdict(r, lambda f: _lt(f.edit_pages, 0.5))),
    Row("peak memory of any one process, 10,000 (sitegen's Python processes, its Pagefind)",
        "< 300 MiB each", _peak_cell, lambda r: _verdict(r, _peak_ok)),
    Row("a real blog: 1,049 long posts, cold, with search", "≤ 10 s",
        lambda r: _cell(r, lambda f: f.cold, key="blog"),
        lambda r: _verdict(r, lambda f: _lt(f.cold, 10.0000001), key="blog")),
    Row("`serve` save-to-reload, 10,000", "< 500 ms median", _latency_cell, _latency_ok),
    Row("`serve` save-to-reload after a body edit, 10,000", "< 500 ms median",
        lambda r: _latency_cell(r, "body"), lambda r: _latency_ok(r, "body")),
    Row("100,000 entries, cold, sitegen alone", "≤ 11× the 10,000 time; peak < 1 GiB",
        _huge_cell, _huge_verdict),
)


def _mark(ok: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "-"}[ok]


def goals_section(results: dict[str, Any], before: dict[str, Any] | None,
                  before_name: str | None) -> list[str]:
    lines = ["## Issue 9's figures\n"]
    intro = ("Each figure as issue 9's table asks for it; ratios are between tools measured in "
             "the same run (medians of the repetitions; see below), which is what counts on a "
             "shared, noisy machine.")
    if before is not None:
        intro += (f" **Before** is the engine as it was (`{before_name}`, sitegen "
                  f"{before['versions']['sitegen']}), measured the same way on the same machine.")
    lines.append(intro + "\n")
    if before is not None:
        lines += ["| figure | goal | before | now | now |", "|---|---|---|---|---|"]
        for row in ROWS:
            lines.append(f"| {row.figure} | {row.goal} | {row.value(before)} "
                         f"| {row.value(results)} | {_mark(row.verdict(results))} |")
    else:
        lines += ["| figure | goal | measured | verdict |", "|---|---|---|---|"]
        for row in ROWS:
            lines.append(f"| {row.figure} | {row.goal} | {row.value(results)} "
                         f"| {_mark(row.verdict(results))} |")
    return [*lines, ""]


# --- One corpus in detail -------------------------------------------------------------------

def corpus_section(key: str, data: dict[str, Any]) -> list[str]:
    c = data["corpus"]
    title = ("## The blog corpus: " + f"{c['entries']:,} long posts" if key == "blog"
             else f"## {int(key):,} entries")
    repeats = data["repeats"]
    loads = [x for by in data["runs"].values() for s in by.values() for x in s["load"]]
    stat = f"median of {repeats} runs" if repeats > 1 else "one run"
    f = figures(data)
    lines = [f"{title}\n",
             f"{c['files']:,} Markdown files, {c['bytes'] / MIB:.1f} MiB, {c['body_words']:,} "
             f"words of body text. Wall-clock seconds, {stat} (CPU seconds in brackets); the "
             f"edit appends a paragraph to the newest entry. 1-minute load average before each "
             f"run: {min(loads):.1f} to {max(loads):.1f}. Without search: {f.no_search_how}.\n"]
    runs = data["runs"]
    peers = "hugo" in runs["cold"]
    head = "| scenario | sitegen | sitegen without search |"
    rule = "|---|---:|---:|"
    if peers:
        head += " Hugo | Pagefind on Hugo | Hugo + Pagefind | sitegen / (Hugo + Pagefind) " \
                "| sitegen without search / Hugo |"
        rule += "---:|---:|---:|---:|---:|"
    lines += [head, rule]
    for scenario, name in SCENARIO_NAMES.items():
        by = runs[scenario]
        sg = by.get("sitegen")
        if sg is None:
            continue
        nosearch = _without_search(by) if scenario != "noop" else None
        row = f"| {name} | {_sc(sg)} | {_s(nosearch) if nosearch is not None else '-'} |"
        if peers:
            if scenario == "cold":
                row += (f" {_sc(by['hugo'])} | {_sc(by['pagefind_on_hugo'])} | "
                        f"{_s(f.peer_cold)} | {_ratio_text(f.cold, f.peer_cold)} "
                        f"| {_ratio_text(f.cold_no_search, f.hugo)} |")
            else:
                row += " - | - | - | - | - |"
        lines.append(row)
    if peers:
        lines.append("\nHugo has no incremental mode: its rebuild after an edit is its cold "
                     "build, so it is timed only cold.")
    if "pelican" in runs["cold"]:
        lines.append("\nPelican (its content cache on): " + ", ".join(
            f"{SCENARIO_NAMES[s]} {_sc(runs[s]['pelican'])}" for s in SCENARIO_NAMES
            if "pelican" in runs[s]) + ".")
    lines += ["", "Peak resident memory of one process (the largest of the repetitions):\n",
              "| process | peak MiB |", "|---|---:|",
              f"| sitegen's Python processes (main process and pool workers) "
              f"| {_mib0(f.peak_python)} |",
              f"| sitegen's Pagefind | {_mib0(f.peak_pagefind)} |"]
    if peers:
        lines += [f"| Hugo | {_mib0(f.peak_hugo)} |",
                  f"| Pagefind on Hugo's output | {_mib0(f.peak_pagefind_on_hugo)} |"]
    procs = max(s["processes"] for by in runs.values() for n, s in by.items()
                if n.startswith("sitegen"))
    lines += ["", f"sitegen's largest process tree: {procs} processes.",
              "", "What each tool wrote (after the last build, search bundles included):\n",
              "| tool | files | MiB |", "|---|---:|---:|"]
    for tool, out in data["outputs"].items():
        lines.append(f"| {tool} | {out['files']:,} | {out['bytes'] / MIB:.1f} |")
    return [*lines, "", *_sitegen_notes(data), ""]


def _sc(series: dict[str, Any]) -> str:
    return f"{series['median_wall']:.2f} ({series['median_cpu']:.2f})"


def _mib0(x: int | None) -> str:
    return "-" if not x else f"{x / MIB:,.0f}"


def _sitegen_notes(data: dict[str, Any]) -> list[str]:
    lines = []
    for scenario, name in SCENARIO_NAMES.items():
        builds = data["sitegen_builds"][scenario]
        last = builds[-1] if builds else None
        if last:
            lines.append(f"- sitegen {name}: {_files(last['written'])} written, "
                         f"{last['unchanged']:,} unchanged, {last['removed']:,} removed; "
                         f"search index {last['search']}.")
        elif builds:
            lines.append(f"- sitegen {name}: printed no summary line.")
    return lines


def _files(n: int) -> str:
    return f"{n:,} file{'' if n == 1 else 's'}"


# --- Profiles, latency, search, machine -----------------------------------------------------

def profile_section(profiles: dict[str, Any]) -> list[str]:
    if not profiles:
        return []
    size = profiles["size"]
    lines = [f"## Where the time goes (pyinstrument, {size:,} entries)\n",
             "One profiled cold build and one no-op build of the same project. pyinstrument "
             "samples sitegen's main process only: time in pool workers and in Pagefind shows "
             "as the main process waiting for them. Seconds are each frame's own time, counted "
             "for the library or sitegen module whose code ran (a library's calls into the "
             "standard library count for that library). Profiling slows Python down, so these "
             "seconds exceed the timings above.\n"]
    for scenario in ("cold", "noop"):
        p = profiles.get(scenario)
        if not isinstance(p, dict):
            lines.append(f"- {scenario}: {p or 'not profiled'}")
            continue
        total = p["sampled_seconds"] or 1.0
        buckets = sorted(p["buckets"].items(), key=lambda kv: -kv[1])
        shown = [f"{k} {v:.2f} s ({v / total:.0%})" for k, v in buckets if v / total >= 0.02]
        calls = sorted(p["sitegen_functions"].items(), key=lambda kv: -kv[1])
        top = [f"`{k.removeprefix('sitegen.')}` {v:.2f} s" for k, v in calls
               if v < 0.9 * total and not k.endswith("<module>")][:6]
        lines += [f"**{SCENARIO_NAMES[scenario]}**: {p['duration_seconds']:.2f} s profiled "
                  f"(`{p['file']}`): " + "; ".join(shown) + ".",
                  "", "Largest sitegen calls (inclusive): " + ", ".join(top) + ".", ""]
    return lines


def latency_section(latency: dict[str, Any] | str, note: str) -> list[str]:
    lines = ["## Save-to-reload latency (`sitegen serve`)\n",
             "From saving an entry (a temporary file renamed over it, as editors save) until "
             "headless Chromium, showing that entry's page, has reloaded and shows the edit; "
             "the saves are 1.5 s apart. **New title**: each save gives the entry a new title "
             "(neighbours, lists, feeds and exports show titles: serve remakes what shows the "
             "entry). **Body only**: then, "
             "the entry restored, each save adds one paragraph to its body alone, the front "
             "matter unchanged (only its own page, feeds and exports). Milliseconds; the "
             "rebuild is "
             f"serve's own figure for it.{note}\n"]
    if isinstance(latency, str):
        return [*lines, f"Not measured ({latency}).\n"]
    sites = [(f"generated, {int(size):,} entries", figures)
             for size, figures in sorted(latency["sizes"].items(), key=lambda i: int(i[0]))]
    seed = latency["seed_site"]
    sites.append(("repository's own timeline" + (
        f", {seed['entries']:,} entries" if isinstance(seed, dict) else ""), seed))
    lines += ["| site | edit | saves | median ms | min ms | max ms | target (median) "
              "| median rebuild ms |", "|---|---|---:|---:|---:|---:|---|---:|"]
    for name, f in sites:
        lines.append(_latency_row(name, "new title", f))
        if isinstance(f, dict) and "body" in f:  # runs before 2026-12-01's body series lack it
            lines.append(_latency_row(name, "body only", f["body"]))
    return [*lines, ""]


def _latency_row(site: str, edit: str, f: dict[str, Any] | str) -> str:
    if isinstance(f, str):
        return f"| {site} | {edit} | {f} | | | | | |"
    return (f"| {site} | {edit} | {f['saves']} | {f['median_ms']:,} | {f['min_ms']:,} "
            f"| {f['max_ms']:,} | {_target(f)} | {f['median_serve_build_seconds'] * 1000:,.0f} |")


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


def search_section(results: dict[str, Any]) -> list[str]:
    sites = [(_corpus_name(k), d["search"]) for k, d in _corpora(results)]
    if "seed_site" in results:
        sites.append((f"repository's own timeline of {results['seed_site']['entries']} entries",
                      results["seed_site"]))
    lines = ["## Search bundle (Pagefind)\n",
             "The bundle as sitegen wrote it (every `pagefind*` folder of the site).\n",
             "| site | entry pages | bundle files | bundle MiB | on disk MiB "
             "| of which fragments MiB | index chunks MiB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, s in sites:
        b = s["bundle"]
        lines.append(f"| {name} | {b['pages']:,} | {b['files']:,} | {_mib(b['bytes'])} "
                     f"| {_mib(b['disk_bytes'])} | {_mib(b.get('bytes_fragment', 0))} "
                     f"| {_mib(b.get('bytes_index', 0))} |")
    return [*lines, "", *_query_lines(sites), ""]


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


def machine_section(results: dict[str, Any]) -> list[str]:
    m, s = results["machine"], results["settings"]
    fs = s["work_filesystem"]
    where = "on tmpfs (`/dev/shm`)" if fs == "tmpfs" else f"on a `{fs}` file system"
    lines = ["## Machine and versions\n",
             f"- {m['cpu_count']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, "
             f"{m['platform']}, Python {m['python']}; the machine is shared with other "
             "engineers' test runs, so absolute seconds are noisy: compare the ratios",
             f"- projects and outputs {where}; the OS file cache is warm; load average "
             f"{_load(s['load_average_before'])} before, {_load(s['load_average_after'])} after; "
             f"started {results.get('started_utc', results['date'])}, the whole run took "
             f"{s['total_seconds']:,} s",
             "- " + ", ".join(f"{k} {v}" for k, v in sorted(results["versions"].items()))]
    return [*lines, ""]


def _corpora(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    items = list(results.get("corpora", {}).items())
    return sorted(items, key=lambda kv: (kv[0] == "blog", int(kv[0]) if kv[0].isdigit() else 0))


def _corpus_name(key: str) -> str:
    return "blog corpus" if key == "blog" else f"generated site of {int(key):,} entries"


def _load(values: list[float] | None) -> str:
    return " / ".join(f"{v:.2f}" for v in values) if values else "unknown"


def _mib(n: int) -> str:
    return f"{n / MIB:.2f}"


def _kib(n: int) -> str:
    return f"{n / 1024:.0f}"


# --- The whole report -----------------------------------------------------------------------

def markdown_report(results: dict[str, Any], source: str,
                    before: tuple[dict[str, Any], str] | None = None,
                    latency_run: tuple[dict[str, Any], str] | None = None,
                    also: tuple[tuple[dict[str, Any], str], ...] = ()) -> str:
    """The whole report. `latency_run` (results, file name) is a latency-only run whose figures
    replace those of `results`; `also` are other runs (results, file name) whose corpora, and
    profiles, `results` lacks: the blog, or 100,000 entries with that run's own 10,000 for the
    ratio."""
    shown = dict(results)
    shown["corpora"] = dict(results.get("corpora", {}))
    if latency_run:
        shown["latency"] = latency_run[0]["latency"]
    extra: list[tuple[str, dict[str, Any], dict[str, Any], str]] = []
    profiles, profile_note = results.get("profiles") or {}, ""
    notes = []
    for run, name in also:
        added = [k for k in run.get("corpora", {}) if k not in shown["corpora"]]
        for key in added:
            shown["corpora"][key] = run["corpora"][key]
            extra.append((key, run["corpora"][key], run, name))
        if HUGE_SIZE in run.get("corpora", {}):
            shown["_huge_run"] = run
        if not profiles and run.get("profiles"):
            profiles, profile_note = run["profiles"], name
            added.append("profiles")
        if added:
            notes.append(f"; {', '.join(_corpus_label(k) for k in added)} from `{name}`")
    text = f"; save-to-reload latency from `{latency_run[1]}`" if latency_run else ""
    text += "".join(notes)
    text += f"; before figures from `{before[1]}`" if before else ""
    parts = ["# sitegen benchmark\n",
             f"Run on {results['date']}; generated from `{source}`{text} by `python -m bench.run` "
             "(see `bench/README.md` for what each number means).\n",
             *goals_section(shown, before[0] if before else None, before[1] if before else None)]
    for key, data in _corpora(results):
        parts += corpus_section(key, data)
    for key, data, run, name in extra:
        section = corpus_section(key, data)
        section.insert(1, f"From `{name}`, a separate run started "
                          f"{run.get('started_utc', run['date'])} (sitegen "
                          f"{run['versions']['sitegen']}).\n")
        parts += section
    if profile_note:
        parts.append(f"The profiles below are from `{profile_note}`.\n")
    parts += profile_section(profiles)
    if "latency" in shown:
        parts += latency_section(shown["latency"],
                                 _run_note(*latency_run) if latency_run else "")
    parts += search_section(shown)
    parts += machine_section(results)
    return "\n".join(parts)


def _corpus_label(key: str) -> str:
    return {"blog": "the blog corpus", "profiles": "the profiles"}.get(
        key, f"{int(key):,} entries" if key.isdigit() else key)


def latest_sources(md_path: Path) -> tuple[Path | None, Path | None]:
    """The results JSON latest.md was rendered from, and its before-JSON, if it names them."""
    if not md_path.is_file():
        return None, None
    text = md_path.read_text()
    found = [rx.search(text) for rx in (SOURCE_RE, BEFORE_RE)]
    shown, before = (md_path.parent / m.group(1) if m else None for m in found)
    return shown, before


def render_latest(results_path: Path, before_path: Path | None = None,
                  latency_path: Path | None = None, also: tuple[Path, ...] = ()) -> str:
    """Write latest.md next to `results_path`; return it."""
    results = json.loads(results_path.read_text())
    before = None
    if before_path is not None:
        loaded = json.loads(before_path.read_text())
        if loaded.get("schema", 1) >= 2:
            before = (loaded, before_path.name)
    latency_run = None
    if latency_path is not None:
        latency_run = (json.loads(latency_path.read_text()), latency_path.name)
    others = tuple((json.loads(p.read_text()), p.name) for p in also)
    report = markdown_report(results, results_path.name, before, latency_run, others)
    (results_path.parent / "latest.md").write_text(report)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", type=Path)
    parser.add_argument("--before", type=Path, help="an earlier results JSON to compare with")
    parser.add_argument("--latency", type=Path, help="a latency-only results JSON")
    parser.add_argument("--also", type=Path, nargs="+", default=[],
                        help="other runs' results whose corpora (the blog, 100,000 entries) "
                             "and profiles the first lacks")
    args = parser.parse_args(argv)
    print(render_latest(args.results, args.before, args.latency, tuple(args.also)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
