"""`sitegen import` on shapes found when importing real blogs: each site here is small and written
by us, in the format it stands for."""

from __future__ import annotations

from pathlib import Path

import pytest

from sitegen.cli import main
from tests.helpers import write_files
from tests.importer.test_import import page, redirect_target


def import_and_build(tmp_path: Path, files: dict[str, str | bytes],
                     capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """Import a site made of `files`, build it; return the new site and what import printed."""
    src, out = tmp_path / "old", tmp_path / "new"
    write_files(src, files)
    assert main(["import", str(src), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert main(["build", "--config", str(out / "sitegen.toml"), "-q"]) == 0, \
        capsys.readouterr().err
    return out, printed.out + printed.err


# Minimal Mistakes and other Jekyll themes name a post's image once and reuse it: an anchor
# (`&image`) and aliases (`*image`), in nearly every post of a blog that uses them.
ANCHORED = """\
---
title: "Drawing {n}"
excerpt: "Sketch number {n}."
image:
  path: &image /assets/images/sketch-{n}.jpg
  feature: *image
  thumbnail: /assets/images/sketch-{n}-150.jpg
defaults: &defaults
  share: true
  comments: false
settings:
  <<: *defaults
  comments: true
tags: [sketching, Ink Pens]
---
The {n}th sketch of the harbour.
"""

BOMB = """\
---
title: Too many
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
---
Expands to 100,000 values.
"""


def test_jekyll_posts_with_yaml_anchors_are_imported_with_the_values_written_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files: dict[str, str | bytes] = {"_config.yml": "title: Sketchbook\n"}
    for n in range(1, 4):
        files[f"_posts/sketches/2014-0{n}-10-drawing-{n}.md"] = ANCHORED.format(n=n)
    files["_posts/2014-05-01-too-many.md"] = BOMB
    files["_posts/2014-06-01-itself.md"] = "---\ntitle: Loop\nx: &x [a, *x]\n---\nLoop.\n"
    out, printed = import_and_build(tmp_path, files, capsys)
    assert "5 posts: 3 entries (0 drafts), 2 not imported" in printed
    assert "_posts/2014-05-01-too-many.md:3: not imported: more than 20,000 values" in printed
    assert "_posts/2014-06-01-itself.md:3: not imported: values nested more than 32" in printed
    text = (out / "content/entries/2014/2014-02-10-drawing-2.md").read_text()
    assert "&" not in text and "*" not in text  # the build's loader refuses aliases
    assert "    path: /assets/images/sketch-2.jpg\n    feature: /assets/images/sketch-2.jpg" \
        in text
    assert "    share: true\n    comments: true" in text  # the merge key, resolved
    html = page(out, "drawing-2")
    assert "The 2th sketch of the harbour." in html
    assert '<a class="topic" href="/topics/ink-pens/">Ink Pens</a>' in html
    assert redirect_target(out, "2014/02/10/drawing-2.html") == "/entries/drawing-2/"


def test_jekyll_categories_come_from_folders_above_posts_never_inside_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = "---\ntitle: {title}\ncategories: {cats}\n---\nText.\n"
    out, _ = import_and_build(tmp_path, {
        "_config.yml": "title: Notes\npermalink: /:categories/:title/\n",
        "_posts/notes/2016-11-08-tables.md": post.format(title="Tables", cats="[notes]"),
        "_posts/drawing/2014-01-02-hair.md": post.format(title="Hair", cats="[]"),
        "travel/_posts/2015-05-05-lisbon.md": post.format(title="Lisbon", cats="[Travel, city]"),
    }, capsys)
    assert redirect_target(out, "notes/tables/index.html") == "/entries/tables/"
    assert redirect_target(out, "hair/index.html") == "/entries/hair/"
    assert redirect_target(out, "travel/city/lisbon/index.html") == "/entries/lisbon/"
    assert not (out / "site/notes/notes").exists() and not (out / "site/drawing").exists()


def test_hugo_ugly_urls_apply_to_permalinks_too(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    post = "+++\ntitle = \"{title}\"\ndate = 2019-03-0{day}T10:00:00+08:00\n{extra}+++\nText.\n"
    out, _ = import_and_build(tmp_path, {
        "config.toml": 'title = "Log"\nuglyURLs = true\n\n[permalinks]\nposts = "/:filename"\n'
                       'trips = "/:year/:slug/"\n',
        "content/posts/first-steps.md": post.format(title="First steps", day=1, extra=""),
        "content/trips/lake.md": post.format(title="Lake", day=2, extra='slug = "the-lake"\n'),
        "content/notes/plain.md": post.format(title="Plain", day=3, extra=""),
        "content/posts/moved.md": post.format(title="Moved", day=4, extra='url = "/old/moved/"\n'),
    }, capsys)
    assert redirect_target(out, "first-steps.html") == "/entries/first-steps/"
    assert redirect_target(out, "2019/the-lake.html") == "/entries/the-lake/"
    assert redirect_target(out, "notes/plain.html") == "/entries/plain/"
    assert redirect_target(out, "old/moved/index.html") == "/entries/moved/"  # `url` as given
    assert not (out / "site/first-steps").exists()


def test_pelican_keeps_template_syntax_it_showed_as_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, printed = import_and_build(tmp_path, {
        "pelicanconf.py": "SITENAME = 'Notes'\nPATH = 'content'\n",
        "content/Web/templates.md": (
            "Title: Template loops\nDate: 2016-10-04 04:12\nTags: Jinja\n\n"
            "A loop, as the template engine writes it:\n\n"
            "    {% for item in items %}\n    {{ item }}\n    {% endfor %}\n\n"
            "Inline, `{% if user %}` tests a value; in prose {% block body %} stays too.\n\n"
            "{% youtube abc123 %}\n"),
    }, capsys)
    html = page(out, "template-loops")
    assert "<pre><code>{% for item in items %}\n{{ item }}\n{% endfor %}\n</code></pre>" in html
    assert "<code>{% if user %}</code> tests a value; in prose {% block body %} stays" in html
    assert 'href="https://www.youtube.com/watch?v=abc123"' in html  # the liquid_tags plugin's
    assert "no Markdown equivalent" not in printed


def test_pelican_folders_are_categories_unless_a_post_names_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = "Title: {title}\nDate: 2017-02-0{day}\n{extra}\nText.\n"
    out, _ = import_and_build(tmp_path, {
        "pelicanconf.py": "SITENAME = 'Notes'\nPATH = 'content'\n"
                          "ARTICLE_URL = '{category}/{slug}.html'\n",
        "content/Python/debug.md": post.format(title="Debugging tips", day=1, extra=""),
        "content/Go/tools.md": post.format(title="Go tools", day=2, extra="Category: Tooling\n"),
        "content/top.md": post.format(title="At the top", day=3, extra="Tags: misc-notes\n"),
    }, capsys)
    toml = (out / "sitegen.toml").read_text()
    assert 'name = "Python"' in toml and 'name = "Tooling"' in toml
    assert 'name = "Go"' not in toml and 'slug = "misc"' not in toml
    assert '<a class="topic" href="/topics/python/">Python</a>' in page(out, "debugging-tips")
    assert redirect_target(out, "python/debugging-tips.html") == "/entries/debugging-tips/"
    assert redirect_target(out, "tooling/go-tools.html") == "/entries/go-tools/"
    assert redirect_target(out, "misc/at-the-top.html") == "/entries/at-the-top/"
    off, _ = import_and_build(tmp_path / "off", {
        "pelicanconf.py": "PATH = 'content'\nUSE_FOLDER_AS_CATEGORY = False  # flat\n"
                          "DEFAULT_CATEGORY = 'notes'\nARTICLE_URL = '{category}/{slug}.html'\n",
        "content/Python/debug.md": post.format(title="Debugging tips", day=1, extra=""),
    }, capsys)
    assert "[[topics]]" not in (off / "sitegen.toml").read_text()
    assert redirect_target(off, "notes/debugging-tips.html") == "/entries/debugging-tips/"


@pytest.mark.parametrize("config", ["eleventy.config.js", ".eleventy.js", "package.json"])
def test_an_eleventy_blog_that_kept_its_jekyll_posts_folder_is_eleventy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str) -> None:
    text = '{"devDependencies": {"@11ty/eleventy": "^3.0.0"}}' if config == "package.json" \
        else "export default function (config) {}\n"
    _, printed = import_and_build(tmp_path, {
        config: text,
        "_posts/2007-02-20-checklist.md": "---\ntitle: A checklist\n---\nItems.\n",
    }, capsys)
    assert "Imported a eleventy site" in printed
