"""`sitegen import`: each generator's fixture site becomes a sitegen site that builds, with its
posts' text, topics, old URLs, files and template tags handled; the source is left untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sitegen.cli import main
from tests.helpers import tree_digest

FIXTURES = Path(__file__).parent / "fixtures"


def imported(tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str],
             *extra: str) -> tuple[Path, str]:
    """Import fixture `name` (from a copy, so its file times are ours) and build it."""
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / name, src)
    before = tree_digest(src)
    out = tmp_path / "new"
    assert main(["import", str(src), "--out", str(out), *extra]) == 0
    printed = capsys.readouterr()
    assert tree_digest(src) == before, "the source site must be left untouched"
    assert main(["build", "--config", str(out / "sitegen.toml"), "-q"]) == 0, \
        capsys.readouterr().err
    return out, printed.out + printed.err


def page(out: Path, slug: str) -> str:
    return (out / "site/entries" / slug / "index.html").read_text(encoding="utf-8")


def body(html: str) -> str:
    return html.split('<div class="entry-body">', 1)[1].split("</div>\n  <section", 1)[0]


def assert_clean(html: str) -> None:
    """Nothing of the old generator's syntax, no raw HTML shown as text, no footnote markers,
    every in-page link reaching an id on the page. Code blocks may show template syntax."""
    text = re.sub(r"(?s)<pre\b.*?</pre>", "", body(html))
    for marker in ("{%", "%}", "{{", "[^", "&lt;div", "&lt;p&gt;", "{:", "+++"):
        assert marker not in text, marker
    ids = set(re.findall(r'\sid="([^"]+)"', html))
    assert set(re.findall(r'href="#([^"]+)"', text)) <= ids


def redirect_target(out: Path, path: str) -> str:
    html = (out / "site" / path).read_text()
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', html)
    assert found, path
    return found.group(1)


def test_jekyll_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = imported(tmp_path, "jekyll", capsys)
    assert "Imported a jekyll site" in printed
    assert "4 posts: 4 entries (2 drafts)" in printed
    html = page(out, "harbour-reopens")
    assert_clean(html.replace("Literal {{ braces }} stay.", ""))  # kept by {% raw %}
    # 23:30 at -05:00 was 05:30 the next day in the site's timezone: the day the old site showed
    assert 'datetime="2021-03-05T05:30:00+01:00"' in html
    assert '<img src="/assets/img/harbour.png" alt="The harbour">' in html
    assert (out / "site/assets/img/harbour.png").is_file()
    assert '<a href="/entries/repairs-begin/">the follow-up</a>' in html
    assert '<code class="language-ruby"><span class="k">def</span>' in html
    assert "Literal {{ braces }} stay." in html
    assert '<div class="note">A boxed <b>note</b>.</div>' in html and "onclick" not in html
    assert "By Dana Reyes" in html
    assert "include newsletter.html" not in html
    assert re.search(r"_posts/2021-03-04-harbour-reopens\.md:30: `\{% include newsletter\.html",
                     printed)
    assert redirect_target(out, "news/local/2021/03/05/harbour-reopens.html") == \
        "/entries/harbour-reopens/"
    assert redirect_target(out, "old/harbour.html") == "/entries/harbour-reopens/"
    toml = (out / "sitegen.toml").read_text()
    assert 'name = "Storm Damage"' in toml and 'slug = "storm-damage"' in toml
    assert 'html = "sanitize"' in toml and 'timezone = "Europe/Berlin"' in toml
    repairs = page(out, "repairs-begin")
    assert_clean(repairs)
    assert 'type="checkbox"' in repairs
    assert not (out / "site/entries/unpublished").exists()
    assert not (out / "site/entries/a-draft").exists()
    assert f"sitegen build --config {out}/sitegen.toml" in printed
    assert f"sitegen serve --config {out}/sitegen.toml" in printed


def test_hugo_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = imported(tmp_path, "hugo", capsys)
    assert "3 posts: 3 entries (1 draft)" in printed
    assert "1 pages without a date left out" in printed
    html = page(out, "river-survey-spring")
    assert_clean(html)
    assert '<figure><img src="map.png" alt="A map"><figcaption>Survey sites</figcaption>' in html
    assert (out / "site/entries/river-survey-spring/map.png").is_file()
    assert 'href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"' in html
    assert '<code class="language-go">' in html
    assert '<a href="/entries/flood-notes-v2/">the notes</a>' in html
    assert "<blockquote>\n<p>Readings are provisional.</p>" in html
    assert "youtube</span> <span class=\"na\">id</span>" in html  # {{</* */>}} shown literally
    assert "river-survey/index.md:24: shortcode `{{< gallery" in printed
    assert redirect_target(out, "2022/04/river-survey-spring/index.html") == \
        "/entries/river-survey-spring/"
    assert redirect_target(out, "survey/index.html") == "/entries/river-survey-spring/"
    readings = page(out, "level-readings")
    assert '<td class="align-right">1.2</td>' in readings and "<dl>" in readings
    assert not (out / "site/entries/about").exists()


def test_zola_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = imported(tmp_path, "zola", capsys)
    assert "3 posts: 3 entries (0 drafts)" in printed
    html = page(out, "first-light")
    assert_clean(html)
    assert 'datetime="2023-01-15"' in html
    assert (out / "site/entries/first-light/mirror.jpg").is_file()
    assert '<a href="/entries/clouds/#readings">the log</a>' in html
    assert "{{ not_a_shortcode(x=1) }}" in html  # code is left alone, as Zola does
    assert "<p>Worth the wait.</p>" in html
    assert (out / "site/topics/обсерваторія/index.html").is_file()
    assert "first-light/index.md:23: shortcode `{{ unknown_widget(...) }}`" in printed
    assert redirect_target(out, "notes/clouds/index.html") == "/entries/clouds/"
    assert redirect_target(out, "2023/first-light.html") == "/entries/first-light/"
    home = (out / "site/index.html").read_text()
    assert home.index("Clouds again") < home.index("Release v0.2.0")  # a time sorts after none


def test_eleventy_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = imported(tmp_path, "eleventy", capsys)
    assert "3 posts: 3 entries (0 drafts)" in printed
    html = page(out, "first-tomatoes")
    assert_clean(html)
    assert '<img src="/img/tomato.png" alt="A ripe tomato">' in html
    assert (out / "site/img/tomato.png").is_file()
    assert not (out / "site/posts/posts.json").exists()
    assert "a note to self" not in html
    assert 'first-tomatoes.md:14: `{% set greeting = "hi" %}`' in printed
    assert '<a href="/">home</a>' in html
    watering = page(out, "watering")
    assert_clean(watering)
    assert '<li id="fn1" class="footnote-item"><p>Before the heat.' in watering
    assert redirect_target(out, "watering-schedule/index.html") == "/entries/watering/"
    assert "Notes without front matter" in page(out, "no-front-matter")
    assert "no-front-matter.md:1: no date in the front matter or file name" in printed
    assert "topics/posts" not in (out / "site/topics/index.html").read_text()


def test_pelican_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = imported(tmp_path, "pelican", capsys)
    assert "3 posts: 2 entries (0 drafts), 1 not imported" in printed
    assert "old-post.rst:1: not imported: reStructuredText is not Markdown" in printed
    html = page(out, "new-bus-line-opens")
    assert_clean(html)
    assert '<img src="/images/bus.png" alt="A bus">' in html
    assert '<a href="/entries/fares-may/">the fare change</a>' in html
    assert '<a href="/topics/routes/">routes</a>' in html
    assert "By Sam Okafor, Lee Chan" in html
    assert redirect_target(out, "posts/2019/05/new-bus-line-opens/index.html") == \
        "/entries/new-bus-line-opens/"
    assert '<code class="language-python">' in page(out, "fares-may")
    assert html.count('<img src="/images/bus.png"') == 2  # {% img %} of the liquid_tags plugin
    assert '<a href="/notebooks/ridership.ipynb">ridership.ipynb</a>' in html
    assert (out / "site/notebooks/ridership.ipynb").is_file()
    assert "new-bus-line.md:17: `{% notebook notebooks/ridership.ipynb %}` cannot be embedded" \
        in printed
    assert 'name = "City Council"' in (out / "sitegen.toml").read_text()


@pytest.mark.parametrize("name", ["jekyll", "hugo", "zola", "eleventy", "pelican"])
def test_generator_is_detected(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               name: str) -> None:
    assert main(["import", str(FIXTURES / name), "--out", str(tmp_path / "x"), "-q"]) == 0
    assert f"Imported a {name} site" in capsys.readouterr().out


def test_links_work_under_a_subpath(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = imported(tmp_path, "jekyll", capsys)
    assert main(["build", "--config", str(out / "sitegen.toml"), "--base-url", "/timeline/",
                 "-q"]) == 0
    html = page(out, "harbour-reopens")
    assert 'src="/timeline/assets/img/harbour.png"' in html
    assert 'href="/timeline/entries/repairs-begin/"' in html
    assert redirect_target(out, "old/harbour.html") == "/timeline/entries/harbour-reopens/"


def test_import_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "taken"
    out.mkdir()
    (out / "mine.txt").write_text("keep me")
    assert main(["import", str(FIXTURES / "hugo"), "--out", str(out)]) == 2
    assert "already exists and is not empty; import never overwrites" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["mine.txt"]
    src = tmp_path / "src"
    shutil.copytree(FIXTURES / "hugo", src)
    assert main(["import", str(src), "--out", str(src / "inside")]) == 2
    assert "must be outside" in capsys.readouterr().err
    assert not (src / "inside").exists()


def test_empty_out_folder_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["import", str(FIXTURES / "zola"), "--out", str(tmp_path / "empty")]) == 0
    assert (tmp_path / "empty/sitegen.toml").is_file()
    assert not list(tmp_path.glob(".empty.importing-*"))


def test_date_from_zola_path_and_links_from_custom_tags(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "zola-src"
    (src / "content").mkdir(parents=True)
    (src / "config.toml").write_text('base_url = "https://blog.example"\ntitle = "B"\n')
    (src / "content" / "release.md").write_text(
        '+++\npath = "2020/07/27/release"\ntitle = "A release"\n+++\nShipped.\n')
    eleventy = tmp_path / "11ty-src"
    (eleventy / "posts").mkdir(parents=True)
    (eleventy / ".eleventy.js").write_text("module.exports = () => ({});\n")
    (eleventy / "posts" / "a.md").write_text(
        '---\ntitle: Thanks\ndate: 2021-01-02\n---\nThanks {% indieweblink "Ann", '
        '"https://ann.example/" %} and {% youtubeembed "abc" %}.\n')
    assert main(["import", str(src), "--out", str(tmp_path / "z")]) == 0
    text = (tmp_path / "z/content/entries/2020/2020-07-27-release.md").read_text()
    assert "date: '2020-07-27'" in text and "- /2020/07/27/release/" in text
    assert main(["import", str(eleventy), "--out", str(tmp_path / "e")]) == 0
    text = (tmp_path / "e/content/entries/2021/2021-01-02-a.md").read_text()
    assert "Thanks [Ann](https://ann.example/) and " \
           "[Video on YouTube](https://www.youtube.com/watch?v=abc)." in text
    assert 'became the link [Ann](https://ann.example/); check it' in capsys.readouterr().err
