"""A thin JSON client over Django's test client for API tests."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

API = "/api/v1"


class ApiClient:
    def __init__(self, token: str | None = None, language: str = "id") -> None:
        self.client = Client()
        self.token = token
        self.language = language

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        headers.update(extra or {})
        return headers

    def get(self, path: str, params: dict[str, Any] | None = None,
            headers: dict[str, str] | None = None) -> Any:
        return self.client.get(API + path, params or {}, headers=self._headers(headers))

    def post(self, path: str, body: Any = None, headers: dict[str, str] | None = None,
             raw: bytes | None = None, content_type: str = "application/json") -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(API + path, data=data, content_type=content_type,
                                headers=self._headers(headers))

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(API + path, data=json.dumps(body),
                                 content_type="application/json", headers=self._headers(None))

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(API + path, data=json.dumps(body),
                               content_type="application/json", headers=self._headers(None))

    def delete(self, path: str) -> Any:
        return self.client.delete(API + path, headers=self._headers(None))


def current_totp(username: str) -> str | None:
    """The current code of the user's confirmed authenticator (None for citizens).

    Tests log the same user in several times within one 30-second step, which django-otp
    refuses as a replay; the helper forgets the last used step (and any throttling) first.
    """
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        return None
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def login(username: str, password: str) -> ApiClient:
    body = {"username": username, "password": password}
    code = current_totp(username)
    if code is not None:
        body["otp"] = code
    response = ApiClient().post("/auth/login", body)
    assert response.status_code == 200, response.content
    return ApiClient(token=response.json()["token"])
