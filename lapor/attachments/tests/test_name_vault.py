"""Issue 18 (addendum): a file's original name is identity-bearing data, kept in the vault.

``KTP_<name>_<phone>.png`` used to sit in plain text in ``attachments_attachment``; now the
column holds a Fernet token, the reporter and (for reports that are not anonymous) staff still
read the name, key rotation covers it, and the data migration encrypts existing rows.
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings

from lapor.attachments.models import Attachment
from lapor.attachments.presenters import original_name
from lapor.attachments.services import attachment_add
from lapor.attachments.tests import files
from lapor.orgs.actors import reporter_actor
from lapor.privacy import vault
from lapor.privacy.services import keys_rotate
from tests.api_client import login
from tests.factories import PASSWORD, Tree, submit

API = "/api/v1"
NAME = "KTP_Wahyuningsih_Tambunan_081254320987.png"


def _column_value(attachment_id: int) -> str:
    table = connection.ops.quote_name(Attachment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT original_name_encrypted FROM {table} WHERE id = %s",  # noqa: S608
                       [attachment_id])
        return str(cursor.fetchone()[0])


def _upload(number: str, code: str) -> Any:
    return Client().post(f"{API}/track/{number}/attachments",
                         {"file": SimpleUploadedFile(NAME, files.png(), content_type="image/png")},
                         headers={"X-Access-Code": code})


@pytest.mark.django_db
@pytest.mark.parametrize("anonymous", [True, False])
def test_the_name_is_stored_encrypted_and_shown_where_allowed(tree: Tree, anonymous: bool) -> None:
    submitted = submit(tree, is_anonymous=anonymous)
    number, code = submitted.report.tracking_number, submitted.access_code
    response = _upload(number, code)
    assert response.status_code == 201, response.content
    attachment_id = response.json()["id"]
    stored = _column_value(attachment_id)
    for part in ("Wahyuningsih", "Tambunan", "081254320987", "KTP"):
        assert part not in stored
    assert vault.decrypt(stored) == NAME

    # The reporter reads their own file's name (API list and download, portal download).
    listing = Client().get(f"{API}/track/{number}/attachments", headers={"X-Access-Code": code})
    assert [a["name"] for a in listing.json()["items"]] == [NAME]
    download = Client().get(f"{API}/track/{number}/attachments/{attachment_id}",
                            headers={"X-Access-Code": code})
    assert f"filename*=UTF-8''{NAME}" in download["Content-Disposition"]
    portal = Client()
    portal.post(f"/lacak/{number}/kode/", {"access_code": code})
    page = portal.get(f"/lacak/{number}/lampiran/{attachment_id}/")
    assert f"filename*=UTF-8''{NAME}" in page["Content-Disposition"]

    # Staff read it only when the report is not anonymous.
    hub = {"Authorization": f"Bearer {login('hub', PASSWORD).token}"}
    staff = Client().get(f"{API}/reports/{submitted.report.pk}/attachments", headers=hub)
    shown = staff.json()["items"][0]["name"]
    assert shown == (f"lampiran-{attachment_id}.png" if anonymous else NAME)


@pytest.mark.django_db
def test_key_rotation_re_encrypts_names_and_a_lost_key_costs_only_the_name(tree: Tree) -> None:
    submitted = submit(tree)
    old_keys = list(settings.LAPOR_ENCRYPTION_KEYS)
    attachment = attachment_add(actor=reporter_actor(report_id=submitted.report.pk),
                                report_id=submitted.report.pk, data=files.png(), filename=NAME)
    new_key = Fernet.generate_key().decode()
    with override_settings(LAPOR_ENCRYPTION_KEYS=[new_key, *old_keys]):
        counts = {c.table: c.values for c in keys_rotate()}
        assert counts["attachments_attachment"] == 1
        attachment.refresh_from_db()
        assert vault.is_current(attachment.original_name_encrypted)
        assert original_name(attachment) == NAME
    with override_settings(LAPOR_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        assert original_name(attachment) == f"lampiran-{attachment.pk}.png"


@pytest.mark.django_db(transaction=True)
def test_the_data_migration_encrypts_existing_names_and_reverses(
    regions: None, tree: Tree
) -> None:
    report = submit(tree).report
    executor = MigrationExecutor(connection)
    before = [("attachments", "0001_initial")]
    after = [("attachments", "0002_attachment_original_name_encrypted")]
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("attachments", "Attachment")
        row = old.objects.create(
            report_id=report.pk, uploaded_by="reporter", stored_name="a" * 32 + ".png",
            original_name=NAME, content_type="image/png", size=10, sha256="0" * 64,
            created_at=report.submitted_at, scan_status="not_scanned")
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        token = _column_value(row.pk)
        assert "Wahyuningsih" not in token
        # The model as of that migration (later migrations add columns the current model has).
        then = executor.loader.project_state(after).apps.get_model("attachments", "Attachment")
        assert original_name(then.objects.get(pk=row.pk)) == NAME

        # Reversible: going back puts the plain name into the old column.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("attachments", "Attachment")
        assert old.objects.get(pk=row.pk).original_name == NAME
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
