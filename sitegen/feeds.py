"""Atom feeds, the sitemap and robots.txt: deterministic bytes, dated by content, never by clock."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from sitegen import urls
from sitegen.config import SiteConfig
from sitegen.model import Entry, Site

# xml.sax.saxutils's escape and quoteattr, byte for byte, but for the characters XML 1.0 forbids:
# importing it imports urllib.request (http.client, email, ssl...), a tenth of a second of an
# edit build that renders one feed.
_ATTR_SPACE = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
# Every character XML 1.0 forbids, even as a reference (its production 2, Char): C0 controls
# but tab, LF and CR, lone surrogates, U+FFFE and U+FFFF. One in a feed makes a feed reader
# refuse the whole feed; a form feed or a vertical tab pasted from a PDF or Word is enough.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities, for XML character data; a character XML forbids becomes
    U+FFFD. Replaced, not dropped (as Unicode's UTR #36 advises): the words on either side stay
    apart, and no markup in an embedded HTML body is joined into a new tag or name."""
    text = _NOT_XML.sub("\ufffd", text)
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """`text` as a quoted XML attribute value, quotes and all (saxutils's rules)."""
    text = escape(text).translate(_ATTR_SPACE)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


FEED_LENGTH = 50
# The date in a feed's own tag: id; any fixed date will do, and it must never change.
FEED_ID_DATE = "2000"


def atom_feed(config: SiteConfig, entries: Sequence[Entry], *, title: str, feed_url: str,
              page_url: str) -> bytes:
    """An Atom 1.0 feed of the newest entries (already newest first)."""
    newest = entries[:FEED_LENGTH]
    updated = _timestamp(newest[0], config) if newest else "1970-01-01T00:00:00Z"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
        f"  <title>{escape(title)}</title>",
        f"  <subtitle>{escape(config.description)}</subtitle>" if config.description else "",
        f"  <id>{escape(feed_id(config, feed_url))}</id>",
        f'  <link rel="self" type="application/atom+xml" href={_href(config, feed_url)}/>',
        f'  <link rel="alternate" type="text/html" href={_href(config, page_url)}/>',
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(config.title)}</name></author>",
        '  <generator uri="https://github.com/sitegen/sitegen">sitegen</generator>',
        *(atom_entry(config, entry) for entry in newest),
        "</feed>",
    ]
    return ("\n".join(line for line in lines if line) + "\n").encode("utf-8")


def atom_entry(config: SiteConfig, entry: Entry) -> str:
    """One entry's `<entry>` element, its lines indented as the feed holds them."""
    url = urls.entry(entry.slug)
    names = {t.slug: t.name for t in config.topics}
    parts = [
        "  <entry>",
        f"    <title>{escape(entry.title)}</title>",
        f"    <id>{escape(entry_id(config, entry))}</id>",
        f'    <link rel="alternate" type="text/html" href={_href(config, url)}/>',
        f"    <published>{_timestamp(entry, config)}</published>",
        f"    <updated>{_updated(entry, config)}</updated>",
        *(f"    <category term={quoteattr(t)} label={quoteattr(names.get(t, t))}/>"
          for t in entry.topics),
        f"    <summary>{escape(entry.summary)}</summary>" if entry.summary else "",
        f'    <content type="html">{escape(_absolute_links(config, _feed_body(entry)))}</content>',
        "  </entry>",
    ]
    return "\n".join(p for p in parts if p)


def _updated(entry: Entry, config: SiteConfig) -> str:
    """When the entry last changed: its `updated:` day (midnight, site time), else the event."""
    if entry.updated is None:
        return _timestamp(entry, config)
    moment = dt.datetime.combine(entry.updated, dt.time(0, 0), tzinfo=ZoneInfo(config.timezone))
    event = _timestamp(entry, config)
    return moment.isoformat() if moment > dt.datetime.fromisoformat(event) else event


def _feed_body(entry: Entry) -> str:
    """The body, with its corrections listed after it: a feed reader sees what changed."""
    if not entry.corrections:
        return entry.body_html
    items = "".join(f"<li><time datetime=\"{c.date.isoformat()}\">{c.date.isoformat()}</time>: "
                    f"{escape(c.text)}</li>" for c in entry.corrections)
    return f"{entry.body_html}<h2>Corrections</h2><ul>{items}</ul>\n"


def _absolute_links(config: SiteConfig, html: str) -> str:
    """Feed readers have no page to resolve against: make root-relative links absolute."""
    prefix = config.base_url if "://" in config.base_url else urls.base_path(config.base_url)
    safe = quoteattr(prefix)[1:-1]  # validated already; escaped anyway, as it lands in HTML
    return urls.rebase_root_links(html, safe)


def _timestamp(entry: Entry, config: SiteConfig) -> str:
    """RFC 3339 time of the event; a day without a time is midnight in the site's timezone."""
    time = entry.time or dt.time(0, 0)
    moment = dt.datetime.combine(entry.day, time)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(config.timezone))
    return rfc3339(moment)


def rfc3339(moment: dt.datetime) -> str:
    """`moment` as RFC 3339, whose offsets are whole minutes: a zone's local mean time before
    standard time (Kyiv's +02:02:04 in year 1) is rounded to the minute."""
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    hours, rest = divmod(abs(minutes), 60)
    sign = "-" if minutes < 0 else "+"
    return f"{moment.replace(tzinfo=None).isoformat()}{sign}{hours:02d}:{rest:02d}"


def entry_id(config: SiteConfig, entry: Entry) -> str:
    """The entry's Atom id, which must never change once published: a tag: URI (RFC 4151)
    from the site's tag authority, the entry's date and its slug. The base URL, the domain
    and the page's address may all change without making feed readers show it again."""
    slug = quote(entry.slug, safe="-._~")
    return f"tag:{config.tag_authority},{entry.day.isoformat()}:{slug}"


def feed_id(config: SiteConfig, feed_path: str) -> str:
    """A feed's own Atom id: a tag: URI from the tag authority and the feed's path."""
    return f"tag:{config.tag_authority},{FEED_ID_DATE}:{quote(feed_path, safe='/-._~')}"


def site_url(config: SiteConfig) -> str:
    """The site's absolute address ('' when the base URL is only a path)."""
    return urls.site_url(config.base_url)


def _href(config: SiteConfig, url: str) -> str:
    if "://" in config.base_url:
        return quoteattr(urls.absolute(config.base_url, url))
    return quoteattr(urls.base_path(config.base_url) + url)


@dataclass(frozen=True)
class Feed:
    """One Atom feed to write: where, its title, its page, and its newest entries."""

    path: str
    title: str
    page_url: str
    entries: tuple[Entry, ...]


def plan_feeds(site: Site, config: SiteConfig) -> list[Feed]:
    """The site feed and one feed per topic."""
    feeds = [Feed("feed.xml", config.title, urls.home(), site.entries[:FEED_LENGTH])]
    for summary in site.topics:
        slug = summary.topic.slug
        feeds.append(Feed(urls.topic_feed(slug), f"{config.title}: {summary.topic.name}",
                          urls.topic(slug), summary.entries[:FEED_LENGTH]))
    return feeds


def render_feed(config: SiteConfig, feed: Feed) -> bytes:
    return atom_feed(config, feed.entries, title=feed.title, feed_url=feed.path,
                     page_url=feed.page_url)


def sitemap(page_urls: Sequence[str], config: SiteConfig) -> bytes:
    """sitemap.xml listing every HTML page but the 404 page."""
    locs = [f"  <url><loc>{escape(_loc(config, u))}</loc></url>"
            for u in sorted(page_urls) if u != "404.html"]
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(locs) + "\n</urlset>\n").encode("utf-8")


def _loc(config: SiteConfig, url: str) -> str:
    if "://" in config.base_url:
        return urls.absolute(config.base_url, url)
    return urls.base_path(config.base_url) + url


def robots(config: SiteConfig) -> bytes:
    """robots.txt allowing everything, and pointing at the sitemap when there is one (its
    `Sitemap:` line must be a full URL)."""
    sitemap_line = f"Sitemap: {_loc(config, 'sitemap.xml')}\n" if site_url(config) else ""
    return f"User-agent: *\nAllow: /\n{sitemap_line}".encode()
