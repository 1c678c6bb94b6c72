"""Titles made for untitled items, and file-name slugs."""

from __future__ import annotations

import pytest

from sitegen.ingest.text import sentences, short_title, slugify


@pytest.mark.parametrize(("text", "title"), [
    ("Ferries resumed on the river, according to the port office. More later.",
     "Ferries resumed on the river"),
    ("Crews restored power to the hospital on Sunday, easing pressure on surgeons who had "
     "worked by torchlight for three days, the regional governor said.",
     "Crews restored power to the hospital on Sunday"),
    ("\u201cWe will rebuild the bridge by spring,\u201d the mayor said at a briefing in the "
     "town hall. Work starts next month.",
     "The mayor said at a briefing in the town hall"),
    ("After a week of delays, the first trains crossed the repaired viaduct near the border "
     "town early on Tuesday morning carrying grain.",
     "The first trains crossed the repaired viaduct near the border town early on Tuesday "
     "morning carrying grain"),  # the opening clause goes when the sentence is too long
    ("VOLUNTEERS Painted the shelter walls in bright colours.",
     "Volunteers Painted the shelter walls in bright colours"),
])
def test_short_title_comes_from_the_first_sentence(text: str, title: str) -> None:
    assert short_title(text) == title


def test_titles_never_end_with_a_full_stop_inside_a_quote() -> None:
    assert short_title("Leaders spoke of a \u201cshared shield.\u201d It was brief.") == (
        "Leaders spoke of a \u201cshared shield\u201d")


def test_abbreviations_do_not_end_a_sentence() -> None:
    assert sentences("The U.S. envoy met Dr. Ruiz on Dec. 3 in Kyiv. Then she left.") == [
        "The U.S. envoy met Dr. Ruiz on Dec. 3 in Kyiv.", "Then she left."]


@pytest.mark.parametrize(("title", "slug"), [
    ("Kyiv\u2019s metro reopens", "kyivs-metro-reopens"),
    ("The U.N. envoy visits Odesa", "un-envoy-visits-odesa"),
    ("\u00a32.3 billion pledged for 2023", "2-3-billion-pledged-for-2023"),
    ("!!!", "untitled"),
])
def test_slug_is_lowercase_ascii_words(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slug_is_cut_at_a_word_boundary() -> None:
    slug = slugify("Engineers finish repairs on the third transmission line feeding the city")
    assert len(slug) <= 50 and not slug.endswith("-")
    assert "engineers-finish-repairs-on-the-third-transmission".startswith(slug)
