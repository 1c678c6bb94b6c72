"""The one slug rule, for entry file names, `slug:` and topic slugs."""

from __future__ import annotations

import re
import unicodedata

# In ASCII, the letters, marks and digits are a-z (once lowercased) and 0-9
_ASCII_OTHER = re.compile(r"[^a-z0-9_]+")


def slugify(text: str) -> str:
    """Lowercase; letters, marks and digits of any script kept, as in Wikipedia's URLs; every
    other run of characters (dots, spaces, punctuation) becomes one hyphen; none at either end.
    `Rust-1.88.0` -> `rust-1-88-0`, `Обстріл Києва` -> `обстріл-києва`; underscores are kept."""
    if text.isascii():  # the same rule, a character class at a time (most file names)
        return _ASCII_OTHER.sub("-", text.lower()).strip("-_")
    return slugify_any(text)


def slugify_any(text: str) -> str:
    """`slugify`, a character at a time: for text in any script."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text.lower()):
        if char == "_" or unicodedata.category(char)[0] in "LMN":
            out.append(char)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-_")
