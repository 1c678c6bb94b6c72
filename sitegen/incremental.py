"""The preview's edit path: an edit that keeps the site's structure, from what `serve` holds.

`sitegen build` starts afresh in each process; `serve` does not. After each full build it keeps
the assembled site, every page, feed and export as planned, and which pages show each entry.
When every changed file is an entry whose *structure* is as it was (the fields the site's
order, grouping, pages and links are made from: `STRUCTURE`, and the files its body links to)
the site has the same pages, lists, neighbours and related entries, holding the new entries
where the old ones were. Only what shows a changed entry can change: each page that shows it
(its own, its neighbours', the entries' that list it as related, the timeline, topic, month and
key-event pages it is on), the feeds that carry it, and its line in each open-data export. Those
are made again, from the held plans with the new entries put in; every other file is kept.

A title, summary, source, place, correction or body edit takes this path. After an edit of the
body alone, on a theme that shows each body on its own entry page only
(`quick.bodies_only_in_entry_pages`), only that page, the feeds and the exports are made.
Anything else (a file added, removed, renamed or unreadable, an entry with a problem or a
warning, a new date, slug, topic, order, key, kind or alias, a non-entry file under content/,
the config, the theme, a value the plans hold that this module does not know) and `try_edit`
returns None: the full build runs and is held in its turn. The bytes are those a full build
makes (`tests/test_incremental.py` compares them after every kind of edit).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import quick
from sitegen.cache import tree_digest
from sitegen.config import SiteConfig
from sitegen.model import Entry, Neighbours, Page, Site, TopicSummary

log = logging.getLogger(__name__)
# What the site's structure is made from: every field the assembly, the page plans, feeds,
# exports' lists, redirects and assets read (order: day, precision, time, order, slug; lists:
# topics, key, kind, draft; ranges: end). An edit that keeps them keeps every page's place.
STRUCTURE = ("path", "slug", "day", "time", "topics", "draft", "kind", "order", "aliases",
             "precision", "end", "end_precision", "key")
_SCALARS = (str, int, float, bool, type(None), dt.date, dt.time, dt.datetime)


class _Unknown(Exception):
    """A value in a plan this module cannot walk: the full build runs instead."""


@dataclass(frozen=True)
class Held:
    """What the last build of the preview made, and what it was made from."""

    context: str  # quick.context: config, options, theme, versions
    site: Site
    plans: dict[str, Any]  # output path -> its Page, Feed or Export
    shows: dict[str, frozenset[str]]  # slug -> the pages (output paths) that show it
    related_of: dict[str, frozenset[str]]  # slug -> the slugs whose related entries hold it
    entries: dict[str, Entry | None]  # entry file -> its entry in the site (None: not in it)
    digests: dict[str, str]  # entry file -> its digest
    stats: dict[str, str]  # every content file -> its stat (quick.walk)
    bodies_alone: bool  # the theme shows each body on its own entry page only
    cards: Any  # render.Cards: each entry's list card, kept across builds
    where: dict[tuple[str, str], int]  # ("", slug) or (topic, slug) -> its place in that list


def hold(config: SiteConfig, site: Site, plans: dict[str, Any], keys: Mapping[Path, str],
         stats: dict[str, str] | None, *, drafts: bool, env: Any) -> Held | None:
    """What the next edit needs of a full build (None: the next build is a full one too)."""
    from sitegen import render

    if stats is None:
        return None
    try:
        shows = _shows(plans)
    except (_Unknown, RecursionError) as e:
        log.debug("edit path off: %s", e)
        return None
    related_of: dict[str, set[str]] = {}
    for slug, related in site.related.items():
        for other in related:
            related_of.setdefault(other.slug, set()).add(slug)
    in_site = {str(e.path): e for e in site.entries}
    if len(in_site) != len(site.entries):
        return None
    where = {("", e.slug): i for i, e in enumerate(site.entries)}
    for summary in site.topics:
        where.update(((summary.topic.slug, e.slug), i) for i, e in enumerate(summary.entries))
    return Held(quick.context(config, drafts=drafts), site, plans, shows,
                {k: frozenset(v) for k, v in related_of.items()},
                {str(p): in_site.get(str(p)) for p in keys}, {str(p): k for p, k in keys.items()},
                stats, quick.bodies_only_in_entry_pages(config), render.Cards(env), where)


def _shows(plans: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    """Which files show each entry: the pages whose context holds it, the feeds and exports
    that list it."""
    from sitegen import exports, feeds

    memo: dict[int, tuple[Any, tuple[str, ...]]] = {}
    found: dict[str, set[str]] = {}
    for rel, plan in plans.items():
        slugs: list[str] = []
        if isinstance(plan, Page):
            _collect(plan.context, slugs, memo)
        elif isinstance(plan, (feeds.Feed, exports.Export)):
            slugs = [e.slug for e in plan.entries]
        else:
            raise _Unknown(f"a {type(plan).__qualname__} among the plans")
        for slug in set(slugs):
            found.setdefault(slug, set()).add(rel)
    return {k: frozenset(v) for k, v in found.items()}


def _collect(value: Any, slugs: list[str], memo: dict[int, tuple[Any, tuple[str, ...]]]) -> None:
    """Append the slug of every entry `value` holds (a shared tuple is walked once)."""
    kind = type(value)
    if kind is Entry:
        slugs.append(value.slug)
    elif kind in _SCALARS:
        return
    elif kind is tuple:
        known = memo.get(id(value))
        if known is None:
            inner: list[str] = []
            for item in value:
                _collect(item, inner, memo)
            known = memo[id(value)] = (value, tuple(inner))
        slugs.extend(known[1])
    elif kind is list:
        for item in value:
            _collect(item, slugs, memo)
    elif kind is dict:
        for item in value.values():
            _collect(item, slugs, memo)
    elif dataclasses.is_dataclass(kind):
        for field in dataclasses.fields(kind):
            _collect(getattr(value, field.name), slugs, memo)
    else:
        raise _Unknown(f"a {kind.__qualname__} in a page's context")


# -- the edit -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """What `try_edit` made: every file of the new build, the site, and what to hold next."""

    files: dict[str, bytes]
    site: Site
    held: Held
    pages: int  # how many files were made again


def try_edit(config: SiteConfig, cache: Any, held: Held | None, files: Mapping[str, bytes], *,
             drafts: bool, changed: Collection[Path] | None = None) -> Edit | None:
    """The new build's files after edits that keep the site's structure, or None. `changed`:
    the files the watcher saw change since the last build (None: stat every content file)."""
    if held is None or held.context != quick.context(config, drafts=drafts):
        return None
    try:
        return _edit(config, cache, held, files, changed)
    except (_Unknown, KeyError, IndexError, TypeError, ValueError, RecursionError) as e:
        log.debug("edit path not taken: %s: %s", type(e).__name__, e)
        return None


def _edit(config: SiteConfig, cache: Any, held: Held, files: Mapping[str, bytes],
          seen: Collection[Path] | None) -> Edit | None:
    from sitegen import build

    found = _changes(config.content_dir, held.stats, seen)
    if found is None:
        return None  # a file added, removed or renamed
    changed, stats = found
    if len(changed) > quick.MOST_CHANGED or any(p not in held.digests for p in changed):
        return None  # many files (the full build's pool is quicker), or not an entry file
    settings = build.parse_settings(config)
    fresh: dict[str, Entry] = {}  # slug -> the entry as it is now
    stored: dict[str, Any] = {}
    remembered: dict[str, tuple[str, str]] = {}
    digests = dict(held.digests)
    entries = dict(held.entries)
    for path in changed:
        outcome, key, stat_key = quick._parse(Path(path), settings, config)
        if outcome is None:
            return None  # a problem or a warning: the full build reports it
        if stat_key:
            remembered[path] = (stat_key, key)
        if key == held.digests[path]:
            continue
        old = held.entries[path] or _stored_entry(cache, held.digests[path])
        if old is None or not same_structure(old, outcome.entry):
            return None
        stored[key] = outcome
        digests[path] = key
        if held.entries[path] is not None:
            fresh[old.slug] = entries[path] = outcome.entry
    # the changed entries' cards are made again when a page next shows them
    held.cards.forget(fresh.keys())
    made, site, plans = _remake(config, held, fresh, files)
    if made is None:
        return None
    cache.put_entries(stored)
    cache.remember_files(remembered)
    out = dict(files)
    out.update(made)
    return Edit(out, site, dataclasses.replace(
        held, site=site, plans=plans, entries=entries, digests=digests, stats=stats), len(made))


def _changes(folder: Path, known: dict[str, str], seen: Collection[Path] | None,
             ) -> tuple[list[str], dict[str, str]] | None:
    """The content files that may have changed and every file's stat now; None when a file
    was added, removed or renamed. With the watcher's report (`seen`), only the files it
    names and those last seen too freshly to trust are looked at."""
    import os

    if seen is None:
        stats = quick.walk(folder)
        if stats is None or stats.keys() != known.keys():
            return None
        return [p for p, st in stats.items() if not st or st != known[p]], stats
    inside = f"{folder}{os.sep}"
    if any(inside.startswith(f"{p}{os.sep}") for p in seen) or not folder.is_dir():
        return None  # the folder itself (or one above it) moved, went or came back
    named = {str(p) for p in seen if str(p).startswith(inside)}
    for path in named:
        if (path in known) != os.path.lexists(path):
            return None  # added or removed (an editor's temporary file, gone again, is not)
        if path not in known and any(k.startswith(f"{path}{os.sep}") for k in known):
            return None  # a folder of entries went: its files are not named
    paths = sorted({p for p in named if p in known} | {p for p, st in known.items() if not st})
    stats = dict(known)
    stats.update(_stats(paths))
    return [p for p in paths if not stats[p] or stats[p] != known[p]], stats


def _stats(paths: Iterable[str]) -> dict[str, str]:
    """Each file's stat as `quick.walk` writes it ("": too fresh to trust, or gone)."""
    import os
    import time

    recent = time.time_ns() - quick.RACY_NS
    out = {}
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            out[path] = ""
            continue
        out[path] = "" if st.st_mtime_ns >= recent else \
            f"{st.st_mtime_ns}:{st.st_size}:{st.st_ino}:{st.st_ctime_ns}"
    return out


def verify(config: SiteConfig, held: Held | None) -> set[Path]:
    """The content files the watcher did not report (its events can be lost or filtered):
    what a walk finds changed, added or removed against what `held` believes. Run while the
    edits pause; a rebuild told of these paths puts the preview right."""
    if held is None:
        return set()
    stats = quick.walk(config.content_dir)
    if stats is None:
        return {config.content_dir}
    # a file held as too fresh to trust ("") is looked at again by every edit anyway
    return {Path(p) for p in stats.keys() ^ held.stats.keys()} | {
        Path(p) for p, st in stats.items() if st != held.stats.get(p) and held.stats.get(p)}


def same_structure(old: Entry, new: Entry | None) -> bool:
    """Whether `new` keeps `old`'s place in the site: the same `STRUCTURE` (compared as
    written: 10:00+01:00 and 09:00Z are equal times but sort apart) and the same files linked
    from its body."""
    from sitegen.assets import _local_refs

    if new is None:
        return False
    for name in STRUCTURE:
        a, b = getattr(old, name), getattr(new, name)
        if type(a) is not type(b) or repr(a) != repr(b):
            return False
    return _local_refs(old.body_html) == _local_refs(new.body_html)


def _stored_entry(cache: Any, key: str) -> Entry | None:
    """The entry of a file that is not in the site (a commentary; a draft without --drafts)."""
    from sitegen.load import ParseOutcome

    outcome = cache.entries({key}).get(key)
    return outcome.entry if isinstance(outcome, ParseOutcome) else None


def _remake(config: SiteConfig, held: Held, fresh: dict[str, Entry],
            files: Mapping[str, bytes],
            ) -> tuple[dict[str, bytes] | None, Site, dict[str, Any]]:
    """The files that show a changed entry, made again; the site and plans holding them."""
    from sitegen import build, exports, feeds, render, urls

    if not fresh:
        return {}, held.site, held.plans
    old_site = held.site
    old_of = {slug: old_site.entries[held.where["", slug]] for slug in fresh}
    site = _site_with(old_site, fresh, held)
    env = build._environment(tree_digest(config.theme_dir), config)
    wanted: set[str] = set()
    for slug, entry in fresh.items():
        shown = held.shows.get(slug, frozenset())
        if held.bodies_alone and _differs_only_in_body(old_of[slug], entry):
            own = urls.output_file(urls.entry(slug))
            shown = frozenset(rel for rel in shown if rel == own
                              or not isinstance(held.plans[rel], Page))
        wanted |= shown
    # the parts of the site the pages hold as they are: each swapped once, as the site was
    swapped: dict[int, Any] = {id(old_site.topics): (old_site.topics, site.topics),
                               id(old_site.months): (old_site.months, site.months),
                               id(old_site.entries): (old_site.entries, site.entries)}
    replanned: dict[str, Any] = {feed.path: feed for feed in feeds.plan_feeds(site, config)}
    replanned.update((x.path, x) for x in exports.plan_exports(site, config))
    plans = dict(held.plans)
    made: dict[str, bytes] = {}
    lines: dict[tuple[str, str], tuple[str, str]] = {}  # an export line, old and new
    for rel in sorted(wanted):
        plan = plans[rel]
        if isinstance(plan, Page):
            plans[rel] = plan = Page(plan.url, plan.template,
                                     _swap(plan.context, fresh, swapped))
            made[rel] = render.render_page(env, plan, held.cards)
        elif isinstance(plan, feeds.Feed):
            plans[rel] = plan = replanned[rel]
            made[rel] = feeds.render_feed(config, plan)
        else:
            plans[rel] = replanned[rel]
            data = _splice_bytes(files.get(rel), plan.kind, [
                _line(config, kind, old_of[slug], fresh[slug], lines)
                for slug in sorted(fresh) if rel in held.shows.get(slug, ())
                for kind in exports.FRAGMENT_KINDS[plan.kind]])
            if data is None:
                return None, site, plans
            made[rel] = data
    return made, site, plans


def _line(config: SiteConfig, kind: str, old: Entry, new: Entry,
          made: dict[tuple[str, str], tuple[str, str]]) -> tuple[str, str]:
    """An entry's line in exports of `kind`, before and after (made once per kind)."""
    from sitegen import exports

    key = (kind, new.slug)
    if key not in made:
        made[key] = (exports.fragment(config, kind, old), exports.fragment(config, kind, new))
    return made[key]


def _differs_only_in_body(old: Entry, new: Entry) -> bool:
    return dataclasses.replace(old, body_html=new.body_html) == new and old.extra == new.extra


def _site_with(site: Site, fresh: Mapping[str, Entry], held: Held) -> Site:
    """`site` with the entries of `fresh` in place of those of the same slug: what assembling
    the new entries gives, since their structure is the old ones'."""
    def sub(entry: Entry | None) -> Entry | None:
        return None if entry is None else fresh.get(entry.slug, entry)

    def subs(entries: tuple[Entry, ...]) -> tuple[Entry, ...]:
        return tuple(fresh.get(e.slug, e) for e in entries)

    def placed(entries: tuple[Entry, ...], topic: str) -> tuple[Entry, ...]:
        items = list(entries)
        for slug, entry in fresh.items():
            at = held.where.get((topic, slug))
            if at is not None:
                items[at] = entry
        return tuple(items)

    topics = {t for e in fresh.values() for t in e.topics}
    months = {(e.day.year, e.day.month) for e in fresh.values()}
    neighbours = dict(site.neighbours)
    related = dict(site.related)
    for slug in fresh:
        near = site.neighbours[slug]
        for other in {slug, *(e.slug for e in (near.previous, near.next) if e is not None)}:
            was = site.neighbours[other]
            neighbours[other] = Neighbours(sub(was.previous), sub(was.next))
        for other in held.related_of.get(slug, ()):
            related[other] = subs(site.related[other])
    return Site(
        entries=placed(site.entries, ""),
        topics=tuple(TopicSummary(s.topic, placed(s.entries, s.topic.slug))
                     if s.topic.slug in topics else s for s in site.topics),
        months=tuple(dataclasses.replace(m, entries=subs(m.entries))
                     if (m.year, m.month) in months else m for m in site.months),
        neighbours=neighbours, related=related)


def _swap(value: Any, fresh: Mapping[str, Entry], memo: dict[int, Any]) -> Any:
    """`value` with the entries of `fresh` in place of those of the same slug; what holds none
    of them is returned as it is (a tuple is walked once per `memo`)."""
    kind = type(value)
    if kind is Entry:
        return fresh.get(value.slug, value)
    if kind in _SCALARS:
        return value
    if kind is tuple:
        known = memo.get(id(value))
        if known is None:
            items = [_swap(v, fresh, memo) for v in value]
            made = value if all(a is b for a, b in zip(items, value, strict=True)) \
                else tuple(items)
            known = memo[id(value)] = (value, made)
        return known[1]
    if kind is list:
        return [_swap(v, fresh, memo) for v in value]
    if kind is dict:
        swapped = {k: _swap(v, fresh, memo) for k, v in value.items()}
        return value if all(swapped[k] is v for k, v in value.items()) else swapped
    if dataclasses.is_dataclass(kind):
        changes = {}
        for field in dataclasses.fields(kind):
            was = getattr(value, field.name)
            now = _swap(was, fresh, memo)
            if now is not was:
                if not field.init:
                    raise _Unknown(f"{kind.__qualname__}.{field.name} is not an init field")
                changes[field.name] = now
        return dataclasses.replace(value, **changes) if changes else value
    raise _Unknown(f"a {kind.__qualname__} in a plan")


def _splice_bytes(data: bytes | None, kind: str,
                  lines: Iterable[tuple[str, str]]) -> bytes | None:
    """`data` with each (old, new) line replaced. An entry's line in a JSON export is one line
    of the file (JSON text holds no raw newline), found after a newline; a CSV row may hold
    newlines in quoted fields, so it must be found exactly once."""
    if data is None:
        return None
    for old_text, new_text in lines:
        if old_text == new_text:
            continue
        old, new = old_text.encode("utf-8"), new_text.encode("utf-8")
        at = data.find(b"\n" + old) + 1
        if at == 0:
            return None
        if kind == "csv":
            if data.find(old) != at or data.find(old, at + 1) >= 0:
                return None
        elif data[at + len(old):at + len(old) + 1] not in (b",", b"\n"):
            return None
        view = memoryview(data)
        data = b"".join((view[:at], new, view[at + len(old):]))  # one copy of 24 MB, not three
    return data
