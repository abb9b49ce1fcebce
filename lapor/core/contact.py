"""Checking the phone numbers and e-mail addresses people type (one rule for every form)."""

from __future__ import annotations

import phonenumbers
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from lapor.core.errors import ValidationFailed


def valid_phone(raw: str, *, field: str) -> str:
    """A valid number in E.164, read as Indonesian unless it says otherwise
    ("0812-3456-7890" and "+62 812 3456 7890" are one number); else ``invalid_phone``."""
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed("invalid_phone", field=field) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed("invalid_phone", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def valid_email(raw: str, *, field: str) -> str:
    """A syntactically valid address, trimmed and lower-cased; else ``invalid_email``."""
    email = raw.strip()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed("invalid_email", field=field) from exc
    return email.lower()
