"""Authenticated encryption of personal data and the keyed blind index.

* Encryption is Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) behind a MultiFernet:
  the first key of ``settings.LAPOR_ENCRYPTION_KEYS`` encrypts, every key decrypts, and
  :func:`rotate` re-encrypts a token under the first key (``lapor keys rotate``).
* The blind index is HMAC-SHA256 under ``settings.LAPOR_BLIND_INDEX_KEY`` over a normalised value
  (E.164 phone, lower-cased e-mail, channel handle), so a reporter can be found by phone or e-mail
  without storing either in plaintext. That key never rotates.

Keys are read from settings on each call (never at import), so tests can swap them.
Nothing here logs or echoes a value.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import phonenumbers
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = [
    "InvalidToken",
    "blind_index",
    "decrypt",
    "encrypt",
    "normalise_email",
    "normalise_handle",
    "normalise_phone",
    "rotate",
]


@lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def _cipher() -> MultiFernet:
    return _multi(tuple(settings.LAPOR_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    """A Fernet token (url-safe base64 text) for ``value``; empty values are encrypted too, so
    a column never shows which fields a reporter filled in."""
    return _cipher().encrypt(value.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The plaintext of ``token``. Raises :class:`InvalidToken` when no configured key opens
    it or it was tampered with."""
    return _cipher().decrypt(token.encode("ascii")).decode()


def rotate(token: str) -> str:
    """``token`` re-encrypted under the first key (its original timestamp is kept)."""
    return _cipher().rotate(token.encode("ascii")).decode("ascii")


def is_current(token: str) -> bool:
    """Whether the first (current) key opens ``token``."""
    try:
        Fernet(settings.LAPOR_ENCRYPTION_KEYS[0]).decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


# ---------------------------------------------------------------- blind index


def normalise_phone(raw: str) -> str:
    """E.164 for a parsable number (Indonesian by default); else the digits only."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException:
        return "".join(ch for ch in raw if ch.isdigit())
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def normalise_handle(channel: str, handle: str) -> str:
    """A channel identity (Telegram id, X handle, …): case-folded, without a leading ``@``,
    prefixed with the channel so the same handle on two channels indexes differently."""
    return f"{channel.strip().lower()}:{handle.strip().lstrip('@').casefold()}"


def blind_index(kind: str, normalised: str) -> str:
    """HMAC-SHA256 of ``kind:normalised`` (hex); empty for an empty value so blanks never match.

    ``kind`` separates domains: the same string as phone and as e-mail indexes differently."""
    if not normalised:
        return ""
    key = settings.LAPOR_BLIND_INDEX_KEY.encode()
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()


def phone_index(raw: str) -> str:
    return blind_index("phone", normalise_phone(raw))


def email_index(raw: str) -> str:
    return blind_index("email", normalise_email(raw))


def handle_index(channel: str, handle: str) -> str:
    return blind_index("handle", normalise_handle(channel, handle) if handle.strip() else "")
