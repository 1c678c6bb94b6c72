"""`sitegen check` knows which links the build will satisfy: the search bundle included, laid
out in partitions (`/pagefind/partitions.json`, `/pagefind/<partition>/pagefind.js`), with no
bundle at `/pagefind/pagefind.js` any more."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import entry, run, write_files

GOOD_LINKS = ["/pagefind/partitions.json", "/pagefind/2022-12/pagefind.js",
              "/pagefind/2022-12/order.json"]
GONE_LINKS = ["/pagefind/pagefind.js", "/pagefind/2021-01/pagefind.js"]


def test_check_accepts_links_into_the_search_bundle_exactly_where_the_build_puts_it(
        site_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    body = " ".join(f"[x]({link})" for link in GOOD_LINKS + GONE_LINKS)
    write_files(site_dir, {"content/entries/2022/2022-12-30-a.md": entry(body=body)})
    code, output = run(site_dir, "check", capsys=capsys)
    assert code == 1
    reported = [link for link in GOOD_LINKS + GONE_LINKS
                if f"2022-12-30-a.md:1: link to {link} leads nowhere" in output]
    assert reported == GONE_LINKS, output
    # ... and the build agrees: what check accepts is there, what it reports is not.
    assert run(site_dir, "build", capsys=capsys)[0] == 0
    site = site_dir / "site"
    assert all((site / link[1:]).is_file() for link in GOOD_LINKS)
    assert not any((site / link[1:]).exists() for link in GONE_LINKS)
