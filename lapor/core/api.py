"""Shared pieces of the JSON API that need no app: the error shape, error handlers, JSON
parsing, the renderer. (Who is asking, the bearer auth, is :mod:`lapor.api.auth`.)

Every error leaves as ``{"code", "message", "field", "detail"}`` with a stable ``code`` and the
message in the request's language (``Accept-Language``: Indonesian unless English is preferred).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.schema import DjangoGetter
from pydantic import model_validator

from lapor.core.errors import (
    ApplicationError,
    TooManyRequests,
    ValidationFailed,
    message_for,
)
from lapor.core.language import request_language

logger = logging.getLogger(__name__)

MAX_JSON_DEPTH = 20


class FieldErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    detail: Any = None


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
    detail: Any = None
    errors: list[FieldErrorOut] | None = Field(
        default=None,
        description="Every refusal of the request when its fields were all checked (report "
                    "submission, schema validation): one entry per field problem, each with "
                    "its own stable code. The first entry is also the top-level code/field.")


# The API's renderer (lapor.config.api passes it to NinjaAPI), also used by shaped_response.
RENDERER = JSONRenderer()

ERRORS_4XX = frozenset({400, 401, 403, 404, 409, 422, 429})


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``response={...}`` entries so the OpenAPI schema lists every error an endpoint returns."""
    return dict.fromkeys((400, 422, *statuses), ErrorOut)


def error_response(
    api: NinjaAPI, request: HttpRequest, *, status: int, code: str,
    field: str | None = None, detail: Any = None, errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "code": code, "message": message_for(code, request_language(request), field=field,
                                             detail=detail),
        "field": field, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


def error_items(request: HttpRequest, exc: ApplicationError) -> list[dict[str, Any]] | None:
    """``exc.errors`` as the body's ``errors`` list, messages in the request's language."""
    if exc.errors is None:
        return None
    language = request_language(request)
    return [{"code": e.code, "message": e.message(language), "field": e.field,
             "detail": e.detail} for e in exc.errors]


# Pydantic's error types that have a code of their own; every other one is validation_error.
_PYDANTIC_CODES = {"missing": "required", "string_too_long": "text_too_long",
                   "string_too_short": "text_too_short"}


def _schema_error_items(request: HttpRequest, errors: list[dict[str, Any]]
                        ) -> list[dict[str, Any]]:
    language = request_language(request)
    items = []
    for error in errors:
        code = _PYDANTIC_CODES.get(str(error.get("type")), "validation_error")
        field = _field_of(error)
        items.append({"code": code, "field": field,
                      "message": message_for(code, language, field=field),
                      "detail": {"type": error.get("type"), "msg": error.get("msg")}})
    return items


def shaped_response(request: HttpRequest, body: Any) -> HttpResponse:
    """``body`` rendered exactly as Ninja renders a 200 answer (same renderer, encoder and
    content type) but without validating it against the response schema again.

    For hot list endpoints only, whose presenters build the schema's exact shape: the schema
    still documents the answer in OpenAPI, and a test checks that the body is what validation
    would have produced (same keys, nothing extra: the schema is also the privacy filter).
    On a page of 50 inbox rows validation cost about 9 ms of the 20 ms of Python per request.
    """
    return HttpResponse(RENDERER.render(request, body, response_status=200), status=200,
                        content_type=f"{RENDERER.media_type}; charset={RENDERER.charset}")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_structure(value: Any, limit: int) -> None:
    """Refuse nesting deeper than ``limit``, NUL characters and lone surrogates (``"\\ud800"``
    is valid JSON but not encodable text) anywhere, keys included: neither may reach a query."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, level, path = stack.pop()
        if level > limit:
            raise ValidationFailed("invalid_json")
        if isinstance(item, str):
            if "\x00" in item or not _encodable(item):
                raise ValidationFailed("invalid_characters", field=path or None)
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                stack.append((key, level + 1, path))
                stack.append((child, level + 1, child_path))
        elif isinstance(item, list):
            stack.extend((v, level + 1, f"{path}.{i}" if path else str(i))
                         for i, v in enumerate(item))


class ObjectBody(Schema):
    """The base of every JSON request body: the body must be a JSON object.

    A Ninja schema also reads fields as attributes of any value, so without this check an
    array or a string sent to an endpoint whose fields are all optional (a PATCH) would pass
    as "no field given" and answer 200; it is a 422 ``validation_error`` instead."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, data: Any) -> Any:
        raw = data._obj if isinstance(data, DjangoGetter) else data
        if not isinstance(raw, dict):
            # A ValueError: pydantic turns it into the 422 (a TypeError would not be caught).
            raise ValueError("the body must be a JSON object")
        return data


class StrictJSONParser(Parser):
    """JSON bodies must be UTF-8 and at most ``MAX_JSON_DEPTH`` levels deep."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("invalid_encoding") from exc
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:
            # ValueError covers JSONDecodeError and an integer longer than Python converts
            # (4,300 digits), which would otherwise leave as a bare 400.
            raise ValidationFailed("invalid_json") from exc
        _check_structure(data, MAX_JSON_DEPTH)
        return data


_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_of(error: dict[str, Any]) -> str | None:
    """``("body", "payload", "title")`` → ``"title"``: drop the source and the parameter name."""
    loc = [str(part) for part in error.get("loc", ())]
    if loc and loc[0] in _SOURCES:
        loc = loc[2:] if len(loc) > 2 else loc[1:]
    return ".".join(loc) or None


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        detail = exc.detail
        if isinstance(exc, TooManyRequests) and detail is None:
            # When to retry, in the body too (clients that drop headers, people reading it).
            detail = {"retry_after": exc.retry_after}
        response = error_response(api, request, status=exc.status, code=exc.code,
                                  field=exc.field, detail=detail,
                                  errors=error_items(request, exc))
        if isinstance(exc, TooManyRequests):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(OperationalError)
    @api.exception_handler(InterfaceError)
    def database_unavailable(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The database went away (restart, failover, network): the transaction rolled back, so
        # nothing was stored and the client may retry; a 503 with Retry-After says so, where a
        # bare 500 would look like a bug.
        logger.warning("database unavailable: %s", type(exc).__name__)
        response = error_response(api, request, status=503, code="database_unavailable")
        response["Retry-After"] = "5"
        return response

    @api.exception_handler(RequestDataTooBig)
    def request_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # Over DATA_UPLOAD_MAX_MEMORY_SIZE: Django's own answer is an HTML 400 page.
        return error_response(api, request, status=413, code="request_too_large")

    @api.exception_handler(SuspiciousOperation)
    @api.exception_handler(MultiPartParserError)
    def malformed_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        # A multipart body Django cannot parse (e.g. a 5,000-character file name), too many
        # fields: Django's own answer would be an HTML 400 page without a code.
        return error_response(api, request, status=400, code="validation_error")

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        detail = [
            {"field": _field_of(e), "type": e.get("type"), "msg": e.get("msg")}
            for e in exc.errors[:20]
        ]
        return error_response(api, request, status=422, code="validation_error",
                              field=_field_of(first), detail=detail,
                              errors=_schema_error_items(request, exc.errors[:20]))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error_response(api, request, status=401, code="not_authenticated")

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, ApplicationError):
            return error_response(api, request, status=cause.status, code=cause.code,
                                  field=cause.field, detail=cause.detail,
                                  errors=error_items(request, cause))
        if exc.status_code == 400:
            return error_response(api, request, status=400, code="invalid_json")
        code = {401: "not_authenticated", 403: "permission_denied", 404: "not_found",
                429: "rate_limited"}.get(exc.status_code, "validation_error")
        return error_response(api, request, status=exc.status_code, code=code)
