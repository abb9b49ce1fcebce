"""Realistic practice reports for a training space, from the demo's Kutai Timur texts.

The texts, places, landmarks and reporter names come from :mod:`lapor.demo.data` (the same
ones the demo loader plays), so trainees handle the complaints a regency actually receives:
potholes, broken bridges, health services, schools, permits. An agency outside Kutai Timur gets
the same texts with its own districts' names and generic places.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lapor.categories.models import Category
from lapor.demo import data
from lapor.orgs.models import OrgNode
from lapor.regions.models import Region, RegionLevel
from lapor.reports.models import Channel

# Channels a practice report says it came from (no contact details are ever stored).
PRACTICE_CHANNELS: tuple[tuple[str, int], ...] = (
    (Channel.WEB, 5), (Channel.MOBILE, 3), (Channel.WALK_IN, 2), (Channel.PHONE, 1))


@dataclass(frozen=True)
class PracticeText:
    type: str
    title: str
    body: str
    region_code: str
    category_code: str | None
    address: str
    channel: str
    reporter_name: str
    is_anonymous: bool


def _districts(agency: OrgNode) -> dict[str, str]:
    """District code → name for the agency's area: the demo's Kutai Timur districts when the
    agency's region covers them, else the agency's own districts, else Kutai Timur's."""
    prefix = agency.region_id or ""
    codes = [c for c in data.PLACES if prefix and (c == prefix or c.startswith(f"{prefix}."))]
    if not codes and prefix:
        own = dict(Region.objects.filter(level=RegionLevel.DISTRICT, code__startswith=f"{prefix}.")
                   .values_list("code", "name")[:40])
        if own:
            return own
    codes = codes or list(data.PLACES)
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return {c: names.get(c, c) for c in codes}


def _fill(rng: random.Random, code: str, kec: str) -> dict[str, str]:
    place = data.PLACES.get(code)
    return {
        "desa": rng.choice(place.villages) if place else f"Kelurahan {kec}",
        "kec": kec,
        "jalan": rng.choice(place.roads) if place else f"jalan poros {kec}",
        "rt": f"RT {rng.randint(1, 24):02d}",
        "patokan": rng.choice(data.LANDMARKS),
        "lama": rng.choice(data.DURATIONS),
        "puskesmas": f"Puskesmas {kec}",
        "sekolah": f"SD Negeri {rng.randint(1, 12):03d} {kec}",
    }


def practice_texts(*, agency: OrgNode, count: int, seed: int | None = None) -> list[PracticeText]:
    """``count`` practice reports for a space mirroring ``agency`` (different each call unless
    ``seed`` is given). Only the regency's own topics are used (the demo's provincial and
    ministry templates need their agencies)."""
    rng = random.Random(seed)  # noqa: S311  (sample texts, not secrets)
    districts = _districts(agency)
    known = set(Category.objects.filter(is_active=True).values_list("code", flat=True))
    templates = [t for t in data.TEMPLATES if t.agency == data.KUTIM]
    texts: list[PracticeText] = []
    for _ in range(count):
        template = rng.choices(templates, [t.weight for t in templates])[0]
        allowed = [c for c in template.regions if c in districts] or list(districts)
        code = rng.choice(allowed)
        fill = _fill(rng, code, districts[code].title())
        address = (f"{fill['jalan']}, {fill['rt']}, {fill['desa']}, Kecamatan {fill['kec']}"
                   if "{jalan}" in template.body
                   else f"{fill['desa']}, Kecamatan {fill['kec']}")
        texts.append(PracticeText(
            type=template.type,
            title=template.title.format(**fill)[:200],
            body=template.body.format(**fill),
            region_code=code,
            category_code=template.category if template.category in known else None,
            address=address[:300],
            channel=rng.choices([c for c, _ in PRACTICE_CHANNELS],
                                [w for _, w in PRACTICE_CHANNELS])[0],
            reporter_name=f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
            is_anonymous=template.sensitive and rng.random() < 0.5,
        ))
    return texts
