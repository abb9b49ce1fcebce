"""Organisation tree, categories, regions (public reference data) and SOP settings (admins)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from lapor.api.auth import BearerAuth, request_actor
from lapor.categories.selectors import categories_active, category_get
from lapor.core.api import ObjectBody, errors
from lapor.core.errors import NotFound, ValidationFailed
from lapor.core.language import request_language
from lapor.orgs import services
from lapor.orgs.models import DayOff, EscalationStep, NodeKind, OrgNode, RoutingRule, Sop
from lapor.orgs.permissions import can_edit_sop
from lapor.orgs.selectors import node_get, nodes_list
from lapor.regions.geo import regency_boundaries
from lapor.regions.selectors import (
    district_locate,
    region_children,
    region_get,
    region_search,
)

router = Router(tags=["reference"])
sop_router = Router(tags=["sop"], auth=BearerAuth())


class NodeOut(Schema):
    code: str
    name: str
    kind: str
    parent: str | None
    is_hub: bool
    region: str | None


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None
    resolution_days: int


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None


def _node(n: OrgNode) -> dict[str, Any]:
    return {"code": n.code, "name": n.name, "kind": n.kind,
            "parent": n.parent.code if n.parent else None, "is_hub": n.is_hub,
            "region": n.region_id}


@router.get("/orgs", response={200: list[NodeOut], **errors(404)},
            summary="Organisation nodes, optionally the children of one node or of one kind")
def orgs(request: HttpRequest, parent: str | None = None,
         kind: NodeKind | None = None) -> list[dict[str, Any]]:
    parent_node = None
    if parent:
        parent_node = node_get(parent)
        if parent_node is None:
            raise NotFound("unknown_node", field="parent")
    qs = nodes_list(parent=parent_node, kind=kind).select_related("parent")
    return [_node(n) for n in qs[:2000]]


@router.get("/orgs/{code}", response={200: NodeOut, **errors(404)})
def org(request: HttpRequest, code: str) -> dict[str, Any]:
    node = node_get(code)
    if node is None:
        raise NotFound("unknown_node", field="code")
    return _node(node)


@router.get("/categories", response={200: list[CategoryOut], **errors()},
            summary="Active categories with their resolution tier in working days")
def categories(request: HttpRequest) -> list[dict[str, Any]]:
    lang = request_language(request)
    return [
        {"code": c.code, "name": c.name(lang), "parent": c.parent.code if c.parent else None,
         "resolution_days": c.resolution_days}
        for c in categories_active().select_related("parent")
    ]


class RegionQuery(Schema):
    parent: str | None = Field(None, max_length=13, description="Kemendagri code")
    q: str | None = Field(None, max_length=100, description="Search by name")


@router.get("/regions", response={200: list[RegionOut], **errors(404)},
            summary="Regions: provinces, the children of `parent`, or a name search `q`")
def regions(request: HttpRequest, query: Query[RegionQuery]) -> list[dict[str, Any]]:
    if query.q:
        rows = region_search(query.q, limit=50)
    else:
        if query.parent and region_get(query.parent) is None:
            raise NotFound("unknown_region", field="parent")
        rows = list(region_children(query.parent or None)[:1000])
    return [{"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_id}
            for r in rows]


class LocateQuery(Schema):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, examples=[0.5036],
                       description="Latitude, WGS84 decimal degrees")
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, examples=[117.5406],
                       description="Longitude, WGS84 decimal degrees")


class LocatedOut(Schema):
    code: str = Field(description="The kecamatan (district), e.g. 64.08.04")
    name: str
    regency_code: str = Field(description="Its kabupaten/kota, e.g. 64.08")
    regency_name: str
    province_code: str = Field(description="Its province, e.g. 64")
    province_name: str
    exact: bool = Field(description="The point lies inside the kecamatan's boundary; false "
                                    "when it is the nearest one (coast, at sea within 5 km)")
    distance_m: float = Field(description="Metres to the kecamatan's boundary (0 when exact)")


@router.get(
    "/regions/locate", response={200: LocatedOut, **errors()},
    summary="The kecamatan (district) of a point",
    description=(
        "Point in polygon over the shipped kecamatan boundaries (Kepmendagri 2025 codes, "
        "7,284 of 7,285; MIT licence). A point on the coast or at sea within 5 km of a "
        "kecamatan gets the nearest one (`exact: false`, `distance_m`). Anything else "
        "(Singapore, far at sea) is 400 `location_outside_indonesia`; a latitude or "
        "longitude that is not a number in range is 422. Same answer for the same point: "
        "cacheable for a day."))
def region_locate(request: HttpRequest, response: HttpResponse,
                  query: Query[LocateQuery]) -> dict[str, Any]:
    located = district_locate(query.lat, query.lon)
    response["Cache-Control"] = "public, max-age=86400"
    return asdict(located)


class BoundaryProperties(Schema):
    code: str = Field(description="Kemendagri code of the kecamatan")
    name: str


class BoundaryFeature(Schema):
    type: Literal["Feature"]
    properties: BoundaryProperties
    geometry: dict[str, Any] = Field(
        description="GeoJSON Polygon or MultiPolygon, [longitude, latitude]")


class BoundariesOut(Schema):
    type: Literal["FeatureCollection"]
    features: list[BoundaryFeature]


@router.get(
    "/regions/{regency_code}/boundaries",
    response={200: BoundariesOut, 304: None, **errors(404)},
    openapi_extra={"responses": {"200": {"description": "OK", "content": {
        "application/geo+json": {"schema": {"$ref": "#/components/schemas/BoundariesOut"}}}}}},
    summary="The kecamatan boundaries of a regency, as GeoJSON",
    description=(
        "A GeoJSON FeatureCollection of the regency's kecamatan (properties `code`, `name`), "
        "for a map without a tile server. Simplified for drawing (about 55 m; Kutai Timur "
        "64.08: 18 kecamatan, 31 kB, 9 kB gzipped). Public and cacheable: "
        "`Cache-Control: public, max-age=86400`, a strong `ETag` (`If-None-Match` gives "
        "304), gzip when the client accepts it."))
def region_boundaries(
    request: HttpRequest,
    regency_code: str = Path(pattern=r"^[0-9]{2}\.[0-9]{2}$", examples=["64.08"],
                             description="Kemendagri code of a kabupaten/kota"),
) -> HttpResponse:
    found = regency_boundaries(regency_code)
    if found is None:
        raise NotFound("unknown_region", field="regency_code")
    gzipped = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = found.etag[:-1] + '-gzip"' if gzipped else found.etag
    wanted = {tag.strip().removeprefix("W/") for tag in
              request.headers.get("If-None-Match", "").split(",")}
    if wanted & {found.etag, found.etag[:-1] + '-gzip"', "*"}:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(found.gzipped if gzipped else found.body,
                                content_type="application/geo+json")
        if gzipped:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=86400"
    response["Vary"] = "Accept-Encoding"
    return response


@router.get("/regions/{code}", response={200: RegionOut, **errors(404)})
def region(request: HttpRequest, code: str) -> dict[str, Any]:
    r = region_get(code)
    if r is None:
        raise NotFound("unknown_region", field="code")
    return {"code": r.code, "name": r.name, "level": r.level, "parent": r.parent_id}


# ---------------------------------------------------------------- SOP settings


class SopOut(Schema):
    agency: str
    timezone: str
    verify_days: int
    first_followup_days: int
    reply_window_days: int
    hold_days: int
    escalate_after_days: int
    urgent_max_days: int
    sms_keyword: str | None
    receives_region_reports: bool = Field(
        description="The hub receives the reports about its region that name no agency")
    days_off: list[date]
    routing_rules: list[dict[str, Any]]
    escalation_chain: list[str]


class SopIn(ObjectBody):
    timezone: str | None = Field(None, description="WIB, WITA or WIT")
    verify_days: int | None = Field(None, ge=1, le=3)
    first_followup_days: int | None = Field(None, ge=1, le=5)
    reply_window_days: int | None = Field(None, ge=1, le=10)
    hold_days: int | None = Field(None, ge=1, le=10)
    escalate_after_days: int | None = Field(None, ge=1, le=60)
    urgent_max_days: int | None = Field(
        None, description="Reports with a resolution tier of at most this many HK are urgent: "
        "their deadline notices go out at once, any hour (0, 2, 5, 14 or 60; 0: none)")
    sms_keyword: str | None = Field(None, max_length=20)
    receives_region_reports: bool | None = Field(
        None, description="Receive the reports about the agency's region that name no agency "
                          "(hub agencies with a region only)")


class DayOffIn(ObjectBody):
    date: date
    reason: str = Field(min_length=1, max_length=200)


class RoutingRuleIn(ObjectBody):
    category: str | None = Field(None, max_length=60)
    region_prefix: str = Field("", max_length=13)
    target: str = Field(max_length=80)
    priority: int = Field(100, ge=0, le=1000)


class EscalationIn(ObjectBody):
    nodes: list[str] = Field(max_length=10)


def _agency(code: str) -> OrgNode:
    node = node_get(code)
    if node is None or node.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise NotFound("unknown_node", field="code")
    return node


def _sop_out(agency: OrgNode) -> dict[str, Any]:
    sop = Sop.objects.filter(node=agency).first() or Sop(node=agency)
    return {
        "agency": agency.code,
        "timezone": sop.timezone,
        "verify_days": sop.verify_days,
        "first_followup_days": sop.first_followup_days,
        "reply_window_days": sop.reply_window_days,
        "hold_days": sop.hold_days,
        "escalate_after_days": sop.escalate_after_days,
        "urgent_max_days": sop.urgent_max_days,
        "sms_keyword": sop.sms_keyword,
        "receives_region_reports": sop.receives_region_reports,
        "days_off": list(DayOff.objects.filter(node=agency).values_list("date", flat=True)),
        "routing_rules": [
            {"category": r.category.code if r.category else None,
             "region_prefix": r.region_prefix, "target": r.target.code, "priority": r.priority}
            for r in RoutingRule.objects.filter(agency=agency).select_related("category",
                                                                              "target")
        ],
        "escalation_chain": [
            s.node.code for s in EscalationStep.objects.filter(agency=agency)
            .select_related("node")
        ],
    }


_SOP = {200: SopOut, **errors(401, 403, 404)}


@sop_router.get("/orgs/{code}/sop", response=_SOP, summary="An agency's SOP settings")
def sop_get(request: HttpRequest, code: str) -> dict[str, Any]:
    agency = _agency(code)
    if not can_edit_sop(request_actor(request), agency):
        actor = request_actor(request)
        if actor.covering(agency, [a.role for a in actor.assignments]) is None:
            raise NotFound("unknown_node", field="code")
    return _sop_out(agency)


@sop_router.patch("/orgs/{code}/sop", response=_SOP,
                  summary="Change deadlines (never above national maxima), zone, SMS keyword, "
                          "region routing")
def sop_patch(request: HttpRequest, code: str, payload: SopIn) -> dict[str, Any]:
    agency = _agency(code)
    services.sop_update(actor=request_actor(request), agency=agency,
                        **payload.model_dump(exclude_unset=True))
    return _sop_out(agency)


@sop_router.post("/orgs/{code}/days-off", response=_SOP, summary="Add a local day off")
def day_off_add(request: HttpRequest, code: str, payload: DayOffIn) -> dict[str, Any]:
    agency = _agency(code)
    services.day_off_add(actor=request_actor(request), agency=agency, day=payload.date,
                         reason=payload.reason)
    return _sop_out(agency)


@sop_router.delete("/orgs/{code}/days-off/{day}", response={204: None, **errors(401, 403, 404)},
                   summary="Remove a local day off")
def day_off_remove(request: HttpRequest, code: str, day: date) -> Status[None]:
    services.day_off_remove(actor=request_actor(request), agency=_agency(code), day=day)
    return Status(204, None)


@sop_router.put("/orgs/{code}/routing-rules", response=_SOP,
                summary="Replace the routing rules (category × region → unit)")
def routing_rules_put(request: HttpRequest, code: str,
                      payload: list[RoutingRuleIn]) -> dict[str, Any]:
    agency = _agency(code)


    rules = []
    for i, rule in enumerate(payload):
        category = category_get(rule.category) if rule.category else None
        if rule.category and category is None:
            raise ValidationFailed("unknown_category", field=f"{i}.category")
        target = node_get(rule.target)
        if target is None:
            raise ValidationFailed("unknown_node", field=f"{i}.target")
        rules.append((category.pk if category else None, rule.region_prefix, target,
                      rule.priority))
    services.routing_rules_replace(actor=request_actor(request), agency=agency, rules=rules)
    return _sop_out(agency)


@sop_router.put("/orgs/{code}/escalation-chain", response=_SOP,
                summary="Replace the escalation chain (first node is told first)")
def escalation_put(request: HttpRequest, code: str, payload: EscalationIn) -> dict[str, Any]:
    agency = _agency(code)
    nodes = []
    for i, node_code in enumerate(payload.nodes):
        node = node_get(node_code)
        if node is None:
            raise ValidationFailed("unknown_node", field=f"nodes.{i}")
        nodes.append(node)
    services.escalation_chain_replace(actor=request_actor(request), agency=agency, nodes=nodes)
    return _sop_out(agency)
