"""The two seed articles (read at run time, never copied): counts, merges, dates and topics
checked by reading them."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest

from sitegen.ingest.cli import main
from tests.ingest.conftest import Run, body, drafts, front_matter, site_toml, table_rows

# ../shared/seeds beside the repository; SITEGEN_SEEDS points elsewhere (e.g. from a worktree).
SEEDS = Path(os.environ.get("SITEGEN_SEEDS")
             or Path(__file__).resolve().parents[2] / ".." / "shared" / "seeds")
LIVE_BLOG = SEEDS / "000_a9bb43287f53e18c.txt"  # The Sun, live blog, published Friday 2022-12-30
BRIEFING = SEEDS / "004_c2ee36e6127e5870.txt"  # briefing, Monday 2022-12-19, commentary above

pytestmark = pytest.mark.skipif(not (LIVE_BLOG.is_file() and BRIEFING.is_file()),
                                reason=f"seed articles not found in {SEEDS} (they live outside "
                                       "the repository, in ../shared/seeds)")


@pytest.fixture(scope="module")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run, Run]:
    """Both seeds ingested once into one site (the slow part, shared by this module's tests)."""
    root = tmp_path_factory.mktemp("seeds")
    (root / "sitegen.toml").write_text(site_toml(), encoding="utf-8")
    with contextlib.chdir(root):
        live = _run(str(LIVE_BLOG), "--published", "2022-12-30", "--publisher", "The Sun")
        brief = _run(str(BRIEFING), "--published", "2022-12-19", "--publisher",
                     "The New York Times")
    assert (live.code, brief.code) == (0, 0), live.err + brief.err
    return root, live, brief


def _run(*args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def site(seed_site: tuple[Path, Run, Run]) -> Path:
    return seed_site[0]


@pytest.fixture
def runs(seed_site: tuple[Path, Run, Run]) -> tuple[Run, Run]:
    return seed_site[1], seed_site[2]


def named(site: Path, prefix: str) -> dict[str, Any]:
    [text] = [t for n, t in drafts(site).items() if n.startswith(prefix)]
    return front_matter(text)


def test_seed_counts_and_merges(site: Path, runs: tuple[Run, Run]) -> None:
    live, brief = runs
    assert "live blog, published 2022-12-30, 25 posts, lead kept" in live.out
    assert "26 posts found, 4 duplicates merged, 22 drafts" in live.out
    assert "12 detailed items, 7 one-line headlines (3 covered by an item)" in brief.out
    assert "reader commentary on lines 1-7 dropped" in brief.out
    assert "17 posts found, 0 duplicates merged, 17 drafts" in brief.out
    assert len(drafts(site)) == 39
    merged = {name for name, row in table_rows(live.out).items() if row["merged"] == "2 versions"}
    assert merged == {"2022-12-29-footage-of-the-missile-to-hit-belarus-shared-on.md",
                      "2022-12-29-ten-regions-across-ukraine-hit-by-russias-mass.md",
                      "2022-12-30-in-pictures-ukrainians-take-shelter-from-russian.md",
                      "2022-12-30-kyiv-residents-confident-of-ukrainian-victory.md"}


def test_updated_repeat_keeps_the_newer_death_toll_and_weekday(site: Path,
                                                               runs: tuple[Run, Run]) -> None:
    [text] = [t for n, t in drafts(site).items() if "ten-regions-across-ukraine" in n]
    assert "Three deaths have been confirmed" in body(text)
    assert "Two deaths" not in body(text)
    assert front_matter(text)["date_from"] == "weekday"


@pytest.mark.parametrize(("prefix", "day", "how"), [
    ("2022-12-29-update-on-yesterdays-russian-bombardment", "2022-12-29", "relative"),
    ("2022-12-29-all-missiles-fired-at-kyiv-on-thursday", "2022-12-29", "weekday"),
    ("2022-12-29-three-confirmed-dead-in-thursdays", "2022-12-29", "weekday"),
    ("2022-12-29-ukraines-ambassador-summoned-to-belarus", "2022-12-29", "weekday"),
    ("2022-12-30-16-iranian-drones-shot-down-overnight", "2022-12-30", "relative"),
    ("2022-12-30-total-russian-losses-so-far", "2022-12-30", "explicit"),  # "Dec. 30"
    ("2022-12-30-xi-to-make-state-visit", "2022-12-30", "relative"),  # "today"
    ("2022-12-30-russia-calls-on-the-west", "2022-12-30", "published"),  # 2022-01-03 is background
    ("2022-12-30-reported-shelling-in-belgorod", "2022-12-30", "published"),
    ("2022-12-30-vladimir-putin-vowed", "2022-12-30", "weekday"),  # the lead: "on Friday"
    ("2022-12-19-iranian-made-drones-struck", "2022-12-19", "weekday"),  # Monday, published Monday
    ("2022-12-19-eu-energy-ministers-on-monday", "2022-12-19", "weekday"),
    ("2022-12-19-russia-shelled-dnipropetrovsk", "2022-12-19", "relative"),  # "overnight"
    ("2022-12-19-families-mourn-in-kherson", "2022-12-19", "published"),
])
def test_seed_dates(site: Path, runs: tuple[Run, Run], prefix: str, day: str, how: str) -> None:
    data = named(site, prefix)
    assert (data["date"], data["date_from"]) == (dt.date.fromisoformat(day), how)


@pytest.mark.parametrize(("prefix", "present", "absent"), [
    ("2022-12-30-reported-shelling-in-belgorod", {"frontline", "strikes"}, {"belarus"}),
    ("2022-12-29-footage-of-the-missile-to-hit-belarus", {"belarus"}, set()),  # "Belarusian"
    ("2022-12-30-update-on-lviv-power-outages", {"energy-grid"}, set()),
    ("2022-12-30-kyiv-residents-confident", {"energy-grid", "civilian-life"}, set()),
    ("2022-12-30-one-dead-after-shelling", {"energy-grid", "casualties", "strikes"}, set()),
    ("2022-12-30-uk-confirms-over-2-billion", {"aid"}, set()),
    ("2022-12-30-16-iranian-drones", {"drones", "iran", "air-defence"}, set()),
    ("2022-12-30-xi-to-make-state-visit", {"china", "diplomacy"}, set()),
    ("2022-12-30-russia-calls-on-the-west", {"nuclear", "diplomacy"}, set()),
    ("2022-12-19-iranian-made-drones-struck", {"drones", "iran", "energy-grid"}, set()),
    ("2022-12-19-eu-energy-ministers", {"economy"}, set()),
    ("2022-12-19-in-a-bomb-shelter-turned-tv-set", {"civilian-life"}, set()),
    ("2022-12-19-russias-mercenary-wagner-group", {"military-command", "frontline"}, set()),
])
def test_seed_topics(site: Path, runs: tuple[Run, Run], prefix: str, present: set[str],
                     absent: set[str]) -> None:
    topics = set(named(site, prefix)["topics"])
    assert present <= topics
    assert not absent & topics


def test_briefing_headlines_covered_by_items_and_commentary_are_not_drafted(
        site: Path, runs: tuple[Run, Run]) -> None:
    names = set(drafts(site))
    assert not [n for n in names if "closest-ally" in n or "overnight-drone-attacks" in n]
    for uncovered in ("families-mourn-in-kherson", "un-secretary-general",
                      "us-cybermilitary-force", "in-a-bomb-shelter"):
        assert [n for n in names if uncovered in n], uncovered
    everything = "\n".join(drafts(site).values())
    assert "still begging" not in everything and "Darftee" not in everything


def test_every_seed_draft_cites_its_byline(site: Path, runs: tuple[Run, Run]) -> None:
    authors = {s.get("author") for text in drafts(site).values()
               for s in front_matter(text)["sources"]}
    assert authors == {"Jimmy Grant", "Henry Moore", None}  # the lead and the briefing: no byline
