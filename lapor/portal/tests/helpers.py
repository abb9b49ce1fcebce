"""Shared bits of the portal tests: a valid form, pulling the access code out of a page."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from tests.factories import Tree

NAME = "Siti Rahasia Aminah"


def form_data(tree: Tree, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "action": "submit",
        "type": "complaint",
        "title": "Lampu jalan mati di Jalan Yos Sudarso",
        "body": "Sudah dua minggu lampu jalan mati, jalan sangat gelap pada malam hari.",
        "region_code": "64.08.04",
        "category": tree.category.code,
        "target_agency": tree.kutim.code,
        "reporter_name": NAME,
        "reporter_email": "siti.rahasia@example.org",
        "reporter_phone": "0812-3456-7890",
    }
    data.update(overrides)
    return data


def code_in(html: str) -> str:
    found = re.search(r'id="access-code"[^>]*>([0-9A-Z-]{19})<', html)
    assert found, "no access code on the page"
    return found.group(1)


def number_in(html: str) -> str:
    found = re.search(r'id="tracking-number"[^>]*>(\d{12})<', html)
    assert found, "no tracking number on the page"
    return found.group(1)


def submit(client: Client, tree: Tree, **overrides: Any) -> tuple[str, str]:
    """Send a report through the form; returns (tracking number, access code)."""
    response = client.post("/lapor/", form_data(tree, **overrides), follow=True)
    html = response.content.decode()
    return number_in(html), code_in(html)
