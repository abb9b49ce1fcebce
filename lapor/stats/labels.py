"""Display labels of the dashboard dimensions (English msgids, Indonesian in locale/id)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

STATUS_LABELS: dict[str, StrOrPromise] = {
    "submitted": _("Not yet verified"),
    "on_hold": _("On hold"),
    "archived": _("Archived"),
    "disposed": _("Not yet followed up"),
    "in_progress": _("In progress"),
    "responded": _("Followed up"),
    "closed": _("Closed"),
}
TYPE_LABELS: dict[str, StrOrPromise] = {
    "complaint": _("Complaint"),
    "aspiration": _("Aspiration"),
    "information_request": _("Information request"),
}
CHANNEL_LABELS: dict[str, StrOrPromise] = {
    "web": _("Website"),
    "mobile": _("Mobile app"),
    "sms": _("SMS 1708"),
    "whatsapp": _("WhatsApp"),
    "telegram": _("Telegram"),
    "x": _("X/Twitter"),
    "email": _("Email"),
    "walk_in": _("Walk-in"),
    "phone": _("Phone"),
    "integration": _("Integrated application"),
}
TABLE_TITLES: dict[str, StrOrPromise] = {
    "status": _("By status"),
    "category": _("By category"),
    "channel": _("By channel"),
    "type": _("By type"),
    "region": _("By district"),
    "units": _("Units ranked by compliance"),
    "months": _("Trend by month"),
    "weeks": _("Trend by week"),
}

# The breakdown sections of the pages, in order: (dimension, first column's heading).
SECTION_COLUMNS: tuple[tuple[str, StrOrPromise], ...] = (
    ("status", _("Status")),
    ("category", _("Category")),
    ("channel", _("Channel")),
    ("type", _("Type")),
    ("region", _("District")),
)

# The region table by level (lapor.stats.selectors.region_level_of): its title and first
# column's heading. Level 3 is the district table of TABLE_TITLES / SECTION_COLUMNS.
REGION_TITLES: dict[int, StrOrPromise] = {
    1: _("By province"),
    2: _("By regency or city"),
    3: _("By district"),
}
REGION_COLUMNS: dict[int, StrOrPromise] = {
    1: _("Province"),
    2: _("Regency or city"),
    3: _("District"),
}

# The "show all" pages' headings (lapor.stats.pdf.rows_context).
AGENCIES_TITLE: StrOrPromise = _("Agencies ranked by compliance")
AGENCY_COLUMN: StrOrPromise = _("Agency")
UNIT_COLUMN: StrOrPromise = _("Unit")
CATEGORY_COLUMN: StrOrPromise = _("Category")
