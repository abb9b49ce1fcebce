"""The time zone of a Kemendagri region, from its province (UU/Keppres 41/1987 on Indonesian
time zones: WIB west, WITA centre, WIT east). Every province lies in one zone."""

from __future__ import annotations

# Kemendagri province codes by zone; every other province is WIB.
WITA_PROVINCES = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75",
                            "76"})
WIT_PROVINCES = frozenset({"81", "82", "91", "92", "93", "94", "95", "96"})


def region_zone(region_code: str | None) -> str:
    """``WIB``, ``WITA`` or ``WIT`` for a region code of any level (``64.08.04`` → WITA);
    WIB when the code is missing or unknown."""
    province = (region_code or "").strip()[:2]
    if province in WITA_PROVINCES:
        return "WITA"
    if province in WIT_PROVINCES:
        return "WIT"
    return "WIB"
