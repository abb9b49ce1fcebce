"""Unknown addresses get a friendly page, and the API keeps its JSON error shape."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unknown_page_is_the_portal_404() -> None:
    response = Client().get("/tidak-ada/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_api_path_answers_json() -> None:
    response = Client().get("/api/v1/tidak-ada")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
