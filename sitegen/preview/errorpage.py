"""The page every tab shows while the site does not build: each problem as `path:line`."""

from __future__ import annotations

import html
from collections.abc import Sequence

from sitegen.errors import Problem, display_path


def error_page(problems: Sequence[Problem]) -> bytes:
    """A whole HTML page listing `problems`, each as `path:line: message`, and what to do."""
    items = "\n".join(
        f"<li><code>{html.escape(display_path(p.path))}:{p.line}</code>: "
        f"{html.escape(p.message)}</li>" for p in problems)
    which = "this file" if len({p.path for p in problems}) == 1 else "these files"
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Build error · sitegen serve</title>
<style>
body {{ font: 1rem/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 50rem;
       padding: 0 1rem; color: #1a1a1a; background: #fff; }}
h1 {{ color: #a4000f; font-size: 1.5rem; }}
li {{ margin: .5rem 0; }}
code {{ background: #fbeaea; padding: .1rem .3rem; border-radius: .2rem; }}
</style>
</head>
<body>
<main>
<h1>The site did not build</h1>
<p>Fix {which} and save: this page reloads by itself.</p>
<ul class="problems">
{items}
</ul>
</main>
</body>
</html>
""".encode()
