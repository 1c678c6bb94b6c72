"""Small text helpers shared by the ingest stages: words, sentences, titles, slugs."""

from __future__ import annotations

import re
import unicodedata

FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                      "\u2013": "-", "\u2014": "-", "\u00a0": " "})
WORD_RE = re.compile(r"[a-z0-9]+(?:['.-][a-z0-9]+)*")
STOPWORDS = frozenset(re.findall(r"\S+", """
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my no nor not now of off on once only or other our ours out over own said same says
she should so some such than that the their theirs them then there these they this those through
to too under until up very was we were what when where which while who whom why will with would
you your yours told according also since another new one two three four five per
"""))
# Abbreviations whose full stop does not end a sentence.
ABBREVIATIONS = frozenset(re.findall(r"\S+", """
mr mrs ms dr st gen lt col maj sgt capt gov sen rep prof jr sr inc ltd co corp no vs etc
jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n e.u
"""))
QUOTE_PAIRS = {"\u201c": "\u201d", '"': '"', "\u2018": "\u2019"}
TITLE_WORDS = 18
BOUNDARY_RE = re.compile(r"(?:,[\u201d\"']?\s+|\s+[-\u2013\u2014]\s+|;\s+|\s+(?:and|but|as|after|"
                         r"while|amid|when|just|following|despite)\s+)")
ATTRIBUTION_RE = re.compile(r"\b(?:said|says|told|reported|reports|added|according to|"
                            r"announced|confirmed|wrote|tweeted)\b")
LEADING_CLAUSE_RE = re.compile(r"^(?:after|despite|following|amid|in|on|as|with|during)\b"
                               r"[^,]{0,40},\s+", re.IGNORECASE)


def fold(text: str) -> str:
    """Curly quotes and dashes as their plain ASCII forms; no-break spaces as spaces."""
    return text.translate(FOLD)


def clean(text: str) -> str:
    """Whitespace collapsed to single spaces, ends trimmed."""
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Lowercase word tokens, quotes and dashes folded."""
    return WORD_RE.findall(fold(text).lower())


def stem(word: str) -> str:
    """A light stem for comparing texts: plural, possessive and -ing/-ed endings removed."""
    word = word.removesuffix("'s")
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", "e"),
                         ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + keep
    return word


def content_words(text: str) -> list[str]:
    """Stemmed words that carry meaning: no stopwords, no single letters."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


def word_count(text: str) -> int:
    return len(text.split())


def sentences(text: str) -> list[str]:
    """Split prose into sentences; abbreviations such as "Dec." or "U.S." do not end one."""
    parts: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?\u2026]+[\u201d\"'\u2019)]*\s+(?=[\u201c\"'\u2018(]?[A-Z0-9])",
                             text):
        end = match.start()
        last = text[start:end].split()[-1:] or [""]
        if last[0].lower().strip("\u201c\"'(") in ABBREVIATIONS:
            continue
        parts.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def short_title(text: str) -> str:
    """A headline-length title made from the first sentence of `text`."""
    sentence = _quoted_attribution(text) or (sentences(text) or [text])[0]
    sentence = _drop_attribution(sentence.rstrip(" .!?;:\u2026"))
    if word_count(sentence) > TITLE_WORDS:
        sentence = LEADING_CLAUSE_RE.sub("", sentence)
    if word_count(sentence) > TITLE_WORDS:
        sentence = _cut_at_boundary(sentence)
    if word_count(sentence) > TITLE_WORDS:
        sentence = _cut_words(sentence)
    return _final_stop_off(_balance_quotes(normalise_caps(sentence.rstrip(" ,;:-\u2013\u2014"))))


def tidy_title(text: str) -> str:
    """A title line as a title: no trailing full stop or ellipsis, shouting calmed."""
    return _final_stop_off(normalise_caps(clean(text).rstrip(" .\u2026")))


def normalise_caps(text: str) -> str:
    """"VLADIMIR Putin said" -> "Vladimir Putin said"; leaves acronyms such as "NATO says"."""
    first, _, rest = text.partition(" ")
    nxt = rest.split(" ", 1)[0] if rest else ""
    if len(first) >= 4 and first.isupper() and nxt[:1].isupper() and not nxt.isupper():
        first = first.capitalize()
    text = f"{first} {rest}" if rest else first
    return text[:1].upper() + text[1:]


def _quoted_attribution(text: str) -> str:
    """For text that opens with a quote, the attribution after it ("X said ...")."""
    opening = text[:1]
    closing = QUOTE_PAIRS.get(opening)
    if closing is None:
        return ""
    end = text.find(closing, 1)
    if end < 0:
        return ""
    after = text[end + 1:].lstrip(" ,")
    clause = (sentences(after) or [""])[0]
    return clause if word_count(clause) >= 3 and ATTRIBUTION_RE.search(clause) else ""


def _drop_attribution(sentence: str) -> str:
    """Cut a trailing ", X said ..." or ", according to ..." clause."""
    for match in re.finditer(r",[\u201d\"']?\s+", sentence):
        rest = sentence[match.end():]
        verb = ATTRIBUTION_RE.search(rest)
        if verb and word_count(rest[: verb.start()]) <= 12 and word_count(
                sentence[: match.start()]) >= 4:
            return sentence[: match.start()] + match.group(0).strip(", ")
    return sentence


def _cut_at_boundary(sentence: str) -> str:
    """Cut at the first clause boundary that leaves a title of 6 to TITLE_WORDS words."""
    for match in BOUNDARY_RE.finditer(sentence):
        closing = match.group(0)[1:2] if match.group(0)[1:2] in "\u201d\"'" else ""
        head = sentence[: match.start()] + closing
        if 6 <= word_count(head) <= TITLE_WORDS:
            return head
    return sentence


def _cut_words(sentence: str) -> str:
    """The first TITLE_WORDS words, not ending inside a quote or on a small word."""
    kept = sentence.split()[:TITLE_WORDS]
    text = " ".join(kept)
    if _open_quote(text):
        text = text[: _open_quote(text)].rstrip() or text
    tail = text.split()
    while len(tail) > 4 and tail[-1].lower().strip(",") in STOPWORDS:
        tail.pop()
    return " ".join(tail).rstrip(",")


def _open_quote(text: str) -> int:
    """Index of a quote that `text` opens but never closes; 0 when all are closed."""
    depth, index = 0, 0
    for i, char in enumerate(text):
        if char == "\u201c":
            depth, index = depth + 1, i
        elif char == "\u201d":
            depth = max(depth - 1, 0)
    return index if depth else 0


def _final_stop_off(text: str) -> str:
    """'... a "unified space."' -> '... a "unified space"': titles end without a full stop."""
    return re.sub(r"[.\u2026]+([\u201d\"'\u2019])$", r"\1", text)


def _balance_quotes(text: str) -> str:
    if text.count("\u201c") > text.count("\u201d"):
        return text + "\u201d"
    if text.count('"') % 2:
        return text + '"'
    return text


def slugify(title: str, max_length: int = 50) -> str:
    """Lowercase ASCII words joined by hyphens, cut at a word boundary; no leading article."""
    ascii_text = unicodedata.normalize("NFKD", fold(title)).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"\b([A-Za-z])\.(?=[A-Za-z]\.)", r"\1", ascii_text)  # "U.S." -> "US."
    parts = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    if len(parts) > 3 and parts[0] in {"the", "a", "an"}:
        parts = parts[1:]
    slug = ""
    for part in parts:
        candidate = f"{slug}-{part}" if slug else part
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or "untitled"
