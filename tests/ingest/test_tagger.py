"""Tagging: keywords match as whole words and their inflections, never inside other words."""

from __future__ import annotations

import pytest

from sitegen.ingest.tagger import make_tagger
from sitegen.model import Topic
from tests.ingest.conftest import TAXONOMY

TAGGER = make_tagger([Topic(slug, slug, "", tuple(words)) for slug, words in TAXONOMY.items()])


@pytest.mark.parametrize(("text", "topic"), [
    ("Belarusian officials protested.", "belarus"),
    ("Shelling hit Belgorod again.", "frontline"),
    ("Hourly power cuts continue.", "energy-grid"),
    ("Blackouts hit three districts.", "energy-grid"),
    ("Outages were scheduled.", "energy-grid"),
    ("Strikes on energy infrastructure continued.", "energy-grid"),
    ("Berlin pledged more money.", "aid"),
    ("Norway is pledging ammunition.", "aid"),
    ("Peace talks stalled.", "diplomacy"),
    ("The leaders talked by phone.", "diplomacy"),  # a plural keyword matches its singular
    ("Iranian-made drones were used.", "iran"),
    ("Two commanders were replaced.", "military-command"),
    ("Deserters face tougher penalties.", "military-command"),
    ("Families mourned the dead.", "casualties"),
    ("Residents prepared for the New Year's Eve blackout.", "civilian-life"),
    ("Casualty figures rose.", "casualties"),
    ("The front-line town held.", "frontline"),
])
def test_keyword_and_inflections_tag_the_topic(text: str, topic: str) -> None:
    assert topic in TAGGER.topics(text)


@pytest.mark.parametrize(("text", "topic"), [
    ("Shelling hit Belgorod again.", "belarus"),  # Belgorod is not Belarus
    ("She said nothing more.", "aid"),  # "said" holds "aid"
    ("The aide declined to comment.", "aid"),
    ("Prices were deadlocked.", "casualties"),  # "dead" inside a word
    ("The Iranians' neighbours, Irani traders, met.", "china"),
])
def test_a_keyword_inside_another_word_does_not_tag(text: str, topic: str) -> None:
    assert topic not in TAGGER.topics(text)


def test_topics_come_in_taxonomy_order() -> None:
    assert TAGGER.topics("Drones and missiles hit Minsk after talks.") == (
        "belarus", "strikes", "drones", "diplomacy")
