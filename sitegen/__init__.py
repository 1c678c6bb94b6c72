"""sitegen: a static site generator for curated, dated, searchable news timelines."""

__version__ = "0.1.0"
