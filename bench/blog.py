"""A real-blog-sized corpus: 1,049 long technical posts, about 18 MB of Markdown.

Issue 9's figure for "a real blog" is 1,049 long posts (18 MB of Markdown) built cold. This
module generates a blog of that shape with a fixed seed, so the same count always gives the same
bytes: each post about 17 KB, with headings, paragraphs with inline links (to the web and to
earlier posts), inline code, emphasis, fenced code blocks in several languages, bulleted,
numbered and nested lists, block quotes, a table now and then, and footnotes. Its posts are
written as sitegen entries (title, date, topics, summary; a blog cites no sources) and as Hugo
posts, like the timeline corpus. No text comes from a real blog.
"""

from __future__ import annotations

import datetime as dt
import random

from bench.corpus import ADJECTIVES, ADVERBS, NOUNS, VERBS, Entry, Topic

SEED = 20260104
POSTS = 1049
FIRST_DAY = dt.date(2014, 3, 1)
LAST_DAY = dt.date(2025, 11, 30)

BLOG_TOPICS: tuple[Topic, ...] = (
    ("python", "Python", "Posts about Python.", ("python",)),
    ("rust", "Rust", "Posts about Rust.", ("rust",)),
    ("go", "Go", "Posts about Go.", ("golang",)),
    ("web", "The web", "HTML, CSS and browsers.", ("html", "css")),
    ("databases", "Databases", "SQL, indexes and storage.", ("sql", "index")),
    ("devops", "Operations", "Deploys, servers and monitoring.", ("deploy", "server")),
    ("testing", "Testing", "Tests, fixtures and CI.", ("test", "fixture")),
    ("performance", "Performance", "Profiling and making things fast.", ("profile",)),
    ("security", "Security", "Threats and defences.", ("security",)),
    ("tools", "Tools", "Editors, shells and the command line.", ("editor", "shell")),
    ("writing", "Writing", "On writing and documentation.", ("writing",)),
    ("notes", "Notes", "Short notes and links.", ("note",)),
)

TECH = (
    "cache", "parser", "compiler", "scheduler", "allocator", "index", "queue", "socket", "thread",
    "process", "pipeline", "module", "package", "function", "closure", "iterator", "generator",
    "buffer", "stream", "lock", "mutex", "transaction", "query", "schema", "migration", "router",
    "handler", "template", "renderer", "benchmark", "profiler", "fixture", "container", "kernel",
    "filesystem", "manifest", "digest", "checksum", "hash", "tree", "graph", "heap", "stack",
)

CODE: dict[str, tuple[str, ...]] = {
    "python": ("def {a}_{b}(items):", "    result = []", "    for item in items:",
               "        if item.{a} is not None:", "            result.append(item.{b})",
               "    return sorted(result)", "", "class {A}{B}:", "    def __init__(self, {a}):",
               "        self.{a} = {a}", "        self._{b} = {{}}"),
    "rust": ("fn {a}_{b}(items: &[Item]) -> Vec<u64> {{", "    items", "        .iter()",
             "        .filter(|i| i.{a}.is_some())", "        .map(|i| i.{b})",
             "        .collect()", "}}", "", "struct {A}{B} {{ {a}: usize, {b}: String }}"),
    "go": ("func {A}{B}(items []Item) []int {{", "\tvar out []int",
           "\tfor _, it := range items {{", "\t\tif it.{A} != nil {{",
           "\t\t\tout = append(out, it.{B})", "\t\t}}", "\t}}", "\treturn out", "}}"),
    "javascript": ("export function {a}{B}(items) {{",
                   "  return items.filter((i) => i.{a} !== undefined)",
                   "    .map((i) => i.{b});", "}}", "", "const {a} = new Map();"),
    "bash": ("set -euo pipefail", "for f in ./{a}/*.md; do", "  wc -w \"$f\" >> {b}.log",
             "done", "grep -c {a} {b}.log | sort -n"),
    "sql": ("SELECT {a}, count(*) AS n", "FROM {b}", "WHERE {a} IS NOT NULL",
            "GROUP BY {a}", "ORDER BY n DESC", "LIMIT 10;"),
    "yaml": ("{a}:", "  {b}: true", "  retries: 3", "  paths:", "    - ./{a}", "    - ./{b}"),
    "toml": ("[{a}]", "{b} = true", "retries = 3", 'paths = ["./{a}", "./{b}"]'),
}


def make_posts(count: int = POSTS, seed: int = SEED) -> list[Entry]:
    """`count` long posts, oldest first, spread evenly from 2014 to 2025."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    posts: list[Entry] = []
    for i in range(count):
        day = FIRST_DAY + dt.timedelta(days=i * span // max(count - 1, 1))
        posts.append(_post(rng, i, day, posts))
    return posts


def _post(rng: random.Random, i: int, day: dt.date, earlier: list[Entry]) -> Entry:
    a, b = rng.sample(TECH, 2)
    slug = f"{day.isoformat()}-{a}-{b}-{i:04d}"
    title = f"{_cap(rng.choice(ADJECTIVES))} {a} {rng.choice(('and', 'versus', 'without'))} " \
            f"the {b}: {_words(rng, rng.randint(3, 6))}"
    topics = tuple(sorted(rng.sample([t[0] for t in BLOG_TOPICS], rng.randint(1, 3))))
    return Entry(slug, day, title, topics, (), _sentence(rng, rng.randint(14, 22)),
                 _body(rng, earlier))


def _body(rng: random.Random, earlier: list[Entry]) -> str:
    notes: list[str] = []
    blocks = [_paragraph(rng, earlier, notes) for _ in range(2)]
    for _ in range(rng.randint(4, 6)):
        blocks.append(f"## {_cap(_words(rng, rng.randint(3, 6)))}")
        for _ in range(rng.randint(2, 3)):
            blocks.append(_paragraph(rng, earlier, notes))
        roll = rng.random()
        if roll < 0.55:
            blocks.append(_code(rng))
        elif roll < 0.75:
            blocks.append(_list(rng, earlier))
        elif roll < 0.85:
            blocks.append(_table(rng))
        else:
            blocks.append("> " + _sentence(rng, rng.randint(15, 30)))
        if rng.random() < 0.5:
            blocks.append(f"### {_cap(_words(rng, rng.randint(2, 5)))}")
            blocks.append(_paragraph(rng, earlier, notes))
            blocks.append(_list(rng, earlier) if rng.random() < 0.5 else _code(rng))
    blocks.append(_paragraph(rng, earlier, notes))
    blocks += [f"[^{n}]: {note}" for n, note in enumerate(notes, 1)]
    return "\n\n".join(blocks) + "\n"


def _paragraph(rng: random.Random, earlier: list[Entry], notes: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(4, 7)):
        words = _sentence(rng, rng.randint(12, 24)).split(" ")
        roll = rng.random()
        k = rng.randrange(1, len(words) - 1)
        if roll < 0.15:
            words[k] = f"`{rng.choice(TECH)}.{rng.choice(TECH)}()`"
        elif roll < 0.3:
            words[k] = f"*{words[k]}*"
        elif roll < 0.4:
            words[k] = f"**{words[k]}**"
        elif roll < 0.55:
            words[k] = f"[{words[k]}](https://docs.example.org/{rng.choice(TECH)}/{k})"
        elif roll < 0.62 and earlier:
            words[k] = f"[{words[k]}](/entries/{rng.choice(earlier[-200:]).slug}/)"
        elif roll < 0.68:
            notes.append(_sentence(rng, rng.randint(8, 16)))
            words[-1] = f"{words[-1][:-1]}[^{len(notes)}]."
        sentences.append(" ".join(words))
    return " ".join(sentences)


def _code(rng: random.Random) -> str:
    language = rng.choice(sorted(CODE))
    a, b = rng.sample(TECH, 2)
    names = {"a": a, "b": b, "A": _cap(a), "B": _cap(b)}
    lines = [line.format(**names) for line in CODE[language]]
    lines = lines * rng.randint(1, 3)
    return f"```{language}\n" + "\n".join(lines) + "\n```"


def _list(rng: random.Random, earlier: list[Entry]) -> str:
    ordered = rng.random() < 0.4
    items = []
    for n in range(rng.randint(3, 7)):
        mark = f"{n + 1}." if ordered else "-"
        text = _sentence(rng, rng.randint(6, 14))
        if earlier and rng.random() < 0.15:
            text += f" See [this post](/entries/{rng.choice(earlier[-200:]).slug}/)."
        items.append(f"{mark} {text}")
        if rng.random() < 0.25:
            items += [f"   - {_sentence(rng, rng.randint(4, 9))}" for _ in range(2)]
    return "\n".join(items)


def _table(rng: random.Random) -> str:
    columns = rng.sample(TECH, 3)
    rows = ["| " + " | ".join(columns) + " |", "|---|---:|---:|"]
    for _ in range(rng.randint(3, 6)):
        rows.append(f"| {rng.choice(NOUNS)} | {rng.randint(1, 999)} | {rng.random():.3f} |")
    return "\n".join(rows)


def _sentence(rng: random.Random, length: int) -> str:
    words = [rng.choice(ADJECTIVES), rng.choice(TECH), rng.choice(VERBS)]
    while len(words) < length:
        roll = rng.random()
        words.append(rng.choice(ADVERBS) if roll < 0.1 else rng.choice(ADJECTIVES)
                     if roll < 0.35 else rng.choice(TECH) if roll < 0.65 else rng.choice(NOUNS))
    return _cap(" ".join(words)) + "."


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(TECH + NOUNS) for _ in range(n))


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
