"""The channel providers by name: a plain mapping of each provider module's description."""

from __future__ import annotations

from collections.abc import Mapping

from lapor.channels import kannel, telegram, twilio_sms, whatsapp, x
from lapor.channels.description import ProviderDescription

PROVIDERS: Mapping[str, ProviderDescription] = {
    description.name: description
    for description in (twilio_sms.DESCRIPTION, kannel.DESCRIPTION, whatsapp.DESCRIPTION,
                        telegram.DESCRIPTION, x.DESCRIPTION)
}
