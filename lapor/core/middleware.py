"""Request hygiene that applies to every URL: the request id. (The NUL guard, which knows
every surface's error format, is :mod:`lapor.config.middleware`.)"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from lapor.core.logging import NO_REQUEST, request_id_var

# A client's (or the proxy's) X-Request-ID is kept only when it is a short plain token, so a
# header can't inject text into log lines or carry personal data into them.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _clear_request_id(**kwargs: object) -> None:
    request_id_var.set(NO_REQUEST)


# Django logs 4xx/5xx responses ("django.request") after the middleware chain has returned, so
# the id stays set until the response is closed.
request_finished.connect(_clear_request_id, dispatch_uid="lapor.core.clear_request_id")


class RequestIdMiddleware:
    """Give each request an id: the client's ``X-Request-ID`` when it is a safe token (at most
    64 of ``[A-Za-z0-9._-]``), else a new random one. Log records carry it (via
    :data:`lapor.core.logging.request_id_var`) and the response returns it in ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if _SAFE_REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
