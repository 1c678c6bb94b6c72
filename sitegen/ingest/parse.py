"""Recognise an input's format (live blog, briefing, plain article) and split it into posts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import replace

from sitegen.errors import Problem
from sitegen.ingest.article import (
    HEADLINE_MAX_WORDS,
    Article,
    Dropped,
    Paragraph,
    Post,
    byline_name,
    is_boilerplate,
    is_intro,
    is_title,
    post_starts,
)
from sitegen.ingest.blocks import Block
from sitegen.ingest.briefing import looks_like_briefing, split_briefing
from sitegen.ingest.dates import dateline_date, strip_dateline
from sitegen.ingest.errors import IngestError
from sitegen.ingest.liveblog import drop_key_events, split_live_blog
from sitegen.ingest.sectioned import (
    paragraph_items,
    reads_as_roundup,
    section_starts,
    split_sections,
)
from sitegen.ingest.sections import commentary_post, drop_commentary_sections
from sitegen.ingest.source import Meta, SourceText
from sitegen.ingest.text import clean, short_title, tidy_title

# A headline that promises several events: each paragraph that starts anew is one.
ROUNDUP_RE = re.compile(r"\b(?:round-?up|at a glance|what we know|things to know|key things|"
                        r"takeaways|what happened|in brief|news in brief|the day in|day \d+\b|"
                        r"the latest on|briefing)", re.IGNORECASE)
SITE_SUFFIX_RE = re.compile(r"\s+\|\s+[^|]{1,40}$")
COMMENT_END_RE = re.compile(r"(?:\u2026|\.\.|!!|\?!|!\?)\W*$")  # "…", "!!": a reader's voice
TOP_MATTER_BLOCKS = 4
DATELINE_BLOCKS = 3  # a dateline opens one of the first few paragraphs


def parse_article(source: SourceText) -> Article:
    """Split `source` into headline, lead and posts, recognising its format from its shape."""
    dropped = [*source.dropped, *(Dropped(b.line, b.line, "boilerplate", _why_boilerplate(b))
                                  for b in source.blocks if is_boilerplate(b))]
    blocks = [block for block in source.blocks if not is_boilerplate(block)]
    blocks, key_events = drop_key_events(blocks)
    blocks, opinion = drop_commentary_sections(blocks)
    dropped += [*key_events, *opinion]
    commentary: tuple[int, int] | None = None
    if len(post_starts(blocks)) < 2:
        commentary, blocks = _drop_commentary(blocks, source.meta)
    headline, blocks = _headline(blocks, source.meta)
    author, published, blocks = _top_matter(blocks, source.meta)
    blocks, datelines = strip_datelines(blocks)
    dropped += datelines
    dropped += [Dropped(b.line, b.line, "intro", "a greeting or a line introducing the list; "
                                                 "not an event") for b in blocks if is_intro(b)]
    base = Article(path=source.path, form="article", markup=source.markup, headline=headline,
                   author=author,
                   published=published, url=source.meta.url,
                   lead=(), posts=(), commentary=commentary)
    article = _with_author(_with_headline(_split(base, blocks)))
    return replace(article, dropped=tuple(sorted({*dropped, *article.dropped},
                                                 key=lambda d: (d.line, d.last, d.kind))))


def strip_datelines(blocks: list[Block]) -> tuple[list[Block], list[Dropped]]:
    """The first paragraphs without a wire dateline ("KYIV, Ukraine (AP) \u2014 "): it says where
    the story was filed; a block that is only a dateline goes."""
    kept, dropped = [], []
    for i, block in enumerate(blocks):
        text, dateline = strip_dateline(block.text) if i < DATELINE_BLOCKS else (block.text, "")
        if dateline:
            dropped.append(Dropped(block.line, block.line, "dateline",
                                   f"\u201c{dateline}\u201d is where the story was filed, not "
                                   "an event"))
            if not text:
                continue
            block = replace(block, text=text)
        kept.append(block)
    return kept, dropped


def _why_boilerplate(block: Block) -> str:
    return f"page furniture (“{block.text[:40]}”), not reporting"


def _split(base: Article, blocks: list[Block]) -> Article:
    starts = post_starts(blocks)
    if len(starts) >= 2:
        lead, posts = split_live_blog(blocks, starts)
        comment = [p for p in posts if commentary_post(p)]
        return replace(base, form="live blog", lead=lead,
                       posts=tuple(p for p in posts if p not in comment),
                       timestamped=any(post.stamp for post in posts),
                       dropped=tuple(Dropped(p.line, p.last or p.line, "commentary",
                                             "a post headed as opinion or analysis, not news")
                                     for p in comment))
    sections = section_starts(blocks)
    if sections and not base.commentary:
        lead, posts, headlines, summary = split_sections(blocks, sections)
        return replace(base, form="briefing", lead=lead, posts=posts, headlines=headlines,
                       sectioned=True, dropped=summary)
    roundup = (ROUNDUP_RE.search(base.headline) or reads_as_roundup([b.text for b in blocks])
               ) and not any(b.bullet for b in blocks)
    if roundup and not base.commentary:
        prose = [Paragraph(b.line, b.text) for b in blocks if b.text and not is_intro(b)
                 and not b.heading]
        return replace(base, form="roundup", posts=tuple(paragraph_items(prose)))
    if base.commentary or any(is_intro(b) for b in blocks) or looks_like_briefing(blocks):
        lead, posts, headlines = split_briefing(blocks)
        return replace(base, form="briefing", lead=lead, posts=posts, headlines=headlines)
    if not base.headline and not any(block.text for block in blocks):
        raise IngestError(Problem(base.path, 1, "no article text found besides credits and "
                                                "links; pass the file that holds the article"))
    return replace(base, posts=(_whole(blocks, base.headline, base.author),))


def _with_author(article: Article) -> Article:
    """Items of a briefing or roundup are the article's own: they carry its byline."""
    if not article.author or article.form == "live blog":
        return article
    return replace(article, posts=tuple(replace(p, author=p.author or article.author)
                                        for p in article.posts))


def _with_headline(article: Article) -> Article:
    """An article without a headline of its own is cited by its first headline or title."""
    if article.headline:
        return article
    first = next((p.title for p in (*article.headlines, *article.posts) if p.title), "")
    if article.lead and not article.headlines:
        first = short_title(article.lead[0].text)
    return replace(article, headline=first)


def _drop_commentary(blocks: list[Block], meta: Meta) -> tuple[tuple[int, int] | None,
                                                                list[Block]]:
    """Reader commentary above a quoted briefing ("Here's what we know:") is not news.

    What stands above the intro line is commentary when it reads like it (trailing ellipses,
    "!!"); then all of it goes except a headline: a Markdown/HTML heading, the declared title,
    or a lone title-shaped line.
    """
    intro = next((i for i, block in enumerate(blocks) if is_intro(block)), None)
    if not intro or not any(COMMENT_END_RE.search(b.text) for b in blocks[:intro]):
        return None, blocks
    above = blocks[:intro]
    keep = above[:1] if (above[0].heading or above[0].text == meta.title or (
        len(above) == 1 and is_title(above[0]))) else []
    dropped = [block for block in above[len(keep):] if block.text]
    if not dropped:
        return None, blocks
    return (dropped[0].line, dropped[-1].line), keep + blocks[intro:]


def _headline(blocks: list[Block], meta: Meta) -> tuple[str, list[Block]]:
    """The article's headline, and the blocks without it."""
    first = next((i for i, b in enumerate(blocks[:3]) if b.heading == 1), None)
    if first is not None:
        return _site_suffix_off(blocks[first].text), blocks[:first] + blocks[first + 1:]
    if meta.title:
        rest = blocks[1:] if blocks and blocks[0].text == meta.title else blocks
        return _site_suffix_off(meta.title), rest
    if blocks and is_title(blocks[0], HEADLINE_MAX_WORDS):
        return _site_suffix_off(blocks[0].text), blocks[1:]
    return "", blocks


def _site_suffix_off(title: str) -> str:
    """"Headline | The Paper" -> "Headline": the publisher is cited on its own."""
    return clean(SITE_SUFFIX_RE.sub("", clean(title)))


def _top_matter(blocks: list[Block], meta: Meta) -> tuple[str, dt.date | None, list[Block]]:
    """The article's own byline and dateline, from its first few blocks, and the rest."""
    author, published = meta.author, meta.published
    rest = list(blocks)
    for block in blocks[:TOP_MATTER_BLOCKS]:
        day = dateline_date(block.text)
        name = byline_name(block) if block.text[:3].lower() == "by " else ""
        if day is not None:
            published = published or day
        elif name and not (len(rest) > 1 and is_title(rest[1])):
            author = author or name
        elif block.text:
            break
        rest.remove(block)
    return author, published, rest


def _whole(blocks: Sequence[Block], headline: str, author: str) -> Post:
    """A plain article: one post holding every paragraph."""
    paragraphs = tuple(block.text for block in blocks if block.text and not is_intro(block))
    title = tidy_title(headline) if headline else short_title(paragraphs[0] if paragraphs else "")
    line = blocks[0].line if blocks else 1
    return Post(line, title, paragraphs, author, "article")

