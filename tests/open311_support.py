"""Shared data and HTTP helpers for the Open311 tests (tests/test_open311_*.py)."""

from __future__ import annotations

import json
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from lapor.attachments.services import attachment_add, attachment_publish
from lapor.attachments.tests import files
from lapor.open311.keys import open311_key_create
from lapor.regions.loader import load_shipped_regions
from lapor.reports.models import Report
from tests.factories import Tree, drive, make_tree, submit

PLANTED = {"reporter_name": "Rahasia Pelapor Anonim", "reporter_email": "anon.planted@example.org",
           "reporter_phone": "0813-9876-5432"}
# Every form a planted identity could leak in (the phone as typed, in E.164, its digits).
PLANTED_TEXTS = ("Rahasia Pelapor Anonim", "anon.planted@example.org", "+6281398765432",
                 "81398765432", "Pelapor Anonim")
CONFIDENTIAL_TITLE = "Pungutan liar di kantor kecamatan"
CONFIDENTIAL_BODY = "Petugas loket meminta uang tambahan; mohon dirahasiakan identitas saya."


@dataclass
class World:
    tree: Tree
    key: str
    responded: Report  # public, follow-up posted, coordinates, a published file
    closed: Report
    anonymous: Report  # public, anonymous, with a planted identity in the vault
    confidential: Report
    unverified: Report
    spam: Report


def make_world() -> World:
    # A transactional test empties every table afterwards, the migration's regions included.
    load_shipped_regions()
    tree = make_tree()
    responded = drive(tree, "responded", latitude=Decimal("0.512345"),
                      longitude=Decimal("117.654321"), address="Jl. Yos Sudarso No. 1")
    pupr = tree.actor("liaison_pupr")
    attachment = attachment_add(actor=pupr, report_id=responded.pk, data=files.png(),
                                filename="foto.png")
    attachment_publish(actor=pupr, report_id=responded.pk, attachment_id=attachment.pk)
    closed = drive(tree, "closed")
    anonymous = drive(tree, "in_progress", is_anonymous=True, **PLANTED)
    confidential = drive(tree, "disposed", is_confidential=True, title=CONFIDENTIAL_TITLE,
                         body=CONFIDENTIAL_BODY)
    unverified = submit(tree, title="Belum diverifikasi sama sekali",
                        body="Laporan ini belum diverifikasi dan tidak boleh tampil.").report
    spam = drive(tree, "archived", title="Iklan pinjaman online murah",
                 body="Pinjaman cepat cair tanpa jaminan hubungi nomor ini segera.")
    return World(tree=tree, key=open311_key_create(name="Test client").raw,
                 responded=responded, closed=closed, anonymous=anonymous,
                 confidential=confidential, unverified=unverified, spam=spam)


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    headers: Any

    def json(self) -> Any:
        return json.loads(self.body)

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)  # noqa: S314  (our own server's answer, in a test)

    @property
    def text(self) -> str:
        return self.body.decode()


def http(method: str, url: str, form: dict[str, str] | None = None,
         raw: bytes | None = None, content_type: str = "") -> Answer:
    """A plain HTTP request (urllib), errors included."""
    data = raw if raw is not None else (urlencode(form).encode() if form is not None else None)
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310  (test URL)
    if data is not None:
        request.add_header("Content-Type",
                           content_type or "application/x-www-form-urlencoded; charset=utf-8")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return Answer(response.status, response.headers["Content-Type"], response.read(),
                          response.headers)
    except HTTPError as error:
        return Answer(error.code, error.headers["Content-Type"], error.read(), error.headers)


def get(url: str, **params: str) -> Answer:
    return http("GET", f"{url}?{urlencode(params)}" if params else url)
