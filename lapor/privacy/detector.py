"""A detector for personal data in report text (DOMAIN.md: suggest rahasia when the text names
people, ID numbers or phone numbers).

Findings carry a kind and a character span only; the matched text is never logged or stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers


class PiiKind(StrEnum):
    NIK = "nik"
    PHONE = "phone"
    EMAIL = "email"
    NAME = "name"


@dataclass(frozen=True)
class Finding:
    kind: PiiKind
    start: int
    end: int

    def overlaps(self, other: Finding) -> bool:
        return self.start < other.end and other.start < self.end


# NIK (Nomor Induk Kependudukan, UU 24/2013 Adminduk): 16 digits = 6 region + 6 birth date
# (day + 40 for women) + 4 serial. Written plain or grouped 6-6-4 with spaces, dots or dashes.
_NIK = re.compile(r"(?<![\d])(\d{6})[ .-]?(\d{2})(\d{2})(\d{2})[ .-]?(\d{4})(?![\d])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# A capitalised name of one to four words after an Indonesian honorific.
_NAME = re.compile(
    r"(?<![\w])(?:(?i:bapak|ibu|pak|bu|saudara|saudari)[ \t]+|(?i:sdri|sdr)\.[ \t]*)"
    r"(?P<name>[A-Z][a-z'’-]+(?:[ \t]+[A-Z][a-z'’-]+){0,3})"
)


def _nik_plausible(match: re.Match[str]) -> bool:
    province = int(match.group(1)[:2])
    day, month = int(match.group(2)), int(match.group(3))
    if day > 40:  # women: birth day + 40
        day -= 40
    return 11 <= province <= 99 and 1 <= day <= 31 and 1 <= month <= 12


def _phones(text: str) -> list[Finding]:
    return [
        Finding(PiiKind.PHONE, m.start, m.end)
        for m in phonenumbers.PhoneNumberMatcher(text, "ID", leniency=phonenumbers.Leniency.VALID)
    ]


def detect(text: str) -> list[Finding]:
    """Every finding in ``text``, ordered by position. A NIK is not also reported as a phone
    number, nor an e-mail's digits as one."""
    findings = [Finding(PiiKind.NIK, m.start(), m.end()) for m in _NIK.finditer(text)
                if _nik_plausible(m)]
    findings += [Finding(PiiKind.EMAIL, m.start(), m.end()) for m in _EMAIL.finditer(text)]
    taken = list(findings)
    findings += [p for p in _phones(text) if not any(p.overlaps(t) for t in taken)]
    findings += [Finding(PiiKind.NAME, m.start("name"), m.end("name"))
                 for m in _NAME.finditer(text)]
    return sorted(findings, key=lambda f: (f.start, f.end, f.kind))


def kinds_found(*texts: str) -> list[str]:
    """The kinds of personal data in any of ``texts``, sorted, each once."""
    return sorted({str(f.kind) for text in texts for f in detect(text)})
