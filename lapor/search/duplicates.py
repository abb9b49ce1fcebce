"""Similar reports: at submission ("support one instead?") and at verification (a score).

Candidates are the reports of the same category and district submitted within
``LAPOR_DUPLICATE_WINDOW_DAYS`` that are still open and share at least one distinctive word
(the full-text index answers "any of these stems"); the best ``CANDIDATES`` by rank are then
scored by the cosine similarity of their stem sets with the new text (0 to 1). This is
"index-assisted exact similarity": the window and the index keep the candidate set small, so
no MinHash/LSH structure has to be kept in step with the table (docs/search.md has the
measurements and the reasoning).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet, Subquery

from lapor.categories.models import Category
from lapor.core import clock
from lapor.orgs.actors import Actor
from lapor.regions.models import Region
from lapor.reports.feed import PUBLIC_STATUSES
from lapor.reports.models import Report
from lapor.reports.permissions import reports_visible_to
from lapor.reports.states import OPEN_STATUSES
from lapor.search.backends import SCORE, backend
from lapor.search.selectors import public_search_scope
from lapor.search.text import stems, words

# Words too common in complaints to tell reports apart (PostgreSQL's `indonesian`
# configuration keeps them, so they are dropped here).
STOPWORDS = frozenset({
    "yang", "dan", "di", "ke", "dari", "ini", "itu", "untuk", "dengan", "sudah", "ada",
    "tidak", "karena", "pada", "saat", "mohon", "sejak", "atau", "juga", "akan", "oleh",
    "para", "kami", "kita", "saya", "warga", "sangat", "bisa", "telah", "belum", "hari",
    "bulan", "tahun", "agar", "dapat", "lebih", "masih", "sampai", "jadi", "harus", "buat",
    "dalam", "namun", "tapi", "lalu", "serta", "setiap",
})
KEY_STEMS = 10
CANDIDATES = 30
WINDOW_MAX = 500
# Calibrated on labelled pairs (lapor/search/tests/duplicate_pairs.py; docs/search.md,
# "Calibration"): below this, pairs in one kecamatan and category were mostly about another
# street, school or problem of the same topic.
MIN_SCORE = 0.35
# Two texts that each name places (a street, village, RT, school...) and share fewer than
# half of the shorter list are about different places, however alike the rest reads
# ("Jalan berlubang di Jalan Yos Sudarso" / "... di Jalan Jenderal Sudirman"): their score
# is multiplied by this.
PLACE_MISMATCH = 0.25
SHOWN = 5

# A place keyword (any case) followed by a capitalised name or a number: "Jalan Yos Sudarso",
# "RT 05", "SD Negeri 003", "Desa Swarga Bara", "simpang Pasar Induk".
_PLACE = re.compile(
    r"(?i:\b(?:jalan|jln|jl|desa|kelurahan|dusun|kampung|gang|gg|perumahan|perum|kompleks|rt"
    r"|rw|simpang|pasar|sd|sdn|mi|smp|smpn|mts|sma|sman|smk|smkn|puskesmas|rsud|pelabuhan"
    r"|masjid|gereja|kantor|terminal|lapangan)\b\.?)\s+([A-Z0-9][\w'’–-]*(?:\s+[A-Z0-9][\w'’–-]*)*)")
# Words of a place name that do not tell two places apart.
_PLACE_GENERIC = frozenset({
    "negeri", "poros", "raya", "induk", "lama", "baru", "no", "nomor", "kabupaten", "kota",
    "kecamatan", "provinsi", "desa", "kelurahan", "jalan", "rt", "rw",
})


@dataclass(frozen=True)
class Similar:
    report: Report
    score: float  # 0..1

    @property
    def percent(self) -> int:
        return round(100 * self.score)


def _content_stems(text: str) -> set[str]:
    return {s for s in stems(text) if len(s) > 2 and s not in STOPWORDS and not s.isdigit()}


def places(text: str, *, ignore: frozenset[str] = frozenset()) -> set[str]:
    """The words naming places in ``text`` (lower case), without generic ones and without
    ``ignore`` (the names of the report's own region, which every text there may use)."""
    found = {w for m in _PLACE.finditer(text) for w in words(m.group(1))}
    return found - _PLACE_GENERIC - ignore


def score(mine: tuple[set[str], set[str]], theirs: tuple[set[str], set[str]]) -> float:
    """Similarity of two texts given as (content stems, place words): the cosine of the stem
    sets, lowered by ``PLACE_MISMATCH`` when both name places and share fewer than half of
    the shorter list of them."""
    (my_stems, my_places), (their_stems, their_places) = mine, theirs
    if not my_stems or not their_stems:
        return 0.0
    value = len(my_stems & their_stems) / math.sqrt(len(my_stems) * len(their_stems))
    if my_places and their_places and (
            2 * len(my_places & their_places) < min(len(my_places), len(their_places))):
        value *= PLACE_MISMATCH
    return round(value, 3)


def features(title: str, body: str, *, ignore: frozenset[str] = frozenset()
             ) -> tuple[set[str], set[str]]:
    text = f"{title}. {body}"
    return _content_stems(text), places(text, ignore=ignore)


def region_words(region_code: str) -> frozenset[str]:
    """The words of the names of a region and its parents ("Sangatta Utara", "Kutai Timur",
    "Kalimantan Timur"): shared by every report there, so they name no particular place."""
    parts = region_code.split(".")
    codes = [".".join(parts[:i]) for i in range(1, len(parts) + 1)]
    names = Region.objects.filter(code__in=codes).values_list("name", flat=True)
    return frozenset(w for name in names for w in words(name))


def _key_stems(title: str, body: str) -> list[str]:
    """The words that best tell this report apart: the title's first, then the body's longest."""
    title_stems = [s for s in dict.fromkeys(stems(title)) if s in _content_stems(title)]
    body_stems = sorted(_content_stems(body) - set(title_stems), key=lambda s: (-len(s), s))
    return (title_stems + body_stems)[:KEY_STEMS]


def district_of(region_code: str) -> str:
    """The district (kecamatan) code of a region code; shorter codes stay as they are."""
    return ".".join(region_code.split(".")[:3])


def window(qs: QuerySet[Report], *, region_code: str, category_id: int | None
           ) -> QuerySet[Report]:
    """Open reports of the category in the district (or its villages) within the window: an
    equality list on ``region`` so the ``(category, region, submitted_at)`` index answers it."""
    district = district_of(region_code)
    places = [district]
    if district.count(".") == 2:  # a kecamatan: its desa/kelurahan too (a regency: itself only)
        places += Region.objects.filter(code__startswith=f"{district}.").values_list(
            "code", flat=True)
    since = clock.now() - timedelta(days=settings.LAPOR_DUPLICATE_WINDOW_DAYS)
    qs = qs.filter(region_id__in=places, submitted_at__gte=since, status__in=OPEN_STATUSES)
    if category_id is None:
        return qs.filter(category__isnull=True)
    return qs.filter(category_id=category_id)


def similar(qs: QuerySet[Report], *, title: str, body: str, region_code: str,
            category_id: int | None, limit: int = SHOWN) -> list[Similar]:
    """The reports of ``qs`` most like ``title``/``body`` in the window, best first."""
    keys = _key_stems(title, body)
    if not keys:
        return []
    ignore = region_words(region_code)
    mine = features(title, body, ignore=ignore)
    # The newest WINDOW_MAX reports of the window (a backward range scan of the
    # (category, region, submitted_at) index), then the best-ranked of those: bounded work
    # however busy a kecamatan is.
    recent = window(qs, region_code=region_code, category_id=category_id).order_by(
        "-submitted_at").values("pk")[:WINDOW_MAX]
    best = list(
        backend().any_of(Report.objects.filter(pk__in=Subquery(recent)), keys)
        .order_by(f"-{SCORE}", "-pk").values_list("pk", flat=True)[:CANDIDATES]
    )
    rows = Report.objects.select_related("region", "category").only(
        "id", "tracking_number", "title", "body", "status", "submitted_at", "support_count",
        "region__code", "region__name", "category__code", "category__name_id",
        "category__name_en").in_bulk(best)
    found = []
    for row in rows.values():
        value = score(mine, features(row.title, row.body, ignore=ignore))
        if value >= MIN_SCORE:
            found.append(Similar(report=row, score=value))
    found.sort(key=lambda s: (-s.score, -s.report.pk))
    return found[:limit]


def similar_public(*, title: str, body: str, region_code: str,
                   category_id: int | None) -> list[Similar]:
    """For a citizen about to submit: public, open, non-training reports only, so the list
    never shows a confidential or unverified report. They may support one instead."""
    qs = public_search_scope().filter(status__in=PUBLIC_STATUSES)
    return similar(qs, title=title, body=body, region_code=region_code, category_id=category_id)


def similar_for_staff(actor: Actor, report: Report) -> list[Similar]:
    """For a verifier looking at ``report``: what they may read, never the report itself, and
    from the same world (a training space's reports only among training reports)."""
    qs = reports_visible_to(actor).exclude(pk=report.pk).filter(is_training=report.is_training)
    return similar(qs, title=report.title, body=report.body, region_code=report.region_id,
                   category_id=report.category_id)


def similar_public_draft(*, title: str, body: str, region_code: str,
                         category_code: str | None) -> list[Similar]:
    """:func:`similar_public` for a draft naming its category by code (unknown: none)."""
    category_id = None
    if category_code:
        category = Category.objects.filter(code=category_code, is_active=True).first()
        if category is None:
            return []
        category_id = category.pk
    return similar_public(title=title, body=body, region_code=region_code,
                          category_id=category_id)
