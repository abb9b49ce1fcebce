"""Access matrix (issue #3): every role × another agency's objects → 404, on every object endpoint.

The operations are read from the live OpenAPI schema (``GET /api/v1/openapi.json``), never from a
hand-written list: every operation whose path has a parameter (``{report_id}``,
``{attachment_id}``, ``{tracking_number}``, ``{code}``, ``{day}``, …) is an object endpoint and
must be classified in ``KINDS`` below and have a filler for each of its path parameters, or the
test fails. A new endpoint therefore cannot slip past the matrix: whoever adds it has to decide
here what an outsider gets.

The objects belong to Pemerintah Kota Samarinda: a report submitted to the agency ``samarinda``,
disposed by its hub to ``samarinda-dishub``, with a PNG uploaded by the Samarinda liaison (and
one by the reporter), an internal note and a local day off. Every Kutai Timur-side staff role of
the test tree, and ``sysadmin`` (configuration only, no report content), calls every object
endpoint with a minimal valid body built from the operation's request schema.

Expected answers, by kind of endpoint (``KINDS``):

* ``staff`` (``/reports/{report_id}/…``): 404 for every outsider, GET and POST alike: never 200,
  never 403 (which would confirm that the report exists), never 409 (a state check before the
  access check would do the same). Positive control: Samarinda's hub gets no 404 on the GETs.
* ``reporter`` (``/track/{tracking_number}/full|reply|messages|attachments…|my-data``): proven
  by the access code or the reporter account's token only. A staff token is not the reporter: 401
  ``invalid_access_code``. That 401 confirms nothing: the answer is the same for a tracking
  number that does not exist, and the tracking number is public anyway (``/track/{n}``).
  Positive control: Samarinda's reporter, with their code, gets 200 on the GETs.
* ``public`` (``/track/{n}``, ``/track/{n}/support``, ``/public/track/{n}/attachments``): public
  by design for a report that is not confidential; 200 for anyone, but never the title, the body
  or the internal note (security.md: "status and public timeline by tracking number").
* ``public_download`` (``/public/attachments/{id}``): the liaison's file is not published, so 404
  for everyone (the control publishes a second file and downloads it: 200).
* ``reference`` (``/orgs/{code}``, ``/regions/{code}``, a regency's kecamatan boundaries):
  public reference data, 200 for anyone.
* ``sop`` (``/orgs/{code}/sop|days-off|routing-rules|escalation-chain``): an agency's settings.
  Reading another agency's SOP is 404 (``unknown_node``). Changing it is **403**
  ``permission_denied``: intentional, because which agencies exist is public reference data
  (``GET /orgs/samarinda`` is 200 for anyone), so the 403 confirms nothing. ``sysadmin`` holds its
  role on the national root and ``can_edit_sop`` lets system administrators above an agency edit
  its SOP (configuration, not report content): 200/204 for sysadmin, by design.
* ``renaksi`` (``/renaksi/plans/{plan_id}…``, ``/renaksi/activities/{activity_id}…``,
  ``/renaksi/evidence/{evidence_id}``, ``/renaksi/units/{code}/readiness``): Samarinda's Renaksi
  plan, an activity for Dishub and the evidence file of another. 404 for every outsider, reads
  and writes alike (everything starts from the plans and activities the caller may see). The
  system administrator above the agency reads and writes a plan like the SOP it configures
  (lapor.renaksi.permissions): 200/201/204 for sysadmin, by design. Operations that delete run
  last (the other calls need the objects).

Each response body is also checked for the report's title, body, tracking number and the
internal note (the tracking number may appear only in the public view, which is looked up by
it). Mismatches are collected as ``actor METHOD path → status`` and asserted empty at the end.
"""

from __future__ import annotations

import io
import itertools
import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from lapor.intake.applications import integration_app_create
from lapor.renaksi import services as renaksi_services
from lapor.renaksi.evidence import evidence_add
from tests.api_client import API, ApiClient, login
from tests.factories import PASSWORD, Tree, submit

SAMARINDA_TITLE = "Lampu lalu lintas mati di Simpang Lembuswana"
SAMARINDA_BODY = (
    "Lampu lalu lintas di Simpang Lembuswana padam sejak Kamis malam; kendaraan saling serobot "
    "dan hampir terjadi tabrakan di depan Mal Lembuswana."
)
INTERNAL_NOTE = "Catatan internal Dishub: koordinasi dengan Satlantas soal genset Tanjakan-Rahasia."
SAMARINDA_DAY_OFF = date(2027, 3, 10)
SAMARINDA_REFERENCE = "SIPP-SMD-2027-0001"

# Kutai Timur-side staff of tests.factories.make_tree, plus the system administrator.
OUTSIDERS = ("hub", "liaison_pupr", "officer_pupr", "liaison_binamarga", "liaison_dinkes",
             "supervisor_kutim", "supervisor_pupr", "sysadmin")
OWNER = "hub_samarinda"

# Every operation with a path parameter, by (METHOD, path without /api/v1). A new object endpoint
# fails test_every_object_endpoint_is_in_the_matrix until it is classified here.
KINDS: dict[tuple[str, str], str] = {
    ("GET", "/reports/{report_id}"): "staff",
    ("POST", "/reports/{report_id}/hold"): "staff",
    ("POST", "/reports/{report_id}/archive"): "staff",
    ("POST", "/reports/{report_id}/unarchive"): "staff",
    ("POST", "/reports/{report_id}/privacy"): "staff",
    ("POST", "/reports/{report_id}/dispose"): "staff",
    ("POST", "/reports/{report_id}/forward"): "staff",
    ("POST", "/reports/{report_id}/return"): "staff",
    ("POST", "/reports/{report_id}/pass-up"): "staff",
    ("POST", "/reports/{report_id}/acknowledge"): "staff",
    ("POST", "/reports/{report_id}/follow-ups"): "staff",
    ("POST", "/reports/{report_id}/close"): "staff",
    ("POST", "/reports/{report_id}/notes"): "staff",
    ("GET", "/reports/{report_id}/routing-suggestion"): "staff",
    ("POST", "/reports/{report_id}/reveal-identity"): "staff",
    ("POST", "/reports/{report_id}/attachments"): "staff",
    ("GET", "/reports/{report_id}/attachments"): "staff",
    ("GET", "/reports/{report_id}/attachments/{attachment_id}"): "staff",
    ("POST", "/reports/{report_id}/attachments/{attachment_id}/publish"): "staff",
    ("GET", "/track/{tracking_number}/full"): "reporter",
    ("POST", "/track/{tracking_number}/reply"): "reporter",
    ("POST", "/track/{tracking_number}/messages"): "reporter",
    ("POST", "/track/{tracking_number}/attachments"): "reporter",
    ("GET", "/track/{tracking_number}/attachments"): "reporter",
    ("GET", "/track/{tracking_number}/attachments/{attachment_id}"): "reporter",
    ("GET", "/track/{tracking_number}/my-data"): "reporter",  # UU PDP export (lapor/privacy)
    # Web Push opt-in (lapor.api.notifications.push): the reporter only, like every /track/ act.
    ("POST", "/track/{tracking_number}/push"): "reporter",
    ("POST", "/track/{tracking_number}/push/unsubscribe"): "reporter",
    ("GET", "/track/{tracking_number}"): "public",
    ("POST", "/track/{tracking_number}/support"): "public",
    ("GET", "/public/track/{tracking_number}/attachments"): "public",
    ("GET", "/public/attachments/{attachment_id}"): "public_download",
    ("GET", "/orgs/{code}"): "reference",
    ("GET", "/regions/{code}"): "reference",
    ("GET", "/regions/{regency_code}/boundaries"): "reference",
    ("GET", "/orgs/{code}/sop"): "sop",
    ("PATCH", "/orgs/{code}/sop"): "sop",
    ("POST", "/orgs/{code}/days-off"): "sop",
    ("DELETE", "/orgs/{code}/days-off/{day}"): "sop",
    ("PUT", "/orgs/{code}/routing-rules"): "sop",
    ("PUT", "/orgs/{code}/escalation-chain"): "sop",
    # lapor.search: duplicates, merge and routing suggestions are verifier tools.
    ("GET", "/reports/{report_id}/duplicates"): "staff",
    ("GET", "/reports/{report_id}/suggestions"): "staff",
    ("POST", "/reports/{report_id}/merge"): "staff",
    # lapor.stats: a node's dashboard is for readers of its subtree; public figures for all.
    ("GET", "/stats/nodes/{code}"): "staff",
    ("GET", "/stats/nodes/{code}/overdue"): "staff",
    ("GET", "/stats/nodes/{code}/rows/{table}"): "staff",
    ("GET", "/stats/public/{code}"): "reference",
    ("GET", "/stats/public/{code}/rows/{table}"): "reference",
    # lapor.intake: an integrated application reads only its own reports, with its own token.
    ("GET", "/integration/reports/{reference_id}"): "integration",
    # lapor.renaksi: an agency's programme, for its hub, pimpinan and auditors (and its units).
    ("GET", "/renaksi/plans/{plan_id}"): "renaksi",
    ("PATCH", "/renaksi/plans/{plan_id}"): "renaksi",
    ("GET", "/renaksi/plans/{plan_id}/activities"): "renaksi",
    ("POST", "/renaksi/plans/{plan_id}/activities"): "renaksi",
    ("GET", "/renaksi/plans/{plan_id}/readiness"): "renaksi",
    ("GET", "/renaksi/plans/{plan_id}/report.pdf"): "renaksi",
    ("GET", "/renaksi/plans/{plan_id}/report.xlsx"): "renaksi",
    ("GET", "/renaksi/activities/{activity_id}"): "renaksi",
    ("PATCH", "/renaksi/activities/{activity_id}"): "renaksi",
    ("DELETE", "/renaksi/activities/{activity_id}"): "renaksi",
    ("POST", "/renaksi/activities/{activity_id}/evidence"): "renaksi",
    ("GET", "/renaksi/evidence/{evidence_id}"): "renaksi",
    ("DELETE", "/renaksi/evidence/{evidence_id}"): "renaksi",
    ("GET", "/renaksi/units/{code}/readiness"): "renaksi",
}

# Plausible values for required body fields, by field name (anything else comes from its type).
PLAUSIBLE: dict[str, Any] = {
    "node": "samarinda-dishub",
    "target": "samarinda-dishub",
    "nodes": "samarinda",
    "question": "Mohon sebutkan jam tepatnya lampu padam.",
    "body": "Sudah kami teruskan ke petugas lapangan untuk diperiksa.",
    "reason": "Perlu ditinjau ulang oleh unit yang berwenang atas laporan ini.",
    "date": "2027-03-11",
    "accept": True,
}

PARAM = re.compile(r"{(\w+)}")


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path) -> Iterator[None]:
    """Attachments in a temporary directory, no virus scanner, and rate limits out of the way
    (the matrix makes many lookups from one address; the limits have their own tests)."""
    storages = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "attachments"},
    }}
    with override_settings(STORAGES=storages, LAPOR_CLAMAV_SOCKET=None,
                           LAPOR_RATE_LOOKUPS_PER_MINUTE=100_000,
                           LAPOR_RATE_CODE_FAILURES_PER_HOUR=100_000,
                           LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR=100_000):
        yield


# ---------------------------------------------------------------- schema


def _schema() -> dict[str, Any]:
    response = ApiClient().get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _object_operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path without the /api/v1 prefix, operation) for every path with a parameter;
    deletions last (a caller allowed to delete must not remove what the other calls use)."""
    out = []
    for full_path, operations in schema["paths"].items():
        path = full_path.removeprefix(API)
        if not PARAM.search(path):
            continue
        for method, operation in operations.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((method.upper(), path, operation))
    return sorted(out, key=lambda op: (op[0] == "DELETE", op[1], op[0]))


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _example(schema: dict[str, Any], name: str, components: dict[str, Any]) -> Any:
    """A plausible value for ``schema``: only required fields, respecting simple constraints."""
    schema = _resolve(schema, components)
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if _resolve(s, components).get("type") != "null"]
            return _example(options[0], name, components)
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {field: _example(properties[field], field, components)
                for field in schema.get("required", [])}
    if kind == "array":
        return [_example(schema["items"], name, components)] * max(1, schema.get("minItems", 1))
    if name in PLAUSIBLE:
        return PLAUSIBLE[name]
    text = "Isian contoh yang masuk akal"
    by_type = {
        "string": ("2027-03-11" if schema.get("format") == "date"
                   else (text * 5)[: max(len(text), schema.get("minLength", 0))]),
        "integer": schema.get("minimum", 1),
        "number": 1.0,
        "boolean": True,
    }
    assert kind in by_type, f"no example for {name}: {schema}"
    return by_type[kind]


_PNGS = itertools.count()


def _png() -> bytes:
    """A new picture each call: an upload of the same content by the same side gives the
    earlier attachment back (a retried upload), and every upload here is meant to be new."""
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, next(_PNGS) % 256, 30)).save(out, format="PNG")
    return out.getvalue()


# ---------------------------------------------------------------- calls


class World:
    """Samarinda's objects and how to fill the path parameters of an operation with them."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        submitted = submit(tree, title=SAMARINDA_TITLE, body=SAMARINDA_BODY,
                           region_code="64.72.03", target_agency_code=tree.samarinda.code,
                           reporter_name="Rahmat Hidayat", reporter_email="rahmat@example.org",
                           reporter_phone="0813-5000-1234")
        self.report = submitted.report
        self.access_code = submitted.access_code
        self.tracking = self.report.tracking_number
        self.tokens = {name: login(name, PASSWORD).token
                       for name in (*OUTSIDERS, OWNER, "liaison_samarinda")}

        owner = ApiClient(self.tokens[OWNER])
        ok = owner.post(f"/reports/{self.report.pk}/dispose", {"node": "samarinda-dishub"})
        assert ok.status_code == 200, ok.content
        liaison = ApiClient(self.tokens["liaison_samarinda"])
        ok = liaison.post(f"/reports/{self.report.pk}/notes", {"body": INTERNAL_NOTE})
        assert ok.status_code == 200, ok.content
        self.staff_attachment = self._upload(f"/reports/{self.report.pk}/attachments",
                                             {"Authorization": f"Bearer {liaison.token}"})
        self.reporter_attachment = self._upload(f"/track/{self.tracking}/attachments",
                                                {"X-Access-Code": self.access_code})
        # A second staff file, published: shows that the public download URL itself works.
        self.published_attachment = self._upload(f"/reports/{self.report.pk}/attachments",
                                                 {"Authorization": f"Bearer {liaison.token}"})
        ok = owner.post(f"/reports/{self.report.pk}/attachments/"
                        f"{self.published_attachment}/publish")
        assert ok.status_code == 200, ok.content
        ok = owner.post("/orgs/samarinda/days-off",
                        {"date": SAMARINDA_DAY_OFF.isoformat(), "reason": "Hari jadi kota"})
        assert ok.status_code == 200, ok.content

        # Samarinda's integrated application and the report it submitted (lapor.intake).
        self.app_token = integration_app_create(agency_code="samarinda", name="SIPP Samarinda",
                                                callback_url="").token
        ok = ApiClient().client.post(
            API + "/integration/reports", data=json.dumps({
                "reference_id": SAMARINDA_REFERENCE, "type": "complaint",
                "title": "Drainase tersumbat di Jalan Juanda",
                "body": "Saluran di Jalan Juanda tersumbat sampah sejak pekan lalu.",
                "region_code": "64.72.03"}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.app_token}", "Idempotency-Key": "k-1"})
        assert ok.status_code == 201, ok.content
        self.integration_tracking = ok.json()["tracking_number"]
        # Body fields that name another object: Samarinda's second report (a merge target).
        self.values = {"into": self.integration_tracking}

        # Samarinda's Renaksi: a plan, an activity of Dishub and its evidence (lapor.renaksi).
        samarinda_hub = tree.actor(OWNER)
        self.plan = renaksi_services.plan_create(
            actor=samarinda_hub, agency=tree.samarinda, title="Renaksi Kota Samarinda",
            start_year=2025, end_year=2028)
        self.activity = renaksi_services.activity_create(
            actor=samarinda_hub, plan=self.plan, kind="sosialisasi",
            title="Sosialisasi SP4N-LAPOR! Dishub", planned_start=date(2026, 2, 1),
            planned_end=date(2026, 2, 28), unit_codes=[tree.samarinda_dishub.code],
            proof_indicator="liaison")
        # The evidence belongs to a second activity: deleting the first keeps it.
        bimtek = renaksi_services.activity_create(
            actor=samarinda_hub, plan=self.plan, kind="bimtek", title="Bimtek Dishub",
            planned_start=date(2026, 3, 2), planned_end=date(2026, 3, 3),
            unit_codes=[tree.samarinda_dishub.code])
        self.evidence = evidence_add(actor=samarinda_hub, activity=bimtek, kind="attendance",
                                     data=_png(), filename="hadir.png")

        # The Kutai Timur reporter: their own report and their own access code.
        kutim = submit(tree)
        self.kutim_tracking = kutim.report.tracking_number
        self.kutim_code = kutim.access_code

    @staticmethod
    def _upload(path: str, headers: dict[str, str]) -> int:
        response = ApiClient().client.post(
            API + path, {"file": SimpleUploadedFile("bukti.png", _png(), "image/png")},
            headers=headers)
        assert response.status_code == 201, response.content
        return response.json()["id"]

    def path(self, template: str) -> str:
        fillers = {
            "report_id": self.report.pk,
            # The reporter's own file under /track (so the owner's control is a real 200),
            # the liaison's unpublished file everywhere else.
            "attachment_id": (self.reporter_attachment if template.startswith("/track/")
                              else self.staff_attachment),
            "tracking_number": self.tracking,
            "code": (self.tree.samarinda.region_id if template.startswith("/regions/") else
                     self.tree.samarinda_dishub.code if template.startswith("/renaksi/units/")
                     else self.tree.samarinda.code),
            "regency_code": self.tree.samarinda.region_id[:5],  # its kecamatan's shapes
            "reference_id": SAMARINDA_REFERENCE,
            "day": SAMARINDA_DAY_OFF.isoformat(),
            "table": "units",  # a dashboard's long table (lapor.stats)
            "plan_id": self.plan.pk,
            "activity_id": self.activity.pk,
            "evidence_id": self.evidence.pk,
        }
        missing = set(PARAM.findall(template)) - set(fillers)
        assert not missing, f"no filler for {missing} in {template}: add one to World.path"
        return PARAM.sub(lambda m: str(fillers[m.group(1)]), template)

    def forbidden(self, kind: str) -> tuple[str, ...]:
        strings = (SAMARINDA_TITLE, SAMARINDA_BODY, "Lembuswana", INTERNAL_NOTE,
                   "Tanjakan-Rahasia")
        # The public view is looked up by the tracking number and may repeat it.
        return strings if kind == "public" else (*strings, self.tracking)


def call(method: str, path: str, operation: dict[str, Any], components: dict[str, Any],
         headers: dict[str, str], *, values: dict[str, Any] | None = None) -> Any:
    client = ApiClient().client
    headers = {"Accept-Language": "id", **headers}
    content = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in content:
        upload = SimpleUploadedFile("bukti.png", _png(), "image/png")
        return client.post(API + path, {"file": upload}, headers=headers)
    if "application/json" in content:
        body = _example(content["application/json"]["schema"], "payload", components)
        if isinstance(body, dict):  # the World's own objects where a field names one
            body.update({k: v for k, v in (values or {}).items() if k in body})
        return client.generic(method, API + path, data=json.dumps(body),
                              content_type="application/json", headers=headers)
    return client.generic(method, API + path, headers=headers)


def _text(response: Any) -> str:
    raw = (b"".join(response.streaming_content) if response.streaming
           else response.content)
    return raw.decode("utf-8", errors="replace")


def _leaks(text: str, forbidden: tuple[str, ...]) -> list[str]:
    return [s for s in forbidden if s in text]


def _record(mismatches: dict[str, str], where: tuple[str, str, str], response: Any, *,
            expected: set[int], forbidden: tuple[str, ...]) -> None:
    who, method, path = where
    text = _text(response)
    leaked = _leaks(text, forbidden)
    if response.status_code not in expected or leaked:
        mismatches[f"{who} × {method} {path}"] = (
            f"{response.status_code} (expected {sorted(expected)})"
            + (f" LEAKS {leaked}" if leaked else "") + f": {text[:200]}"
        )


def _report(mismatches: dict[str, str]) -> str:
    return "\n".join(f"{key} → {value}" for key, value in sorted(mismatches.items()))


def _expected_for_staff(kind: str, method: str, who: str) -> set[int]:
    if kind == "sop":
        if who == "sysadmin":  # SOP is configuration; sysadmin covers every agency (root)
            return {204} if method == "DELETE" else {200}
        return {404} if method == "GET" else {403}
    if kind == "renaksi" and who == "sysadmin":  # configures the agency: reads and writes
        return {"POST": {201}, "DELETE": {204}}.get(method, {200})
    return {
        "staff": {404},
        "reporter": {401},
        "public": {200, 409} if method == "POST" else {200},  # 409: already supported
        "public_download": {404},
        "reference": {200},
        "integration": {401},  # a staff token is not an application's token
        "renaksi": {404},
    }[kind]


# ---------------------------------------------------------------- tests


def test_every_object_endpoint_is_in_the_matrix(db: None) -> None:
    schema = _schema()
    found = {(method, path) for method, path, _ in _object_operations(schema)}
    assert found, "the schema lists no object endpoint: enumeration is broken"
    unclassified = sorted(found - set(KINDS))
    assert not unclassified, (
        f"object endpoints without an access-matrix entry (add them to KINDS): {unclassified}"
    )
    stale = sorted(set(KINDS) - found)
    assert not stale, f"KINDS lists operations the API no longer has: {stale}"
    fillable = {"report_id", "attachment_id", "tracking_number", "code", "day", "reference_id",
                "regency_code", "table", "plan_id", "activity_id", "evidence_id"}
    params = {p for _, path in found for p in PARAM.findall(path)}
    assert params <= fillable, f"path parameters without a filler: {params - fillable}"


def test_other_agency_staff_get_404_on_every_object_endpoint(tree: Tree) -> None:
    world = World(tree)
    schema = _schema()
    components = schema.get("components", {}).get("schemas", {})
    operations = _object_operations(schema)
    assert {(m, p) for m, p, _ in operations} <= set(KINDS), "run the classification test"

    mismatches: dict[str, str] = {}
    calls = 0
    # sysadmin last: it may legitimately change Samarinda's SOP (and remove its day off).
    for who in OUTSIDERS:
        headers = {"Authorization": f"Bearer {world.tokens[who]}"}
        for method, template, operation in operations:
            kind = KINDS[(method, template)]
            path = world.path(template)
            response = call(method, path, operation, components, headers, values=world.values)
            calls += 1
            _record(mismatches, (who, method, path), response,
                    expected=_expected_for_staff(kind, method, who),
                    forbidden=world.forbidden(kind))
        # Objects addressed by a query parameter: another agency's inbox.
        for node in ("samarinda", "samarinda-dishub"):
            response = ApiClient(world.tokens[who]).get("/inbox", {"node": node,
                                                                  "include_subtree": "true"})
            calls += 1
            # No reader role covers Samarinda's nodes, sysadmin's included (configuration
            # only, no report content): the inbox is 404 like any object of another agency.
            expected = {404}
            _record(mismatches, (who, "GET", f"/inbox?node={node}"), response,
                    expected=expected, forbidden=world.forbidden("staff"))
            if response.status_code == 200 and response.json().get("items"):
                mismatches[f"{who} × GET /inbox?node={node}"] = f"items: {response.json()}"

    # Nothing was changed by the outsiders' POSTs.
    world.report.refresh_from_db()
    if world.report.status != "disposed":
        mismatches["(state) report status"] = f"{world.report.status}, expected disposed"

    print(f"access matrix: {len(OUTSIDERS)} roles × {len(operations)} object operations "
          f"(+2 inbox lookups each) = {calls} calls, {len(mismatches)} wrong")
    assert calls >= len(OUTSIDERS) * len(operations)
    assert not mismatches, f"{len(mismatches)} of {calls} calls wrong:\n{_report(mismatches)}"


def test_owner_agency_reads_every_object_endpoint(tree: Tree) -> None:
    """Positive control: the same URLs answer Samarinda (so the 404s above are about access)."""
    world = World(tree)
    schema = _schema()
    operations = _object_operations(schema)
    components = schema.get("components", {}).get("schemas", {})
    mismatches: dict[str, str] = {}
    owner = {"Authorization": f"Bearer {world.tokens[OWNER]}"}
    reporter = {"X-Access-Code": world.access_code}
    for method, template, operation in operations:
        if method != "GET":
            continue
        kind = KINDS[(method, template)]
        path = world.path(template)
        headers = {"reporter": reporter, "integration": {
            "Authorization": f"Bearer {world.app_token}"}}.get(kind, owner)
        who = {"reporter": "samarinda_reporter", "integration": "sipp_samarinda"}.get(kind, OWNER)
        response = call(method, path, operation, components, headers, values=world.values)
        if kind == "public_download":
            # The liaison's file is unpublished (404 for everyone); the published one is served.
            _record(mismatches, (who, method, path), response, expected={404}, forbidden=())
            path = PARAM.sub(str(world.published_attachment), template)
            response = call(method, path, operation, components, {}, values=world.values)
        if response.status_code != 200:
            mismatches[f"{who} × {method} {path}"] = (
                f"{response.status_code} (expected 200): {_text(response)[:200]}")
    detail = ApiClient(world.tokens[OWNER]).get(f"/reports/{world.report.pk}").json()
    # The owner's view really is the report (the strings the outsiders must not see are there).
    assert detail["title"] == SAMARINDA_TITLE
    assert INTERNAL_NOTE in str(detail)
    owner_inbox = ApiClient(world.tokens[OWNER]).get("/inbox", {"node": "samarinda",
                                                               "include_subtree": "true"})
    assert owner_inbox.status_code == 200
    assert {r["tracking_number"] for r in owner_inbox.json()["items"]} == {
        world.tracking, world.integration_tracking}
    # The generated bodies are valid: the owner's POSTs are never refused as malformed or
    # not found (409/403/business 422 are fine: a state, a permission or a rule).
    for method, template, operation in operations:
        kind = KINDS[(method, template)]
        if method == "GET" or kind not in ("staff", "reporter", "sop", "renaksi"):
            continue
        path = world.path(template)
        who = "samarinda_reporter" if kind == "reporter" else OWNER
        response = call(method, path, operation, components,
                        reporter if kind == "reporter" else owner, values=world.values)
        # A 422 from a business rule (e.g. rating_required) got past parsing and access.
        schema_refused = (response.status_code == 422
                          and response.json().get("code") == "validation_error")
        if schema_refused or response.status_code in (400, 401, 404) or (
                response.status_code >= 500):
            mismatches[f"{who} × {method} {path}"] = (
                f"{response.status_code} (expected a real answer): {_text(response)[:200]}")
    assert not mismatches, _report(mismatches)


def test_other_reporter_gets_nothing_of_another_agencys_report(tree: Tree) -> None:
    """The Kutai Timur reporter, with their own (valid) access code, on Samarinda's report."""
    world = World(tree)
    schema = _schema()
    components = schema.get("components", {}).get("schemas", {})
    operations = _object_operations(schema)
    mismatches: dict[str, str] = {}
    # Their code works on their own report (the code is real, not just wrong).
    own = ApiClient().get(f"/track/{world.kutim_tracking}/full",
                          headers={"X-Access-Code": world.kutim_code})
    assert own.status_code == 200, own.content

    headers = {"X-Access-Code": world.kutim_code}
    for method, template, operation in operations:
        kind = KINDS[(method, template)]
        if kind in ("reference", "sop"):
            continue  # no report object; staff-only settings are covered above
        path = world.path(template)
        response = call(method, path, operation, components, headers, values=world.values)
        expected = {
            "reporter": {401, 404},
            "staff": {401},  # no bearer token: not authenticated as staff at all
            "integration": {401},
            "renaksi": {401},  # no bearer token: not authenticated as staff at all
            "public": {200, 409} if method == "POST" else {200},
            "public_download": {404},
        }[kind]
        _record(mismatches, ("kutim_reporter", method, path), response, expected=expected,
                forbidden=world.forbidden(kind))
        # Their own tracking number with the other report's attachment id: never the file.
        if "{attachment_id}" in template and template.startswith("/track/"):
            mixed = template.replace("{tracking_number}", world.kutim_tracking)
            mixed = mixed.replace("{attachment_id}", str(world.reporter_attachment))
            response = call(method, mixed, operation, components, headers, values=world.values)
            _record(mismatches, ("kutim_reporter", method, mixed), response, expected={404},
                    forbidden=world.forbidden(kind))
    assert not mismatches, _report(mismatches)
