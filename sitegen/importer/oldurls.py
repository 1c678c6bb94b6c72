"""Where each generator published a post: its URL rules, so old links become redirects."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_]")


def ascii_slug(text: str) -> str:
    """Zola's and Pelican's slugs: accents dropped to ASCII, lowercase, hyphens."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def urlize(text: str) -> str:
    """Hugo's `urlize` for titles: lowercase, spaces to hyphens, most punctuation dropped."""
    kept = re.sub(r"[^\w\s./_~-]", "", text.strip().lower())
    return re.sub(r"\s+", "-", kept)


def jekyll_url(template: str, *, moment: dt.datetime, title: str, slug: str,
               categories: list[str]) -> str:
    """Fill a Jekyll permalink template (a style name or `/:year/:title/`-style pattern)."""
    pattern = JEKYLL_STYLES.get(template, template)
    values = {
        "year": f"{moment.year:04d}", "month": f"{moment.month:02d}", "day": f"{moment.day:02d}",
        "i_month": str(moment.month), "i_day": str(moment.day), "short_year": f"{moment:%y}",
        "hour": f"{moment:%H}", "minute": f"{moment:%M}", "second": f"{moment:%S}",
        "y_day": f"{moment.timetuple().tm_yday:03d}", "week": f"{moment.isocalendar()[1]:02d}",
        "short_day": f"{moment:%a}", "long_day": f"{moment:%A}", "short_month": f"{moment:%b}",
        "long_month": f"{moment:%B}", "title": re.sub(r"\s+", "-", title), "slug": slug,
        "name": title, "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "output_ext": ".html", "path": title, "basename": title,
    }
    url = re.sub(r":([a-z_]+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return _clean(url)


def hugo_url(pattern: str, *, moment: dt.datetime, title: str, slug: str, filename: str,
             sections: list[str]) -> str:
    """Fill a Hugo `[permalinks]` pattern."""
    values = {
        "year": f"{moment.year:04d}", "month": f"{moment.month:02d}", "day": f"{moment.day:02d}",
        "monthname": f"{moment:%B}".lower(), "weekday": str(moment.isoweekday() % 7),
        "weekdayname": f"{moment:%A}".lower(), "yearday": str(moment.timetuple().tm_yday),
        "section": sections[0] if sections else "", "sections": "/".join(sections),
        "title": urlize(title), "slug": slug or urlize(title), "filename": filename,
        "slugorfilename": slug or filename, "contentbasename": filename,
        "slugorcontentbasename": slug or filename,
    }
    url = re.sub(r":([a-z]+)", lambda m: values.get(m.group(1), m.group(0)), pattern)
    return _clean(url)


def pelican_url(pattern: str, *, moment: dt.datetime, slug: str, category: str,
                author: str, lang: str) -> str:
    """Fill Pelican's `ARTICLE_URL` (`{slug}.html`, `{date:%Y}/{slug}/` ...)."""
    def fill(m: re.Match[str]) -> str:
        name, fmt = m.group(1), m.group(2)
        if name == "date":
            return moment.strftime(fmt or "%Y-%m-%d")
        return {"slug": slug, "category": ascii_slug(category), "author": ascii_slug(author),
                "lang": lang}.get(name, m.group(0))
    return _clean(re.sub(r"\{(\w+)(?::([^}]*))?\}", fill, pattern))


def _clean(url: str) -> str:
    """One leading slash, no doubled slashes."""
    return "/" + re.sub(r"/{2,}", "/", url).lstrip("/")


def as_moment(date_text: str) -> dt.datetime:
    """The normalised date text as a datetime, for URL patterns."""
    day = dt.date.fromisoformat(date_text[:10])
    m = re.match(r"\d{4}-\d{2}-\d{2} (\d{2}):(\d{2}):(\d{2})", date_text)
    if m is None:
        return dt.datetime(day.year, day.month, day.day)
    return dt.datetime(day.year, day.month, day.day, int(m.group(1)), int(m.group(2)),
                       int(m.group(3)))


def strings(value: Any) -> list[str]:
    """A front-matter value that should be a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []
