"""`sitegen import`: another generator's site (Jekyll, Hugo, Zola, Eleventy, Pelican) -> a new
sitegen site. A package apart: `build` never imports it."""

GENERATORS = ("jekyll", "hugo", "zola", "eleventy", "pelican")  # what `--from` accepts
