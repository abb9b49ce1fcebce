"""Which language: the one place that decides it.

Lapor speaks Bahasa Indonesia (``id``, the default) and English (``en``); every text that has
two wordings is picked with one of these functions, never with a ``startswith("en")`` of its
own.

* :func:`chosen` — a code somebody *picked* (the language switch's cookie, ``?lang=``, the
  ``LAPOR_NOTIFY_LANGUAGE`` setting): kept when it is exactly a supported code, else the
  default.
* :func:`normalise` — a code Django *negotiated* or activated (``en-us``, ``en-gb``): English
  when it starts with ``en``, else Indonesian.
* :func:`active_language` — the language of the page being rendered (pages activate the
  switch's choice, :class:`lapor.web.middleware.LanguageMiddleware`).
* :func:`request_language` — the language of a JSON API answer: the request's negotiated
  ``Accept-Language`` (``request.LANGUAGE_CODE``), else the active one.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation

DEFAULT = "id"
ENGLISH = "en"
# Order matters: index 0 is Indonesian, 1 English (texts kept as (id, en) pairs).
SUPPORTED: tuple[str, ...] = (DEFAULT, ENGLISH)


def chosen(code: str | None) -> str:
    """``code`` if it is exactly a supported code, else the default (``id``)."""
    return code if code is not None and code in SUPPORTED else DEFAULT


def normalise(code: str | None) -> str:
    """``en``, ``en-us``, ``en-GB`` → ``en``; anything else (``None``, ``""``, ``id``,
    ``fr``) → ``id``."""
    return ENGLISH if (code or "").startswith(ENGLISH) else DEFAULT


def active_language() -> str:
    """The language activated for what is being rendered now (a page, a ``translation.
    override`` block), as ``id`` or ``en``."""
    return normalise(translation.get_language())


def request_language(request: HttpRequest) -> str:
    """The language of an API answer to ``request``: its negotiated ``Accept-Language``
    (``request.LANGUAGE_CODE``, set by the locale middleware), else the active language."""
    return normalise(getattr(request, "LANGUAGE_CODE", None) or translation.get_language())


def index(code: str | None) -> int:
    """Position in an ``(id, en)`` pair of the text for the chosen ``code`` (see :func:`chosen`):
    1 for exactly ``en``, else 0."""
    return SUPPORTED.index(chosen(code))
