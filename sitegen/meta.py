"""What a page tells machines: schema.org JSON-LD for entry pages, safe inside `<script>`."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from sitegen import fastjson, urls
from sitegen.config import SiteConfig
from sitegen.model import Entry, Source


def link(config: SiteConfig, url: str) -> str:
    """A page's address: absolute when the base URL names a host, else from the site root."""
    if "://" in config.base_url:
        return urls.absolute(config.base_url, url)
    return urls.base_path(config.base_url) + url


def entry_json_ld(config: SiteConfig, entry: Entry) -> Markup:
    """A schema.org NewsArticle for one entry, as the text of a JSON-LD script element."""
    return script_json(entry_data(config, entry))


def script_json(data: Any) -> Markup:
    """JSON that cannot end its `<script>` element or open a comment: `<`, `>` and `&` are
    written as \\u escapes, which JSON readers decode back. Compact, and through orjson where
    it is installed (`fastjson.dumps_text`): the standard library's encoder took 30 of an entry
    page's 210 us."""
    text = fastjson.dumps_text(data)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def entry_data(config: SiteConfig, entry: Entry) -> dict[str, Any]:
    """The NewsArticle: what happened when (the event's date as its `contentReferenceTime`,
    a range or an approximate date as `temporalCoverage`), where, from which reports, and
    what was corrected."""
    names = {t.slug: t.name for t in config.topics}
    url = link(config, urls.entry(entry.slug))
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": url,
        "url": url,
        "mainEntityOfPage": url,
        "headline": entry.title,
        "description": entry.summary or None,
        "inLanguage": config.language,
        "temporalCoverage": _coverage(entry),
        "contentReferenceTime": entry.datetime_attr if entry.precision == "day" else None,
        "dateModified": entry.updated.isoformat() if entry.updated else None,
        "keywords": [names.get(t, t) for t in entry.topics] or None,
        "about": [{"@type": "Thing", "name": names.get(t, t)} for t in entry.topics] or None,
        "spatialCoverage": [{"@type": "Place", "name": p} for p in entry.places] or None,
        "isBasedOn": [_source(s) for s in entry.sources] or None,
        "correction": [{"@type": "CorrectionComment", "datePublished": c.date.isoformat(),
                        "text": c.text} for c in entry.corrections] or None,
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": link(config, "")},
        "publisher": {"@type": "Organization", "name": config.title},
    }
    return {k: v for k, v in data.items() if v is not None}


def _coverage(entry: Entry) -> str:
    """ISO 8601: `2022-12-19`, `2022-12`, or an interval `2022-12-16/2022-12-18`."""
    start = entry.datetime_attr if entry.precision != "day" else entry.day.isoformat()
    return f"{start}/{entry.end_attr}" if entry.end else start


def _source(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@type": "NewsArticle" if source.headline else "CreativeWork",
        "headline": source.headline or None,
        "publisher": {"@type": "Organization", "name": source.publisher},
        "author": {"@type": "Person", "name": source.author} if source.author else None,
        "datePublished": source.published.isoformat() if source.published else None,
        "url": source.url or None,
        "archivedAt": source.archived or None,
    }
    return {k: v for k, v in data.items() if v is not None}
