"""What "which language" means (lapor.core.language): the one helper every page, API answer and
notification asks."""

from __future__ import annotations

from django.conf import settings
from django.test import RequestFactory
from django.utils import translation

from lapor.core import language


def test_supported_languages_are_the_settings() -> None:
    assert language.DEFAULT == settings.LANGUAGE_CODE == "id"
    assert language.SUPPORTED == tuple(code for code, _ in settings.LANGUAGES) == ("id", "en")


def test_a_chosen_code_counts_only_when_it_is_exactly_supported() -> None:
    # The switch's cookie, ?lang=, LAPOR_NOTIFY_LANGUAGE.
    assert language.chosen("en") == "en"
    assert language.chosen("id") == "id"
    for other in (None, "", "en-us", "EN", "fr", "english"):
        assert language.chosen(other) == "id"
    assert [language.index(c) for c in ("id", "en", "en-us", None)] == [0, 1, 0, 0]


def test_a_negotiated_code_is_english_when_it_starts_with_en() -> None:
    for english in ("en", "en-us", "en-gb", "en_GB"):
        assert language.normalise(english) == "en"
    for other in (None, "", "id", "fr", "EN"):
        assert language.normalise(other) == "id"


def test_active_language_follows_the_activated_one() -> None:
    with translation.override("en"):
        assert language.active_language() == "en"
    with translation.override("en-gb"):
        assert language.active_language() == "en"
    with translation.override("id"):
        assert language.active_language() == "id"
    with translation.override(None):  # translations deactivated: LANGUAGE_CODE
        assert language.active_language() == "id"


def test_request_language_is_accept_language_for_the_api() -> None:
    request = RequestFactory().get("/api/v1/reports")
    request.LANGUAGE_CODE = "en-us"  # type: ignore[attr-defined]  # what LocaleMiddleware sets
    with translation.override("id"):
        assert language.request_language(request) == "en"
    request.LANGUAGE_CODE = "id"  # type: ignore[attr-defined]
    with translation.override("en"):
        assert language.request_language(request) == "id"
    bare = RequestFactory().get("/api/v1/reports")  # no locale middleware ran: the active one
    with translation.override("en"):
        assert language.request_language(bare) == "en"
    with translation.override("id"):
        assert language.request_language(bare) == "id"
