"""Indonesia's bounding box, with a margin for its outer islands' waters (no Django import,
so :mod:`lapor.regions.geo` and the bench can use it without settings)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

LAT_RANGE: Final = (Decimal("-11.5"), Decimal("6.5"))
LON_RANGE: Final = (Decimal("94.5"), Decimal("141.5"))


def in_indonesia(latitude: Decimal | float, longitude: Decimal | float) -> bool:
    """Whether the point lies in Indonesia's bounding box (lat -11.5…6.5, lng 94.5…141.5)."""
    return bool(
        LAT_RANGE[0] <= latitude <= LAT_RANGE[1] and LON_RANGE[0] <= longitude <= LON_RANGE[1]
    )
