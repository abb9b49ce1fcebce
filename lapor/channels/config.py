"""Which channels are enabled: a channel is on only when its inbound secret is set.

Settings are read on each call (never at import), so tests can switch channels on and off.
A disabled channel's endpoint refuses every request with 503 ``channel_disabled``: it never
accepts an unsigned request. :func:`log_disabled` writes one line per disabled channel when
``lapor serve`` or ``lapor worker`` starts.
"""

from __future__ import annotations

import logging

from django.conf import settings

from lapor.channels.models import Provider

logger = logging.getLogger("lapor.channels")

# provider -> (settings holding its inbound secret, endpoint)
SECRETS: dict[str, tuple[tuple[str, ...], str]] = {
    Provider.TWILIO: (("LAPOR_TWILIO_AUTH_TOKEN",), "/channels/sms/twilio"),
    Provider.KANNEL: (("LAPOR_KANNEL_SECRET",), "/channels/sms/kannel"),
    Provider.WHATSAPP: (("LAPOR_WHATSAPP_APP_SECRET", "LAPOR_WHATSAPP_VERIFY_TOKEN"),
                        "/channels/whatsapp"),
    Provider.TELEGRAM: (("LAPOR_TELEGRAM_SECRET_TOKEN",), "/channels/telegram"),
    Provider.X: (("LAPOR_X_CONSUMER_SECRET",), "/channels/x"),
}


def secret(name: str) -> str:
    value: str = getattr(settings, name, "") or ""
    return value


def enabled(provider: str) -> bool:
    names, _ = SECRETS[provider]
    return all(secret(name) for name in names)


def log_disabled(level: int = logging.INFO) -> list[str]:
    """One log line per disabled channel (``lapor serve`` and ``lapor worker`` at start, at
    INFO; every other command at DEBUG); returns the disabled providers."""
    disabled = []
    for provider, (names, endpoint) in SECRETS.items():
        missing = [name for name in names if not secret(name)]
        if missing:
            disabled.append(provider)
            logger.log(level, "channel %s disabled: %s not set; %s answers 503 "
                       "channel_disabled", provider, " and ".join(missing), endpoint)
    return disabled
