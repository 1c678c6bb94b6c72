"""Raw HTML in Markdown through an allowlist (nh3, the Ammonia binding): never a script, an event
handler, a `javascript:` URL or a style that can run code."""

from __future__ import annotations

import html
import re

import nh3

# Ammonia's defaults, plus what Markdown and real posts use: footnote sections, task-list
# checkboxes, media. No iframe, object, embed, form, style or script.
TAGS = frozenset(nh3.ALLOWED_TAGS | {
    "section", "input", "video", "audio", "source", "track", "picture", "figure", "figcaption",
    "details", "summary", "mark", "kbd", "abbr", "sup", "sub", "dl", "dt", "dd",
})
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "name"},  # its rel is ours: `LINK_REL`, never the author's `opener`
    "img": {"src", "alt", "width", "height", "loading"},
    "video": {"src", "controls", "width", "height", "poster", "loop", "muted", "preload"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "source": {"src", "type", "media", "srcset"},
    "track": {"src", "kind", "srclang", "label"},
    "td": {"style", "colspan", "rowspan", "align"},
    "th": {"style", "colspan", "rowspan", "align", "scope"},
    "col": {"span"}, "colgroup": {"span"},
    "ol": {"start", "reversed", "type"}, "li": {"value"},
    "time": {"datetime"}, "abbr": {"title"},
    "input": {"checked", "disabled"},
}
# Only a checkbox, only disabled: what a task list renders.
INPUT_TYPES = {"input": {"type": {"checkbox"}}}
SET_ATTRIBUTES = {"input": {"disabled": ""}}
LINK_REL = "noopener noreferrer"  # as the Markdown renderer gives links to other sites
STYLES = frozenset({"text-align"})  # markdown-it's table alignment; CSS that cannot run code
SCHEMES = frozenset({"http", "https", "mailto"})
IFRAME = re.compile(r"<iframe\b[^>]*?\ssrc\s*=\s*[\"']?([^\"'\s>]+)[^>]*>(?:.*?</iframe\s*>)?",
                    re.IGNORECASE | re.DOTALL)

# What a page shows without JavaScript is what we show: the tag goes, its content stays (an
# HTML parser would otherwise read that content as text).
NOSCRIPT = re.compile(r"</?noscript\b[^>]*>", re.IGNORECASE)


def sanitize(fragment: str) -> str:
    """Keep the safe part of `fragment`; an embedded frame becomes a plain link to what it
    showed, so no other site's page runs inside ours."""
    fragment = NOSCRIPT.sub("", IFRAME.sub(_frame_link, fragment))
    clean = nh3.clean(fragment, tags=set(TAGS),
                      clean_content_tags={"script", "style"}, attributes=ATTRIBUTES,
                      tag_attribute_values=INPUT_TYPES, set_tag_attribute_values=SET_ATTRIBUTES,
                      url_schemes=set(SCHEMES), filter_style_properties=set(STYLES),
                      link_rel=None, strip_comments=True)
    return OUTWARD.sub(_with_rel, clean) if ' href="' in clean else clean


# nh3 writes every attribute as ` name="value"`, with `"` and `>` escaped inside values: a
# link to another site (an absolute or scheme-relative address; the renderer's own `rel` was
# dropped with the author's, `rel` not being allowed)
OUTWARD = re.compile(r'<a\s[^>]*?href="(?:https?:|//)[^>]*>', re.IGNORECASE)


def _with_rel(match: re.Match[str]) -> str:
    return f'{match.group(0)[:-1]} rel="{LINK_REL}">'


def _frame_link(match: re.Match[str]) -> str:
    url = html.unescape(match.group(1))
    if url.startswith("//"):
        url = "https:" + url
    label = html.escape(url)
    return f'<a class="embed" href="{html.escape(url, quote=True)}">Embedded content: {label}</a>'
