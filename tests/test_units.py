"""Dates, slugs, URLs and config: the small rules every page depends on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen import urls
from sitegen.config import load_config, normalise_base_url
from sitegen.errors import ConfigError
from sitegen.load import parse_date, parse_entry
from sitegen.scaffold import slugify
from tests.helpers import SITE_TOML, entry

TOPICS = frozenset({"belarus", "energy-grid", "aid"})


@pytest.mark.parametrize(("text", "day", "time"), [
    ("2022-12-30", dt.date(2022, 12, 30), None),
    ("2022-12-30 14:05", dt.date(2022, 12, 30), "14:05:00"),
    ("2013-10-28 20:14:39 -0500", dt.date(2013, 10, 28), "20:14:39-05:00"),
    ("2013-10-28T23:30:00+02:00", dt.date(2013, 10, 28), "23:30:00+02:00"),
    ("2022-12-30T08:00:00Z", dt.date(2022, 12, 30), "08:00:00+00:00"),
])
def test_the_day_is_the_calendar_day_as_written(text: str, day: dt.date, time: str | None) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed[0] == day
    assert (parsed[1].isoformat() if parsed[1] else None) == time


@pytest.mark.parametrize("text", ["30/12/2022", "2022-13-01", "yesterday", "2022-02-30", ""])
def test_unreadable_dates_are_refused(text: str) -> None:
    assert parse_date(text) is None


def test_quoted_date_and_file_name_prefix_give_the_day() -> None:
    quoted = parse_entry(Path("x.md"), entry(date='"2022-12-29"').encode(), TOPICS)
    assert quoted.entry is not None and quoted.entry.day == dt.date(2022, 12, 29)
    text = "---\ntitle: No date key\n---\nBody\n"
    prefixed = parse_entry(Path("2022-12-19-no-date.md"), text.encode(), TOPICS)
    assert prefixed.entry is not None and prefixed.entry.day == dt.date(2022, 12, 19)


def test_slug_is_the_file_name_unless_front_matter_sets_it() -> None:
    plain = parse_entry(Path("2022-12-30-lviv-power-cuts.md"), entry().encode(), TOPICS)
    assert plain.entry is not None and plain.entry.slug == "2022-12-30-lviv-power-cuts"
    custom = parse_entry(Path("a.md"), entry(extra="slug: lviv\n").encode(), TOPICS)
    assert custom.entry is not None and custom.entry.slug == "lviv"


def test_tags_is_an_alias_and_a_string_is_one_topic() -> None:
    text = "---\ntitle: T\ndate: 2022-12-30\ntags: aid\n---\n"
    outcome = parse_entry(Path("t.md"), text.encode(), TOPICS)
    assert outcome.entry is not None and outcome.entry.topics == ("aid",)


def test_unknown_keys_are_kept_and_typos_warned() -> None:
    outcome = parse_entry(Path("t.md"), entry(extra="location: Lviv\nsumary: x\n").encode(),
                          TOPICS)
    assert outcome.entry is not None
    assert outcome.entry.extra == {"location": "Lviv", "sumary": "x"}
    assert [str(w) for w in outcome.warnings] == [
        "t.md:11: unknown key 'sumary' (did you mean 'summary'?); it is kept as a custom field"]


def test_slugify_makes_readable_ascii_slugs() -> None:
    assert slugify("Lviv runs on hourly power cuts!") == "lviv-runs-on-hourly-power-cuts"
    assert slugify("Zelensky’s “air shield” appeal") == "zelenskys-air-shield-appeal"
    assert slugify("Kyiv's Café résumé") == "kyivs-cafe-resume"


@pytest.mark.parametrize(("given", "expected"), [
    ("", "/"), ("/", "/"), ("/timeline", "/timeline/"), ("timeline/", "/timeline/"),
    ("https://user.github.io/repo", "https://user.github.io/repo/"),
])
def test_base_urls_are_normalised(given: str, expected: str) -> None:
    assert normalise_base_url(given) == expected


def test_urls_of_every_kind_of_page() -> None:
    assert urls.home() == "" and urls.home(2) == "page/2/"
    assert urls.entry("x") == "entries/x/"
    assert urls.topic("aid", 3) == "topics/aid/page/3/"
    assert urls.topic_feed("aid") == "topics/aid/feed.xml"
    assert urls.month(dt.date(2022, 12, 30)) == "archive/2022/12/"
    assert urls.output_file("") == "index.html"
    assert urls.output_file("entries/x/") == "entries/x/index.html"
    assert urls.base_path("https://u.github.io/repo/") == "/repo/"


def test_config_reads_keys_and_topics(tmp_path: Path) -> None:
    path = tmp_path / "sitegen.toml"
    path.write_text('theme = "mytheme"\n' + SITE_TOML)
    config = load_config(path)
    assert config.title == "Test Timeline"
    assert [t.slug for t in config.topics] == ["belarus", "energy-grid", "aid"]
    assert config.content_dir == tmp_path / "content"
    assert config.theme_dir == tmp_path / "mytheme"
    assert config.entries_per_page == 3


def test_config_errors_name_file_key_and_fix(tmp_path: Path) -> None:
    path = tmp_path / "sitegen.toml"
    path.write_text('title = "T"\nentries_per_pag = 10\nbase_url = 5\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    messages = [str(p) for p in err.value.problems]
    assert messages[0].endswith(":2: unknown config key 'entries_per_pag' "
                                "(did you mean 'entries_per_page'?)")
    assert messages[1].endswith(":3: 'base_url' must be a string, not int")


def test_every_bad_config_value_is_reported_in_one_pass(tmp_path: Path) -> None:
    # Each was raised on its own: a user fixing base_url then met language, then timezone...
    path = tmp_path / "sitegen.toml"
    path.write_text('title = "T"\nbase_url = "javascript:x"\nlanguage = "not a tag"\n'
                    'timezone = "Mars/Olympus"\ncname = "a b"\ntag_authority = "?"\n'
                    'entries_per_page = 0\noutput_dir = "si\\u0000te"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    lines = [str(p).rsplit("sitegen.toml:", 1)[1].split(":", 1)[0] for p in err.value.problems]
    assert sorted(lines, key=int) == ["2", "3", "4", "5", "6", "7", "8"], err.value.problems
    assert "output_dir 'si\\x00te' holds a control character" in str(err.value.problems[-1])


def test_a_config_nested_too_deeply_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "sitegen.toml"  # tomllib recursed until RecursionError
    path.write_text('title = "T"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "nested too deeply" in str(err.value.problems[0])


def test_config_in_pyproject_reads_tool_sitegen(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\n\n[tool.sitegen]\ntitle = "From pyproject"\n')
    assert load_config(path).title == "From pyproject"


def test_unknown_timezone_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "sitegen.toml"
    path.write_text('title = "T"\ntimezone = "Europe/Kiev-ish"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert str(err.value.problems[0]).endswith(
        ":2: unknown timezone 'Europe/Kiev-ish'; use an IANA name such as \"UTC\" or "
        "\"Europe/Kyiv\"")


def test_reading_many_inputs_keeps_no_mapping_per_file(tmp_path: Path) -> None:
    # Each read once asked for the 16 MiB limit: every file's bytes then sat in a memory
    # mapping of its own, and 100,000 entries ran out of the process's 65,530 mappings.
    from sitegen import safeio

    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("needs Linux's /proc/self/maps to count mappings")
    files = []
    for i in range(2000):
        files.append(tmp_path / f"{i}.md")
        files[-1].write_text(f"entry {i}\n" * 20)
    before = len(maps.read_text().splitlines())
    kept = [safeio.read_regular_file(f) for f in files]
    assert len(maps.read_text().splitlines()) - before < 100
    assert kept[7] == files[7].read_bytes()


@given(st.text(alphabet=st.sampled_from("ab &<>\"'\n\r\t\u00e9\U0001f600"), max_size=12))
def test_feed_escaping_is_the_standard_librarys(text: str) -> None:
    """feeds.py escapes as xml.sax.saxutils does, byte for byte (it avoids importing it)."""
    from xml.sax import saxutils

    from sitegen import feeds

    assert feeds.escape(text) == saxutils.escape(text)
    assert feeds.quoteattr(text) == saxutils.quoteattr(text)


# The patterns config.py matched every name and tag with until it checked DNS names with string
# methods (compiling them cost every build ~10 ms): the checks must accept exactly what they did.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_OLD_HOST = rf"(?:{_LABEL}\.)*{_LABEL}"
_NAMES = st.one_of(
    st.text(alphabet="aZ09-.@_%+é", max_size=80),
    st.lists(st.text(alphabet="ab-9", min_size=0, max_size=66), min_size=1, max_size=4)
    .map(".".join),
    st.builds(lambda u, h: f"{u}@{h}", st.text(alphabet="a.+%@-", max_size=6),
              st.text(alphabet="ab.-", max_size=12)))


@given(_NAMES)
def test_dns_names_are_checked_as_the_old_patterns_did(name: str) -> None:
    import re

    from sitegen.config import valid_hostname, valid_tag_authority

    assert valid_hostname(name) == (len(name) <= 253 and bool(re.fullmatch(_OLD_HOST, name)))
    assert valid_tag_authority(name) == bool(
        re.fullmatch(rf"(?:[a-z0-9._%+-]+@)?{_OLD_HOST}", name, re.IGNORECASE))


@given(st.one_of(st.text(alphabet="abXé1-", max_size=8), st.text(max_size=4)))
def test_bare_languages_are_accepted_as_the_pattern_did(tag: str) -> None:
    import re

    from sitegen import config

    expected = len(tag) <= 35 and bool(re.fullmatch(config._LANGUAGE, tag, re.IGNORECASE))
    assert config.valid_language(tag) == expected


@given(st.sets(st.text(alphabet="a/.\0", max_size=6), max_size=6))
def test_manifest_paths_are_checked_at_once_as_one_by_one(rels: set[str]) -> None:
    from sitegen import write

    assert write._all_inside(rels) == all(map(write._inside, rels))


_HTML_PIECES = ["href", "src", "xhref", "_src", "éhref", " ", "<a ", '="/', '="//', '="/x',
                '"', "/", "=", "img", "\n", "ref", "h"]


@given(st.lists(st.sampled_from(_HTML_PIECES), max_size=12).map("".join))
def test_root_relative_links_are_rebased_as_the_link_rule_says(html: str) -> None:
    # the fast scan finds exactly what ROOT_LINK matches: `href="/` or `src="/` after a word
    # boundary, never `//host`
    expected = urls.ROOT_LINK.sub(lambda m: f'{m.group(1)}="/base/', html)
    assert urls.rebase_root_links(html, "/base/") == expected


def test_rebased_links_keep_other_hosts_and_attributes_as_they_were() -> None:
    html = ('<a href="/entries/x/">x</a> <img src="/a.png"> <a href="//cdn.example/y">y</a> '
            '<a xhref="/kept">z</a> <a href="https://example.org/">w</a>')
    assert urls.rebase_root_links(html, "/timeline/") == (
        '<a href="/timeline/entries/x/">x</a> <img src="/timeline/a.png"> '
        '<a href="//cdn.example/y">y</a> <a xhref="/kept">z</a> '
        '<a href="https://example.org/">w</a>')


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_the_ascii_slug_fast_path_follows_the_one_slug_rule(text: str) -> None:
    from sitegen import slugs

    assert slugs.slugify(text) == slugs.slugify_any(text)
