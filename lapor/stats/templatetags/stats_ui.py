"""Number formats of the dashboard pages (Indonesian: 1.234 and 56,7%)."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value: float | None) -> str:
    """A share as a percentage with one decimal, or an en dash when there is none."""
    if value is None:
        return "–"
    return f"{number_format(round(100 * value, 1), 1)}%"


@register.filter
def num(value: int | float | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return str(number_format(value, decimals, force_grouping=True))
