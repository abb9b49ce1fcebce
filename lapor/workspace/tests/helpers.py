"""Sign staff in to the workspace through the real form (password + TOTP)."""

from __future__ import annotations

from django.test import Client

from tests.api_client import current_totp
from tests.factories import PASSWORD

LOGIN = "/petugas/masuk/"


def signed_in(username: str, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post(LOGIN, {"username": username, "password": PASSWORD,
                                   "otp": current_totp(username) or ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def report_url(report_id: int, action: str | None = None) -> str:
    return f"/petugas/laporan/{report_id}/" + (f"{action}/" if action else "")
