"""A database that went away is a 503 with Retry-After and a stable code, never a bare 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError

from lapor.reports import submission
from tests.api_client import ApiClient
from tests.factories import Tree


@pytest.mark.django_db
def test_a_lost_database_connection_is_a_503(tree: Tree, monkeypatch: Any) -> None:
    def gone(**kwargs: Any) -> None:
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(submission, "report_prepare", gone)  # the API path
    response = ApiClient(language="en").post("/reports", {
        "type": "complaint", "title": "Jalan berlubang di depan pasar",
        "body": "Jalan di depan pasar berlubang besar dan membahayakan pengendara.",
        "region_code": "64.08.04"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_unavailable"
    assert "Nothing was stored" in response.json()["message"]
