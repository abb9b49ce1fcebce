"""A Renaksi of Kutai Timur on the factories' tree (tests/factories.py), made through the
services: a plan for 2023–2026, an activity involving PUPR and one involving Dinkes."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from PIL import Image

from lapor.renaksi.models import Activity, ActivityKind, Plan
from lapor.renaksi.services import activity_create, plan_create
from tests.factories import Tree


@dataclass
class Sample:
    plan: Plan
    pupr: Activity  # Bimtek Dinas PUPR, owner liaison_pupr
    dinkes: Activity  # Sosialisasi Dinkes, owned by nobody


def sample(tree: Tree) -> Sample:
    hub = tree.actor("hub")
    plan = plan_create(actor=hub, agency=tree.kutim, title="Renaksi SP4N-LAPOR! 2023–2026",
                       start_year=2023, end_year=2026)
    pupr = activity_create(actor=hub, plan=plan, kind=ActivityKind.BIMTEK,
                           title="Bimtek Dinas PUPR", planned_start=date(2024, 3, 1),
                           planned_end=date(2024, 3, 31), unit_codes=[tree.pupr.code],
                           owner="liaison_pupr")
    dinkes = activity_create(actor=hub, plan=plan, kind=ActivityKind.SOSIALISASI,
                             title="Sosialisasi Dinas Kesehatan",
                             planned_start=date(2023, 9, 1), planned_end=date(2023, 9, 30),
                             unit_codes=[tree.dinkes.code])
    return Sample(plan=plan, pupr=pupr, dinkes=dinkes)


def jpeg_with_exif(colour: str = "red") -> bytes:
    """A small JPEG carrying EXIF: a camera model and a GPS position."""
    image = Image.new("RGB", (32, 24), colour)
    exif = Image.Exif()
    exif[0x0110] = "Kamera Dinas"  # Model
    exif[0x8825] = {1: "S", 2: (0.0, 30.0, 0.0), 3: "E", 4: (117.0, 30.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
