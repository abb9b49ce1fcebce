"""Review findings of the federation code (issue #22): each test proves one defect."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from lapor.core import clock
from lapor.federation.models import Link, LinkRole
from lapor.federation.signing import signed_headers, signing_key, signing_key_encrypt
from tests.factories import Tree

JOURNAL = "/api/v1/federation/journal"
TOKEN = "lfed_" + "A" * 43


def _meta(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


def _upstream(tree: Tree) -> Link:
    return Link.objects.create(role=LinkRole.UPSTREAM, agency=tree.kutim,
                               url="https://national.example",
                               signing_key_encrypted=signing_key_encrypt(signing_key(TOKEN)),
                               lane=3, created_at=clock.now() - timedelta(days=1))


def _post(headers: dict[str, str], raw: bytes) -> Any:
    return Client().post(JOURNAL, data=raw, content_type="application/json", **_meta(headers))


# ---------------------------------------------------------------- signed endpoints


@pytest.mark.parametrize("bad", ["é" * 64, "ü" + "0" * 63])
def test_a_non_ascii_signature_is_a_401_not_a_500(tree: Tree, bad: str) -> None:
    # On a regional instance the national sends no bearer token: anyone who knows the
    # (public) agency code reaches the signature check.
    _upstream(tree)
    raw = json.dumps({"entries": []}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(TOKEN), method="POST",
                             path=JOURNAL, body=raw)
    headers["X-Lapor-Signature"] = bad
    response = _post(headers, raw)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "bad_signature"


def test_a_nul_in_the_link_header_is_a_401_not_a_500(tree: Tree) -> None:
    _upstream(tree)
    raw = json.dumps({"entries": []}).encode()
    headers = signed_headers(agency_code="kutim\x00", key=signing_key(TOKEN), method="POST",
                             path=JOURNAL, body=raw)
    response = _post(headers, raw)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "unknown_peer"


def test_a_signed_but_absurd_timestamp_is_stale_not_a_500(tree: Tree) -> None:
    _upstream(tree)
    raw = json.dumps({"entries": []}).encode()
    headers = signed_headers(agency_code="kutim", key=signing_key(TOKEN), method="POST",
                             path=JOURNAL, body=raw, timestamp=10**400)
    response = _post(headers, raw)
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "stale_request"
