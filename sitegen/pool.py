"""Every core on a cold build: a process pool for parsing and rendering, values returned.

Workers are forked from the build, so they inherit its modules and values (nothing is imported
or sent twice: even the items of a map reach a worker as a range of indices into the parent's
list, never pickled), and return values: the parent decides what is published, so a pooled
build's output is byte-identical to a one-process build.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from typing import Any, TypeVar

T = TypeVar("T")
# Below this many items the pool's start-up (~30 ms a worker) costs more than it saves.
MIN_ITEMS = 200
CHUNKS_PER_WORKER = 4
LEAST_CHUNK = 25  # items: the smallest chunk a worker is sent, at the very end


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        (os.cpu_count() or 1)


def worth_it(items: int, workers: int | None) -> bool:
    """Whether `items` jobs are worth a pool of `workers` (default: every core)."""
    return (workers or cores()) > 1 and items >= MIN_ITEMS and _can_fork()


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def map_chunks(fn: Callable[[list[Any], Any], list[T]], items: Sequence[Any], *,
               workers: int | None, extra: Any) -> list[T]:
    """`fn(chunk, extra)` over chunks of `items`, results concatenated in order."""
    return list(imap_chunks(fn, items, workers=workers, extra=extra))


def imap_chunks(fn: Callable[[list[Any], Any], list[T]], items: Sequence[Any], *,
                workers: int | None, extra: Any) -> Iterator[T]:
    """The same results, in order, each chunk's as soon as it is back: a parent that takes
    them one by one never holds every result at once. Take them all (the pool ends with the
    last)."""
    if not items:
        return
    if not worth_it(len(items), workers):
        yield from fn(list(items), extra)
        return
    global _ITEMS
    count = min(workers or cores(), max(1, len(items) // (MIN_ITEMS // 2)))
    starts, sizes = _chunks(len(items), count)
    context = multiprocessing.get_context("fork")
    _ITEMS = items  # read by the forked workers, which inherit it
    try:
        with ProcessPoolExecutor(count, mp_context=context, initializer=_start_worker,
                                 initargs=(os.getpid(),)) as executor:
            for chunk in executor.map(_run_range, repeat(fn), starts, sizes, repeat(extra)):
                yield from chunk
    finally:
        _ITEMS = ()


def _chunks(items: int, workers: int) -> tuple[list[int], list[int]]:
    """Where each chunk starts, and its size: CHUNKS_PER_WORKER equal chunks for each worker
    at most, smaller ones toward the end (each half of a worker's share of what is left to send
    out, LEAST_CHUNK at least), so the workers finish together: with equal chunks alone,
    one worker went on alone with its last chunk for up to ~0.4 s of a 10,000-entry parse."""
    most = -(-items // (workers * CHUNKS_PER_WORKER))
    starts: list[int] = []
    sizes: list[int] = []
    start = 0
    while start < items:
        left = items - start
        size = min(left, most, max(LEAST_CHUNK, -(-left // (workers * 2))))
        starts.append(start)
        sizes.append(size)
        start += size
    return starts, sizes


_ITEMS: Sequence[Any] = ()
PR_SET_PDEATHSIG = 1  # prctl(2)


# How much lower a worker's priority is than the build's process: the one process that
# renders the list pages beside the workers goes on at a full core's pace while it has work
# (it had ~40% of a cold build's rendering, the workers ~30% each, and finished last); once
# it is done or waiting, the workers have every core as before.
WORKER_NICENESS = 3


def _start_worker(parent: int) -> None:
    _die_with_parent(parent)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICENESS)


def _die_with_parent(parent: int) -> None:
    """In a worker: end when the build's process does, however it ends (Linux). A worker of
    a build killed outright (SIGKILL, the OOM killer) otherwise waits forever to hand back its
    chunk, holding the build's lock (its file, inherited): every later build waited for it."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: no such call
        return
    if os.getppid() != parent:  # the build ended before the call above
        os._exit(1)


def _run_range(fn: Callable[[list[Any], Any], list[T]], start: int, size: int,
               extra: Any) -> list[T]:
    return fn(list(_ITEMS[start:start + size]), extra)
