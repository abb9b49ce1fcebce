"""Fixtures of the channels tests: every channel switched on against local fake providers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client, override_settings

from lapor.channels.outbound import register_senders
from lapor.channels.tests.fakes import FakeProviders, fake_providers, twilio_signature
from lapor.orgs.models import Sop
from tests.factories import Tree

TWILIO_TOKEN = "twilio-test-auth-token-0123456789"
KANNEL_SECRET = "kannel-shared-secret-0123456789"
WA_SECRET = "whatsapp-app-secret-0123456789"
WA_VERIFY = "whatsapp-verify-token-0123456789"
TG_SECRET = "telegram-secret-token-0123456789"
X_SECRET = "x-consumer-secret-0123456789"


def channel_settings(url: str) -> dict[str, Any]:
    return {
        "LAPOR_TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "LAPOR_TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "LAPOR_TWILIO_FROM": "+15005550006", "LAPOR_TWILIO_API_BASE": url,
        "LAPOR_TWILIO_WEBHOOK_URL": "",
        "LAPOR_KANNEL_SECRET": KANNEL_SECRET,
        "LAPOR_KANNEL_SENDSMS_URL": f"{url}/cgi-bin/sendsms",
        "LAPOR_KANNEL_USERNAME": "lapor", "LAPOR_KANNEL_PASSWORD": "kannel-pw",
        "LAPOR_KANNEL_FROM": "1708",
        "LAPOR_WHATSAPP_APP_SECRET": WA_SECRET, "LAPOR_WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
        "LAPOR_WHATSAPP_ACCESS_TOKEN": "wa-access-token",
        "LAPOR_WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
        "LAPOR_WHATSAPP_GRAPH_BASE": f"{url}/v21.0",
        "LAPOR_TELEGRAM_SECRET_TOKEN": TG_SECRET, "LAPOR_TELEGRAM_BOT_TOKEN": "123:ABC",
        "LAPOR_TELEGRAM_API_BASE": url,
        "LAPOR_X_CONSUMER_SECRET": X_SECRET, "LAPOR_X_ACCESS_TOKEN": "x-user-token",
        "LAPOR_X_API_BASE": url,
        "LAPOR_CHANNELS_DEFAULT_REGION": "64.08",
        "LAPOR_NOTIFY_LANGUAGE": "id",
    }


@pytest.fixture(autouse=True)
def _senders() -> None:
    """Another test in this process may have unregistered a channel's sender."""
    register_senders()


@pytest.fixture
def providers() -> Iterator[FakeProviders]:
    with fake_providers() as fake, override_settings(**channel_settings(fake.url)):
        yield fake


@pytest.fixture
def kutim_keyword(tree: Tree) -> Tree:
    Sop.objects.update_or_create(node=tree.kutim, defaults={"sms_keyword": "KUTIM",
                                                            "timezone": "WITA"})
    return tree


TWILIO_URL = "http://testserver/channels/sms/twilio"


def twilio_params(sid: str, body: str, sender: str = "+6281234567890") -> dict[str, str]:
    """The form Twilio POSTs for an incoming SMS (Messaging webhook documentation)."""
    return {
        "ToCountry": "ID", "ToState": "", "SmsMessageSid": sid, "NumMedia": "0",
        "ToCity": "", "FromZip": "", "SmsSid": sid, "FromState": "", "SmsStatus": "received",
        "FromCity": "", "Body": body, "FromCountry": "ID", "To": "+15005550006",
        "ToZip": "", "NumSegments": "1", "MessageSid": sid, "AccountSid": "AC" + "0" * 32,
        "From": sender, "ApiVersion": "2010-04-01",
    }


def post_twilio(client: Client, params: dict[str, str], *, token: str = TWILIO_TOKEN,
                signature: str | None = None) -> Any:
    sig = twilio_signature(token, TWILIO_URL, params) if signature is None else signature
    headers = {"HTTP_X_TWILIO_SIGNATURE": sig} if sig else {}
    return client.post("/channels/sms/twilio", urlencode(params),
                       content_type="application/x-www-form-urlencoded", **headers)
