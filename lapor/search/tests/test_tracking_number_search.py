"""A tracking number typed in a search box opens that report when the reader may see it
(issue #18: staff and public search found nothing for a tracking number)."""

from __future__ import annotations

import pytest
from django.test import Client

from lapor.search import selectors
from lapor.workspace.tests.helpers import signed_in
from tests.api_client import login
from tests.factories import PASSWORD, Tree, drive, submit

pytestmark = pytest.mark.django_db


def _spaced(number: str) -> str:
    """The way people copy it from a message: '#1234 5678-9012'."""
    return f"#{number[:4]} {number[4:8]}-{number[8:]}"


def _typo(number: str) -> str:
    """One digit changed (Verhoeff catches every single-digit error)."""
    first = str(int(number[0]) % 9 + 1)
    return first + number[1:]


def test_the_query_is_a_tracking_number_only_with_a_valid_check_digit(tree: Tree) -> None:
    number = submit(tree).report.tracking_number
    for typed in (number, _spaced(number), f" {number[:6]} {number[6:]} ",
                  f"{number[:4]}.{number[4:8]}.{number[8:]}"):
        assert selectors.tracking_number_in(typed) == number, typed
    assert selectors.tracking_number_in(_typo(number)) is None
    assert selectors.tracking_number_typo(_typo(number))
    # A telephone number (leading 0) and words are searched as text.
    assert selectors.tracking_number_in("081254320987") is None
    assert not selectors.tracking_number_typo("081254320987")
    assert selectors.tracking_number_in(f"laporan {number}") is None


def test_staff_search_opens_the_report_in_scope(tree: Tree) -> None:
    report = drive(tree, "disposed", is_confidential=True)
    client = signed_in("hub")
    response = client.get("/petugas/cari/", {"q": _spaced(report.tracking_number)})
    assert response.status_code == 302
    assert response["Location"] == f"/petugas/laporan/{report.pk}/"
    # Another agency's hub may not read it: no redirect, no title, a plain answer.
    other = signed_in("hub_samarinda")
    response = other.get("/petugas/cari/", {"q": report.tracking_number})
    assert response.status_code == 200
    html = response.content.decode()
    assert report.title not in html
    assert "Tidak ada laporan dengan nomor pelacakan" in html
    # One wrong digit: told so, not "nothing found".
    html = client.get("/petugas/cari/", {"q": _typo(report.tracking_number)}).content.decode()
    assert "salah satu dari 12 angkanya keliru" in html


def test_public_search_opens_the_public_page_else_the_tracking_page(tree: Tree) -> None:
    public = drive(tree, "disposed")
    unverified = submit(tree).report
    secret = drive(tree, "disposed", is_confidential=True)
    client = Client()
    response = client.get("/laporan/", {"q": _spaced(public.tracking_number)})
    assert response.status_code == 302
    assert response["Location"] == f"/laporan/{public.tracking_number}/"
    for hidden in (unverified, secret):
        response = client.get("/laporan/", {"q": hidden.tracking_number})
        assert response.status_code == 302
        assert response["Location"] == f"/lacak/{hidden.tracking_number}/"
    # The feed's search box swaps results through htmx: the answer tells htmx to navigate.
    response = client.get("/laporan/", {"q": public.tracking_number}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"/laporan/{public.tracking_number}/"
    html = client.get("/laporan/", {"q": _typo(public.tracking_number)}).content.decode()
    assert "salah satu dari 12 angkanya keliru" in html


def test_api_search_returns_the_one_match(tree: Tree) -> None:
    public = drive(tree, "disposed", title="Lampu jalan mati di Jalan Yos Sudarso")
    secret = drive(tree, "disposed", is_confidential=True)
    client = Client()
    found = client.get("/api/v1/search/reports", {"q": _spaced(public.tracking_number)}).json()
    assert [i["tracking_number"] for i in found["items"]] == [public.tracking_number]
    assert found["items"][0]["title"] == public.title
    assert found["next_cursor"] is None
    hidden = client.get("/api/v1/search/reports", {"q": secret.tracking_number}).json()
    assert hidden["items"] == []
    staff = login("hub", PASSWORD)
    found = staff.get("/staff/search", {"q": secret.tracking_number}).json()
    assert [(i["id"], i["tracking_number"]) for i in found["items"]] == [
        (secret.pk, secret.tracking_number)]
    outsider = login("hub_samarinda", PASSWORD)
    assert outsider.get("/staff/search", {"q": secret.tracking_number}).json()["items"] == []
