"""How alike two texts are: near-duplicate posts, and whether one text covers another."""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from sitegen.ingest.text import content_words, words

DUPLICATE_RATIO = 0.75  # share of words two versions of one post have in common, in order
CONTAINED_SHARE = 0.8  # ... or share of the shorter one's words the longer repeats, in order
CONTAINED_MIN_WORDS = 12  # a text this short is too formulaic to be judged by containment
LENGTH_RATIO = 0.5  # a text less than half as long as another is not a version of it
COVERED_SHARE = 0.5  # a post that carries half of a text's weighted vocabulary reports it
COVERED_KEY_WORDS = 3  # ... and so does one that shares three key words with a one-line headline
UBIQUITOUS = 1 / 3  # a word used by more than this share of an article's texts is no key word


def near_duplicate(a: str, b: str) -> bool:
    """True when `a` and `b` are the same report, perhaps updated ("two" -> "three deaths")."""
    first, second = _words(a), _words(b)
    shorter, longer = sorted((len(first), len(second)))
    if not shorter or shorter < LENGTH_RATIO * longer:
        return False
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    # quick_ratio() bounds the words in common from above: 2 * common / (a + b)
    most_common = matcher.quick_ratio() * (shorter + longer) / 2
    could_contain = shorter >= CONTAINED_MIN_WORDS and most_common >= CONTAINED_SHARE * shorter
    if matcher.real_quick_ratio() < DUPLICATE_RATIO or matcher.quick_ratio() < DUPLICATE_RATIO:
        return could_contain and _contained(matcher, shorter)
    return matcher.ratio() >= DUPLICATE_RATIO or (could_contain and _contained(matcher, shorter))


def _contained(matcher: SequenceMatcher[str], shorter: int) -> bool:
    """An update that adds to a post keeps most of the old words in order ("two" -> "three
    warehouses, destroying 20,000 tonnes")."""
    same = sum(block.size for block in matcher.get_matching_blocks())
    return same >= CONTAINED_SHARE * shorter


@functools.lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(words(text))  # a post is compared with many others: split it once


@dataclass(frozen=True)
class Vocabulary:
    """The words of one article's texts and how many texts use each (for IDF weights)."""

    counts: dict[str, int]
    texts: int

    def weight(self, word: str) -> float:
        """Inverse document frequency: a word few texts use says more about a text."""
        return math.log((self.texts + 1) / (self.counts.get(word, 0) + 1)) + 0.1

    def is_key(self, word: str) -> bool:
        return self.counts.get(word, 0) <= self.texts * UBIQUITOUS


def vocabulary(texts: Iterable[str]) -> Vocabulary:
    """The Vocabulary of `texts` (stemmed content words)."""
    bags = [set(content_words(text)) for text in texts]
    return Vocabulary(dict(Counter(word for bag in bags for word in bag)), len(bags))


def covers(whole: str, part: str, vocab: Vocabulary, *, headline: bool = False) -> bool:
    """True when `whole` reports what `part` does.

    It does when it uses at least half of `part`'s IDF-weighted words; for a one-line headline,
    also when it shares three key words (a headline paraphrases: "speak of deepening their
    collaboration" is "discussions focused on cooperation", but the names stay).
    """
    need = set(content_words(part))
    total = sum(vocab.weight(word) for word in need)
    if not total:
        return True
    shared = need & set(content_words(whole))
    if sum(vocab.weight(word) for word in shared) >= COVERED_SHARE * total:
        return True
    return headline and sum(1 for word in shared if vocab.is_key(word)) >= COVERED_KEY_WORDS
