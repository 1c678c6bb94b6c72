"""A synthetic timeline of N entries, written out for sitegen, Hugo and Pelican alike.

The text is generated from the word lists below with a seeded random generator, so the same N
always gives the same bytes. No text comes from real reporting.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import textwrap
from dataclasses import dataclass
from pathlib import Path

SEED = 20221230
FIRST_DAY = dt.date(2001, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)  # no generated date lies in the future
ENTRIES_PER_PAGE = 50
FEED_LENGTH = 50
SITE_TITLE = "Benchmark Timeline"
SITE_DESCRIPTION = "A synthetic timeline for measuring build times."


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# (slug, name, description, keywords): twelve topics, like a real site's taxonomy.
TOPICS = (
    ("harbour", "Harbour", "Ships, docks and the port authority.", ("harbour", "dock", "ferry")),
    ("rail", "Railways", "Trains, tracks and timetables.", ("rail", "train", "station")),
    ("weather", "Weather", "Storms, floods and heat.", ("storm", "flood", "heat")),
    ("council", "City council", "Votes, budgets and by-laws.", ("council", "vote", "budget")),
    ("schools", "Schools", "Teachers, pupils and exams.", ("school", "teacher", "exam")),
    ("health", "Health", "Clinics, hospitals and care.", ("clinic", "hospital", "nurse")),
    ("markets", "Markets", "Prices, trade and shops.", ("price", "trade", "market")),
    ("energy", "Energy", "Power, fuel and the grid.", ("power", "fuel", "grid")),
    ("culture", "Culture", "Festivals, museums and music.", ("festival", "museum", "concert")),
    ("housing", "Housing", "Rents, building and repairs.", ("rent", "housing", "repair")),
    ("transport", "Road transport", "Buses, bridges and roads.", ("bus", "bridge", "road")),
    ("science", "Science", "Research, labs and discoveries.", ("research", "lab", "study")),
)

NOUNS = _words("""
harbour ferry dock crane lantern warehouse tide pier lighthouse canal bridge tunnel station
platform timetable carriage signal depot council budget ballot mayor committee bylaw hearing
petition school teacher pupil exam library clinic hospital nurse ward pharmacy market price
stall bakery orchard vineyard mill furnace turbine grid cable pylon reservoir pump festival
museum gallery concert choir orchestra theatre rent tenant landlord roof chimney scaffold
bus tram road junction roundabout cyclist research laboratory telescope survey sample archive
storm flood drought frost harvest river valley hill meadow forest quarry island coast village
district suburb square avenue market-hall census report inquiry statement spokesperson
resident volunteer engineer inspector auditor architect farmer fisher baker driver pilot
""")

VERBS = _words("""
opened closed announced delayed approved rejected repaired inspected measured reported
confirmed doubled halved reviewed postponed launched finished extended restored replaced
surveyed reopened celebrated counted recorded published questioned welcomed criticised
expanded reduced funded planned proposed debated installed relocated cleared flooded
""")

ADJECTIVES = _words("""
new old northern southern eastern western quiet busy early late annual temporary permanent
small large narrow wide local regional coastal inland modest record unusual familiar
delayed overdue careful detailed brief lengthy public private seasonal wooden stone
""")

ADVERBS = _words("""
quickly slowly finally briefly partly largely again later earlier overnight openly quietly
""")

CONNECTIVES = _words("""
after before while although because since until whereas
""")

PLACES = _words("""
Aldermoor Brackwater Caddon Dunmere Elsworth Farrowby Glenhollow Harwick Ivesford Jessamy
Kettleby Lowmarsh Marrowgate Northolme Oakhurst Pellingham Quarrington Redmere Saltcombe
Thornbury Upwell Varley Westerby Yarrowdale
""")

PUBLISHERS = (
    "The Aldermoor Courier", "Brackwater Evening Post", "Coastal Radio", "The Dunmere Ledger",
    "Harwick Daily", "Northolme Gazette", "Regional Wire Service", "Saltcombe Observer",
)
FIRST_NAMES = _words("Ada Bram Cleo Dara Emil Fenna Gus Hana Ivo Juno Kit Lars Mina Nils Orla Pim")
LAST_NAMES = _words("Ashby Brook Carrow Dale Ellery Frost Gale Hale Irwin Jory Kemp Lister Marsh")


@dataclass(frozen=True)
class Source:
    publisher: str
    author: str
    headline: str
    published: dt.date
    url: str


@dataclass(frozen=True)
class Entry:
    slug: str
    day: dt.date
    title: str
    topics: tuple[str, ...]
    sources: tuple[Source, ...]
    summary: str
    body: str  # Markdown

    @property
    def year(self) -> str:
        return f"{self.day.year:04d}"


def make_entries(count: int, seed: int = SEED) -> list[Entry]:
    """`count` entries, about three a day (more when that would pass LAST_DAY: about eleven a
    day at 100,000), oldest first; the same count gives the same entries."""
    rng = random.Random(seed)
    entries: list[Entry] = []
    for i in range(count):
        entries.append(_entry(rng, i, entry_day(i, count), entries))
    return entries


def entry_day(i: int, count: int) -> dt.date:
    """The day of entry number `i` of `count`."""
    span = min(max(count // 3, 30), (LAST_DAY - FIRST_DAY).days)
    return FIRST_DAY + dt.timedelta(days=i * span // count)


def _entry(rng: random.Random, i: int, day: dt.date, earlier: list[Entry]) -> Entry:
    words = rng.sample(NOUNS, 2)
    slug = f"{day.isoformat()}-{words[0]}-{words[1]}-{i:05d}"
    topics = tuple(sorted(rng.sample([t[0] for t in TOPICS], rng.randint(1, 3))))
    title = _sentence(rng, rng.randint(6, 10), place=True, end="")
    sources = tuple(_source(rng, i, day, n) for n in range(rng.randint(1, 2)))
    return Entry(slug, day, title, topics, sources, _sentence(rng, rng.randint(12, 20)),
                 _body(rng, earlier))


def _source(rng: random.Random, i: int, day: dt.date, n: int) -> Source:
    publisher = rng.choice(PUBLISHERS)
    path = publisher.lower().replace("the ", "").replace(" ", "-")
    return Source(publisher, f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                  _sentence(rng, rng.randint(5, 9), end=""), day + dt.timedelta(days=n),
                  f"https://news.example.org/{path}/{i:05d}-{n}")


def _sentence(rng: random.Random, length: int, *, place: bool = False, end: str = ".") -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(NOUNS)]
    if place or rng.random() < 0.4:
        words += ["in", rng.choice(PLACES)]
    words.append(rng.choice(VERBS))
    while len(words) < length:
        roll = rng.random()
        if roll < 0.15 and len(words) < length - 2:
            words += [rng.choice(CONNECTIVES), "the"]
        elif roll < 0.25:
            words.append(rng.choice(ADVERBS))
        elif roll < 0.55:
            words.append(rng.choice(ADJECTIVES))
        else:
            words.append(rng.choice(NOUNS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + end


def _body(rng: random.Random, earlier: list[Entry]) -> str:
    paragraphs = []
    for _ in range(rng.randint(3, 5)):
        sentences = [_sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(3, 5))]
        paragraphs.append(" ".join(sentences))
    if rng.random() < 0.3:
        first = paragraphs[0].split(" ")
        first[3] = f"**{first[3]}**"
        paragraphs[0] = " ".join(first)
    if earlier and rng.random() < 0.3:
        linked = rng.choice(earlier[-50:])
        paragraphs.append(f"This follows [an earlier report](/entries/{linked.slug}/).")
    if rng.random() < 0.2:
        paragraphs.append("\n".join(f"- {_sentence(rng, rng.randint(4, 7))}" for _ in range(3)))
    return "\n\n".join(textwrap.fill(p, 96) if not p.startswith("- ") else p
                       for p in paragraphs) + "\n"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text)


# sitegen -------------------------------------------------------------------------------------

Topic = tuple[str, str, str, tuple[str, ...]]


def write_sitegen(root: Path, entries: list[Entry], topics: tuple[Topic, ...] = TOPICS) -> Path:
    """A sitegen project in `root`; returns its sitegen.toml."""
    config = root / "sitegen.toml"
    _write(config, _sitegen_toml(topics))
    for entry in entries:
        _write(sitegen_entry_path(root, entry), sitegen_entry(entry))
    return config


def sitegen_entry_path(root: Path, entry: Entry) -> Path:
    return root / "content" / "entries" / entry.year / f"{entry.slug}.md"


def sitegen_entry(entry: Entry) -> str:
    lines = ["---", f"title: {_q(entry.title)}", f"date: {entry.day.isoformat()}",
             f"topics: [{', '.join(entry.topics)}]"]
    if entry.sources:
        lines.append("sources:")
    for s in entry.sources:
        lines += [f"  - publisher: {_q(s.publisher)}", f"    author: {_q(s.author)}",
                  f"    headline: {_q(s.headline)}", f"    published: {s.published.isoformat()}",
                  f"    url: {s.url}"]
    lines += [f"summary: {_q(entry.summary)}", "---", entry.body]
    return "\n".join(lines)


def _sitegen_toml(topics: tuple[Topic, ...]) -> str:
    lines = [f"title = {_q(SITE_TITLE)}", f"description = {_q(SITE_DESCRIPTION)}",
             'base_url = "/"', 'language = "en"', 'timezone = "UTC"', 'content_dir = "content"',
             'output_dir = "site"', f"entries_per_page = {ENTRIES_PER_PAGE}"]
    for slug, name, description, keywords in topics:
        lines += ["", "[[topics]]", f"slug = {_q(slug)}", f"name = {_q(name)}",
                  f"description = {_q(description)}",
                  f"keywords = [{', '.join(_q(k) for k in keywords)}]"]
    return "\n".join(lines) + "\n"


# Hugo ----------------------------------------------------------------------------------------

HUGO_CONFIG = f"""\
baseURL = "https://bench.example.org/"
title = "{SITE_TITLE}"
languageCode = "en"
buildFuture = true
enableRobotsTXT = true

[taxonomies]
  topic = "topics"

[permalinks]
  [permalinks.page]
    posts = "/entries/:slug/"

[pagination]
  pagerSize = {ENTRIES_PER_PAGE}

[services.rss]
  limit = {FEED_LENGTH}
"""

HUGO_LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="{{ site.Language.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
{{ with .Params.summary }}<meta name="description" content="{{ . }}">{{ end }}
{{ range .AlternativeOutputFormats }}<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" \
href="{{ .Permalink }}">{{ end }}
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/topics/" | relURL }}">Topics</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """\
{{ define "main" }}
<article data-pagefind-body>
<p data-pagefind-ignore><time datetime="{{ .Date.Format "2006-01-02" }}">\
{{ .Date.Format "2 January 2006" }}</time></p>
<h1 data-pagefind-meta="title">{{ .Title }}</h1>
<span hidden data-pagefind-meta="date:{{ .Date.Format "2006-01-02" }}" \
data-pagefind-sort="date:{{ .Date.Format "2006-01-02" }}"></span>
<span hidden data-pagefind-filter="year:{{ .Date.Format "2006" }}"></span>
{{ range .Params.topics }}<span hidden data-pagefind-filter="topic:{{ . }}"></span>{{ end }}
{{ with .Params.summary }}<p class="summary" data-pagefind-meta="summary">{{ . }}</p>{{ end }}
<div class="body">{{ .Content }}</div>
<ul class="topics" data-pagefind-ignore>{{ range .GetTerms "topics" }}<li>\
<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<div data-pagefind-ignore>
<h2>Sources</h2>
<ul>{{ range .Params.sources }}<li>{{ .publisher }}{{ with .author }}, {{ . }}{{ end }}: \
<a href="{{ .url }}">{{ .headline }}</a> ({{ .published }})</li>{{ end }}</ul>
</div>
</article>
<nav>{{ with .PrevInSection }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ end }}
""",
    "list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Type" "posts" }}{{ end }}
{{ partial "timeline.html" (dict "page" . "pages" $pages) }}
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ with .Description }}<p>{{ . }}</p>{{ end }}
{{ partial "timeline.html" (dict "page" . "pages" .Pages) }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">\
{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
""",
    "_partials/timeline.html": """\
{{ $pager := .page.Paginate (.pages.GroupByDate "2006-01-02") }}
{{ range $pager.PageGroups }}
<section><h2>{{ .Key }}</h2>
{{ range .Pages }}<article><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
{{ with .Params.summary }}<p>{{ . }}</p>{{ end }}
<ul>{{ range .GetTerms "topics" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>\
{{ end }}</ul></article>{{ end }}
</section>
{{ end }}
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }}
{{ with $pager.Next }}<a href="{{ .URL }}">Older</a>{{ end }}</nav>
""",
}


def write_hugo(root: Path, entries: list[Entry], topics: tuple[Topic, ...] = TOPICS) -> None:
    """A Hugo project in `root`: config, layouts, topic pages and one post per entry."""
    _write(root / "hugo.toml", HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        _write(root / "layouts" / name, text)
    for slug, name, description, _ in topics:
        _write(root / "content" / "topics" / slug / "_index.md",
               f"---\ntitle: {_q(name)}\ndescription: {_q(description)}\n---\n")
    for entry in entries:
        _write(hugo_entry_path(root, entry), hugo_entry(entry))


def hugo_entry_path(root: Path, entry: Entry) -> Path:
    return root / "content" / "posts" / f"{entry.slug}.md"


def hugo_entry(entry: Entry) -> str:
    return sitegen_entry(entry).replace("---\n", f"---\nslug: {entry.slug}\n", 1)


# Pelican -------------------------------------------------------------------------------------

PELICAN_CONFIG = f"""\
from pathlib import Path

_HERE = Path(__file__).resolve().parent
AUTHOR = "Benchmark"
SITENAME = "{SITE_TITLE}"
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = {ENTRIES_PER_PAGE}
FEED_MAX_ITEMS = {FEED_LENGTH}
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "topics/{{slug}}/feed.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
ARTICLE_URL = "entries/{{slug}}/"
ARTICLE_SAVE_AS = "entries/{{slug}}/index.html"
TAG_URL = "topics/{{slug}}/"
TAG_SAVE_AS = "topics/{{slug}}/index.html"
TAGS_SAVE_AS = "topics/index.html"
# Pelican's own incremental mode: reuse parsed content whose file's mtime is unchanged.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "mtime"
CACHE_PATH = str(_HERE / "cache")
"""


def write_pelican(root: Path, entries: list[Entry]) -> None:
    """A Pelican project in `root`: pelicanconf.py and one article per entry."""
    _write(root / "pelicanconf.py", PELICAN_CONFIG)
    for entry in entries:
        _write(pelican_entry_path(root, entry), pelican_entry(entry))


def pelican_entry_path(root: Path, entry: Entry) -> Path:
    return root / "content" / f"{entry.slug}.md"


def pelican_entry(entry: Entry) -> str:
    """Pelican metadata lines; its metadata cannot nest, so the sources end the body."""
    sources = "\n".join(f"- {s.publisher}, {s.author}: [{s.headline}]({s.url}) "
                        f"({s.published.isoformat()})" for s in entry.sources)
    return (f"Title: {entry.title}\nDate: {entry.day.isoformat()}\nSlug: {entry.slug}\n"
            f"Tags: {', '.join(entry.topics)}\nSummary: {entry.summary}\n\n"
            f"{entry.body}\n## Sources\n\n{sources}\n")


# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Corpus:
    """One generated corpus: the same entries as a sitegen, a Hugo and a Pelican project."""

    entries: tuple[Entry, ...]
    sitegen: Path
    hugo: Path
    pelican: Path

    @property
    def sitegen_config(self) -> Path:
        return self.sitegen / "sitegen.toml"


def write_corpus(root: Path, count: int, tools: tuple[str, ...] = ("sitegen", "hugo", "pelican"),
                 entries: list[Entry] | None = None,
                 topics: tuple[Topic, ...] = TOPICS) -> Corpus:
    """Write the projects of `tools` under `root`: `entries`, or `count` generated ones."""
    entries = make_entries(count) if entries is None else entries
    corpus = Corpus(tuple(entries), root / "site-sitegen", root / "site-hugo",
                    root / "site-pelican")
    if "sitegen" in tools:
        write_sitegen(corpus.sitegen, entries, topics)
    if "hugo" in tools:
        write_hugo(corpus.hugo, entries, topics)
    if "pelican" in tools:
        write_pelican(corpus.pelican, entries)
    return corpus


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
