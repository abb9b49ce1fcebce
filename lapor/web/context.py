"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lapor.core.language import active_language


def ui(request: HttpRequest) -> dict[str, Any]:
    return {
        "LANGUAGE": active_language(),
        "UI_LANGUAGES": settings.LANGUAGES,
    }
