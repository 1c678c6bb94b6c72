"""The benchmark's own parts: its corpora build, its memory figures are real, its report says
what the figures mean. No timing is asserted anywhere (speed lives in `make bench`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench import blog, latency, measure
from bench import corpus as corpus_mod
from bench.report import markdown_report

ALLOCATE = "b = bytearray({mib} * 2**20); b[::4096] = b'x' * len(b[::4096])"


def _build(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sitegen", "build", "--config", str(config)],
                          cwd=config.parent, capture_output=True, text=True, check=False)


def test_peak_memory_is_that_of_the_largest_process_in_the_tree(tmp_path: Path) -> None:
    # a parent of 20 MiB starts a child that touches 160 MiB: the child is the peak
    # (it holds the memory a moment, as a build does: a sampler on a loaded machine may
    # otherwise never see a process that exits the instant it has touched its pages)
    child = ALLOCATE.format(mib=160) + "; import time; time.sleep(0.5)"
    parent = (f"import subprocess, sys; {ALLOCATE.format(mib=20)}; "
              f"subprocess.run([sys.executable, '-c', {child!r}], check=True)")
    m = measure.run([sys.executable, "-c", parent], tmp_path)
    assert m.peak_rss >= 160 * 2**20
    assert m.peaks["python"] >= 150 * 2**20  # sampled, so it may miss the last few pages
    assert m.processes >= 2
    assert m.pagefind_wall == 0


def test_a_failing_command_is_reported_with_its_output(tmp_path: Path) -> None:
    with pytest.raises(measure.CommandFailed, match="exited 3:\nno such thing"):
        measure.run([sys.executable, "-c", "import sys; sys.exit('no such thing') if 0 else "
                     "(sys.stderr.write('no such thing'), sys.exit(3))"], tmp_path)


def test_the_blog_corpus_is_fixed_and_has_what_long_posts_have(tmp_path: Path) -> None:
    posts = blog.make_posts(12)
    assert [corpus_mod.sitegen_entry(p) for p in posts] == [
        corpus_mod.sitegen_entry(p) for p in blog.make_posts(12)]
    text = "\n".join(p.body for p in posts)
    for what in (r"^## ", r"^### ", r"^```(python|rust|go|javascript|bash|sql|yaml|toml)$",
                 r"^- ", r"^1\. ", r"\[\^\d+\]: ", r"\]\(https://", r"\]\(/entries/"):
        assert re.search(what, text, re.MULTILINE), what
    assert 12_000 < len(text.encode()) / len(posts) < 25_000  # long posts, ~17 KB each

    project = corpus_mod.write_corpus(tmp_path / "blog", len(posts), ("sitegen", "hugo"),
                                      posts, blog.BLOG_TOPICS)
    result = _build(project.sitegen_config)
    assert result.returncode == 0, result.stderr
    page = (project.sitegen / "site" / "entries" / posts[-1].slug / "index.html").read_text()
    assert re.search(r"<h2[ >]", page) and re.search(r"<pre[^>]*><code class=\"language-", page)
    assert (project.hugo / "content" / "posts" / f"{posts[-1].slug}.md").is_file()


def test_the_generated_timeline_builds_and_stays_in_the_past(tmp_path: Path) -> None:
    assert corpus_mod.entry_day(99_999, 100_000) <= corpus_mod.LAST_DAY
    assert corpus_mod.entry_day(9_999, 10_000) < corpus_mod.LAST_DAY.replace(year=2011)
    project = corpus_mod.write_corpus(tmp_path / "n40", 40, ("sitegen",))
    result = _build(project.sitegen_config)
    assert result.returncode == 0, result.stderr
    assert len(list((project.sitegen / "site" / "entries").glob("*/index.html"))) == 40


def _series(walls: list[float], pagefind: list[float] | None = None,
            python_mib: int = 100) -> dict[str, Any]:
    n = len(walls)
    peak = python_mib * 2**20
    return {"wall": walls, "cpu": walls, "pagefind_wall": pagefind or [0.0] * n,
            "peak_rss": [peak] * n, "max_peak_rss": peak, "processes": 3, "load": [1.0] * n,
            "peaks": {"python": peak, "pagefind": 0, "hugo": 0, "other": 0},
            "median_wall": sorted(walls)[n // 2], "median_cpu": sorted(walls)[n // 2],
            "min_wall": min(walls)}


def _results(cold: float, noop: float, python_mib: int) -> dict[str, Any]:
    data = {"corpus": {"entries": 10000, "files": 10000, "bytes": 2**20, "body_words": 1},
            "repeats": 3, "edited": "x", "no_search_option": None,
            "runs": {"cold": {"sitegen": _series([cold] * 3, [4.0] * 3, python_mib),
                              "hugo": _series([6.0] * 3), "pagefind_on_hugo": _series([4.0] * 3)},
                     "noop": {"sitegen": _series([noop] * 3)},
                     "edit": {"sitegen": _series([0.8] * 3, [0.5] * 3)}},
            "sitegen_builds": {"cold": [], "noop": [], "edit": []},
            "outputs": {"sitegen": {"files": 1, "bytes": 1}},
            "search": {"bundle": {"files": 1, "bytes": 1, "disk_bytes": 1, "pages": 1}}}
    return {"schema": 2, "date": "2026-12-01", "corpora": {"10000": data},
            "machine": {"cpu_count": 2, "cpu_model": "x", "memory_gib": 1, "platform": "p",
                        "python": "3.11"},
            "settings": {"work_filesystem": "tmpfs", "load_average_before": [1, 1, 1],
                         "load_average_after": [1, 1, 1], "total_seconds": 1},
            "versions": {"sitegen": "0.1.0 (git abc)"}}


def test_the_report_gives_each_goal_its_ratio_and_verdict_before_and_after() -> None:
    before = _results(cold=20.0, noop=5.6, python_mib=250)
    after = _results(cold=9.0, noop=0.2, python_mib=400)
    report = markdown_report(after, "after.json", (before, "before.json"))
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines()
            if line.startswith("| ")}
    cold = rows["cold build with search, 10,000 entries, vs Hugo + Pagefind"]
    assert "20.00 s vs 10.00 s: **2.00×**" in cold and "9.00 s vs 10.00 s: **0.90×**" in cold
    assert cold.endswith("| met |")
    # without search: sitegen's time less its Pagefind time, against Hugo alone
    assert "5.00 s vs 6.00 s: **0.83×**" in rows["cold build without search, 10,000, vs Hugo alone"]
    assert rows["cold build without search, 10,000, vs Hugo alone"].endswith("**not met** |")
    assert rows["no-op rebuild, fresh process, 10,000"].endswith("| 0.20 s | met |")
    peak = next(v for k, v in rows.items() if k.startswith("peak memory"))
    assert "Python 400 MiB" in peak and peak.endswith("**not met** |")
    assert "before figures from `before.json`" in report


def test_a_body_edit_keeps_the_front_matter_and_shows_only_in_the_body(tmp_path: Path) -> None:
    project = corpus_mod.write_corpus(tmp_path / "n40", 40, ("sitegen",))
    target = latency.pick_entry(latency.entry_files(project.sitegen))
    text = latency.rebody(target, "A paragraph added by the benchmark body save 1 of 9.")
    closing = target.text.index("\n---\n", 3) + len("\n---\n")
    assert text[:closing] == target.text[:closing]  # the front matter, byte for byte
    assert text.startswith(target.text.rstrip())
    assert text.endswith("\n\nA paragraph added by the benchmark body save 1 of 9.\n")
    latency.save(target.path, text)
    assert not list(target.path.parent.glob(".*.saving"))
    result = _build(project.sitegen_config)
    assert result.returncode == 0, result.stderr
    page = (project.sitegen / "site" / "entries" / target.slug / "index.html").read_text()
    body = page[page.index('<div class="entry-body">'):]
    assert "<p>A paragraph added by the benchmark body save 1 of 9.</p>" in body
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.DOTALL)
    assert h1 and "benchmark" not in h1.group(1)


@pytest.mark.parametrize(("found", "edited"), [
    ("---\ntitle: A\n---\n", "---\ntitle: A\n---\nNew.\n"),  # no body at all
    ("---\ntitle: A\n---", "---\ntitle: A\n---\nNew.\n"),  # not even a final newline
    ("---\ntitle: A\n---\nOld.  \n\n\n", "---\ntitle: A\n---\nOld.\n\nNew.\n"),
])
def test_a_body_edit_of_a_short_entry_keeps_its_front_matter(found: str, edited: str) -> None:
    target = latency.Target(Path("a.md"), "a", "A", found)
    assert latency.rebody(target, "New.") == edited
    assert latency.retitle(target, "B").startswith('---\ntitle: "B"\n---')


def _latency(title_ms: list[float], body_ms: list[float] | None) -> dict[str, Any]:
    """A latency-only run's results as `latency.measure` makes them (title series at the top of
    each site's figures, the body series under "body" unless `body_ms` is None)."""
    target = latency.Target(Path("x.md"), "x", "X", "")

    def series(entries: int, ms: list[float]) -> dict[str, Any]:
        runs = [latency.Save(x, x / 1000 - 0.1, 7, 1, 0) for x in ms]
        return latency._series(entries, target, runs)

    def site(entries: int) -> dict[str, Any]:
        figures = {**series(entries, title_ms), "startup_seconds": 1.0,
                   "disk_cache_at_start": False, "exit_status": 0}
        return figures if body_ms is None else {**figures, "body": series(entries, body_ms)}

    results = _results(cold=9.0, noop=0.2, python_mib=100)
    del results["corpora"]
    return {**results, "latency": {"sizes": {"1000": site(1000), "10000": site(10000)},
                                   "seed_site": "skipped: no /usr/bin/chromium"}}


def _rows(report: str) -> dict[str, str]:
    return {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines()
            if line.startswith("| ")}


def test_the_report_shows_save_to_reload_after_a_new_title_and_after_a_body_edit() -> None:
    run = _latency([2400.0, 2452.0, 2600.0], [180.0, 210.0, 640.0])
    report = markdown_report(_results(cold=9.0, noop=0.2, python_mib=100), "full.json",
                             latency_run=(run, "lat.json"))
    rows = _rows(report)
    title = rows["`serve` save-to-reload, 10,000"]
    assert "| < 500 ms median | 2,452 ms median of 3 | **not met** |" in title
    body = rows["`serve` save-to-reload after a body edit, 10,000"]
    assert "| < 500 ms median | 210 ms median of 3 | met |" in body
    lines = report.splitlines()
    assert lines.index(title) + 1 == lines.index(body)  # the title row first: the headline
    section = report[report.index("## Save-to-reload latency"):]
    assert "| generated, 10,000 entries | new title | 3 | 2,452 | 2,400 | 2,600 " \
           "| under 500 ms: **missed** | 2,352 |" in section
    assert "| generated, 10,000 entries | body only | 3 | 210 | 180 | 640 " \
           "| under 500 ms: met | 110 |" in section
    assert "| generated, 1,000 entries | body only | 3 | 210 | 180 | 640 " \
           "| under 300 ms: met |" in section
    assert "| repository's own timeline | new title | skipped: no /usr/bin/chromium |" in section


def test_a_latency_run_without_the_body_series_still_renders() -> None:
    report = markdown_report(_results(cold=9.0, noop=0.2, python_mib=100), "full.json",
                             latency_run=(_latency([2452.0], None), "old.json"))
    rows = _rows(report)
    assert "| 2,452 ms median of 1 | **not met** |" in rows["`serve` save-to-reload, 10,000"]
    assert rows["`serve` save-to-reload after a body edit, 10,000"].endswith(
        "| not measured | - |")
    section = report[report.index("## Save-to-reload latency"):]
    assert "| generated, 10,000 entries | new title | 1 | 2,452 |" in section
    assert "body only" not in section


def test_the_committed_latency_runs_still_render() -> None:
    results = Path(__file__).parent.parent / "bench" / "results"
    for path in sorted(results.glob("*-latency.json")):
        run = json.loads(path.read_text())
        report = markdown_report(_results(cold=9.0, noop=0.2, python_mib=100), "full.json",
                                 latency_run=(run, path.name))
        assert f"save-to-reload latency from `{path.name}`" in report
        assert "| generated, 10,000 entries | new title |" in report, path
