"""Which language a page is rendered in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from lapor.core.language import chosen as language_chosen


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Bahasa Indonesia unless the visitor chose English with the switch.

    Many Indonesian phones run with an English system language, so the browser's
    Accept-Language would show most citizens an English portal they never asked for: pages read
    only the switch's cookie. The JSON API keeps Django's negotiation (Accept-Language), which
    is how API clients ask for English error messages.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        language = language_chosen(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        translation.activate(language)
        request.LANGUAGE_CODE = language
