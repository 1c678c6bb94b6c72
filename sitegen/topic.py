"""A topic of the site's taxonomy: its own module, so that loading a config (every build,
the no-op too) does not make every model type (a dataclass costs ~1 ms to create)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    """One topic of the site's taxonomy."""

    slug: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
