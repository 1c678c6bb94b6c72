"""The tagger's precision and recall on every fixture, against a gold standard made by hand
(`python -m tests.ingest.metrics` prints the per-topic table)."""

from __future__ import annotations

from tests.ingest.metrics import scores, table


def test_every_fixture_draft_has_a_gold_label_and_scores_are_high() -> None:
    per_topic, total = scores()  # raises when a draft lacks a gold label, or the reverse
    assert total.precision >= 0.85, table()
    assert total.recall >= 0.9, table()


def test_belarus_is_never_over_tagged_and_aid_paraphrases_are_found() -> None:
    per_topic, _ = scores()
    assert per_topic["belarus"].precision == 1.0, table()  # borders, Minsk agreements, sidebars
    assert per_topic["belarus"].recall == 1.0, table()
    assert per_topic["aid"].recall >= 0.9, table()  # tanks promised, budget support, packages
