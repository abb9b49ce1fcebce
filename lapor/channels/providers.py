"""Importing the provider modules registers their parsers, handlers and deliverers."""

from __future__ import annotations


def load() -> None:
    from lapor.channels import kannel, telegram, twilio_sms, whatsapp, x  # noqa: F401, PLC0415
