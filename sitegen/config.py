"""Load a site's config from `[tool.sitegen]` in pyproject.toml or a standalone sitegen.toml."""

from __future__ import annotations

import functools
import re
import tomllib
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sitegen import safeio
from sitegen.errors import CONTROL, ConfigError, Problem, one_line
from sitegen.slugs import slugify
from sitegen.topic import Topic

CONFIG_LIMIT = 1024 * 1024  # a config is a page of settings
PACKAGED_THEME = Path(__file__).parent / "themes" / "default"
_PATH = r"(?:/(?:[A-Za-z0-9._~!$+,=:@-]|%[0-9A-Fa-f]{2})*)+"
_HOST = (r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
         r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_BASE_URL = (rf"^(?P<scheme>https?)://(?P<host>{_HOST}|\[[0-9A-Fa-f:.]+\])"
             rf"(?P<port>:[0-9]{{1,5}})?(?P<path>{_PATH})?$")
_LANGUAGE = (
    r"[a-z]{2,3}(?:-[a-z]{3}){0,3}"  # language (with extlangs; 4-8 letters are unassigned)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    r"(?:-(?:[a-z0-9]{5,8}|[0-9][a-z0-9]{3}))*"  # variants
    r"(?:-[a-wyz0-9](?:-[a-z0-9]{2,8})+)*"  # extensions
    r"(?:-x(?:-[a-z0-9]{1,8})+)?"  # private use
    r"|x(?:-[a-z0-9]{1,8})+")


@functools.cache
def _regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A pattern compiled when first needed: compiling these costs ~10 ms, which every build
    (the no-op too) paid on import while most configs need none of them."""
    return re.compile(pattern, flags)


BASE_URL_HINT = ("; a base URL is a path such as /timeline/ or an http(s) URL such as "
                 "https://user.github.io/repo/")

KEYS: dict[str, type] = {
    "title": str,
    "description": str,
    "base_url": str,
    "language": str,
    "timezone": str,
    "content_dir": str,
    "output_dir": str,
    "theme": str,
    "entries_per_page": int,
    "cname": str,
    "tag_authority": str,
    "topics": list,
    "markdown": dict,
}
MARKDOWN_KEYS = {"html": ("escape", "sanitize")}
TOPIC_KEYS: dict[str, type] = {"slug": str, "name": str, "description": str, "keywords": list}


@dataclass(frozen=True)
class SiteConfig:
    """A site's settings; every path is absolute."""

    path: Path
    root: Path
    title: str
    description: str
    base_url: str
    language: str
    timezone: str
    content_dir: Path
    output_dir: Path
    theme_dir: Path
    entries_per_page: int
    cname: str
    topics: tuple[Topic, ...]
    tag_authority: str = "sitegen.invalid"  # feed entry ids: tag:AUTHORITY,DATE:SLUG
    markdown_html: str = "escape"  # raw HTML in Markdown: "escape" (shown as text) or "sanitize"

    @property
    def files_dir(self) -> Path:
        """Files published as they are at the site root (`files/img/a.png` is `/img/a.png`)."""
        return self.content_dir / "files"

    @property
    def entries_dir(self) -> Path:
        return self.content_dir / "entries"

    @property
    def drafts_dir(self) -> Path:
        return self.content_dir / "drafts"

    @property
    def topic_slugs(self) -> frozenset[str]:
        return frozenset(t.slug for t in self.topics)


def find_config(start: Path) -> Path:
    """The config for a site whose folder is `start`: sitegen.toml, else pyproject.toml."""
    for name in ("sitegen.toml", "pyproject.toml"):
        if (start / name).is_file():
            return start / name
    raise ConfigError(Problem(start / "sitegen.toml", 1,
                              "no sitegen.toml or pyproject.toml here; run `sitegen init .` "
                              "or pass --config FILE"))


def load_config(path: Path) -> SiteConfig:
    """Read and validate the config at `path`; a bad key or value names file, key and fix."""
    path = path.resolve()
    table, lines = _read_table(path)
    problems = _check_keys(path, table, lines)
    topics = _topics(path, table.get("topics", []), lines, problems)
    markdown = _markdown(path, table.get("markdown", {}), lines, problems)
    if problems:
        raise ConfigError(problems)
    root = path.parent
    theme = table.get("theme")
    # every bad value reported at once, as bad keys are
    per_page = table.get("entries_per_page", 50)
    if per_page < 1:
        problems.append(Problem(path, _line_of(lines, "entries_per_page"),
                                "entries_per_page must be 1 or more"))
    try:
        base_url = normalise_base_url(table.get("base_url", "/"))
    except ValueError as e:
        base_url = "/"
        problems.append(Problem(path, _line_of(lines, "base_url"),
                                f"base_url {table['base_url']!r} {e}"))
    cname = table.get("cname", "").strip()
    if cname and not valid_hostname(cname):
        problems.append(Problem(path, _line_of(lines, "cname"),
                                f"cname {cname!r} is not a domain name; write it as "
                                "cname = \"news.example.org\" (no scheme, no path)"))
    language = table.get("language", "en")
    if not valid_language(language):
        problems.append(Problem(path, _line_of(lines, "language"),
                                f"language {language!r} is not a BCP 47 language tag; write "
                                "one such as \"en\", \"uk\" or \"pt-BR\""))
    authority = table.get("tag_authority", "").strip().lower() or default_tag_authority(
        table.get("title", "Timeline"))
    if not valid_tag_authority(authority):
        problems.append(Problem(path, _line_of(lines, "tag_authority"),
                                f"tag_authority {authority!r} must be a domain name or an "
                                "email address you own, e.g. tag_authority = "
                                "\"news.example.org\""))
    timezone = table.get("timezone", "UTC")
    if not _known_timezone(timezone):
        problems.append(Problem(path, _line_of(lines, "timezone"),
                                f"unknown timezone {timezone!r}; use an IANA name such as "
                                "\"UTC\" or \"Europe/Kyiv\""))
    for key in ("content_dir", "output_dir", "theme"):
        if CONTROL.search(table.get(key, "")):  # a NUL: no path can hold it (a traceback)
            problems.append(Problem(path, _line_of(lines, key),
                                    f"{key} '{one_line(table[key])}' holds a control "
                                    "character, which no folder name may; write the path "
                                    "plainly"))
    if problems:
        raise ConfigError(problems)
    return SiteConfig(
        path=path,
        root=root,
        title=table.get("title", "Timeline"),
        description=table.get("description", ""),
        base_url=base_url,
        language=language,
        timezone=timezone,
        content_dir=(root / table.get("content_dir", "content")).resolve(),
        output_dir=(root / table.get("output_dir", "site")).resolve(),
        theme_dir=(root / theme).resolve() if theme else PACKAGED_THEME,
        entries_per_page=per_page,
        cname=cname,
        tag_authority=authority,
        topics=topics,
        markdown_html=markdown.get("html", "escape"),
    )


def _known_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def normalise_base_url(url: str) -> str:
    """`/timeline` -> `/timeline/`; `https://x.io/repo` -> `https://x.io/repo/`; '' -> '/'.

    Only a path or an http(s) URL is a base URL: anything else (`javascript:`, quotes, spaces,
    a query) raises ValueError saying why, since the base is written into every page and feed.
    """
    url = url.strip() or "/"
    if len(url) > 2000:
        raise ValueError(f"is longer than 2,000 characters{BASE_URL_HINT}")
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        raise ValueError(f"uses '{scheme.group(1)}:'{BASE_URL_HINT}")
    if "://" in url:
        match = _regex(_BASE_URL, re.IGNORECASE).match(url)
        if not match or not _valid_port(match["port"]):
            raise ValueError(f"is not a plain http(s) URL (no user, query or fragment)"
                             f"{BASE_URL_HINT}")
        url = match["scheme"].lower() + "://" + match["host"].lower() + (match["port"] or "") \
            + (match["path"] or "/")
    else:
        if url.startswith("//"):
            raise ValueError(f"starts with '//'{BASE_URL_HINT}")
        url = url if url.startswith("/") else "/" + url
        if not _regex(rf"^{_PATH}$").match(url):
            raise ValueError("may hold only letters, digits, '/', '-', '.', '_', '~' and %XX "
                             f"escapes{BASE_URL_HINT}")
    if any(part in (".", "..") for part in url.split("/")):
        raise ValueError(f"has a '.' or '..' segment{BASE_URL_HINT}")
    return url if url.endswith("/") else url + "/"


def _valid_port(port: str | None) -> bool:
    return port is None or 1 <= int(port[1:]) <= 65535


def default_tag_authority(title: str) -> str:
    """The tag authority of a site that names none: from its title, never from its address
    (which changes when the site moves), under the reserved `.invalid` domain."""
    label = slugify(title)[:50].strip("-") or "timeline"
    label = label if re.fullmatch(r"[a-z0-9-]+", label) else "timeline"
    return f"{label}.sitegen.invalid"


def valid_language(tag: str) -> bool:
    """A well-formed BCP 47 tag (RFC 5646) of at most 35 characters: what `<html lang>`, Atom's
    xml:lang and Pagefind's stemmer choice all accept."""
    if 2 <= len(tag) <= 3 and tag.isascii() and tag.isalpha():
        return True  # a bare language ("en", "uk"): what most sites name, without the regex
    return len(tag) <= 35 and bool(_regex(_LANGUAGE, re.IGNORECASE).fullmatch(tag))


def valid_hostname(name: str) -> bool:
    """A DNS name such as news.example.org (what a CNAME file holds)."""
    return len(name) <= 253 and _dns_name(name)


def valid_tag_authority(authority: str) -> bool:
    """A tag URI's authority (RFC 4151): a DNS name, or an email address at one."""
    user, at, host = authority.rpartition("@")
    if at and not _regex(r"[a-z0-9._%+-]+", re.IGNORECASE).fullmatch(user):
        return False
    return _dns_name(host)


def _dns_name(name: str) -> bool:
    """Dot-separated labels of 1-63 ASCII letters, digits and inner hyphens (RFC 1123)."""
    return all(0 < len(label) <= 63 and label.isascii() and label.replace("-", "").isalnum()
               and label[0] != "-" and label[-1] != "-" for label in name.split("."))


def _read_table(path: Path) -> tuple[dict[str, Any], list[str]]:
    try:
        raw = safeio.read_regular_file(path, limit=CONFIG_LIMIT)
    except safeio.UnreadableFile as e:
        raise ConfigError(Problem(path, 1, f"cannot read config: it {e.reason}; "
                                           "check the --config path")) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigError(Problem(path, raw[: e.start].count(b"\n") + 1,
                                  "the config is not UTF-8 text (is it a binary file?); "
                                  "pass a sitegen.toml or pyproject.toml")) from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(e))) else 1
        raise ConfigError(Problem(path, line, f"invalid TOML: {e}")) from e
    except RecursionError as e:  # tomllib recurses per nested array or table
        raise ConfigError(Problem(path, 1, "invalid TOML: nested too deeply for a config; "
                                           "write it flat")) from e
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("sitegen")
        if table is None:
            raise ConfigError(Problem(path, 1, "no [tool.sitegen] table; add one with at "
                                               "least `title = \"...\"`"))
        return table, _only_table(text.splitlines(), "tool.sitegen")
    return data, text.splitlines()


HEADER = r"^\s*\[(\[?)\s*([^\]]*?)\s*\]\]?\s*(?:#.*)?$"


def _header(line: str) -> str | None:
    """The dotted name of a `[table]` or `[[array]]` header line, else None."""
    match = _regex(HEADER).match(line)
    return re.sub(r"\s*\.\s*", ".", match.group(2)).replace('"', "") if match else None


def _only_table(lines: list[str], name: str) -> list[str]:
    """`lines` with every line outside table `name` (and its sub-tables) blanked, so a key is
    found where this config sets it, not in [project] (line numbers are kept)."""
    kept, inside = [], False
    for line in lines:
        header = _header(line)
        if header is not None:
            inside = header == name or header.startswith(name + ".")
        kept.append(line if inside else "")
    return kept


def _topic_spans(lines: list[str]) -> list[tuple[int, int]]:
    """0-based [start, end) of each `[[topics]]` table, in order."""
    starts = [i for i, line in enumerate(lines)
              if _header(line) in ("topics", "tool.sitegen.topics") and "[[" in line]
    ends = [next((j for j in range(i + 1, len(lines)) if _header(lines[j]) is not None),
                 len(lines)) for i in starts]
    return list(zip(starts, ends, strict=True))


def _check_keys(path: Path, table: dict[str, Any], lines: list[str]) -> list[Problem]:
    problems = []
    for key, value in table.items():
        line = _line_of(lines, key)
        if key not in KEYS:
            problems.append(Problem(path, line, f"unknown config key '{key}'{_hint(key, KEYS)}"))
        elif not isinstance(value, KEYS[key]) or isinstance(value, bool):
            problems.append(Problem(path, line, f"'{key}' must be a {_kind(KEYS[key].__name__)}, "
                                                f"not {type(value).__name__}"))
    return problems


def _topics(path: Path, raw: Any, lines: list[str], problems: list[Problem]) -> tuple[Topic, ...]:
    if not isinstance(raw, list):
        return ()
    topics: list[Topic] = []
    seen: set[str] = set()
    spans = _topic_spans(lines)
    for number, table in enumerate(raw):
        span = spans[number] if len(spans) == len(raw) else None
        slug = str(table.get("slug", "")) if isinstance(table, dict) else ""
        line = _line_in(lines, span, "slug") if span else _line_of(lines, "slug", slug)
        if not isinstance(table, dict):
            problems.append(Problem(path, line, "each [[topics]] entry must be a table"))
            continue
        key, bad = _check_topic(table)
        if bad:
            problems.append(Problem(path, _line_in(lines, span, key) if span else line, bad))
            continue
        if table["slug"] in seen:
            problems.append(Problem(path, line, f"topic '{table['slug']}' is defined twice; "
                                                "remove one"))
            continue
        seen.add(table["slug"])
        topics.append(Topic(slug=table["slug"], name=str(table.get("name", table["slug"])),
                            description=table.get("description", ""),
                            keywords=tuple(str(k) for k in table.get("keywords", []))))
    return tuple(topics)


def _markdown(path: Path, raw: Any, lines: list[str],
              problems: list[Problem]) -> dict[str, str]:
    """The `[markdown]` table: `html = "escape" | "sanitize"`."""
    if not isinstance(raw, dict):
        return {}
    for key, value in raw.items():
        line = _line_of(lines, key)
        if key not in MARKDOWN_KEYS:
            problems.append(Problem(path, line, f"unknown [markdown] key '{key}'"
                                                f"{_hint(key, MARKDOWN_KEYS)}"))
        elif value not in MARKDOWN_KEYS[key]:
            choices = " or ".join(f'"{c}"' for c in MARKDOWN_KEYS[key])
            problems.append(Problem(path, line, f"[markdown] {key} must be {choices}, "
                                                f"not {value!r}"))
    return {k: v for k, v in raw.items() if k in MARKDOWN_KEYS}


def _check_topic(table: dict[str, Any]) -> tuple[str, str]:
    """The key at fault and what is wrong with it; ('', '') for a good topic."""
    for key, value in table.items():
        if key not in TOPIC_KEYS:
            return key, f"unknown topic key '{key}'{_hint(key, TOPIC_KEYS)}"
        if not isinstance(value, TOPIC_KEYS[key]):
            return key, f"topic '{key}' must be a {_kind(TOPIC_KEYS[key].__name__)}"
    slug = table.get("slug")
    if not isinstance(slug, str) or not slug or slugify(slug) != slug:
        return "slug", (f"topic slug {slug!r} must be lowercase words joined by hyphens, "
                        "e.g. slug = \"energy-grid\"")
    return "", ""


def _line_in(lines: list[str], span: tuple[int, int], key: str) -> int:
    """1-based line of `key = ...` inside a table's span; the table's header line if absent."""
    start, end = span
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    return next((i + 1 for i in range(start, end) if pattern.match(lines[i])), start + 1)


def _kind(name: str) -> str:
    return {"str": "string", "int": "whole number", "list": "list"}.get(name, name)


def _hint(key: str, known: dict[str, Any]) -> str:
    import difflib  # only for a mistake: not on every build's path

    close = difflib.get_close_matches(key, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else f"; known keys: {', '.join(known)}"


def key_line(path: Path, key: str) -> int:
    """The line of `path` (a config file) that sets `key`; 1 when it is not set there."""
    try:
        return _line_of(path.read_text(encoding="utf-8", errors="replace").splitlines(), key)
    except OSError:
        return 1


def _line_of(lines: list[str], key: str, value: str = "") -> int:
    """1-based line where `key = ...` (optionally with `value`) is set; 1 if not found."""
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for number, line in enumerate(lines, 1):
        if pattern.match(line) and value in line:
            return number
    return 1
