"""Precision and recall of the tagger per topic on every fixture article, against the hand-made
gold standard: `python -m tests.ingest.metrics` prints the table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tests.ingest.conftest import FIXTURES, TAXONOMY
from tests.ingest.topic_gold import GOLD


@dataclass(frozen=True)
class Score:
    """Counts for one topic: tagged and right, tagged but wrong, missed."""

    true_pos: int
    false_pos: int
    false_neg: int

    @property
    def precision(self) -> float:
        tagged = self.true_pos + self.false_pos
        return self.true_pos / tagged if tagged else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_pos + self.false_neg
        return self.true_pos / relevant if relevant else 1.0


def tagged() -> dict[tuple[str, str], set[str]]:
    """Each expected draft's topics as ingest wrote them: (case, file name) -> slugs."""
    found = {}
    for path in sorted(FIXTURES.glob("*/expected/*.md")):
        data = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])
        found[(path.parent.parent.name, path.name)] = set(data["topics"])
    return found


def scores() -> tuple[dict[str, Score], Score]:
    """Per topic, and over all topics (micro-averaged)."""
    found = tagged()
    gold = {(case, name): topics for case, drafts in GOLD.items()
            for name, topics in drafts.items()}
    if set(found) != set(gold):
        raise ValueError(f"gold and drafts differ: {sorted(set(found) ^ set(gold))}")
    per_topic = {}
    for slug in TAXONOMY:
        tp = sum(1 for key in gold if slug in gold[key] and slug in found[key])
        fp = sum(1 for key in gold if slug not in gold[key] and slug in found[key])
        fn = sum(1 for key in gold if slug in gold[key] and slug not in found[key])
        per_topic[slug] = Score(tp, fp, fn)
    total = Score(*(sum(getattr(s, f) for s in per_topic.values())
                    for f in ("true_pos", "false_pos", "false_neg")))
    return per_topic, total


def table() -> str:
    per_topic, total = scores()
    lines = [f"{'topic':<17} {'tp':>3} {'fp':>3} {'fn':>3} {'precision':>9} {'recall':>6}"]
    for slug, s in [*per_topic.items(), ("all (micro)", total)]:
        lines.append(f"{slug:<17} {s.true_pos:>3} {s.false_pos:>3} {s.false_neg:>3} "
                     f"{s.precision:>9.2f} {s.recall:>6.2f}")
    drafts = sum(len(d) for d in GOLD.values())
    lines.append(f"{drafts} drafts from {len(GOLD)} fixture articles in {Path(FIXTURES).name}/")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
