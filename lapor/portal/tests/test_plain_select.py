"""PlainSelect (the feed's and the report form's long agency lists) renders what Django's
Select renders: the same attributes, options, escaping and selection."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms

from lapor.portal.forms import PlainSelect

CHOICES = [("", "Semua"), ("kutim", "Pemerintah Kabupaten Kutai Timur"),
           ("a&b", 'Dinas <PU> & "Tata Ruang"')]


class _Parsed(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.select: dict[str, Any] = {}
        self.options: list[list[Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "select":
            self.select = dict(attrs)
        elif tag == "option":
            found = dict(attrs)
            self.options.append([found["value"], "selected" in found, ""])

    def handle_data(self, data: str) -> None:
        if self.options and data.strip():
            self.options[-1][2] += data.strip()


def _parse(html: str) -> tuple[dict[str, Any], list[list[Any]]]:
    parsed = _Parsed()
    parsed.feed(html)
    return parsed.select, parsed.options


@pytest.mark.parametrize("value", [None, "", "kutim", "a&b", "unknown"])
def test_plain_select_matches_djangos_select(value: str | None) -> None:
    attrs = {"id": "id_agency", "aria-describedby": "id_agency_helptext", "required": True}
    django_html = forms.Select(choices=CHOICES).render("agency", value, attrs=attrs)
    plain_html = PlainSelect(choices=CHOICES).render("agency", value, attrs=attrs)
    assert _parse(plain_html) == _parse(django_html)
    assert "<PU>" not in plain_html  # labels are escaped
