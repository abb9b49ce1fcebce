"""Validation of free text from the internet: Unicode normalisation, no control characters."""

from __future__ import annotations

import re
import unicodedata

from lapor.core.errors import ValidationFailed

# C0/C1 control characters except TAB, LF, CR; plus lone surrogates and non-characters.
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_SINGLE_LINE = re.compile(r"[\t\r\n]")


def clean_text(
    value: str | None,
    *,
    field: str,
    max_length: int,
    min_length: int = 0,
    multiline: bool = False,
) -> str:
    """Return ``value`` NFC-normalised and stripped, or raise a 422 naming ``field``.

    PostgreSQL refuses NUL bytes in text; everything else here is refused so that what is
    stored is what people can read.
    """
    text = unicodedata.normalize("NFC", value or "").strip()
    if _FORBIDDEN.search(text) or (not multiline and _FORBIDDEN_SINGLE_LINE.search(text)):
        raise ValidationFailed("invalid_characters", field=field)
    if len(text) > max_length:
        raise ValidationFailed("text_too_long", field=field,
                               detail={"max_length": max_length, "length": len(text)})
    if len(text) < min_length:
        # An empty text gets the plain message ("Teks terlalu pendek."), not "0 karakter".
        detail = {"min_length": min_length, **({"length": len(text)} if text else {})}
        raise ValidationFailed("text_too_short", field=field, detail=detail)
    return text
