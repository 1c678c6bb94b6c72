"""The parts of `sitegen serve`, one job each; `sitegen/serve.py` puts them together.

- `sitegen.watch`: reports each burst of changes to the sources once;
- `builder`: the build loop, the same `build()` as `sitegen build`, into the preview folder;
- `indexer`: the search-index loop, which runs behind the builder;
- `loop`: the server loop, the one thread that changes or reads what is served;
- `published`: what is served: one complete build, its problems, its search bundle;
- `handler`: answers HTTP requests from what is published, never from outside the preview;
- `reload`: the livereload seam: the browser script, its socket, telling tabs to reload;
- `errorpage`: the page every tab shows while the site does not build.
"""
