"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


def ui(request: HttpRequest) -> dict[str, Any]:
    return {
        "LANGUAGE": translation.get_language() or settings.LANGUAGE_CODE,
        "UI_LANGUAGES": settings.LANGUAGES,
    }
