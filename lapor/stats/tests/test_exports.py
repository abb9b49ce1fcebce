"""CSV/XLSX exports and the monthly PDF: privacy of identities, audit, training exclusion."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pikepdf
import pytest
from openpyxl import load_workbook

from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.privacy.models import IdentityAccess, Purpose
from lapor.privacy.services import reveal_grant
from lapor.reports.models import Report
from lapor.stats.maintenance import stats_refresh
from lapor.stats.tests.test_pages import CONFIDENTIAL_TITLE, _data
from lapor.workspace.tests.helpers import signed_in
from tests.factories import Tree

pytestmark = pytest.mark.django_db
REASON = "Permintaan Ombudsman atas laporan maladministrasi bulan ini"


def _csv(response: object) -> list[list[str]]:
    body = b"".join(response.streaming_content) if getattr(  # type: ignore[attr-defined]
        response, "streaming", False) else response.content  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(body.decode())))


def test_dashboard_tables_csv_and_xlsx(tree: Tree) -> None:
    _data(tree)
    client = signed_in("supervisor_kutim")
    rows = _csv(client.get("/petugas/dasbor/kutim/tabel.csv"))
    assert rows[0][:4] == ["Tabel", "Kode", "Nama", "Laporan"]
    total = next(r for r in rows if r[0] == "total")
    assert total[1:4] == ["kutim", "Pemerintah Kabupaten Kutai Timur", "8"]
    channels = {r[1]: r[3] for r in rows if r[0] == "channel"}
    assert channels == {"web": "6", "sms": "1", "whatsapp": "1"}
    response = client.get("/petugas/dasbor/kutim/tabel.xlsx")
    assert response["Content-Disposition"].startswith("attachment;")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert "Menurut kanal" in book.sheetnames
    sheet_rows = list(book["Menurut kanal"].iter_rows(values_only=True))
    assert sheet_rows[0][:3] == ("Kode", "Nama", "Laporan")
    assert {r[0]: r[2] for r in sheet_rows[1:]} == {"web": 6, "sms": 1, "whatsapp": 1}


def test_list_export_without_identity(tree: Tree) -> None:
    reports = _data(tree)
    client = signed_in("supervisor_kutim")
    rows = _csv(client.get("/petugas/dasbor/kutim/laporan.csv"))
    header, body = rows[0], rows[1:]
    assert "Nama pelapor" not in header
    numbers = {r[0] for r in body}
    expected = {r.tracking_number for k, r in reports.items() if k != "training"}
    assert numbers == expected  # training report excluded
    text = "\n".join(",".join(r) for r in rows)
    assert "Siti Aminah" not in text
    assert "siti@example.org" not in text
    assert CONFIDENTIAL_TITLE in text  # staff on the chain may read confidential titles
    # Filters.
    sms = _csv(client.get("/petugas/dasbor/kutim/laporan.csv", {"channel": "sms"}))
    assert [r[0] for r in sms[1:]] == [reports["sms"].tracking_number]
    book = load_workbook(io.BytesIO(client.get("/petugas/dasbor/kutim/laporan.xlsx",
                                               {"status": "closed"}).content))
    assert book.active is not None
    assert book.active.max_row == 3  # header + the two closed reports
    assert client.get("/petugas/dasbor/kutim/laporan.csv",
                      {"status": "bogus"}).status_code == 422
    assert client.get("/petugas/dasbor/kutim/laporan.csv",
                      {"region": "64.08'--"}).status_code == 422


def test_identity_export_needs_permission_and_is_audited(tree: Tree) -> None:
    _data(tree)
    client = signed_in("hub")
    url = "/petugas/dasbor/kutim/laporan.csv?channel=web"
    before = AuditEntry.objects.count()
    # Without the reveal permission: refused, nothing read or recorded.
    assert client.post(url, {"reason": REASON}).status_code == 403
    assert AuditEntry.objects.count() == before
    assert not IdentityAccess.objects.filter(purpose=Purpose.REVEAL).exists()
    reveal_grant(actor=tree.actor("national"), user=tree.users["hub"])
    before = AuditEntry.objects.count()
    short = client.post(url, {"reason": "karena perlu"})
    assert short.status_code == 422
    assert AuditEntry.objects.count() == before
    rows = _csv(client.post(url, {"reason": REASON}))
    assert rows[0][-3:] == ["Nama pelapor", "Email pelapor", "Telepon pelapor"]
    assert len(rows) == 7  # header + six web reports
    assert all(r[-3] == "Siti Aminah" and r[-2] == "siti@example.org" for r in rows[1:])
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert entry.action == "stats.export_identity"
    assert entry.payload == {"reports": 6, "reason_length": len(REASON)}
    assert "Siti" not in str(entry.payload)
    assert IdentityAccess.objects.filter(purpose=Purpose.REVEAL).count() == 6


def test_monthly_pdf(tree: Tree) -> None:
    _data(tree)
    month = clock.now().strftime("%Y-%m")
    client = signed_in("supervisor_kutim")
    response = client.get(f"/petugas/dasbor/kutim/bulanan/{month}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert len(doc.pages) >= 1
        width, height = (float(v) for v in doc.pages[0].mediabox[2:])
        assert height > width  # A4 portrait
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext missing: make system-deps"
    text = subprocess.run([pdftotext, "-layout", "-", "-"],  # noqa: S603  (fixed argv)
                          input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Laporan bulanan pengelolaan pengaduan" in text
    assert "Pemerintah Kabupaten Kutai Timur" in text
    assert "Menurut kanal" in text
    assert "Latihan Bimtek" not in text
    future = client.get("/petugas/dasbor/kutim/bulanan/2999-01.pdf")
    assert future.status_code == 422
    other = signed_in("hub_samarinda")
    assert other.get(f"/petugas/dasbor/kutim/bulanan/{month}.pdf").status_code == 404


def test_new_events_reach_the_export_and_figures_without_rebuild(tree: Tree) -> None:
    reports = _data(tree)
    Report.objects.filter(pk=reports["sms"].pk).update(title="Judul diubah langsung")
    stats_refresh()  # nothing new: no event, nothing recounted
    client = signed_in("supervisor_kutim")
    rows = _csv(client.get("/petugas/dasbor/kutim/tabel.csv"))
    assert next(r for r in rows if r[0] == "total")[3] == "8"
