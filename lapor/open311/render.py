"""GeoReport v2 answers in JSON or XML, and its error list.

XML is built with :mod:`xml.etree.ElementTree` (never by string concatenation) from the same
Python values as the JSON answer: a list becomes a container element whose children take the
singular name the specification gives (``services``/``service``, ``service_requests``/
``request``, ``errors``/``error``, ``attributes``/``attribute``, ``values``/``value``,
``endpoints``/``endpoint``, ``formats``/``format``). Datetimes always carry their offset.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
_XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# Container element -> the element name of each item in it (GeoReport v2).
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


class Open311Error(Exception):
    """A refusal in the specification's error list: ``[{"code", "description"}]``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None,
                 more: tuple[str, ...] = ()) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after  # seconds, for a 429 (the Retry-After header)
        # Further refusals of the same request (every field checked at once), each one more
        # entry of the list, with the same code.
        self.more = more


def w3c(moment: datetime) -> str:
    """W3C/ISO 8601 with the offset (UTC, written ``Z``), to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(type(value).__name__)


def _append(parent: ET.Element, name: str, value: Any) -> None:
    element = ET.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(element, key, item)
    elif isinstance(value, list):
        for item in value:
            _append(element, ITEM_NAMES[name], item)
    else:
        element.text = _scalar(value)


def xml_bytes(root: str, value: Any) -> bytes:
    element = ET.Element(root)
    _fill(element, root, value)
    return (_XML_DECLARATION + ET.tostring(element, encoding="unicode")).encode()


def respond(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """``value`` (a list or a dict) as JSON, or as XML under the element ``root``."""
    if fmt == "xml":
        return HttpResponse(xml_bytes(root, value), status=status,
                            content_type=XML_CONTENT_TYPE)
    body = json.dumps(value, default=_json_default, ensure_ascii=False)
    return HttpResponse(body.encode(), status=status, content_type=JSON_CONTENT_TYPE)


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    response = respond(fmt if fmt in FORMATS else "xml", "errors",
                       [{"code": error.status, "description": d}
                        for d in (error.description, *error.more)],
                       status=error.status)
    if error.retry_after is not None:
        response["Retry-After"] = str(error.retry_after)
    return response
