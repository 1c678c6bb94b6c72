"""Run one command and measure it: wall and CPU seconds, peak memory of every process in its tree.

Linux only (it reads /proc). While the command runs, a thread samples its process tree every
POLL_S seconds: each process's peak resident set (VmHWM, which only grows, so a sample misses
at most the growth after the last one) and when each Pagefind process was first and last seen.
When the command exits, wait4() gives the exact peak resident set of the largest process in the
whole tree (the kernel keeps it for every waited-for descendant) and its CPU seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

POLL_S = 0.025
KINDS = ("python", "pagefind", "hugo", "other")


@dataclass(frozen=True)
class Measurement:
    """One run of one command."""

    wall: float  # seconds from start to exit
    cpu: float  # user + system seconds of the command and every descendant it waited for
    peak_rss: int  # bytes: the largest single process of the tree (exact, from wait4)
    peaks: dict[str, int]  # bytes by kind of process (python, pagefind, hugo, other), sampled
    pagefind_wall: float  # seconds during which a Pagefind process ran (sampled)
    processes: int  # processes seen in the tree (the command, pool workers, Pagefind...)
    load: float  # the 1-minute load average just before the run
    stderr: str


class CommandFailed(RuntimeError):
    pass


def run(command: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> Measurement:
    """Run `command` to completion in `cwd`; raise CommandFailed with its output if it fails."""
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err,
                                env=None if env is None else {**os.environ, **env},
                                start_new_session=True)  # its own process group, see below
        watcher = _TreeWatcher(proc.pid)
        thread = threading.Thread(target=watcher.watch, daemon=True)
        thread.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # the benchmark was stopped: stop the command and its children
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            raise
        wall = time.perf_counter() - started
        watcher.stop.set()
        thread.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
        if proc.returncode != 0:
            out.seek(0)
            tail = (stderr or out.read().decode("utf-8", "replace")).strip()[-2000:]
            raise CommandFailed(f"{' '.join(command)} exited {proc.returncode}:\n{tail}")
    peaks = watcher.peaks()
    exact = usage.ru_maxrss * 1024  # KiB on Linux
    return Measurement(wall=wall, cpu=usage.ru_utime + usage.ru_stime,
                       peak_rss=max(exact, *peaks.values()), peaks=peaks,
                       pagefind_wall=watcher.pagefind_seconds(), processes=len(watcher.seen),
                       load=load, stderr=stderr)


@dataclass
class _Process:
    kind: str
    hwm: int = 0  # bytes
    first: float = 0.0
    last: float = 0.0


@dataclass
class _TreeWatcher:
    root: int
    stop: threading.Event = field(default_factory=threading.Event)
    seen: dict[int, _Process] = field(default_factory=dict)
    _ppids: dict[int, int] = field(default_factory=dict)  # every process on the machine
    _members: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._members.add(self.root)

    def watch(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(POLL_S)

    def sample(self) -> None:
        now = time.perf_counter()
        for pid in self._tree():
            # Classified on every sample: a child seen between fork and exec still looks like
            # its parent (Python), and only becomes Pagefind when it execs.
            kind = _kind(pid)
            if kind is None:
                continue
            proc = self.seen.get(pid)
            if proc is None:
                proc = self.seen[pid] = _Process(kind, first=now)
            elif proc.kind != kind:  # it exec'd: a new program, its own peak and span
                proc.kind, proc.hwm, proc.first = kind, 0, now
            proc.hwm = max(proc.hwm, _hwm(pid))
            proc.last = now

    def _tree(self) -> list[int]:
        """The root and its descendants. Only processes new since the last sample are read (pids
        wrap around at pid_max, so a child's pid may be smaller than its parent's)."""
        current = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        for gone in self._ppids.keys() - current:
            del self._ppids[gone]
            self._members.discard(gone)
        new = [pid for pid in current if pid not in self._ppids]
        for pid in new:
            ppid = _ppid(pid)
            self._ppids[pid] = -1 if ppid is None else ppid
        grown = True
        while grown:  # a child and its own child may both be new
            grown = False
            for pid in new:
                if pid not in self._members and self._ppids[pid] in self._members:
                    self._members.add(pid)
                    grown = True
        return sorted(self._members & current)

    def peaks(self) -> dict[str, int]:
        found = dict.fromkeys(KINDS, 0)
        for proc in self.seen.values():
            found[proc.kind] = max(found[proc.kind], proc.hwm)
        return found

    def pagefind_seconds(self) -> float:
        """The union of the spans in which some Pagefind process was seen running."""
        spans = sorted((p.first, p.last + POLL_S / 2) for p in self.seen.values()
                       if p.kind == "pagefind")
        total, end = 0.0, float("-inf")
        for start, stop in spans:
            if stop > end:
                total += stop - max(start, end)
                end = stop
        return total


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    return int(stat[stat.rindex(b")") + 2:].split()[1])


def _kind(pid: int) -> str | None:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip().lower()
        argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0].decode().lower()
    except (OSError, UnicodeDecodeError):
        return None
    for kind in ("pagefind", "hugo"):
        if kind in comm or kind in os.path.basename(argv0):
            return kind
    if "python" in comm or "python" in argv0 or comm in ("sitegen", "pelican"):
        return "python"
    return "other"


def _hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
