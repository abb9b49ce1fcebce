"""Pages are Indonesian unless the visitor switches; the API still honours Accept-Language."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_english_browser_still_gets_indonesian_pages() -> None:
    page = Client(headers={"accept-language": "en-US,en;q=0.9"}).get("/lacak/")
    assert '<html lang="id">' in page.content.decode()


@pytest.mark.django_db
def test_the_switch_chooses_english_for_every_page() -> None:
    client = Client(headers={"accept-language": "id"})
    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/lacak/"})
    assert answer.status_code == 302
    assert answer.cookies["lapor_lang"].value == "en"
    assert '<html lang="en">' in client.get("/lacak/").content.decode()
    assert '<html lang="en">' in client.get("/petugas/masuk/").content.decode()


@pytest.mark.django_db
def test_an_unknown_cookie_value_falls_back_to_indonesian() -> None:
    client = Client()
    client.cookies["lapor_lang"] = "fr"
    assert '<html lang="id">' in client.get("/lacak/").content.decode()


@pytest.mark.django_db
def test_the_api_negotiates_with_accept_language() -> None:
    english = Client(headers={"accept-language": "en"}).get("/api/v1/track/000000000000")
    indonesian = Client(headers={"accept-language": "id"}).get("/api/v1/track/000000000000")
    assert english.status_code == indonesian.status_code == 404
    assert english.json()["message"] != indonesian.json()["message"]
