"""Walk-in and phone reports entered by an officer in the workspace (issue #5)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lapor.audit.models import AuditEntry
from lapor.core.errors import PermissionDenied
from lapor.intake.walk_in import desks_of, walk_in_submit
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.reports.submission import reporter_authenticate
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree

pytestmark = pytest.mark.django_db
URL = "/petugas/laporan-langsung/"


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "desk": "kutim", "channel": "walk_in", "type": "complaint",
        "title": "Sampah menumpuk di Pasar Induk",
        "body": "Warga datang ke kantor: sampah di Pasar Induk Sangatta tidak diangkut seminggu.",
        "region_code": "64.08.04",
    }
    data.update(overrides)
    return data


def test_the_hub_verifier_enters_a_walk_in_report_and_sees_the_code_once(tree: Tree) -> None:
    client = signed_in("hub")
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="walk-in-form"' in html
    assert 'value="64.08.04"' in html  # Kutai Timur's districts are suggested
    response = client.post(URL, _form(reporter_name="Pak Rahman", reporter_phone="081234567890"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    report = Report.objects.get()
    html = response.content.decode()
    assert report.tracking_number in html
    code = html.split('data-testid="access-code">')[1].split("<")[0]
    # The code shown works for the reporter and is stored only as a hash.
    assert reporter_authenticate(tracking_number=report.tracking_number,
                                 access_code=code).report_id == report.pk
    assert code not in report.access_code_hash
    assert report.channel == "walk_in"
    assert report.tier == tree.kutim
    entered = ReportEvent.objects.get(report=report, kind="entered_on_behalf")
    assert entered.actor_id == tree.users["hub"].pk
    assert entered.visibility == "internal"
    assert entered.payload["channel"] == "walk_in"
    assert AuditEntry.objects.filter(action="intake.entered_on_behalf",
                                     target_id=str(report.pk)).count() == 1
    # Shown once: the report page afterwards has the number, never the code.
    again = client.get(f"/petugas/laporan/{report.pk}/").content.decode()
    assert report.tracking_number in again
    assert code not in again


def test_phone_report_without_any_contact(tree: Tree) -> None:
    client = signed_in("liaison_pupr")
    response = client.post(URL, _form(channel="phone"))
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.channel == "phone"
    assert report.tier == tree.kutim  # a liaison enters into its agency's pool
    assert report.contact.email_index == ""
    assert report.contact.phone_index == ""


def test_national_verifier_enters_into_the_regions_hub_else_the_national_pool(
        tree: Tree) -> None:
    # The national desk names no agency: the report goes where its region routes it.
    client = signed_in("national")
    response = client.post(URL, _form(desk=""))
    assert response.status_code == 200
    assert Report.objects.get().tier == tree.kutim
    response = client.post(URL, _form(desk="", region_code="31.71.01"))
    assert response.status_code == 200
    assert Report.objects.latest("pk").tier == tree.root


@pytest.mark.parametrize("username", ["officer_pupr", "supervisor_kutim", "auditor",
                                      "sysadmin"])
def test_roles_without_a_desk_get_403(tree: Tree, username: str) -> None:
    client = signed_in(username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form()).status_code == 403
    assert Report.objects.count() == 0


def test_signed_out_goes_to_sign_in(tree: Tree) -> None:
    response = Client().get(URL)
    assert response.status_code == 302
    assert "/petugas/masuk/" in response["Location"]


def test_another_agencys_desk_is_refused(tree: Tree) -> None:
    client = signed_in("hub")
    response = client.post(URL, _form(desk="samarinda"))
    assert response.status_code == 422  # not one of the form's choices
    assert Report.objects.count() == 0
    with pytest.raises(PermissionDenied, match="permission_denied"):
        walk_in_submit(actor=tree.actor("hub"), desk_code="samarinda", channel="walk_in",
                       type="complaint", title="Judul laporan", body="Isi laporan cukup panjang",
                       region_code="64.08.04")


@pytest.mark.parametrize(("overrides", "field"), [
    ({"channel": "web"}, "channel"),
    ({"region_code": "99.99"}, "region_code"),
    ({"title": "abc"}, "title"),
    ({"reporter_email": "bukan-email"}, "reporter_email"),
    ({"reporter_nik": "123"}, "reporter_nik"),
])
def test_bad_input_is_shown_next_to_the_field_and_stores_nothing(
    tree: Tree, overrides: dict[str, str], field: str
) -> None:
    client = signed_in("hub")
    response = client.post(URL, _form(**overrides))
    assert response.status_code == 422
    assert f'id="id_{field}_error"' in response.content.decode()
    assert Report.objects.count() == 0


def test_every_refusal_is_shown_at_once(tree: Tree) -> None:
    """Issue 18: the service checks every field; the desk page shows all its refusals."""
    client = signed_in("hub")
    response = client.post(URL, _form(region_code="99.99", reporter_email="bukan-email",
                                      reporter_nik="123"))
    html = response.content.decode()
    assert response.status_code == 422
    for field in ("region_code", "reporter_email", "reporter_nik"):
        assert f'id="id_{field}_error"' in html
    assert Report.objects.count() == 0


def test_anonymous_walk_in_hides_the_reporter_from_the_agency_afterwards(tree: Tree) -> None:
    client = signed_in("hub")
    client.post(URL, _form(is_anonymous="on", reporter_name="Nama Rahasia Sekali",
                           reporter_phone="081298765432"))
    report = Report.objects.get()
    assert report.is_anonymous
    page = signed_in("liaison_pupr")
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code="kutim-pupr")
    html = page.get(f"/petugas/laporan/{report.pk}/").content.decode()
    assert report.tracking_number in html
    assert "Nama Rahasia Sekali" not in html
    assert "081298765432" not in html
    assert "+6281298765432" not in html
    hub_html = client.get(f"/petugas/laporan/{report.pk}/").content.decode()
    assert "Nama Rahasia Sekali" not in hub_html


def test_desks(tree: Tree) -> None:
    assert [d.code for d in desks_of(tree.actor("hub"))] == ["kutim"]
    assert [d.code for d in desks_of(tree.actor("liaison_binamarga"))] == ["kutim"]
    assert [d.code for d in desks_of(tree.actor("national"))] == [""]
    assert desks_of(tree.actor("auditor")) == []
