"""The personal-data detector and its warnings in the staff view."""

from __future__ import annotations

import logging

import pytest

from lapor.privacy.detector import Finding, PiiKind, detect, kinds_found
from lapor.reports import presenters
from lapor.reports.selectors import report_for_staff
from tests.factories import Tree, submit


def _found(text: str) -> list[tuple[str, str]]:
    return [(str(f.kind), text[f.start:f.end]) for f in detect(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("NIK saya 6408041203850001 mohon dicek", [("nik", "6408041203850001")]),
    ("NIK 640804.120385.0001", [("nik", "640804.120385.0001")]),
    ("NIK perempuan 6408045203850001", [("nik", "6408045203850001")]),
    ("hubungi 0812-9876-5432 segera", [("phone", "0812-9876-5432")]),
    ("hubungi +62 812 9876 5432", [("phone", "+62 812 9876 5432")]),
    ("WA 6281298765432 ya", [("phone", "6281298765432")]),
    ("kantor (0549) 21234", [("phone", "(0549) 21234")]),
    ("email: Wiryawan.KD@example.org.", [("email", "Wiryawan.KD@example.org")]),
    ("Bapak Wiryawan Kusumadewangga menolak", [("name", "Wiryawan Kusumadewangga")]),
    ("kata Pak Joko dan Bu Sri", [("name", "Joko"), ("name", "Sri")]),
    ("Ibu Ratna", [("name", "Ratna")]),
    ("Sdr. Andi dan Sdri.Bunga", [("name", "Andi"), ("name", "Bunga")]),
    ("Saudara Budi Santoso dan saudari Ani", [("name", "Budi Santoso"), ("name", "Ani")]),
])
def test_detects(text: str, expected: list[tuple[str, str]]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("text", [
    "Jalan di depan pasar berlubang besar sejak bulan lalu.",
    "Ibu kota kabupaten banjir; bapak-bapak dan ibu-ibu kerja bakti.",
    "Bapak/Ibu yang terhormat, mohon perbaikan.",
    "Nomor laporan 123456789012 dan tahun 2026.",
    "Anggaran Rp 1.250.000.000 untuk 35 km jalan.",
    "Angka acak 1234567890123456 bukan NIK.",  # month 78: not a plausible NIK
    "Kabupaten Kutai Timur, Kecamatan Sangatta Utara.",
])
def test_ignores(text: str) -> None:
    assert detect(text) == []


def test_findings_are_spans_without_text_and_ordered() -> None:
    text = "Bu Sri (sri@example.org, 0812-9876-5432, NIK 6408041203850001)"
    findings = detect(text)
    assert [f.kind for f in findings] == [PiiKind.NAME, PiiKind.EMAIL, PiiKind.PHONE,
                                          PiiKind.NIK]
    assert all(isinstance(f, Finding) and set(vars(f)) == {"kind", "start", "end"}
               for f in findings)
    assert kinds_found("tanpa data", text) == ["email", "name", "nik", "phone"]


def test_detector_never_logs_text(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        detect("Bapak Wiryawan 0812-9876-5432 6408041203850001 w@example.org")
    assert "Wiryawan" not in caplog.text
    assert "6408041203850001" not in caplog.text


def test_staff_view_warns_and_suggests_confidential(tree: Tree) -> None:
    hub = tree.actor("hub")
    plain = submit(tree).report
    view = presenters.staff_view(report_for_staff(hub, plain.pk), "id", actor=hub)
    assert (view["privacy_warnings"], view["suggest_confidential"]) == ([], False)

    named = submit(tree, title="Pungli oleh Pak Harjo",
                   body="Petugas minta uang, hubungi saya 0812-9876-5432 untuk bukti.").report
    view = presenters.staff_view(report_for_staff(hub, named.pk), "id", actor=hub)
    assert (view["privacy_warnings"], view["suggest_confidential"]) == (
        ["name", "phone"], True)

    secret = submit(tree, is_confidential=True,
                    body="NIK korban 6408041203850001 dipakai orang lain.").report
    view = presenters.staff_view(report_for_staff(hub, secret.pk), "id", actor=hub)
    assert (view["privacy_warnings"], view["suggest_confidential"]) == (["nik"], False)
