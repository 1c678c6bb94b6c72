"""Where the time goes: pyinstrument profiles of a cold and a no-op `sitegen build`.

The build runs under `python -m pyinstrument -m sitegen build ...` (pyinstrument is in the bench
extra). pyinstrument samples the main process only: time spent in pool workers or in Pagefind
shows up as the main process waiting for them. The text profile is written next to the results
(`DATE-HOST-profile-cold-N.txt`, `...-noop-N.txt`); the JSON results keep a summary: the sampled
seconds by library or sitegen module (each frame's own time, so the rows add up to the total).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.run import Tool

# (bucket, substrings of a frame's file path or function), first match wins
BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("markdown-it-py", ("/markdown_it/", "/mdit_py_plugins/", "markdown_it_pyrs")),
    ("Jinja2 templates", ("/jinja2/", "/markupsafe/", ".html", ".xml", ".j2", "<template>")),
    ("PyYAML", ("/yaml/",)),
    ("Pygments", ("/pygments/",)),
    ("sqlite3", ("/sqlite3/",)),
    ("pickle", ("pickle",)),
    ("waiting for Pagefind and other subprocesses", ("/subprocess.py", "/selectors.py")),
    ("waiting for pool workers", ("/concurrent/", "/multiprocessing/", "/threading.py",
                                  "/queue.py")),
    ("imports", ("<frozen importlib", "/importlib/")),
    ("hashing", ("/hashlib.py",)),
    ("file system (pathlib, os, shutil)", ("/pathlib.py", "/os.py", "/shutil.py",
                                           "/genericpath.py", "/posixpath.py")),
)


def profile_builds(tool: Tool, size: int, results: Path, stem: str,
                   log: Callable[[str], None]) -> dict[str, Any]:
    """Profile a cold build, then a no-op build, of `tool`'s project; return the summaries."""
    figures: dict[str, Any] = {}
    results.mkdir(parents=True, exist_ok=True)
    for scenario in ("cold", "noop"):
        if scenario == "cold":
            tool.clean()
        text = results / f"{stem}-profile-{scenario}-{size}.txt"
        try:
            figures[scenario] = profile_one(tool, text)
        except (OSError, RuntimeError, ValueError) as e:
            figures[scenario] = f"failed: {e}"
        log(f"n={size:,} profiled {scenario}: {text.name}")
    return {"size": size, **figures}


def profile_one(tool: Tool, text_out: Path) -> dict[str, Any]:
    """Run the build under pyinstrument; write the text profile; return the summary."""
    sitegen_args = tool.command[1:]  # after the `sitegen` executable
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        session = Path(tmp) / "build.pyisession"
        _pyinstrument(["-r", "pyisession", "-o", str(session), "-m", "sitegen", *sitegen_args],
                      tool.project)
        _pyinstrument(["--load", str(session), "-r", "text", "--no-color", "--unicode",
                       "-o", str(text_out)], tool.project)
        as_json = Path(tmp) / "build.json"
        _pyinstrument(["--load", str(session), "-r", "json", "-p",
                       "processor_options.filter_threshold=0", "-o", str(as_json)], tool.project)
        data = json.loads(as_json.read_text())
    return summarize(data, text_out.name)


def _pyinstrument(args: list[str], cwd: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "pyinstrument", *args], cwd=cwd,
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"pyinstrument {' '.join(args[:3])} exited {result.returncode}: "
                           f"{(result.stderr or result.stdout).strip()[-500:]}")


def summarize(data: dict[str, Any], text_name: str) -> dict[str, Any]:
    """Seconds by bucket (each frame's own time, in the bucket of its nearest ancestor that has
    one: a library's calls into the standard library count for that library, and everything
    below an import counts as imports), and the slowest sitegen functions (inclusive time,
    outermost call only)."""
    root = data["root_frame"]
    buckets: dict[str, float] = {}
    sitegen: dict[str, float] = {}
    _walk(root, "other", buckets, sitegen, frozenset())
    duration = float(data.get("duration") or root["time"])
    top = sorted(sitegen.items(), key=lambda kv: -kv[1])[:12]
    return {"file": text_name, "duration_seconds": round(duration, 3),
            "sampled_seconds": round(float(root["time"]), 3),
            "cpu_seconds": round(float(data.get("cpu_time") or 0.0), 3),
            "buckets": {k: round(v, 3) for k, v in sorted(buckets.items(), key=lambda kv: -kv[1])
                        if v >= 0.0005},
            "sitegen_functions": {k: round(v, 3) for k, v in top}}


def _walk(frame: dict[str, Any], inherited: str, buckets: dict[str, float],
          sitegen: dict[str, float], open_functions: frozenset[str]) -> None:
    children = frame.get("children", [])
    own = float(frame["time"]) - sum(float(c["time"]) for c in children)
    path = str(frame.get("file_path") or frame.get("file_path_short") or "")
    name = str(frame.get("function") or "")
    key = inherited if inherited == "imports" else (_bucket(path, name) or inherited)
    buckets[key] = buckets.get(key, 0.0) + max(own, 0.0)
    function = _sitegen_function(path, name)
    if function and function not in open_functions and name != "[self]":
        sitegen[function] = sitegen.get(function, 0.0) + float(frame["time"])
        open_functions = open_functions | {function}
    for child in children:
        _walk(child, key, buckets, sitegen, open_functions)


def _bucket(path: str, function: str) -> str | None:
    if function == "<module>" and not path.endswith("__main__.py"):
        return "imports"  # pyinstrument hides importlib's frames, not the module's own
    where = f"{path} {function}"
    for name, needles in BUCKETS:
        if any(n in where for n in needles):
            return name
    return _sitegen_module(path)


def _sitegen_module(path: str) -> str | None:
    marker = "/sitegen/"
    if marker not in path or "/site-packages/" in path:
        return None
    rel = path.rsplit(marker, 1)[1]
    return "sitegen." + rel.removesuffix(".py").replace("/", ".")


def _sitegen_function(path: str, function: str) -> str | None:
    module = _sitegen_module(path)
    return f"{module}.{function}" if module else None
