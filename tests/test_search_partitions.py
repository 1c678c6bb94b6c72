"""How entry pages are split into search partitions: by date, deterministically, so that an edit
touches one partition and new entries touch only the newest ones."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import re
from pathlib import Path

import pytest

from sitegen import search
from sitegen.model import Entry

PAGE_BYTES = 5_000  # like a benchmark entry page


def make_entry(day: dt.date, n: int, topics: tuple[str, ...] = ("aid",)) -> Entry:
    slug = f"{day.isoformat()}-event-{n:05d}"
    return Entry(Path(f"{slug}.md"), slug, f"Event {n}", day, None, topics, (), "", "<p>x</p>")


def three_a_day(count: int, first: dt.date = dt.date(2001, 1, 1)) -> list[Entry]:
    return [make_entry(first + dt.timedelta(days=i // 3), i) for i in range(count)]


def sizes(entries: list[Entry], size: int = PAGE_BYTES) -> dict[str, int]:
    return {search.page_of(e): size for e in entries}


def plan(entries: list[Entry], page_sizes: dict[str, int] | None = None) -> list[search.Partition]:
    return search.plan_partitions(entries, sizes(entries) if page_sizes is None else page_sizes)


def memberships(partitions: list[search.Partition]) -> dict[str, tuple[str, ...]]:
    return {p.name: p.pages for p in partitions}


def test_the_cap_follows_the_page_size_in_steps_and_bounds_pagefind_input() -> None:
    low, high = search.CAP_LIMITS
    assert search.partition_cap(5_000) == 1722  # benchmark-sized pages
    assert search.partition_cap(5_100) == search.partition_cap(5_000)  # drift moves no step
    assert search.partition_cap(50_000) < 200  # long posts: fewer per run
    assert search.partition_cap(10) == high and search.partition_cap(10**9) == low


def test_every_entry_lands_in_exactly_one_partition_and_partitions_are_date_disjoint() -> None:
    entries = three_a_day(10_000)
    partitions = plan(entries)
    pages = [page for p in partitions for page in p.pages]
    assert sorted(pages) == sorted(search.page_of(e) for e in entries)
    for older, newer in itertools.pairwise(partitions):
        assert older.entries[-1].sort_key < newer.entries[0].sort_key
        assert older.last <= newer.first
    assert len({p.name for p in partitions}) == len(partitions)


def test_assignment_is_deterministic_whatever_the_input_order() -> None:
    entries = three_a_day(3_000)
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    assert memberships(plan(entries)) == memberships(plan(shuffled))


def test_no_partition_exceeds_the_bytes_one_pagefind_run_may_read() -> None:
    for page_bytes in (2_000, 5_000, 20_000, 80_000):
        entries = three_a_day(6_000)
        for p in plan(entries, sizes(entries, page_bytes)):
            assert len(p.pages) * page_bytes <= search.PARTITION_BYTES * 1.01, page_bytes


def test_ten_thousand_entries_make_few_partitions_and_a_small_newest_one() -> None:
    partitions = plan(three_a_day(10_000))
    cap = search.partition_cap(PAGE_BYTES)
    assert len(partitions) <= 10_000 // cap + 2
    assert len(partitions[-1].pages) <= cap // search.RECENT + 31 * 3  # overrun by a month


def test_an_edit_changes_one_partitions_stamp_and_nothing_else() -> None:
    entries = three_a_day(8_000)
    old = {search.page_of(e): f"<p>{e.title}</p>".encode().ljust(PAGE_BYTES) for e in entries}
    edited = search.page_of(entries[1234])
    new = {**old, edited: old[edited] + b"<p>One more sentence about what happened.</p>"}
    before = plan(entries, {rel: len(data) for rel, data in old.items()})
    after = plan(entries, {rel: len(data) for rel, data in new.items()})
    assert memberships(after) == memberships(before)
    assert len(after) > 3
    changed = [p.name for p, q in zip(before, after, strict=True)
               if search.stamp_key(p, old, "/") != search.stamp_key(q, new, "/")]
    assert changed == [p.name for p in after if edited in p.pages]
    assert len(changed) == 1


def test_the_stamp_covers_the_base_path() -> None:
    entries = three_a_day(10)
    pages = {search.page_of(e): b"<p>x</p>" for e in entries}
    [partition] = plan(entries)
    assert search.stamp_key(partition, pages, "/") != search.stamp_key(partition, pages, "/tl/")


def test_adding_newest_entries_changes_only_the_newest_partitions() -> None:
    """Entries arrive newest last: every partition but the open block's two (its settled part
    and the newest) stays exactly as it was."""
    entries = three_a_day(4_000)
    tail = 2
    previous = plan(entries[:1000])
    for count in range(1001, 4001, 53):
        current = plan(entries[:count])
        assert memberships(previous[:-tail]).items() <= memberships(current).items(), count
        previous = current


def monthly(count: int) -> list[Entry]:
    """One entry on the first of each month, from January 2001."""
    return [make_entry(dt.date(2001 + i // 12, i % 12 + 1, 1), i) for i in range(count)]


@pytest.mark.parametrize(("count", "sizes_"), [
    (62, [16, 16, 16, 12, 2]),  # the newest month starts before 14, so the newest part at 12
    (63, [16, 16, 16, 14, 1]),  # a month starts at 14 (a multiple of cap/8): the newest is it
    (64, [16, 16, 16, 14, 2]),  # the block is full; its newest keeps the month 15 as well
    (65, [16, 16, 16, 16, 1]),  # the fourth block is closed, whole; a new one opens
    (67, [16, 16, 16, 16, 2, 1]),
])
def test_new_entries_go_to_a_small_newest_partition_merged_every_cap_over_8(
        count: int, sizes_: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CAP_LIMITS", (16, 16))
    monkeypatch.setattr(search, "RECENT", 8)  # the sizes above are worked out for cap/8
    partitions = plan(monthly(count))
    assert [len(p.pages) for p in partitions] == sizes_
    assert partitions[-1].name == f"{2001 + (count - sizes_[-1]) // 12}-" \
        f"{(count - sizes_[-1]) % 12 + 1:02d}"  # named after the month of its first entry


def test_a_closed_block_is_the_open_blocks_two_parts_merged(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CAP_LIMITS", (16, 16))
    monkeypatch.setattr(search, "RECENT", 8)
    full, closed = plan(monthly(64)), plan(monthly(65))
    assert memberships(full[:3]).items() <= memberships(closed).items()
    assert closed[3].name == full[3].name
    assert closed[3].pages == full[3].pages + full[4].pages
    assert closed[4].pages == (search.page_of(monthly(65)[-1]),)


def per_month(count: int, a_month: int) -> list[Entry]:
    """`count` entries from January 2001, `a_month` of them in each month (the last month may
    hold fewer)."""
    def day(i: int) -> dt.date:
        month, k = divmod(i, a_month)
        return dt.date(2001 + month // 12, month % 12 + 1, 1 + k * 28 // a_month)
    return [make_entry(day(i), i) for i in range(count)]


def newest_atom(entries: list[Entry], step: int) -> list[str]:
    """The pages of the newest month, or of its last run of cap/RECENT when it holds more."""
    month = [e for e in entries if (e.day.year, e.day.month) == (entries[-1].day.year,
                                                                 entries[-1].day.month)]
    return [search.page_of(e) for e in month[(len(month) - 1) // step * step:]]


# (cap, entries a month, corpus sizes): busy and quiet months, months longer than cap/RECENT (cut
# into runs), corpus sizes on and off every multiple of cap/RECENT and of cap.
SHAPES = [
    (16, (1, 2, 3, 5, 40), range(1, 120)),
    (64, (1, 3, 7, 9, 30, 91, 200), range(1, 400, 5)),
    (1024, (30, 91, 129, 400), range(40, 4000, 331)),
]


@pytest.mark.parametrize(("cap", "months", "counts"), SHAPES)
def test_the_newest_partition_holds_the_newest_month_and_under_cap_over_recent_more(
        cap: int, months: tuple[int, ...], counts: range,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "CAP_LIMITS", (cap, cap))
    step = max(1, cap // search.RECENT)  # as plan_partitions cuts them
    for a_month in months:
        every = per_month(counts[-1], a_month)
        for count in counts:
            entries = every[:count]
            newest, atom = plan(entries)[-1], newest_atom(entries, step)
            assert set(atom) <= set(newest.pages), (a_month, count)
            assert len(newest.pages) < step + len(atom), (a_month, count)


def edited_newest(entries: list[Entry]) -> tuple[dict[str, str], dict[str, str]]:
    """Pages (as digest stand-ins) before and after the newest one grows by a paragraph."""
    old = {search.page_of(e): f"<p>{e.title}</p>".ljust(PAGE_BYTES) for e in entries}
    newest = search.page_of(entries[-1])
    return old, {**old, newest: old[newest] + "<p>One more paragraph.</p>"}


@pytest.mark.parametrize(("cap", "months", "counts"), [
    (64, (1, 7, 30, 91), range(100, 400, 13)),
    (None, (91, 400), range(2_000, 10_001, 1_999)),
])
def test_editing_the_newest_entry_reindexes_only_the_small_newest_partition(
        cap: int | None, months: tuple[int, ...], counts: range,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if cap:
        monkeypatch.setattr(search, "CAP_LIMITS", (cap, cap))
    step = max(1, search.partition_cap(PAGE_BYTES) // search.RECENT)
    for a_month in months:
        every = per_month(counts[-1], a_month)
        for count in counts:
            entries = every[:count]
            old, new = edited_newest(entries)
            before = plan(entries, {rel: len(page) for rel, page in old.items()})
            after = plan(entries, {rel: len(page) for rel, page in new.items()})
            assert memberships(after) == memberships(before)
            changed = [q for p, q in zip(before, after, strict=True)
                       if search.stamp_key(p, old, "/") != search.stamp_key(q, new, "/")]
            assert [p.name for p in changed] == [after[-1].name], (a_month, count)
            assert len(changed[0].pages) < step + len(newest_atom(entries, step))


def linked_pages(entries: list[Entry]) -> dict[str, str]:
    """Each entry page as a digest stand-in, naming its "Later" neighbour as pages do."""
    later = [e.slug for e in entries[1:]] + [""]
    return {search.page_of(e): f"{e.slug} later:{n}" for e, n in zip(entries, later, strict=True)}


@pytest.mark.parametrize(("cap", "a_month"), [(64, 1), (64, 5), (64, 11), (64, 40),
                                              (128, 91), (128, 30)])
def test_appending_entries_one_at_a_time_reindexes_the_settled_part_rarely(
        cap: int, a_month: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each new entry re-indexes the newest partition (and its neighbour's, for the "Later"
    link), which stays small; any other partition is re-indexed about once per cap/RECENT added
    entries, when the settled part takes in the newest's older months or a block closes."""
    monkeypatch.setattr(search, "CAP_LIMITS", (cap, cap))
    step, first, last = max(1, cap // search.RECENT), cap // 2, cap * 3 + cap // 3
    entries = per_month(last, a_month)
    previous = {}
    settled_reindexed = 0
    for count in range(first, last + 1):
        current, pages = plan(entries[:count]), linked_pages(entries[:count])
        stamps = {p.name: search.stamp_key(p, pages, "/") for p in current}
        rebuilt = [p for p in current if previous.get(p.name) != stamps[p.name]]
        if count > first:
            assert rebuilt[-1] == current[-1] and len(rebuilt) <= 2, count
            assert len(current[-1].pages) < step + len(newest_atom(entries[:count], step))
            settled_reindexed += len(rebuilt) > 1
        previous = stamps
    added = last - first
    assert settled_reindexed <= added / step + added / cap + 1
    assert settled_reindexed >= added / step - 1  # the settled part does take them in


def test_a_month_busier_than_the_newest_partition_is_cut_into_runs() -> None:
    day = dt.date(2022, 2, 24)
    entries = [make_entry(day + dt.timedelta(days=i // 200), i) for i in range(4000)]
    partitions = plan(entries, sizes(entries, 4_000))
    cap = search.partition_cap(4_000)
    assert partitions[0].name == "2022-02.1"
    assert all(re.fullmatch(r"2022-0[23]\.\d+", p.name) for p in partitions)
    assert all(len(p.pages) <= cap * 1.125 for p in partitions)


def test_manifest_lists_partitions_newest_first_with_topic_counts() -> None:
    entries = [make_entry(dt.date(2023, 3, d), d, ("aid", "grid") if d % 2 else ("aid",))
               for d in range(1, 11)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "CAP_LIMITS", (4, 4))
        partitions = plan(entries)
    manifest = json.loads(search.manifest_bytes(partitions))["partitions"]
    assert [p["first"] for p in manifest] == sorted((p["first"] for p in manifest), reverse=True)
    assert sum(p["topics"]["aid"] for p in manifest) == 10
    assert sum(p["topics"].get("grid", 0) for p in manifest) == 5
    assert sum(p["entries"] for p in manifest) == 10
