"""SMS text: the GSM 03.38 alphabet, look-alike replacement, and clean splitting.

A single SMS carries 160 GSM-7 characters (the extension characters ``^{}\\[~]|€`` count twice)
or 70 UCS-2 characters when any character is outside the GSM alphabet (an emoji, Arabic or
Chinese script). A longer answer is sent as several independent messages of at most 160 (70)
characters each, cut at spaces and numbered ``(1/3)``, so every handset shows them in order
without relying on concatenation headers (which Kannel's ``sendsms`` and many Indonesian
operators handle unevenly).
"""

from __future__ import annotations

import re

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
SINGLE_GSM, PART_GSM = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67

# Common characters outside GSM-7 that have a plain equivalent (typographic quotes, dashes).
_LOOKALIKES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
    "\u201e": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...",
    "\u00a0": " ", "\u2009": " ", "\u200b": "", "\t": " ", "\u00b4": "'", "`": "'",
})


def to_gsm(text: str) -> str:
    """``text`` with look-alikes replaced and runs of spaces collapsed (lines kept)."""
    text = text.translate(_LOOKALIKES)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def is_gsm(text: str) -> bool:
    return all(ch in GSM_BASIC or ch in GSM_EXTENSION for ch in text)


def length(text: str) -> int:
    """Length in septets (GSM-7) or in UTF-16 code units (UCS-2)."""
    if is_gsm(text):
        return sum(2 if ch in GSM_EXTENSION else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def _fits(text: str, limit: int) -> bool:
    return length(text) <= limit


def _cut(words: list[str], prefix: str, limit: int) -> tuple[str, list[str]]:
    """The longest run of ``words`` that fits with ``prefix``; a single word longer than the
    room is cut hard (a URL, a long number)."""
    taken = prefix
    rest = list(words)
    while rest:
        candidate = (taken + " " + rest[0]) if taken != prefix else prefix + rest[0]
        if _fits(candidate, limit):
            taken = candidate
            rest.pop(0)
            continue
        if taken == prefix:  # one word too long for a whole part: cut it
            word = rest.pop(0)
            room = len(word)
            while room > 1 and not _fits(prefix + word[:room], limit):
                room -= 1
            taken = prefix + word[:room]
            rest.insert(0, word[room:])
        break
    return taken, rest


def split(text: str) -> list[str]:
    """``text`` as SMS-sized parts: itself when it fits one message, else numbered parts."""
    text = to_gsm(text)
    single = SINGLE_GSM if is_gsm(text) else SINGLE_UCS2
    if _fits(text, single):
        return [text]
    # Lines become spaces: a part boundary is a better break than a lost line feed.
    words = text.replace("\n", " ").split()
    limit = single  # every part is a message of its own: the single-message room applies
    total = 2
    while True:
        parts: list[str] = []
        rest = words
        while rest:
            part, rest = _cut(rest, f"({len(parts) + 1}/{total}) ", limit)
            parts.append(part)
        if len(parts) <= total:
            return [p.replace(f"/{total}) ", f"/{len(parts)}) ", 1) for p in parts]
        total = len(parts)
