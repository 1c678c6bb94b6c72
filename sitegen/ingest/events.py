"""Choose the events to draft: posts, a lead that adds news, uncovered headlines; merge repeats."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sitegen.ingest.article import Article, Paragraph, Post
from sitegen.ingest.similarity import Vocabulary, covers, near_duplicate, vocabulary
from sitegen.ingest.text import sentences, short_title, word_count

CLAUSE_RE = re.compile(r",?\s+(?:and|while|as|after|but)\s+|;\s+")
CLAUSE_WORDS = 4  # a shorter piece is not a clause that reports something
MORE_COMPLETE = 1.2  # an older version this much longer than the newest is kept instead


@dataclass(frozen=True)
class Found:
    """One reported item and the article it came from."""

    post: Post
    article: Article


@dataclass(frozen=True)
class Event:
    """One event to draft: the version of its post that is kept, and every version found."""

    kept: Found
    versions: tuple[Found, ...]  # newest first; includes `kept`


@dataclass(frozen=True)
class Selection:
    """What one article contributes: its items to draft and what was left out, and why."""

    article: Article
    items: tuple[Post, ...]
    lead_kept: bool
    headlines_covered: int


def select(article: Article) -> Selection:
    """The article's items worth a draft, in file order.

    The lead counts only when it reports something no post does (its paragraphs that posts
    do not report become one post); a briefing's one-line headline only when no detailed item
    covers it.
    """
    posts = _distinct(article.posts)
    vocab = vocabulary([p.text for p in posts] + [p.title for p in article.headlines]
                       + [p.text for p in article.lead])
    new_lead = [p for p in article.lead if not _reported(p.text, posts, vocab)]
    headlines = [h for h in article.headlines
                 if not any(covers(q.text, h.title, vocab, headline=True) for q in posts)]
    lead = [_lead_post(new_lead, article)] if new_lead else []
    return Selection(article, (*lead, *article.posts, *headlines), bool(new_lead),
                     len(article.headlines) - len(headlines))


def _reported(paragraph: str, posts: Sequence[Post], vocab: Vocabulary) -> bool:
    """True when posts report most of the paragraph's sentences (a lead sums up many posts;
    one sentence of it may sum up two, a clause each: "missiles hit the port, and talks broke
    up")."""
    parts = sentences(paragraph) or [paragraph]
    texts = [q.text for q in posts]
    reported = sum(1 for s in parts if any(covers(t, s, vocab) for t in texts)
                   or _clauses_reported(s, texts, vocab))
    return reported * 2 > len(parts)


def _clauses_reported(sentence: str, texts: Sequence[str], vocab: Vocabulary) -> bool:
    clauses = [c for c in CLAUSE_RE.split(sentence) if len(c.split()) >= CLAUSE_WORDS]
    return len(clauses) > 1 and all(any(covers(t, c, vocab) for t in texts) for c in clauses)


def merge(found: Sequence[Found]) -> tuple[Event, ...]:
    """Group repeated and updated posts; `found` is newest first within each article."""
    groups: list[list[Found]] = []
    for item in found:
        group = next((g for g in groups
                      if any(near_duplicate(item.post.text, other.post.text) for other in g)),
                     None)
        if group is None:
            groups.append([item])
        else:
            group.append(item)
    return tuple(Event(_most_complete(group), tuple(group)) for group in groups)


def _most_complete(versions: Sequence[Found]) -> Found:
    """The newest version, unless an older one is clearly longer (an update that was cut)."""
    newest = versions[0]
    longest = max(versions, key=lambda f: word_count(f.post.text))
    if word_count(longest.post.text) >= MORE_COMPLETE * word_count(newest.post.text):
        return longest
    return newest


def _distinct(posts: Sequence[Post]) -> list[Post]:
    kept: list[Post] = []
    for post in posts:
        if not any(near_duplicate(post.text, other.text) for other in kept):
            kept.append(post)
    return kept


def _lead_post(paragraphs: Sequence[Paragraph], article: Article) -> Post:
    """The lead's news as one post, titled from its first new paragraph."""
    texts = tuple(p.text for p in paragraphs)
    return Post(paragraphs[0].line, short_title(texts[0]), texts, article.author, "lead")
