"""The trainer pages under /petugas/pelatihan/ and the training-mode banner."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from lapor.audit.models import AuditEntry
from lapor.orgs.models import Role
from lapor.reports.models import Report
from lapor.training.models import PracticeAccount, TrainingSpace
from lapor.training.tests.helpers import mirror, trainee
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db
BANNER = 'data-testid="training-banner"'


def test_trainer_creates_a_space_from_the_page(tree: Tree) -> None:
    client = signed_in("hub")
    page = client.get("/petugas/pelatihan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert BANNER in html
    assert "MODE PELATIHAN" in html
    assert "TRAINING MODE" in html
    assert "Ruang pelatihan (Bimtek)" in html  # Indonesian first
    assert 'href="/petugas/pelatihan/"' in client.get("/petugas/").content.decode()

    response = client.post("/petugas/pelatihan/buat/", {
        "agency": tree.kutim.code, "name": "Bimtek Oktober", "report_count": "4"})
    space = TrainingSpace.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/petugas/pelatihan/{space.pk}/"
    assert Report.objects.filter(tier=space.root, is_training=True).count() == 4
    html = client.get(response["Location"]).content.decode()
    assert "Bimtek Oktober" in html
    assert BANNER in html


def test_bad_input_is_a_422_and_stores_nothing(tree: Tree) -> None:
    client = signed_in("hub")
    for data in ({"agency": tree.kutim.code, "report_count": "0"},
                 {"agency": tree.samarinda.code, "report_count": "3"},
                 {"agency": tree.kutim.code, "report_count": "x"}):
        assert client.post("/petugas/pelatihan/buat/", data).status_code == 422
    assert not TrainingSpace.objects.exists()


def test_non_trainers_get_404(tree: Tree, space: TrainingSpace) -> None:
    for name in ("liaison_pupr", "hub_samarinda", "supervisor_kutim"):
        client = signed_in(name)
        # Samarinda's admin trains for Samarinda, never sees Kutai Timur's spaces.
        index = client.get("/petugas/pelatihan/")
        assert index.status_code == (200 if name == "hub_samarinda" else 404)
        assert space.name not in index.content.decode()
        assert client.get(f"/petugas/pelatihan/{space.pk}/").status_code == 404
        assert client.post(f"/petugas/pelatihan/{space.pk}/hapus/",
                           {"confirm": "on"}).status_code == 404
    assert 'href="/petugas/pelatihan/"' not in signed_in("liaison_pupr").get(
        "/petugas/").content.decode()
    assert TrainingSpace.objects.filter(pk=space.pk).exists()


def test_account_password_is_shown_once(tree: Tree, space: TrainingSpace) -> None:
    client = signed_in("hub")
    pupr = mirror(space, "kutim-pupr")
    response = client.post(f"/petugas/pelatihan/{space.pk}/akun/", {
        "trainee_name": "Rina Lestari",
        "roles": [f"hub_verifier@{space.root.code}", f"liaison@{pupr.code}"]})
    assert response.status_code == 201
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    password = re.search(r"<code>([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})</code>", html)
    assert password is not None
    account = PracticeAccount.objects.get()
    assert account.user.check_password(password.group(1))
    later = client.get(f"/petugas/pelatihan/{space.pk}/").content.decode()
    assert "Rina Lestari" in later
    assert password.group(1) not in later
    refused = client.post(f"/petugas/pelatihan/{space.pk}/akun/", {
        "trainee_name": "Budi", "roles": [f"liaison@{tree.pupr.code}"]})
    assert refused.status_code == 422
    assert PracticeAccount.objects.count() == 1


def test_trainer_view_shows_each_trainees_actions_and_deadlines(
    tree: Tree, space: TrainingSpace
) -> None:
    user = trainee(tree, space, (space.root, Role.HUB_VERIFIER))
    report = Report.objects.filter(tier=space.root).order_by("id").first()
    assert report is not None
    client = signed_in(user.username)
    response = client.post(f"/petugas/laporan/{report.pk}/dispose/", {
        "node": mirror(space, "kutim-pupr").code, "expected_version": report.version})
    assert response.status_code == 302, response.content.decode()[:500]
    html = signed_in("hub").get(f"/petugas/pelatihan/{space.pk}/").content.decode()
    assert report.title in html
    assert "Didisposisikan" in html
    assert "tepat waktu" in html
    english = signed_in("hub")
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = english.get(f"/petugas/pelatihan/{space.pk}/").content.decode()
    assert "on time" in html
    assert "TRAINING MODE" in html
    assert "Not yet verified" in html


def test_banner_follows_training_data(tree: Tree, space: TrainingSpace) -> None:
    user = trainee(tree, space, (space.root, Role.HUB_VERIFIER))
    practice = Report.objects.filter(tier=space.root).first()
    assert practice is not None
    client = signed_in(user.username)
    inbox = client.get("/petugas/").content.decode()
    assert BANNER in inbox
    assert practice.title in inbox
    assert BANNER in client.get(f"/petugas/laporan/{practice.pk}/").content.decode()
    real = drive(tree, "submitted")
    hub = signed_in("hub")
    assert BANNER not in hub.get("/petugas/").content.decode()
    assert BANNER not in hub.get(f"/petugas/laporan/{real.pk}/").content.decode()


def test_reset_and_delete_need_confirmation_and_are_audited(
    tree: Tree, space: TrainingSpace
) -> None:
    client = signed_in("hub")
    before = set(Report.objects.filter(tier=space.root).values_list("pk", flat=True))
    assert client.post(f"/petugas/pelatihan/{space.pk}/ulang/").status_code == 302
    assert set(Report.objects.filter(tier=space.root).values_list("pk", flat=True)) == before
    client.post(f"/petugas/pelatihan/{space.pk}/ulang/", {"confirm": "on"})
    after = set(Report.objects.filter(tier=space.root).values_list("pk", flat=True))
    assert len(after) == 6
    assert not after & before
    assert client.post(f"/petugas/pelatihan/{space.pk}/hapus/").status_code == 302
    assert TrainingSpace.objects.filter(pk=space.pk).exists()
    response = client.post(f"/petugas/pelatihan/{space.pk}/hapus/", {"confirm": "on"})
    assert response["Location"] == "/petugas/pelatihan/"
    assert not TrainingSpace.objects.exists()
    assert set(AuditEntry.objects.filter(action__startswith="training.")
               .values_list("action", flat=True)) == {"training.create", "training.reset",
                                                      "training.delete"}
