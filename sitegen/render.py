"""Plan every page of the site and render each to bytes with the theme's Jinja2 templates."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import sys
import types
import typing
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
import markupsafe
from markupsafe import Markup

from sitegen import meta, security, urls
from sitegen.assemble import group_by_day, key_events, paginate
from sitegen.config import SiteConfig
from sitegen.errors import Problem, TemplateError
from sitegen.model import Day, Entry, Page, Site, Span

if typing.TYPE_CHECKING:  # imported where a timeline is planned: an edit's build draws none
    from sitegen import chart as charts


class _PackageBytecode(jinja2.FileSystemBytecodeCache):
    """Compiled templates of the packaged theme, kept inside sitegen's installed package as
    Python keeps `__pycache__` beside its modules: never in a project or its cache (a file
    there could come from anyone, and compiled code runs). Jinja checks each against its
    template's source; a package that cannot be written to compiles every time."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:  # e.g. a file where the folder should be: compile from the source
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _packaged_bytecode(env: jinja2.Environment, theme_dir: Path) -> jinja2.BytecodeCache | None:
    """The compiled-template store for the packaged theme; a theme of the user's own is
    compiled on every build (its compiled code would have to live in the project)."""
    from sitegen.config import PACKAGED_THEME

    if theme_dir.resolve() != PACKAGED_THEME.resolve():
        return None
    # Jinja's own marker names no Jinja version, and the options shape the code: both name
    # the folder, so a new Jinja or a new option never runs code compiled for another
    shaped_by = (jinja2.__version__, sys.version, env.autoescape, env.trim_blocks,
                 env.lstrip_blocks, env.keep_trailing_newline, env.newline_sequence,
                 env.undefined.__name__, env.block_start_string, env.variable_start_string,
                 env.comment_start_string, env.line_statement_prefix, env.optimized,
                 # how a filter or test is called is compiled in (pass_context and the like)
                 sorted((n, repr(getattr(f, "jinja_pass_arg", None)))
                        for n, f in [*env.filters.items(), *env.tests.items()]))
    tag = hashlib.sha256(repr(shaped_by).encode()).hexdigest()[:16]
    return _PackageBytecode(str(Path(__file__).parent / "__jinjacache__" / tag))


def _fast_escape() -> Callable[[Any], Markup]:
    """markupsafe's `escape`, its result made without a second Python call (`Markup.__new__`):
    a page makes ~70 escapes, and this halves their cost (~25 µs of an entry page's ~230).
    The same function as markupsafe's for every value (tests/test_templates.py); markupsafe's
    own where its inner escape cannot be found (another markupsafe)."""
    try:
        from markupsafe import _escape_inner  # type: ignore[attr-defined]
    except ImportError:
        return markupsafe.escape
    make = str.__new__

    def escape(s: Any, /) -> Markup:
        if type(s) is str:
            return make(Markup, _escape_inner(s))
        if hasattr(s, "__html__"):
            return make(Markup, s.__html__())
        return make(Markup, _escape_inner(str(s)))
    return escape


class _Template(jinja2.Template):
    """Jinja's template, the `escape` its compiled code calls for every `{{ }}` the one above
    (the name the code imports from jinja2.runtime, bound in the template's namespace)."""

    @classmethod
    def _from_namespace(cls, environment: jinja2.Environment, namespace: MutableMapping[str, Any],
                        globals: MutableMapping[str, Any]) -> jinja2.Template:
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = FAST_ESCAPE
        return super()._from_namespace(environment, namespace, globals)


FAST_ESCAPE = _fast_escape()
escape = FAST_ESCAPE  # this module's own escapes too


class _Context(jinja2.runtime.Context):
    """Jinja's context, its `call` (every call a template makes: a macro, a global, a method)
    quicker for a plain function, method or macro: Jinja looks for a context to pass to each
    twice (`_PassArg.from_obj`, once on a `__call__` made anew each time), ~15 times a page.
    Any callable marked to take a context (`pass_context` and the like) or of another kind is
    Jinja's to call."""

    def call(self, obj: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if type(obj) not in _PLAIN_CALLABLES or hasattr(obj, "jinja_pass_arg"):
            return super().call(obj, *args, **kwargs)
        if kwargs:  # what the compiled code passes for a context-taking callable alone
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return obj(*args, **kwargs)
        except StopIteration:
            return self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


class _Environment(jinja2.Environment):
    """Jinja's environment, with each template's globals a plain dict of the environment's and
    its own, not a ChainMap over them: every import of `_macros.html` checks the importing
    page's globals against the module's (`Template._get_default_module`), and through a
    ChainMap that cost ~25 µs a page. The globals are all set before the first template is
    loaded (`make_environment`), as Jinja asks, so the copy is never out of date."""

    template_class = _Template
    context_class = _Context

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


def make_environment(config: SiteConfig) -> jinja2.Environment:
    """The Jinja2 environment: autoescape on, undefined names are errors."""
    env = _Environment(
        loader=jinja2.FileSystemLoader(config.theme_dir / "templates"),
        autoescape=True,
        auto_reload=False,  # an environment lives for one theme digest (build._environment)
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    base = urls.base_path(config.base_url)
    env.globals.update(
        url=lambda path="": base + path,
        absolute_url=lambda path="": urls.absolute(config.base_url, path),
        asset=_asset_url(config.theme_dir / "static", base),
        urls=urls,
        config=config,
        csp=security.CSP,
        referrer_policy=security.REFERRER_POLICY,
        topic_names={t.slug: t.name for t in config.topics},
        group_by_day=group_by_day,
        entry_json_ld=functools.partial(meta.entry_json_ld, config),
        once=_once(env),
    )
    env.filters.update(long_date=long_date, month_name=month_name, when=when,
                       chart_svg=_chart_svg,
                       period_label=period_label,
                       rebase=functools.partial(rebase_links, base=base),
                       # filters, not `url(urls.entry(slug))`: a filter is called directly,
                       # a function through Jinja's Context.call, several times dearer
                       entry_url=lambda slug: base + urls.entry(slug),
                       topic_url=lambda slug: base + urls.topic(slug))
    env.bytecode_cache = _packaged_bytecode(env, config.theme_dir)
    return env


def _chart_svg(chart: charts.Chart, title: str) -> Markup:
    from sitegen import chart as charts

    return charts.chart_svg(chart, title)


def _once(env: jinja2.Environment) -> Callable[[str], Markup]:
    """`once("_header.html")`: a partial that shows nothing of one page (the site's header,
    nav and footer), rendered from the globals alone the first time a page asks for it and
    reused as is by every other page of the build."""
    @functools.cache
    def once(name: str) -> Markup:
        return Markup(env.get_template(name).render())
    return once


def rebase_links(html: str, base: str) -> str:
    """Point root-relative links in rendered Markdown (`href="/x"`) under the base path."""
    if base == "/":
        return html
    safe = markupsafe.escape(base)  # validated already; escaped anyway, as it lands in HTML
    return urls.rebase_root_links(html, safe)


# strftime costs ~15 µs a call and a site shows the same few thousand days on many pages.
@functools.lru_cache(maxsize=65536)
def long_date(day: dt.date) -> str:
    """'Friday 30 December 2022'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


@functools.lru_cache(maxsize=65536)
def month_name(day: dt.date) -> str:
    """'December 2022'."""
    return f"{day:%B %Y}"


def when(entry: Entry) -> Markup:
    """An entry's date as `<time>` elements, saying no more than is known: "Friday 30 December
    2022, 14:30", "December 2022", "2022", "16–18 December 2022".

    Made once for each date a build shows: an entry page shows its own, its neighbours' and
    its related entries' (5 a page, ~8 µs each made). The time's offset is in the key, as
    times with offsets are equal when they are the same instant (10:00+01:00, 09:00+00:00)."""
    time = entry.time
    key = (entry.day, entry.precision, time, time and time.utcoffset(), entry.end,
           entry.end_precision)
    made = _WHEN.get(key)
    if made is None:
        if len(_WHEN) >= WHEN_KEPT:
            _WHEN.clear()
        made = _WHEN[key] = _when(entry)
    return made


_WHEN: dict[tuple[Any, ...], Markup] = {}
WHEN_KEPT = 65536


def _when(entry: Entry) -> Markup:
    if entry.end is None:
        text = _period_text(entry.day, entry.precision)
        if entry.time is not None:
            text += f", {entry.time.strftime('%H:%M')}"
        # f-strings with escape(): what Markup.format does, at a fifth of its cost
        return Markup(f'<time datetime="{escape(entry.datetime_attr)}">{escape(text)}</time>')
    start, end, sep = _range_texts(entry)
    return Markup(f'<time datetime="{escape(entry.datetime_attr)}">{escape(start)}</time>'
                  f'{escape(sep)}<time datetime="{escape(entry.end_attr)}">{escape(end)}</time>')


def when_text(entry: Entry) -> str:
    """The same words as `when`, without markup."""
    if entry.end is None:
        text = _period_text(entry.day, entry.precision)
        return text + (f", {entry.time.strftime('%H:%M')}" if entry.time is not None else "")
    start, end, sep = _range_texts(entry)
    return f"{start}{sep}{end}"


def _period_text(day: dt.date, precision: str) -> str:
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return month_name(day)
    return long_date(day)


def _range_texts(entry: Entry) -> tuple[str, str, str]:
    """The start and end of a range with what they share said once: "16–18 December 2022",
    "30 November – 2 December 2022", "November–December 2022"."""
    start, end = entry.day, entry.end
    assert end is not None
    if entry.precision == entry.end_precision == "day":
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}", f"{end.day} {end:%B %Y}", "–"
        if start.year == end.year:
            return f"{start.day} {start:%B}", f"{end.day} {end:%B %Y}", " – "
        return f"{start.day} {start:%B %Y}", f"{end.day} {end:%B %Y}", " – "
    if entry.precision == entry.end_precision == "month" and start.year == end.year:
        return f"{start:%B}", f"{end:%B %Y}", "–"
    if entry.precision == entry.end_precision == "year":
        return f"{start.year}", f"{end.year}", "–"
    return (_period_text(start, entry.precision), _period_text(end, entry.end_precision), " – ")


def period_label(group: Day | charts.PeriodLink) -> Markup:
    """A day heading's text: the day, or the month or year whose entries have no known day."""
    return _period_label(group.day, group.precision, group.anchor)


@functools.lru_cache(maxsize=4096)
def _period_label(day: dt.date, precision: str, anchor: str) -> Markup:
    text = _period_text(day, precision)
    note = {"month": " (day not known)", "year": " (month and day not known)"}.get(
        precision, "")
    return Markup(f'<time datetime="{escape(anchor)}">{escape(text)}</time>{escape(note)}')


def _asset_url(static: Path, base: str) -> Callable[[str], str]:
    """A URL for a theme asset with a content hash, so browsers never keep a stale copy."""
    digests = {p.relative_to(static).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:10]
               for p in static.rglob("*") if p.is_file()} if static.is_dir() else {}

    def asset(name: str) -> str:
        if name not in digests:
            raise LookupError(f"asset('{name}'): no such file in {static}; add it or "
                              "remove the reference")
        return f"{base}static/{name}?v={digests[name]}"
    return asset


def plan_pages(site: Site, config: SiteConfig,
               entries: Iterable[Page] | None = None) -> list[Page]:
    """Every HTML page of the site, with exactly what its template receives (`entries`: the
    entry pages, if already planned by `entry_pages`)."""
    return [*_timeline_pages(site, config), *(entry_pages(site) if entries is None else entries),
            *_topic_pages(site, config), *_archive_pages(site), *_key_event_pages(site, config),
            Page(urls.search(), "search.html", {"topic_counts": _topic_counts(site)}),
            Page("404.html", "404.html", {})]


def _topic_counts(site: Site) -> dict[str, int]:
    """Each topic's number of entries: the search page lays its filters out with them."""
    return {summary.topic.slug: summary.count for summary in site.topics}


def _timeline_pages(site: Site, config: SiteConfig) -> Iterator[Page]:
    has_key_events = any(e.key for e in site.entries)
    yield from _timeline(site.entries, urls.home, config, {
        "heading": config.title, "intro": config.description, "feed": "feed.xml",
        "topic": None, "key_filter": "all" if has_key_events else None,
    }, drawn=True, dates_url=urls.dates())


def _key_event_pages(site: Site, config: SiteConfig) -> Iterator[Page]:
    """`/key-events/`: the timeline filtered to its key events."""
    yield from _timeline(key_events(site.entries), urls.key_events, config, {
        "heading": "Key events",
        "intro": "The events the editors marked as the key events of their day.",
        "feed": "feed.xml", "topic": None, "key_filter": "key",
    }, drawn=False, dates_url=None)


def _timeline(entries: tuple[Entry, ...], url_of: Callable[[int], str], config: SiteConfig,
              context: dict[str, object], *, drawn: bool,
              dates_url: str | None) -> Iterator[Page]:
    """The pages of one paginated timeline: its chart on page 1, the month navigator on
    every page, and (with `dates_url`) the page "jump to date" lands on."""
    from sitegen import chart as charts

    listings = paginate(entries, config.entries_per_page)
    page_urls = tuple(url_of(n) for n in range(1, len(listings) + 1))
    base = urls.base_path(config.base_url)
    days = charts.plan_days(listings, page_urls, base)
    months = charts.plan_months(days)
    chart = charts.plan_chart(listings, page_urls, [(t.slug, t.name) for t in config.topics],
                              base) if drawn else None
    for listing in listings:
        yield Page(page_urls[listing.number - 1], "timeline.html", {
            **context, "listing": listing, "page_urls": page_urls, "months": months,
            "chart": chart if listing.number == 1 else None, "dates_url": dates_url,
            "first_day": days[-1].day if days else None,
            "last_day": days[0].day if days else None,
        })
    if dates_url is not None:
        yield Page(dates_url, "dates.html", {
            "heading": context["heading"], "timeline_url": page_urls[0],
            "months": _days_by_month(days, months),
        })


def _days_by_month(days: tuple[charts.PeriodLink, ...], months: tuple[charts.PeriodLink, ...]
                   ) -> tuple[tuple[charts.PeriodLink, tuple[charts.PeriodLink, ...]], ...]:
    """Each month with its days, in one pass."""
    grouped: dict[tuple[int, int], list[charts.PeriodLink]] = {}
    for day in days:
        grouped.setdefault((day.day.year, day.day.month), []).append(day)
    return tuple((m, tuple(grouped.get((m.day.year, m.day.month), ()))) for m in months)


def entry_pages(site: Site) -> Iterator[Page]:
    """Every entry's page, newest first."""
    for entry in site.entries:
        yield entry_page(entry, site.neighbours[entry.slug].previous,
                         site.neighbours[entry.slug].next, site.related.get(entry.slug, ()))


def entry_page(entry: Entry, earlier: Entry | None, later: Entry | None,
               related: tuple[Entry, ...]) -> Page:
    """One entry's page: the entry, the entries before and after it, and its related ones
    (all an entry page shows of the site)."""
    # The two neighbours themselves, not a Neighbours made anew each build: entries come back
    # from the parse memo unchanged, so their fingerprints are reused.
    return Page(urls.entry(entry.slug), "entry.html", {
        "entry": entry, "earlier": earlier, "later": later, "related": related})


def _topic_pages(site: Site, config: SiteConfig) -> Iterator[Page]:
    yield Page(urls.topics(), "topics.html", {"summaries": site.topics})
    for summary in site.topics:
        slug = summary.topic.slug
        yield from _timeline(summary.entries, functools.partial(urls.topic, slug), config, {
            "heading": summary.topic.name, "intro": summary.topic.description,
            "topic": Span(summary.count, summary.first, summary.last),
            "feed": urls.topic_feed(slug), "key_filter": None,
        }, drawn=True, dates_url=urls.topic(slug) + "dates/")


def _archive_pages(site: Site) -> Iterator[Page]:
    yield Page(urls.archive(), "archive.html", {"months": site.months})
    for month in site.months:
        yield Page(urls.month(month.first_day), "month.html", {"month": month})


class Cards:
    """Each entry's list card, rendered once per build (by the `entry_card` macro of
    `_macros.html`) and reused by every list page that shows it: list pages call
    `card(entry, level)` instead of the macro. `card.shared(value, macro)` does the same
    for a fragment that many pages show alike (a timeline's month navigator)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self._env = env
        self._made: dict[tuple[str, int], Markup] = {}
        self._shared: dict[tuple[int, str], tuple[object, Markup]] = {}

    def shared(self, value: object, macro: jinja2.runtime.Macro) -> Markup:
        """`macro(value)`, rendered once per build for each value: the pages of one timeline
        hold the very same `months`, so its navigator is made once, not once a page."""
        key = (id(value), macro.name)
        known = self._shared.get(key)
        if known is None:  # the value is kept with its key, so its id stays its own
            known = self._shared[key] = (value, Markup(macro(value)))
        return known[1]

    def __call__(self, entry: Entry, level: int = 3) -> Markup:
        key = (entry.slug, level)
        made = self._made.get(key)
        if made is None:
            macro = self._env.get_template("_macros.html").module.entry_card  # type: ignore
            made = self._made[key] = Markup(macro(entry, level))
        return made

    def add(self, made: dict[tuple[str, int], str]) -> None:
        """Cards rendered elsewhere (by the pool's workers)."""
        self._made.update((k, v if type(v) is Markup else Markup(v)) for k, v in made.items())

    def forget(self, slugs: Iterable[str]) -> None:
        """Drop the cards of these entries (`serve`: they changed), so they are made again."""
        gone = set(slugs)
        for key in [k for k in self._made if k[0] in gone]:
            del self._made[key]

    def made(self, slugs: set[str]) -> dict[tuple[str, int], str]:
        return {k: v for k, v in self._made.items() if k[0] in slugs}


# What `_Context.call` calls at once (unless marked to take a context): functions, methods,
# macros and a page's cards.
_PLAIN_CALLABLES = (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                    functools.partial, type(functools.cache(len)), jinja2.runtime.Macro, Cards)


def render_page(env: jinja2.Environment, page: Page, cards: Cards | None = None) -> bytes:
    """Render one page; a template failure becomes a TemplateError naming template:line."""
    try:
        template = env.get_template(page.template)
        return template.render(page=page, card=cards or Cards(env),
                               **page.context).encode("utf-8")
    except jinja2.TemplateSyntaxError as e:
        path = Path(e.filename or page.template)
        raise TemplateError(Problem(path, e.lineno or 1,
                                    f"template syntax error: {e.message}")) from e
    except jinja2.TemplateNotFound as e:
        raise TemplateError(Problem(Path(page.template), 1, f"template not found: {e.name}; "
                                    "add it to the theme's templates/ folder")) from e
    except Exception as e:
        path, line = _template_location(sys.exc_info()[2], page.template)
        raise TemplateError(Problem(path, line, f"error rendering /{page.url}: "
                                                f"{type(e).__name__}: {e}")) from e


def _template_location(tb: TracebackType | None, fallback: str) -> tuple[Path, int]:
    """The innermost template frame of a traceback: Jinja maps frames to template lines."""
    found = (Path(fallback), 1)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (Path(filename), tb.tb_lineno)
        tb = tb.tb_next
    return found


def static_files(config: SiteConfig) -> dict[str, bytes]:
    """The theme's static files, keyed by output path: its regular files, never a link (a
    theme from anywhere could publish what one leads to, such as ~/.ssh)."""
    from sitegen.assets import regular_files

    static = config.theme_dir / "static"
    if not static.is_dir():
        return {}
    return {f"static/{rel}": (static / rel).read_bytes() for rel in regular_files(static)}

