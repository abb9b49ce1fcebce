"""A spam/iseng score for the verifier: simple, explainable signals, never an automatic drop.

Each signal adds points and names itself, so the verifier sees why (0–100; "high" from 60).
The verifier decides: archiving as spam is still their action, with its reason and event.
Identity signals compare keyed blind indexes inside the database: no contact detail is
decrypted or even loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy

from lapor.reports.models import Report, ReporterContact
from lapor.search.text import words

SHORT_BODY = 60
BURST_HOURS = 24
BURST_REPORTS = 3
LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
REPEATED = re.compile(r"(.)\1{5,}")
# Insults that rarely appear in a genuine complaint (also a sign of the "abusive" reason).
ABUSIVE = frozenset({"anjing", "bangsat", "babi", "goblok", "tolol", "bajingan", "kampret",
                     "keparat", "brengsek", "tai", "asu", "jancok", "kontol", "memek"})
POINTS = {
    "short_text": 25, "shouting": 15, "repeated_characters": 15, "links": 20,
    "abusive_words": 25, "burst_from_identity": 25, "unlike_agency_reports": 10,
}
LOW_CONFIDENCE = 0.2
SIGNAL_LABELS = {
    "short_text": gettext_lazy("Very short text"),
    "shouting": gettext_lazy("Mostly capital letters"),
    "repeated_characters": gettext_lazy("Repeated characters or words"),
    "links": gettext_lazy("Contains links"),
    "abusive_words": gettext_lazy("Abusive words"),
    "burst_from_identity": gettext_lazy("Many reports from the same sender within 24 hours"),
    "unlike_agency_reports": gettext_lazy("Unlike the reports this agency handles"),
}


@dataclass
class SpamScore:
    score: int = 0
    signals: list[str] = field(default_factory=list)

    def add(self, signal: str) -> None:
        self.signals.append(signal)
        self.score = min(100, self.score + POINTS[signal])

    @property
    def labels(self) -> list[str]:
        return [str(SIGNAL_LABELS[s]) for s in self.signals]

    @property
    def level(self) -> str:
        return "high" if self.score >= 60 else "medium" if self.score >= 30 else "low"


def text_signals(title: str, body: str) -> SpamScore:
    """The signals of the text alone (also usable on a draft)."""
    result = SpamScore()
    text = f"{title} {body}"
    if len(body.strip()) < SHORT_BODY:
        result.add("short_text")
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 20 and sum(c.isupper() for c in letters) / len(letters) > 0.6:
        result.add("shouting")
    found = words(text)
    if REPEATED.search(text) or (found and max(found.count(w) for w in set(found)) >= 8):
        result.add("repeated_characters")
    if LINK.search(text):
        result.add("links")
    if ABUSIVE & set(found):
        result.add("abusive_words")
    return result


def _burst(report: Report) -> bool:
    """More than ``BURST_REPORTS`` reports from the same account, phone or e-mail within
    ``BURST_HOURS`` before this one (blind indexes compared in SQL)."""
    since = report.submitted_at - timedelta(hours=BURST_HOURS)
    recent = Report.objects.filter(submitted_at__gte=since,
                                   submitted_at__lte=report.submitted_at).exclude(pk=report.pk)
    same = Q()
    if report.reporter_user_id is not None:
        same |= Q(reporter_user_id=report.reporter_user_id)
    mine = ReporterContact.objects.filter(report_id=report.pk)
    for column in ("phone_index", "email_index"):
        value = Subquery(mine.exclude(**{column: ""}).values(column)[:1])
        same |= Q(**{f"contact__{column}": value})
    if not same:
        return False
    return recent.filter(same).count() >= BURST_REPORTS


def spam_score(report: Report, *, best_confidence: float | None = None) -> SpamScore:
    """The score of a submitted report; ``best_confidence`` is the routing classifier's top
    probability (a text unlike anything the agency handles scores a little higher)."""
    result = text_signals(report.title, report.body)
    if _burst(report):
        result.add("burst_from_identity")
    if best_confidence is not None and best_confidence < LOW_CONFIDENCE:
        result.add("unlike_agency_reports")
    return result
