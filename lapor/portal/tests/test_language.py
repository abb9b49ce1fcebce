"""The language switch: Indonesian by default, English after set_language."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db


def test_english_switch_changes_the_text(client: Client, tree: Tree) -> None:
    report = drive(tree, "disposed")
    html = client.get("/").content.decode()
    assert '<html lang="id">' in html
    assert "Buat laporan" in html
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Send a report" in html
    assert "Buat laporan" not in html
    html = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "Not yet followed up" in html
    assert "Are you the reporter?" in html
    html = client.get("/lapor/").content.decode()
    assert "Keep my identity secret (anonymous)" in html
