"""Tag a text with the taxonomy's topics: keywords (and known paraphrases) match as whole words
and their inflections, weighed by where they stand."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.ingest.paraphrases import PARAPHRASES
from sitegen.ingest.text import fold
from sitegen.model import Topic

# Endings that inflect a word without changing what it names: plurals, possessives, verb forms
# and agent nouns ("outage" -> "outages", "command" -> "commander", "pledge" -> "pledged").
ENDINGS = ("s", "es", "'s", "ed", "d", "ing", "er", "ers")
# Proper nouns also make adjectives and demonyms: "Belarus" -> "Belarusian", "Iran" -> "Iranian".
PROPER_ENDINGS = ("s", "'s", "n", "ns", "an", "ans", "ian", "ians", "ese")
# A past-tense keyword also matches its other forms ("killed" -> "killing", "kills"), unless its
# stem is a common word of another sense ("downed" is not "down").
PAST_STEM_EXCEPTIONS = frozenset({"down", "need", "feed", "shed", "bleed", "speed"})
# A headline or lead names what a story is about; a paragraph far down may be background.
WEIGHTS = {"title": 3.0, "lead": 2.0, "body": 1.0, "later": 0.5}
BODY_PARAGRAPHS = 3  # paragraphs after these are "later"
PASSING = 0.4  # "the Volyn region, which borders Belarus": a place passed, not a subject
PASSING_BEFORE_RE = re.compile(
    r"\b(?:borders?|bordering|bordered\s+by|border\s+with|near|nearby|neighbou?ring|close\s+to|"
    r"next\s+to|adjacent\s+to|towards?|across\s+from|not\s+far\s+from|flew\s+over|via)"
    r"(?:\s+(?:the|its|southern|northern|eastern|western))*\s+$", re.IGNORECASE)
PASSING_AFTER_RE = re.compile(r"^\s*(?:border|frontier|boundary)\b", re.IGNORECASE)
NEGATED_RE = re.compile(r"\b(?:no|nobody|no\s+one|none|without|(?:was|were|is|are)\s+not)"
                        r"(?:\s+\w+){0,2}\s+$", re.IGNORECASE)  # "nobody was hurt"
# Topics of harm done, which a negation reports as not done ("no casualties"); for others a
# negation is the news itself ("no electricity", "without heating").
NEGATABLE = frozenset({"casualties", "strikes"})
# Weapons named as what is sent ("would send 40,000 artillery shells") are supplies, not an attack:
# a word of the first topic inside a phrase of the second does not count.
SUPPLIED = ("strikes", "aid")
# "the southern command said", "the general staff denied": who speaks, not what it is about.
ATTRIBUTION_RE = re.compile(r"^(?:\s+\w+)?\s+(?:said|says|reported|denied|announced|claimed|"
                            r"added|confirmed|stated)\b", re.IGNORECASE)
NAME_OF_OTHER_RE = re.compile(r"^\s*(?:agreements?|accords?|protocols?|format|process)\b",
                              re.IGNORECASE)  # "the Minsk agreements" are not about Minsk


@dataclass(frozen=True)
class Rule:
    """One topic: its keywords' pattern, its paraphrases' pattern, and which are place names."""

    slug: str
    keywords: re.Pattern[str] | None
    paraphrases: re.Pattern[str] | None


@dataclass(frozen=True)
class Tagger:
    """One compiled rule per topic, in taxonomy order."""

    rules: tuple[Rule, ...]

    def topics(self, text: str) -> tuple[str, ...]:
        """The slugs of every topic named in `text` (taken as one body paragraph)."""
        return tuple(slug for slug, _ in self.explain("", (text,)))

    def explain(self, title: str, paragraphs: Sequence[str]) -> tuple[tuple[str, tuple[str, ...]],
                                                                     ...]:
        """Each topic the text is about, with the words that matched, in taxonomy order.

        A title naming the topic weighs 3, the first paragraph 2, each of the next two 1 and
        each further one 0.5 (one mention in a long article's background is not what it is
        about); a place named only in passing ("near the Belarusian border") weighs less. A
        topic needs a weight of 1.
        """
        parts = [(fold(title), "title")] + [(fold(p), _where(i)) for i, p in enumerate(paragraphs)]
        found = []
        giver = next((r for r in self.rules if r.slug == SUPPLIED[1]), None)
        supplies = [_spans(giver, text) for text, _ in parts]
        for rule in self.rules:
            score, matched = 0.0, []
            for (text, where), spans in zip(parts, supplies, strict=True):
                hits = _hits(rule, text, spans if rule.slug == SUPPLIED[0] else [])
                score += max((weight for weight, _ in hits), default=0.0) * WEIGHTS[where]
                for _, phrase in hits:
                    if phrase.lower() not in matched:
                        matched.append(phrase.lower())
            if matched and score >= 1.0:
                found.append((rule.slug, tuple(matched)))
        return tuple(found)


def _where(index: int) -> str:
    return "lead" if index == 0 else "body" if index < BODY_PARAGRAPHS else "later"


def _spans(rule: Rule | None, text: str) -> list[tuple[int, int]]:
    """Where `rule`'s paraphrases match in `text` (the aid phrases that name supplies)."""
    if rule is None or rule.paraphrases is None:
        return []
    return [m.span() for m in rule.paraphrases.finditer(text)]


def _hits(rule: Rule, text: str, inside: Sequence[tuple[int, int]] = ()) -> list[tuple[float,
                                                                                      str]]:
    hits = []
    for pattern in (rule.keywords, rule.paraphrases):
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if any(start <= match.start() and match.end() <= end for start, end in inside):
                continue
            after = text[match.end():match.end() + 20]
            before = text[max(0, match.start() - 40):match.start()]
            if (match.group(0)[:1].isupper() and NAME_OF_OTHER_RE.match(after)) or (
                    rule.slug in NEGATABLE and NEGATED_RE.search(before)):
                continue
            if match.group(0)[:1].isupper():
                passing = bool(PASSING_BEFORE_RE.search(before) or PASSING_AFTER_RE.match(after))
            else:
                passing = bool(ATTRIBUTION_RE.match(text[match.end():match.end() + 30]))
            hits.append((PASSING if passing else 1.0, _shown(match.group(0))))
    return hits


def _shown(phrase: str) -> str:
    """A matched phrase as the report shows it: "pledges ... fighter jets" for a long one."""
    parts = phrase.split()
    return " ".join(parts) if len(parts) <= 4 else f"{parts[0]} \u2026 {' '.join(parts[-2:])}"


def make_tagger(topics: Sequence[Topic]) -> Tagger:
    """A Tagger for `topics`; a topic without keywords or paraphrases never matches."""
    rules = []
    for topic in topics:
        alternatives = sorted((keyword_pattern(k) for k in topic.keywords if k.strip()),
                              key=len, reverse=True)
        extra = PARAPHRASES.get(topic.slug, ())
        rules.append(Rule(topic.slug, _compile(alternatives), _compile(list(extra))))
    return Tagger(tuple(rules))


def _compile(alternatives: list[str]) -> re.Pattern[str] | None:
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def keyword_pattern(keyword: str) -> str:
    """A regex for `keyword` and its inflections; the words of a phrase may be spaced or hyphened.

    A plural keyword also matches its singular ("talks" -> "talk", "talked").
    """
    parts = fold(keyword).split()
    *head, last = parts
    endings = PROPER_ENDINGS if last[:1].isupper() else ENDINGS
    forms = {re.escape(stem) + "(?:" + "|".join(re.escape(e) for e in endings) + ")?"
             for stem in _stems(last)}
    lower = last.lower()
    if lower.endswith("ed") and len(lower) > 5 and lower[:-2] not in PAST_STEM_EXCEPTIONS:
        forms.add(re.escape(last[:-2]) + "(?:s|ing|ed)")  # "killed" -> "kills", "killing"
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
