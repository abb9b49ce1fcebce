"""Indonesian text helpers shared by search, duplicates and routing: words, stems, snippets.

Stemming is PySastrawi's (Nazief–Adriani): "perbaikan" and "diperbaiki" both become "baik",
as PostgreSQL's ``indonesian`` configuration does. The stemmer keeps a per-word cache, so
stemming a report body twice costs a dictionary lookup per word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 30


@cache
def _stemmer():  # type: ignore[no-untyped-def]  # PySastrawi ships no type hints
    return StemmerFactory().create_stemmer()


@cache
def stem(word: str) -> str:
    """The stem of one word (lower case); numbers and unknown words come back as they are."""
    lowered = word.lower()
    result = _stemmer().stem(lowered)
    return str(result) or lowered


def words(text: str) -> list[str]:
    """The words of ``text`` in lower case ("Jalan-jalan, RT 12" → jalan, jalan, rt, 12)."""
    return [w.lower() for w in WORD.findall(text)]


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def stemmed_text(text: str) -> str:
    """``text`` as space-separated stems: what the SQLite index holds."""
    return " ".join(stems(text))


@dataclass(frozen=True)
class Snippet:
    """A piece of a report's text around the first matching word, as (text, is_match) parts.

    Templates print the parts with auto-escaping and wrap matches in ``<mark>``; the API
    returns the plain text and the matches' character offsets.
    """

    parts: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(part for part, _ in self.parts)

    @property
    def highlights(self) -> list[tuple[int, int]]:
        spans, at = [], 0
        for part, hit in self.parts:
            if hit:
                spans.append((at, at + len(part)))
            at += len(part)
        return spans


def snippet(text: str, query_stems: set[str], *, size: int = SNIPPET_WORDS) -> Snippet:
    """About ``size`` words of ``text`` around its first word whose stem is in the query,
    every such word marked; the opening words when nothing matches (e.g. a title hit)."""
    matches = list(WORD.finditer(text))
    if not matches:
        return Snippet(parts=((text[:200], False),))
    hits = [i for i, m in enumerate(matches) if stem(m.group()) in query_stems]
    first = hits[0] if hits else 0
    start_word = max(0, first - size // 3)
    end_word = min(len(matches), start_word + size)
    start = 0 if start_word == 0 else matches[start_word].start()
    end = len(text) if end_word == len(matches) else matches[end_word - 1].end()
    parts: list[tuple[str, bool]] = []
    if start > 0:
        parts.append(("… ", False))
    at = start
    for i in hits:
        if not start_word <= i < end_word:
            continue
        m = matches[i]
        if m.start() > at:
            parts.append((text[at:m.start()], False))
        parts.append((m.group(), True))
        at = m.end()
    if end > at:
        parts.append((text[at:end], False))
    if end < len(text):
        parts.append((" …", False))
    return Snippet(parts=tuple(parts))
