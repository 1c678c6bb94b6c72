"""What every page tells the browser to allow: the Content-Security-Policy and referrer policy.

Only our own files may run or style a page: scripts and styles from the site itself
('self'), no inline script, no eval. Pagefind, the search engine, compiles its WebAssembly
('wasm-unsafe-eval', which allows compiling wasm and nothing else) and loads its index and
worker from the site. Images may come from the site, data: URLs or any https address (an
entry may show a source's picture). Nothing else: no plugins, no frames, no <base>, forms
submit only to the site. Inline JSON (`<script type="application/json">`, JSON-LD) is data a
browser never runs, so it needs nothing here.
"""

from __future__ import annotations

CSP = "; ".join((
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data: https:",
    "media-src 'self' https:",  # the <video> and <audio> an entry may show, as its pictures
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
))
# The full address within the site; only the site's origin when a reader follows a link out
# (external links also carry rel="noreferrer").
REFERRER_POLICY = "same-origin"


def head_tags() -> str:
    """The two `<meta>` tags, for pages written without a template (redirects)."""
    return (f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="referrer" content="{REFERRER_POLICY}">\n')
