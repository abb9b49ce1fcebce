"""A JSON body that is not an object (an array, a string, a number) is refused with a 422 by
every operation that takes a JSON object, before anything is read or written: Ninja schemas
also read fields as attributes of any value, so an all-optional PATCH body would otherwise
take ``[null, null]`` as "no change" and answer 200 (lapor.core.api.ObjectBody)."""

from __future__ import annotations

import json
import re

import pytest

from lapor.config.api import api
from lapor.orgs.models import OrgNode
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db

NOT_OBJECTS = ([None, None], "abc", 7)


def _object_body_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            body = content.get("application/json", {}).get("schema")
            if body is None:
                continue
            if "$ref" in body:
                name = body["$ref"].rsplit("/", 1)[-1]
                body = schema["components"]["schemas"][name]
            if body.get("type") == "object":
                found.append((method.upper(), path))
    return found


def _fill(path: str) -> str:
    """Path parameters with values of the right shape (the body is checked with them)."""
    return re.sub(r"\{[^}]+\}", lambda m: "kutim" if "code" in m.group(0) else "1",
                  path.removeprefix("/api/v1"))


def test_an_all_optional_patch_refuses_an_array(tree: Tree) -> None:
    client = login("hub", PASSWORD)
    before = OrgNode.objects.get(code="kutim")
    for body in NOT_OBJECTS:
        response = client.patch("/orgs/kutim/sop", body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["code"] == "validation_error"
    assert OrgNode.objects.get(code="kutim") == before
    # A real change still works.
    assert client.patch("/orgs/kutim/sop", {}).status_code == 200


def test_every_object_body_refuses_other_json(tree: Tree) -> None:
    operations = _object_body_operations()
    assert len(operations) >= 30, operations
    staff = login("national", PASSWORD)
    public = ApiClient()
    refused = 0
    for method, path in operations:
        for body in NOT_OBJECTS:
            for client in (staff, public):
                response = client.client.generic(
                    method, "/api/v1" + _fill(path), data=json.dumps(body),
                    content_type="application/json", headers=client._headers(None))
                status = response.status_code
                # Never accepted; 401/403 where this client may not call it at all (another
                # kind of credential: integration tokens, signed peers).
                assert 400 <= status < 500, (method, path, body, status, response.content)
                refused += status == 422
    assert refused >= len(operations) * len(NOT_OBJECTS)
