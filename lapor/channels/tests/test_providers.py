"""The providers are plain data: one description per provider, each with its webhook and
its secret (lapor.channels.providers, lapor.channels.config, lapor.channels.urls)."""

from __future__ import annotations

from django.urls import resolve

from lapor.channels import config, webhooks
from lapor.channels.models import Provider
from lapor.channels.providers import PROVIDERS


def test_every_provider_has_one_description_a_secret_and_a_webhook() -> None:
    assert set(PROVIDERS) == set(Provider.values) == set(config.SECRETS)
    for name, description in PROVIDERS.items():
        assert description.name == name
        _, endpoint = config.SECRETS[name]
        assert resolve(endpoint).func.__module__ == webhooks.__name__
    # Photos are fetched from the chat providers only.
    assert {n for n, d in PROVIDERS.items() if d.fetch_media is not None} == {
        Provider.WHATSAPP, Provider.TELEGRAM}
