"""The API against its own OpenAPI schema: generated requests (valid and invalid) never get a
5xx, and every response matches the documented status codes, content type and schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lapor.config.api import api
from lapor.config.wsgi import application
from tests.api_client import login
from tests.factories import PASSWORD, Tree

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Unknown query parameters are ignored, as HTTP clients (cache busters, tracking tags) expect;
# don't count "an extra parameter was accepted" as a failure.
schema.config.generation.update(allow_extra_parameters=False)


@pytest.fixture
def staff_headers(tree: Tree) -> dict[str, str]:
    client = login("national", PASSWORD)
    return {"Authorization": f"Bearer {client.token}"}


@pytest.fixture
def keep_test_connection(staff_headers: dict[str, str]) -> Iterator[None]:
    """Calling the WSGI app directly fires request signals that close the database connection,
    which would end the test's transaction; Django's own test client disconnects them too (and
    reconnects them afterwards, hence after the login above)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_api_conforms_to_its_schema(
    case: Any, staff_headers: dict[str, str], keep_test_connection: None
) -> None:
    # Schema-valid is not always domain-valid (an unknown region code, a phone number that
    # doesn't exist): those get a documented 422, so "positive data acceptance" can't apply.
    # identity: the WSGI transport does not undo a Content-Encoding (the regency boundaries are
    # gzipped for clients that accept it), so it must not ask for one.
    case.call_and_validate(headers={**staff_headers, "Accept-Encoding": "identity"},
                           excluded_checks=[positive_data_acceptance])


def test_operation_ids_do_not_follow_the_code_layout() -> None:
    """Generated clients name their methods after operationId: moving the routers into
    lapor.api (issue #20) kept the ids they had (lapor_<app>_api_<function>)."""
    schema = api.get_openapi_schema()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()
           if isinstance(op, dict)}
    assert {"lapor_accounts_api_login", "lapor_reports_api_submit",
            "lapor_notifications_push_api_push_subscribe"} <= ids, sorted(ids)[:10]
    assert not [i for i in ids if i.startswith("lapor_api_")]
    assert len(ids) == len([op for path in schema["paths"].values() for op in path.values()
                            if isinstance(op, dict)])
