"""The shipped timeline against its two seed articles: citations faithful, names consistent."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from sitegen.config import load_config
from sitegen.load import entry_files, load_entries

REPO = Path(__file__).resolve().parents[1]
SEEDS = Path(os.environ.get("SITEGEN_SEEDS", REPO.parent / "shared" / "seeds"))


@pytest.fixture(scope="module")
def entries() -> list:  # type: ignore[type-arg]
    config = load_config(REPO / "pyproject.toml")
    result = load_entries(entry_files(config.entries_dir), config.topic_slugs)
    assert not result.problems, result.problems
    return list(result.entries)


def _words(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'")
    return " ".join(re.findall(r"[\w'£$€]+", text.lower()))


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed articles are not at {SEEDS}: this test checks citations "
                    "against them")
    return " ".join(_words(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt")))


def test_cited_headlines_mark_every_dropped_word_with_an_ellipsis(entries: list,  # type: ignore[type-arg]
                                                                  seed_text: str) -> None:
    for entry in entries:
        for source in entry.sources:
            parts = [p for p in (_words(x) for x in source.headline.split("…")) if p]
            assert parts, entry.slug
            for part in parts:
                # each run of words between ellipses is in a seed exactly as written
                assert part in seed_text, (entry.path, part)


def test_no_entry_lists_the_same_source_twice(entries: list) -> None:  # type: ignore[type-arg]
    for entry in entries:
        assert len(set(entry.sources)) == len(entry.sources), entry.path


def test_each_official_is_spelled_one_way(entries: list) -> None:  # type: ignore[type-arg]
    text = " ".join(e.body_html + e.summary + e.title for e in entries)
    for variant in ("Oleksiy Kuleba", "Sergey Lavrov", "Sergey Shoigu", "Zalensky"):
        assert variant not in text


def test_entries_of_a_day_follow_the_order_their_source_reported(entries: list) -> None:  # type: ignore[type-arg]
    by_day: dict[str, list[int]] = {}
    for entry in sorted(entries, key=lambda e: e.sort_key):
        by_day.setdefault(entry.day.isoformat(), []).append(entry.order)
    for day, orders in by_day.items():
        if len(orders) > 1:
            assert orders == sorted(set(orders)), (day, orders)
