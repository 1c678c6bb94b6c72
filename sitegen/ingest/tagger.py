"""Tag a text with the taxonomy's topics: keywords match as whole words and their inflections."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.ingest.text import fold
from sitegen.model import Topic

# Endings that inflect a word without changing what it names: plurals, possessives, verb forms
# and agent nouns ("outage" -> "outages", "command" -> "commander", "pledge" -> "pledged").
ENDINGS = ("s", "es", "'s", "ed", "d", "ing", "er", "ers")
# Proper nouns also make adjectives and demonyms: "Belarus" -> "Belarusian", "Iran" -> "Iranian".
PROPER_ENDINGS = ("s", "'s", "n", "ns", "an", "ans", "ian", "ians", "ese")


@dataclass(frozen=True)
class Tagger:
    """One compiled pattern per topic, in taxonomy order."""

    patterns: tuple[tuple[str, re.Pattern[str]], ...]

    def topics(self, text: str) -> tuple[str, ...]:
        """The slugs of every topic one of whose keywords occurs in `text`."""
        folded = fold(text)
        return tuple(slug for slug, pattern in self.patterns if pattern.search(folded))


def make_tagger(topics: Sequence[Topic]) -> Tagger:
    """A Tagger for `topics`; a topic without keywords never matches."""
    patterns = []
    for topic in topics:
        alternatives = sorted((keyword_pattern(k) for k in topic.keywords if k.strip()),
                              key=len, reverse=True)
        if alternatives:
            joined = r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)"
            patterns.append((topic.slug, re.compile(joined, re.IGNORECASE)))
    return Tagger(tuple(patterns))


def keyword_pattern(keyword: str) -> str:
    """A regex for `keyword` and its inflections; the words of a phrase may be spaced or hyphened.

    A plural keyword also matches its singular ("talks" -> "talk", "talked").
    """
    parts = fold(keyword).split()
    *head, last = parts
    endings = PROPER_ENDINGS if last[:1].isupper() else ENDINGS
    forms = {re.escape(stem) + "(?:" + "|".join(re.escape(e) for e in endings) + ")?"
             for stem in _stems(last)}
    tail = "(?:" + "|".join(sorted(forms)) + ")"
    return r"[\s-]+".join([*(re.escape(word) for word in head), tail])


def _stems(word: str) -> set[str]:
    """`word` and, for a plural or an e-ending verb, the form endings attach to."""
    lower = word.lower()
    stems = {word}
    if lower.endswith("ies") and len(lower) > 4:
        stems.add(word[:-3] + "y")
        stems.add(word[:-3] + "ie")
    elif lower.endswith(("sses", "xes", "ches", "shes")):
        stems.add(word[:-2])
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 3:
        stems.add(word[:-1])
    if lower.endswith("y") and len(lower) > 3:
        stems.add(word[:-1] + "ie")  # "economy" -> "economies"
    if lower.endswith("e") and len(lower) > 3:
        stems.add(word[:-1])  # "pledge" -> "pledging"; "e" + "d"/"s" are covered by ENDINGS
    return stems
