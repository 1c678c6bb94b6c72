"""What a source site is made of: which generator, its settings, its posts and its files."""

from __future__ import annotations

import json
import os
import re
import tomllib
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

POST_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")
SKIP_DIRS = frozenset({"node_modules", "_site", "public", "output", ".git", "vendor", "dist",
                       "resources", "themes", "theme", "__pycache__", ".jekyll-cache", "build",
                       ".sass-cache", "_includes", "_layouts", "_data", "_sass", "layouts",
                       "archetypes", "templates", "i18n", "data", "plugins"})
MEDIA = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp",
                   ".tif", ".tiff", ".pdf", ".mp4", ".webm", ".mov", ".m4v", ".ogv", ".mp3",
                   ".ogg", ".oga", ".wav", ".m4a", ".flac", ".csv", ".zip", ".gz", ".tgz",
                   ".epub", ".txt", ".geojson", ".ipynb", ".py", ".kml", ".gpx", ".vtt", ".srt"})
POST_DIRS = frozenset({"posts", "post", "blog", "articles", "article", "_posts", "news",
                       "notes", "writing", "entries"})


@dataclass(frozen=True)
class SiteInfo:
    """The settings of the source site that the import needs."""

    generator: str
    root: Path
    content: Path  # where posts' paths are counted from (Hugo/Zola/Pelican content/)
    title: str = ""
    timezone: str = ""
    language: str = ""
    settings: dict[str, Any] = field(default_factory=dict)  # the config file, parsed


def detect(src: Path) -> str:
    """The generator a site was made for, from its config files, else from its posts."""
    names = {p.name for p in src.iterdir()}
    if names & {"_config.yml", "_config.yaml", "_config.toml"}:
        return "jekyll"
    if "pelicanconf.py" in names:
        return "pelican"
    if names & {".eleventy.js", "eleventy.config.js", "eleventy.config.mjs",
                "eleventy.config.cjs", ".eleventy.cjs", ".eleventy.mjs"} or _eleventy_pkg(src):
        return "eleventy"  # before `_posts`: Eleventy blogs that came from Jekyll keep it
    if "_posts" in names:
        return "jekyll"
    config = _first(src, "config.toml")
    if config is not None and "base_url" in config.read_text(encoding="utf-8", errors="replace"):
        return "zola"
    if names & {"hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml",
                "config.yml", "config.json", "archetypes"}:
        return "hugo"
    return _guess_from_posts(src)


def _first(src: Path, *names: str) -> Path | None:
    return next((src / n for n in names if (src / n).is_file()), None)


def _eleventy_pkg(src: Path) -> bool:
    pkg = src / "package.json"
    return pkg.is_file() and "@11ty/eleventy" in pkg.read_text(encoding="utf-8", errors="replace")


def _guess_from_posts(src: Path) -> str:
    """A bare folder of posts: TOML front matter is Zola's, `Title:` headers Pelican's, dated
    file names Jekyll's; else Hugo's rules (every folder a section) fit best."""
    for path in list(walk_posts(src))[:50]:
        head = path.read_bytes()[:200].decode("utf-8", "replace").lstrip("\ufeff \n")
        if head.startswith("+++"):
            return "zola"
        if re.match(r"(?i)title:\s", head):
            return "pelican"
        if re.match(r"\d{4}-\d{2}-\d{2}-", path.name):
            return "jekyll"
    return "hugo"


def site_info(src: Path, generator: str) -> SiteInfo:
    """Read the source site's config for title, timezone, language and URL rules."""
    reader = {"jekyll": _jekyll, "hugo": _hugo, "zola": _zola, "eleventy": _eleventy,
              "pelican": _pelican}[generator]
    return reader(src)


def _load(path: Path | None) -> dict[str, Any]:
    """A YAML, TOML or JSON config; an unreadable one counts as empty (the import goes on with
    defaults and says so in its summary)."""
    if path is None:
        return {}
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _jekyll(src: Path) -> SiteInfo:
    conf = _load(_first(src, "_config.yml", "_config.yaml", "_config.toml"))
    return SiteInfo("jekyll", src, src, _text(conf.get("title")), _text(conf.get("timezone")),
                    _text(conf.get("lang")), conf)


def _hugo(src: Path) -> SiteInfo:
    conf = _load(_first(src, "hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml",
                        "config.yml", "config.json")
                 or _first(src / "config" / "_default", "hugo.toml", "config.toml", "hugo.yaml",
                           "config.yaml"))
    lower = {k.lower(): v for k, v in conf.items()}
    content = _hugo_language_dir(src, lower) or src / _text(lower.get("contentdir") or "content")
    return SiteInfo("hugo", src, content if content.is_dir() else src, _text(lower.get("title")),
                    _text(lower.get("timezone")), _text(lower.get("languagecode")), lower)


def _hugo_language_dir(src: Path, conf: dict[str, Any]) -> Path | None:
    """A multilingual Hugo site's default-language content folder (`content/en/`): the other
    languages are translations of the same posts."""
    lang = _text(conf.get("defaultcontentlanguage")) or "en"
    languages = conf.get("languages")
    table = languages.get(lang) if isinstance(languages, dict) else None
    split = _load(_first(src / "config" / "_default", f"languages.{lang}.toml"))
    for found in (table if isinstance(table, dict) else {}, split):
        given = _text(found.get("contentDir") or found.get("contentdir"))
        if given and (src / given).is_dir():
            return src / given
    guess = src / "content" / lang
    return guess if guess.is_dir() and (isinstance(languages, dict) or split) else None


def _zola(src: Path) -> SiteInfo:
    conf = _load(_first(src, "config.toml", "zola.toml"))
    content = src / "content"
    return SiteInfo("zola", src, content if content.is_dir() else src, _text(conf.get("title")),
                    "", _text(conf.get("default_language")), conf)


def _eleventy(src: Path) -> SiteInfo:
    config = next((src / n for n in (".eleventy.js", "eleventy.config.js", "eleventy.config.mjs",
                                     "eleventy.config.cjs", ".eleventy.cjs")
                   if (src / n).is_file()), None)
    text = config.read_text(encoding="utf-8", errors="replace") if config else ""
    m = re.search(r"""input\s*:\s*["'`]([^"'`]+)["'`]""", text)
    content = (src / m.group(1)).resolve() if m else src
    if not content.is_dir() or not content.is_relative_to(src.resolve()):
        content = src
    title = ""
    for data in (content / "_data", src / "_data"):
        for name in ("metadata.json", "site.json", "meta.json"):
            found = _load(data / name if (data / name).is_file() else None)
            title = title or _text(found.get("title")) or _text(found.get("name"))
    return SiteInfo("eleventy", src, content, title, "", "", {})


def _pelican(src: Path) -> SiteInfo:
    path = src / "pelicanconf.py"
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    conf: dict[str, Any] = {m.group(1): m.group(3) for m in
                            re.finditer(r"""(?m)^([A-Z_]+)\s*=\s*(['"])(.*?)\2\s*$""", text)}
    conf |= {m.group(1): m.group(2) == "True" for m in
             re.finditer(r"(?m)^([A-Z_]+)\s*=\s*(True|False)\s*(?:#.*)?$", text)}
    content = src / conf.get("PATH", "content")
    return SiteInfo("pelican", src, content if content.is_dir() else src,
                    conf.get("SITENAME", ""), conf.get("TIMEZONE", ""),
                    conf.get("DEFAULT_LANG", ""), dict(conf))


def known_timezone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return bool(name)


def walk_posts(folder: Path) -> Iterator[Path]:
    """Markdown files under `folder` in a stable order, not in build output, dependencies,
    themes, templates or hidden folders; section files (`_index.md`) left out."""
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(names):
            path = Path(parent) / name
            if name.lower().endswith(POST_SUFFIXES) and not name.startswith(("_index.", ".")) \
                    and not path.is_symlink() and path.is_file():
                yield path


def walk_files(folder: Path, *, skip_underscore: bool = False) -> Iterator[Path]:
    """Media and attachments under `folder` (not links, not hidden, not build output)."""
    if not folder.is_dir():
        return
    for parent, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.startswith(".")
                         and not (skip_underscore and d.startswith("_")))
        for name in sorted(names):
            path = Path(parent) / name
            if os.path.splitext(name)[1].lower() in MEDIA and not name.startswith(".") \
                    and not path.is_symlink() and path.is_file():
                yield path
