"""Load the demo data set: Kutai Timur's organisation tree, SOP, accounts and ~200 reports.

Everything goes through the domain services, exactly as staff and citizens would do it, with
time moved by :func:`lapor.core.clock.frozen` so every timestamp and deadline is what the
services computed at that moment. Decisions:

* **Idempotent.** Nodes, categories and accounts are created only when their code/username is
  missing (existing accounts keep their passwords). SOP settings, the local day off, routing
  rules, the escalation chain and the reports are loaded once; the ``demo:v1``
  :class:`~lapor.core.models.Marker` records that, and a second run changes nothing. Kutai
  Timur's Renaksi (:mod:`lapor.demo.renaksi`) has its own marker, ``demo:renaksi:v1``: a demo
  loaded before it existed gets it at the next run.
* **All or nothing.** One ``transaction.atomic()`` around the whole load.
* **Never on real data.** If the database already holds reports but no demo marker, the load is
  refused (:class:`DemoRefused`): demo reports must never mix with real complaints.
* **Deterministic.** ``random.Random(2026)`` drives every choice; only times are relative to
  now (the last 90 days), and tracking numbers/access codes stay random as the services make
  them. Every status is covered first (round robin over the scenarios), then scenarios are drawn
  by weight.
* **Never in the future.** A step that would land after now is placed between the previous step
  and now; automatic closures and archives happen only when their deadline really passed.

``lapor demo --region kutim`` (:func:`load_region_demo`) loads a *regional* instance instead
(docs/federation.md): the root node and Kutai Timur's subtree with the same node codes as the
national demo, the categories, Kutai Timur's SOP, calendar, routing and escalation, its staff
accounts (same usernames, password and authenticator key) and no reports: a report the region
holds before it is linked to the national instance would not be shared, and its number would
not be in the lane the national assigns at peering. Its own marker, ``demo:region:v1``; the
two demos never go into one database.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import time as monotonic
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import slugify

from lapor.accounts.models import User
from lapor.accounts.two_factor import confirmed_totp, totp_set
from lapor.categories.models import Category
from lapor.core import clock
from lapor.core.models import Marker
from lapor.demo import data
from lapor.demo.data import Template
from lapor.demo.renaksi import load_renaksi
from lapor.orgs.actors import PUBLIC, Actor, actor_for_user, reporter_actor
from lapor.orgs.models import EscalationStep, NodeKind, OrgNode, Role, RoutingRule
from lapor.orgs.selectors import routing_suggestion
from lapor.orgs.services import (
    day_off_add,
    escalation_chain_replace,
    node_create,
    role_assign,
    routing_rules_replace,
    sop_update,
)
from lapor.regions.models import Region
from lapor.reports import services
from lapor.reports.deadlines import calendar_for
from lapor.reports.models import Channel, Report, ReportEvent
from lapor.reports.states import ArchiveReason, Status
from lapor.reports.submission import report_submit
from lapor.sopdoc.selectors import sop_draft
from lapor.sopdoc.services import sop_draft_refresh, sop_version_approve
from lapor.workdays.calendar import WorkCalendar


class DemoRefused(Exception):
    """The demo cannot be loaded into this database (the message says why)."""


@dataclass(frozen=True)
class LoadResult:
    loaded: bool  # False: the demo data was already there, nothing was added
    reports: int
    events: int
    by_status: dict[str, int]
    overdue: int
    nodes_created: int
    users_created: int
    categories_created: int
    seconds: float
    # Activities of Kutai Timur's Renaksi added by this run (0: it was there already).
    renaksi_activities: int = 0


def demo_password() -> str:
    """The password of newly created demo accounts (``LAPOR_DEMO_PASSWORD`` or the default)."""
    return os.environ.get(data.PASSWORD_ENV) or data.DEFAULT_PASSWORD


def demo_totp_key_hex() -> str:
    """The demo authenticator key (``data.DEMO_TOTP_KEY``, base32) as django-otp stores it."""
    return base64.b32decode(data.DEMO_TOTP_KEY).hex()


def demo_logins(*, primary_only: bool = False,
                region: str | None = None) -> list[tuple[str, str, str]]:
    """``(username, role, organisation)`` of the demo accounts, main accounts first (with
    ``region``: the accounts of the regional demo of that agency, :func:`region_users`).

    Static (no database access), so ``make run`` can print it before or after loading.
    """
    names = {spec.code: spec.name for spec in data.NODES}
    rows: list[tuple[str, str, str]] = []
    users = data.USERS if region is None else region_users(region)
    for spec in users:
        if primary_only and not spec.primary:
            continue
        if spec.role is None or spec.node is None:
            rows.append((spec.username, "Pelapor (akun warga)", "-"))
            continue
        node = names.get(spec.node)
        if node is None and spec.node.startswith(data.KECAMATAN_PREFIX):
            slug = spec.node.removeprefix(data.KECAMATAN_PREFIX)
            node = "Kecamatan " + slug.replace("-", " ").title()
        rows.append((spec.username, str(Role(spec.role).label), node or spec.node))
    return rows


def demo_loaded() -> bool:
    return Marker.objects.filter(key=data.MARKER_KEY).exists()


def _refuse_real_reports(already: bool, reports: QuerySet[Report]) -> None:
    """Demo reports must never mix with real complaints (the module docs)."""
    if not already and reports.exists():
        raise DemoRefused(
            "this database already holds reports that are not demo data; the demo is "
            "only loaded into an empty installation"
        )


# ---------------------------------------------------------------- the regional demo

REGION_MARKER_KEY = "demo:region:v1"
# The agencies a regional demo can be loaded for: the demo's settings (SOP, routing, accounts)
# are Kutai Timur's.
REGIONS = (data.KUTIM,)


def _in_region(code: str | None, region: str) -> bool:
    """Whether the demo node ``code`` is ``region`` or below it (by the static tree)."""
    parents = {spec.code: spec.parent for spec in data.NODES}
    while code is not None:
        if code == region:
            return True
        if code.startswith(data.KECAMATAN_PREFIX):
            code = data.KUTIM  # the kecamatan are added from the regions table under Kutim
            continue
        code = parents.get(code)
    return False


def region_users(region: str) -> list[data.UserSpec]:
    """The demo accounts a regional instance of ``region`` has: the staff of its subtree, the
    system administrator (every instance has its own) and the citizen account."""
    return [spec for spec in data.USERS
            if spec.role is None or spec.role == Role.SYSADMIN or _in_region(spec.node, region)]


def region_demo_loaded() -> bool:
    return Marker.objects.filter(key=REGION_MARKER_KEY).exists()


def load_region_demo(*, region: str = data.KUTIM, now: datetime | None = None) -> LoadResult:
    """Load a regional instance's demo for ``region`` (or do nothing if it is there): the
    module docs, last paragraph."""
    if region not in REGIONS:
        raise DemoRefused(f"no regional demo for {region!r} (one of: {', '.join(REGIONS)})")
    started = monotonic.monotonic()
    now = now or clock.now()
    with transaction.atomic():
        already = region_demo_loaded()
        if demo_loaded():
            raise DemoRefused("this database holds the national demo; a regional instance "
                              "needs its own data directory and database")
        _refuse_real_reports(already, Report.objects.filter(is_training=False))
        nodes, nodes_created = _ensure_nodes(region=region)
        categories, categories_created = _ensure_categories()
        users, users_created = _ensure_users(nodes, region_users(region))
        if not already:
            _configure(nodes, categories, users, now)
            _approve_sop(nodes[region], users[data.SUPERVISOR], now)
            Marker.objects.create(key=REGION_MARKER_KEY,
                                  value={"agency": region, "loaded_at": now.isoformat()})
    return LoadResult(
        loaded=not already, reports=0, events=0, by_status=dict.fromkeys(Status.values, 0),
        overdue=0, nodes_created=nodes_created, users_created=users_created,
        categories_created=categories_created, seconds=monotonic.monotonic() - started,
    )


def load_demo(*, reports: int = data.DEFAULT_REPORTS, now: datetime | None = None) -> LoadResult:
    """Load the demo (or do nothing if it is already there). See the module docs."""
    if reports < 0:
        raise ValueError("reports must be >= 0")
    started = monotonic.monotonic()
    now = now or clock.now()
    with transaction.atomic():
        already = demo_loaded()
        if region_demo_loaded():
            raise DemoRefused("this database holds a regional demo (lapor demo --region); "
                              "the national demo needs its own data directory and database")
        _refuse_real_reports(already, Report.objects.all())
        nodes, nodes_created = _ensure_nodes()
        categories, categories_created = _ensure_categories()
        users, users_created = _ensure_users(nodes)
        if not already:
            _configure(nodes, categories, users, now)
            rng = random.Random(data.SEED)  # noqa: S311  (demo data, not secrets)
            drafts = _Planner(rng, now, nodes, categories).plan(reports)
            _Generator(nodes, categories, users, now).run(drafts)
            _approve_sop(nodes[data.KUTIM], users[data.SUPERVISOR], now)
            Marker.objects.create(
                key=data.MARKER_KEY,
                value={"reports": reports, "seed": data.SEED, "loaded_at": now.isoformat()},
            )
        # Its own marker: a demo loaded before the Renaksi existed gets it now.
        renaksi_activities = load_renaksi(nodes=nodes, users=users, now=now)
    # The demo's reports, not the practice reports of its training space.
    real = Report.objects.filter(is_training=False)
    counts = Counter(real.values_list("status", flat=True))
    return LoadResult(
        loaded=not already,
        reports=sum(counts.values()),
        events=ReportEvent.objects.filter(report__is_training=False).count(),
        by_status={status: counts.get(status, 0) for status in Status.values},
        overdue=real.filter(staff_due_at__lt=now).count(),
        nodes_created=nodes_created,
        users_created=users_created,
        categories_created=categories_created,
        seconds=monotonic.monotonic() - started,
        renaksi_activities=renaksi_activities,
    )


SOP_APPROVED_AT = datetime(2023, 7, 27, 2, 0, tzinfo=UTC)  # 10:00 WITA


def _approve_sop(agency: OrgNode, official: User, now: datetime) -> None:
    """The regency's SOP document, approved by its pimpinan, so the public SOP page and the
    "SOP" link of public reports have a document to show (lapor.sopdoc)."""
    # Drafted and approved when Kutai Timur's Renaksi says (SOP due 31 July 2023; the demo's
    # Renaksi marks it done on 27 July), so the readiness matrix and the programme agree.
    with clock.frozen(min(now, SOP_APPROVED_AT)):
        draft = sop_draft_refresh(node=agency) or sop_draft(agency)
        if draft is not None:
            sop_version_approve(actor=actor_for_user(official), version=draft,
                                approver_name="Pimpinan Pemkab Kutai Timur (data demo)",
                                approver_position="Bupati Kutai Timur",
                                effective_date=(min(now, SOP_APPROVED_AT).astimezone(UTC).date()
                                                + timedelta(days=5)))


# ---------------------------------------------------------------- configuration


def _kecamatan_specs() -> list[data.NodeSpec]:
    districts = list(Region.objects.filter(parent_id=data.KUTIM_REGION).order_by("code"))
    if not districts:
        raise DemoRefused(f"region {data.KUTIM_REGION} has no districts: run migrations first")
    return [
        data.NodeSpec(f"{data.KECAMATAN_PREFIX}{slugify(d.name)}", f"Kecamatan {d.name}",
                      NodeKind.UNIT, data.KUTIM, region=d.code)
        for d in districts
    ]


def _ensure_nodes(*, region: str | None = None) -> tuple[dict[str, OrgNode], int]:
    """Every demo node by its demo code, creating the missing ones. An existing national root
    is reused whatever its code (there is only one). With ``region``: the root and that
    agency's subtree only (a regional instance)."""
    specs = list(data.NODES)
    last_kutim_unit = max(i for i, s in enumerate(specs) if s.parent == data.KUTIM)
    specs[last_kutim_unit + 1 : last_kutim_unit + 1] = _kecamatan_specs()
    if region is not None:
        specs = [s for s in specs if s.code == data.ROOT or _in_region(s.code, region)]
    existing = {n.code: n for n in OrgNode.objects.filter(code__in=[s.code for s in specs])}
    root = OrgNode.objects.filter(kind=NodeKind.ROOT).first()
    if root is not None:
        existing[data.ROOT] = root
    nodes: dict[str, OrgNode] = {}
    created = 0
    for spec in specs:
        node = existing.get(spec.code)
        if node is None:
            parent = nodes[spec.parent] if spec.parent is not None else None
            node = node_create(code=spec.code, name=spec.name, kind=spec.kind, parent=parent,
                               is_hub=spec.is_hub, region_id=spec.region,
                               timezone=sop.timezone if (sop := data.SOPS.get(spec.code))
                               else None)
            created += 1
        nodes[spec.code] = node
    return nodes, created


def _ensure_categories() -> tuple[dict[str, Category], int]:
    categories: dict[str, Category] = {}
    created = 0
    for spec in data.CATEGORIES:
        category, was_created = Category.objects.get_or_create(
            code=spec.code,
            defaults={
                "name_id": spec.name_id,
                "name_en": spec.name_en,
                "resolution_days": spec.resolution_days,
                "parent": categories[spec.parent] if spec.parent else None,
            },
        )
        categories[spec.code] = category
        created += was_created
    return categories, created


def _ensure_users(nodes: dict[str, OrgNode],
                  specs: list[data.UserSpec] | None = None) -> tuple[dict[str, User], int]:
    """The demo accounts (``specs``, default all); an existing account keeps its password,
    and gets its demo role."""
    # One hash for every new account: the password is shared and published anyway, and
    # Argon2 takes a quarter of a second per hash.
    hashed: str | None = None
    users: dict[str, User] = {}
    created = 0
    for spec in data.USERS if specs is None else specs:
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            hashed = hashed or make_password(demo_password())
            email = "rina.marlina@example.com" if spec.role is None else ""
            user = User.objects.create_user(username=spec.username, password=None,
                                            email=email, display_name=spec.display_name)
            user.password = hashed
            user.save(update_fields=["password"])
            created += 1
        if spec.role is not None and spec.node is not None:
            role_assign(user=user, node=nodes[spec.node], role=spec.role)
            if spec.two_factor and confirmed_totp(user) is None:
                # An authenticator someone already set up is kept, like the password.
                totp_set(user=user, key_hex=demo_totp_key_hex())
        users[spec.username] = user
    return users, created


def _configure(nodes: dict[str, OrgNode], categories: dict[str, Category],
               users: dict[str, User], now: datetime) -> None:
    """SOP settings, local days off, routing and escalation, each by the agency's own admin.

    Rules and chains an administrator already set up are left alone."""
    for code, spec in sorted(data.SOPS.items()):
        if code != data.ROOT and code in nodes:
            sop_update(actor=actor_for_user(users[spec.editor]), agency=nodes[code],
                       verify_days=spec.verify_days, first_followup_days=spec.first_followup_days,
                       escalate_after_days=spec.escalate_after_days, sms_keyword=spec.sms_keyword,
                       receives_region_reports=spec.receives_region_reports)
    kutim = nodes[data.KUTIM]
    admin = actor_for_user(users[data.VERIFIERS[data.KUTIM]])
    month, day = data.KUTIM_ANNIVERSARY
    for year in range(now.year - 1, now.year + 2):
        day_off_add(actor=admin, agency=kutim, day=date(year, month, day),
                    reason=f"Hari Jadi Kabupaten Kutai Timur ke-{year - data.KUTIM_FOUNDED}")
    if not RoutingRule.objects.filter(agency=kutim).exists():
        rules = [
            (categories[c].pk if c else None, region, nodes[target], priority)
            for c, region, target, priority in data.KUTIM_ROUTING
        ]
        routing_rules_replace(actor=admin, agency=kutim, rules=rules)
    if not EscalationStep.objects.filter(agency=kutim).exists():
        escalation_chain_replace(actor=admin, agency=kutim,
                                 nodes=[nodes[c] for c in data.KUTIM_ESCALATION])


# ---------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Scenario:
    name: str
    weight: int
    age_days: tuple[float, float]  # submission, in days before now


# Round robin first (so a small load still has every status), then drawn by weight.
SCENARIOS: tuple[_Scenario, ...] = (
    _Scenario("closed_accepted", 26, (8, 88)),
    _Scenario("disposed", 6, (0.6, 4)),
    _Scenario("in_progress", 8, (3, 25)),
    _Scenario("responded", 8, (4, 12)),
    _Scenario("submitted", 5, (0.05, 1.5)),
    _Scenario("on_hold", 4, (1, 8)),
    _Scenario("archived_out_of_scope", 3, (2, 88)),
    _Scenario("closed_auto", 7, (40, 88)),
    _Scenario("in_progress_overdue", 5, (40, 85)),
    _Scenario("disposed_overdue", 4, (14, 50)),
    _Scenario("submitted_overdue", 3, (6, 14)),
    _Scenario("archived_spam", 3, (2, 88)),
    _Scenario("archived_incomplete", 3, (30, 88)),
    _Scenario("closed_by_verifier", 3, (10, 88)),
    _Scenario("in_progress_reopened", 3, (10, 30)),
    _Scenario("disposed_returned", 2, (2, 8)),
    _Scenario("archived_too_general", 3, (2, 88)),
    _Scenario("submitted_after_hold", 1, (2, 7)),
    _Scenario("closed_after_hold", 2, (15, 88)),
    _Scenario("archived_abusive", 1, (2, 88)),
    _Scenario("archived_duplicate", 3, (3, 80)),
)
_ARCHIVE_PREFIX = "archived_"
_ARCHIVE_KINDS = {f"{_ARCHIVE_PREFIX}{reason}": reason for reason in ArchiveReason.values}
# Scenarios whose report an agency is (or was) working on: candidates to be duplicated.
_HANDLED = frozenset({"closed_accepted", "in_progress", "responded", "closed_auto",
                      "in_progress_overdue", "disposed_overdue", "closed_by_verifier",
                      "in_progress_reopened", "disposed"})
# Citizens write at any hour, mostly in the daytime and evening (local time).
_CITIZEN_HOURS = (6, 7, 8, 9, 9, 10, 10, 11, 11, 12, 13, 14, 15, 16, 17, 19, 19, 20, 20, 21, 22)


@dataclass
class _Draft:
    index: int
    scenario: str
    seed: int
    title: str
    body: str
    answer: str  # the final follow-up, before formatting ("" for the category's)
    hold: tuple[str, str]  # a "tunda" question and the reporter's answer, if it comes to that
    type: str
    category: str | None
    region: str
    fill: dict[str, str]
    channel: str
    agency: str  # the agency responsible (demo code)
    unit: str | None  # the unit named by the template, else the routing rules decide
    national: bool  # sent without a chosen agency: routed by region (see _national)
    anonymous: bool
    confidential: bool
    sensitive: bool
    by_account: bool  # sent from the "warga" citizen account
    name: str
    email: str
    phone: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    incident_date: date | None
    submitted_at: datetime
    duplicate_of: _Draft | None = None
    tracking_number: str = ""


class _Planner:
    """Decides, before anything is written, what each report is and what happens to it."""

    def __init__(self, rng: random.Random, now: datetime, nodes: dict[str, OrgNode],
                 categories: dict[str, Category]) -> None:
        self.rng = rng
        self.now = now
        self.nodes = nodes
        self.categories = categories
        self.regions = list(data.PLACES)
        self.region_weights = [p.weight for p in data.PLACES.values()]
        self.local_tz = calendar_for(nodes[data.KUTIM], around=now).tz
        self.region_names = dict(
            Region.objects.filter(code__in=data.PLACES).values_list("code", "name"))

    def plan(self, count: int) -> list[_Draft]:
        drafts: list[_Draft] = []
        for index in range(count):
            if index < len(SCENARIOS):
                scenario = SCENARIOS[index]
            else:
                scenario = self.rng.choices(SCENARIOS, [s.weight for s in SCENARIOS])[0]
            drafts.append(self._draft(index, scenario))
        for draft in drafts:
            if draft.scenario == "archived_duplicate":
                self._make_duplicate(draft, drafts)
        # Reports are recorded in the order they were sent.
        return sorted(drafts, key=lambda d: d.submitted_at)

    # -- one report

    def _draft(self, index: int, scenario: _Scenario) -> _Draft:
        rng = self.rng
        archive_reason = _ARCHIVE_KINDS.get(scenario.name)
        template: Template | None = None
        answer = ""
        if archive_reason is not None and archive_reason != ArchiveReason.DUPLICATE:
            title, body = rng.choice(data.ARCHIVE_TEMPLATES[archive_reason])
            category = "lainnya" if archive_reason == ArchiveReason.OUT_OF_SCOPE else None
            report_type, agency, unit, sensitive = "complaint", data.KUTIM, None, False
        else:
            template = self._template(scenario.name)
            title, body, category = template.title, template.body, template.category
            answer = template.answer
            report_type, agency, unit = template.type, template.agency, template.unit
            sensitive = template.sensitive
        region = self._region(template)
        fill = self._fill(region)
        channel = self._channel(agency)
        national = self._national(scenario.name, agency, channel)
        anonymous = rng.random() < (0.6 if sensitive else 0.1)
        confidential = rng.random() < (0.35 if sensitive else 0.05)
        by_account = channel in (Channel.WEB, Channel.MOBILE) and rng.random() < 0.15
        name, email, phone = self._reporter(channel, by_account)
        title = title.format(**fill)
        body = body.format(**fill)
        if channel in (Channel.SMS, Channel.X):
            body = _short(body)
        submitted_at = self._moment(*scenario.age_days)
        if channel == Channel.WALK_IN:
            submitted_at, channel = self._front_desk(submitted_at)
        latitude = longitude = None
        if channel in (Channel.WEB, Channel.MOBILE, Channel.WHATSAPP) and rng.random() < 0.6:
            place = data.PLACES[region]
            latitude = Decimal(f"{place.latitude + rng.uniform(-0.03, 0.03):.6f}")
            longitude = Decimal(f"{place.longitude + rng.uniform(-0.03, 0.03):.6f}")
        address = (f"{fill['jalan']}, {fill['rt']}, {fill['desa']}, Kecamatan {fill['kec']}"
                   if "{jalan}" in (template.body if template else "")
                   else f"{fill['desa']}, Kecamatan {fill['kec']}")
        local_day = submitted_at.astimezone(self.local_tz).date()
        incident = local_day - timedelta(days=rng.randint(0, 10)) if rng.random() < 0.7 else None
        if category == "bencana-darurat":
            incident = local_day
        return _Draft(
            index=index, scenario=scenario.name, seed=rng.getrandbits(32), title=title,
            body=body, answer=answer, hold=self._hold(template, title), type=report_type,
            category=category, region=region, fill=fill,
            channel=channel, agency=agency, unit=unit, national=national, anonymous=anonymous,
            confidential=confidential, sensitive=sensitive, by_account=by_account, name=name,
            email=email, phone=phone, address=address, latitude=latitude, longitude=longitude,
            incident_date=incident, submitted_at=submitted_at,
        )

    def _region(self, template: Template | None) -> str:
        if template is not None and template.regions:
            return self.rng.choice(template.regions)
        regions, weights = self.regions, self.region_weights
        if template is not None and template.remote:
            pairs = [(r, w) for r, w in zip(regions, weights, strict=True)
                     if r not in data.SANGATTA]
            regions, weights = [r for r, _ in pairs], [w for _, w in pairs]
        return self.rng.choices(regions, weights)[0]

    @staticmethod
    def _hold(template: Template | None, title: str) -> tuple[str, str]:
        if template is None:
            question = data.INCOMPLETE_QUESTIONS.get(title, data.HOLD_LOCATION[0])
            return question, ""
        if "{jalan}" in template.body:
            return data.HOLD_LOCATION
        if template.type == "complaint":
            return data.HOLD_HISTORY
        return data.HOLD_ADDRESS

    def _template(self, scenario: str) -> Template:
        candidates = list(data.TEMPLATES)
        if scenario == "disposed_returned":
            candidates = [t for t in candidates
                          if t.category in data.MISROUTES and t.agency == data.KUTIM
                          and t.unit is None]
        return self.rng.choices(candidates, [t.weight for t in candidates])[0]

    def _fill(self, region: str) -> dict[str, str]:
        rng = self.rng
        place = data.PLACES[region]
        kec = self.region_names[region]
        return {
            "desa": rng.choice(place.villages),
            "kec": kec,
            "jalan": rng.choice(place.roads),
            "rt": f"RT {rng.randint(1, 24):02d}",
            "patokan": rng.choice(data.LANDMARKS),
            "lama": rng.choice(data.DURATIONS),
            "puskesmas": f"Puskesmas {kec}",
            "sekolah": f"SD Negeri {rng.randint(1, 12):03d} {kec}",
        }

    def _channel(self, agency: str) -> str:
        channels, weights = zip(*data.CHANNELS, strict=True)
        channel: str = self.rng.choices(channels, weights)[0]
        if channel == Channel.SMS and agency == data.KEMENKES:
            channel = Channel.WEB  # SMS keywords route to regional governments only
        return channel

    def _national(self, scenario: str, agency: str, channel: str) -> bool:
        """Sent without a chosen agency ("Serahkan kepada verifikator"): routed by its region
        (lapor.orgs.selectors.report_receiver), for the demo's places Kutai Timur's hub.

        Only Kutai Timur's own matters are left unaddressed: a hub disposes only inside its
        own tree (another agency's matter it passes up, ``report_pass_up``), and the demo keeps
        its province's and ministry's reports addressed so they start in the right pool."""
        if agency != data.KUTIM:
            return False
        if scenario == "submitted_overdue":
            return True  # the backlog of unaddressed reports
        if scenario == "archived_duplicate":
            return False
        if channel in (Channel.SMS, Channel.WALK_IN):
            return False  # the SMS keyword, or the hub's own front desk, names the agency
        if channel == Channel.X:
            return True  # #LAPOR mentions name no agency
        return self.rng.random() < 0.3

    def _reporter(self, channel: str, by_account: bool) -> tuple[str, str, str]:
        rng = self.rng
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        if by_account:
            return "Rina Marlina", "rina.marlina@example.com", ""
        name = f"{first} {last}"
        email = (f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(data.EMAIL_DOMAINS)}"
                 .lower())
        phone = _phone(rng)
        if channel == Channel.X:
            return f"@{first.lower()}{last.lower()[:4]}{rng.randint(10, 99)}", "", ""
        if channel == Channel.EMAIL:
            return name, email, ""
        if channel in (Channel.SMS, Channel.WHATSAPP, Channel.TELEGRAM, Channel.WALK_IN):
            return (name if channel != Channel.SMS or rng.random() < 0.5 else ""), "", phone
        return name, email, (phone if rng.random() < 0.7 else "")

    def _moment(self, low: float, high: float) -> datetime:
        """A submission time ``low``..``high`` days ago, at a plausible local hour."""
        rng = self.rng
        candidate = self.now - timedelta(days=rng.uniform(low, high))
        local = candidate.astimezone(self.local_tz)
        moved = local.replace(hour=rng.choice(_CITIZEN_HOURS), minute=rng.randint(0, 59),
                              second=rng.randint(0, 59), microsecond=0)
        moved_utc = moved.astimezone(UTC)
        if self.now - moved_utc < timedelta(days=low) or moved_utc >= self.now:
            return candidate
        return moved_utc

    def _front_desk(self, moment: datetime) -> tuple[datetime, str]:
        """Walk-in reports are typed in at the front desk in office hours (else they came in
        through the website)."""
        local = moment.astimezone(self.local_tz)
        if local.weekday() < 5:
            desk = local.replace(hour=self.rng.randint(8, 14), minute=self.rng.randint(0, 59))
            if desk.astimezone(UTC) < self.now - timedelta(minutes=30):
                return desk.astimezone(UTC), Channel.WALK_IN
        return moment, Channel.WEB

    def _make_duplicate(self, draft: _Draft, drafts: list[_Draft]) -> None:
        """The same problem sent again by someone else, while the first report is handled."""
        survivors = [
            d for d in drafts
            if d.scenario in _HANDLED and d.agency == data.KUTIM and not d.national
            and d.duplicate_of is None and not d.confidential
            and d.submitted_at < self.now - timedelta(days=2)
        ]
        if not survivors:
            # Nothing to be a duplicate of (a tiny load): an ordinary archive instead.
            title, body = data.ARCHIVE_TEMPLATES[ArchiveReason.TOO_GENERAL][0]
            draft.scenario, draft.title, draft.body = "archived_too_general", title, body
            draft.category = None
            return
        survivor = self.rng.choice(survivors)
        gap = timedelta(days=self.rng.uniform(0.2, 4))
        latest = self.now - timedelta(hours=6)
        draft.duplicate_of = survivor
        draft.title, draft.body, draft.answer = survivor.title, survivor.body, survivor.answer
        draft.type, draft.category, draft.region = survivor.type, survivor.category, survivor.region
        draft.fill, draft.address = survivor.fill, survivor.address
        draft.incident_date = survivor.incident_date
        draft.agency, draft.unit, draft.national = data.KUTIM, survivor.unit, False
        if draft.channel == Channel.WALK_IN:
            draft.channel = Channel.WEB  # sent at any hour, unlike the front desk
        draft.submitted_at = min(survivor.submitted_at + gap, latest)


def _short(body: str, limit: int = 200) -> str:
    """The first sentences of ``body`` that fit a short message or a post."""
    out = ""
    for sentence in body.split(". "):
        candidate = f"{out}. {sentence}" if out else sentence
        if len(candidate) > limit:
            break
        out = candidate
    if not out:
        return body[:limit].rsplit(" ", 1)[0].rstrip(",") + "..."
    return out if out.endswith((".", "?", "!")) else f"{out}."


def _phone(rng: random.Random) -> str:
    """A made-up Indonesian mobile number ("0812-3456-7890")."""
    digits = f"{rng.randint(0, 9999):04d}{rng.randint(0, 9999):04d}"
    return f"{rng.choice(data.PHONE_PREFIXES)}-{digits[:4]}-{digits[4:]}"


# ---------------------------------------------------------------- generating


_OFFICE_START = time(7, 45)
_OFFICE_END = time(16, 0)
_OFFICE_MINUTES = 450
_NIGHT_START, _NIGHT_END = 22, 6


class _Generator:
    """Plays each planned report's story through the services."""

    def __init__(self, nodes: dict[str, OrgNode], categories: dict[str, Category],
                 users: dict[str, User], now: datetime) -> None:
        self.nodes = nodes
        self.by_id = {n.pk: n for n in nodes.values()}
        self.code_of = {n.pk: code for code, n in nodes.items()}
        self.categories = categories
        self.actors = {name: actor_for_user(user) for name, user in users.items()}
        self.now = now
        self.calendars: dict[str, WorkCalendar] = {
            code: calendar_for(nodes[code], around=now)
            for code in (data.ROOT, data.KUTIM, data.KALTIM, data.KEMENKES)
        }

    def run(self, drafts: list[_Draft]) -> None:
        for draft in drafts:
            _Story(self, draft).play()

    def actor(self, username: str) -> Actor:
        return self.actors[username]

    def nearest(self, node: OrgNode, table: dict[str, str]) -> str | None:
        """The username ``table`` gives for ``node`` or its closest ancestor."""
        current: OrgNode | None = node
        while current is not None:
            username = table.get(self.code_of.get(current.pk, ""))
            if username is not None:
                return username
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return None

    def liaison(self, node: OrgNode) -> Actor:
        username = self.nearest(node, data.LIAISONS)
        if username is None:
            raise LookupError(f"no demo liaison covers {node.code}")
        return self.actor(username)

    def officer(self, node: OrgNode) -> Actor:
        username = self.nearest(node, data.OFFICERS)
        return self.actor(username) if username is not None else self.liaison(node)

    def agency_code(self, node: OrgNode) -> str:
        agency_id = node.agency_id or node.pk
        return self.code_of.get(agency_id, data.ROOT)


class _Story:
    """One report's history: each step at a plausible moment, through a service."""

    def __init__(self, generator: _Generator, draft: _Draft) -> None:
        self.g = generator
        self.d = draft
        self.rng = random.Random(draft.seed)  # noqa: S311
        self.t = draft.submitted_at
        self.report_id = 0
        self.reporter: Actor = PUBLIC
        self.unit: OrgNode | None = None
        self.tier = draft.agency  # set from the routed report by submit()
        self.disposed_at: datetime | None = None
        self.hold_answer = ""
        self.last: Report | None = None

    # -- time

    def _cap(self, when: datetime) -> datetime:
        """``when``, or a moment between the previous step and now if it would be later."""
        latest = self.g.now - timedelta(minutes=2)
        if when > latest:
            span = (latest - self.t).total_seconds()
            when = self.t + timedelta(seconds=max(1.0, span * self.rng.uniform(0.3, 0.9)))
        when = max(when, self.t + timedelta(seconds=1))
        self.t = when
        return when

    def office(self, org: str, low: int, high: int) -> datetime:
        """During office hours, ``low``..``high`` working days after the previous step."""
        cal = self.g.calendars[org]
        local = self.t.astimezone(cal.tz)
        days = self.rng.randint(low, high)
        if days == 0:
            soon = local + timedelta(minutes=self.rng.randint(15, 150))
            if cal.is_working_day(soon.date()) and _OFFICE_START <= soon.time() <= _OFFICE_END:
                return self._cap(soon.astimezone(UTC))
            if cal.is_working_day(local.date()) and local.time() < _OFFICE_START:
                day = local.date()
            else:
                day = cal.add_working_days(local.date(), 1)
        else:
            day = cal.add_working_days(local.date(), days)
        start = datetime.combine(day, _OFFICE_START, tzinfo=cal.tz)
        moment = (start + timedelta(minutes=self.rng.randint(0, _OFFICE_MINUTES))).astimezone(UTC)
        if moment > self.g.now - timedelta(minutes=2):
            moment = self._office_slot(cal) or moment
        return self._cap(moment)

    def _office_slot(self, cal: WorkCalendar) -> datetime | None:
        """A random office-hours moment between the previous step and now, if there is one."""
        start, end = self.t, self.g.now - timedelta(minutes=2)
        windows: list[tuple[datetime, datetime]] = []
        day = start.astimezone(cal.tz).date()
        while day <= end.astimezone(cal.tz).date():
            if cal.is_working_day(day):
                low = max(start, datetime.combine(day, _OFFICE_START, tzinfo=cal.tz))
                high = min(end, datetime.combine(day, _OFFICE_END, tzinfo=cal.tz))
                if low < high:
                    windows.append((low, high))
            day += timedelta(days=1)
        if not windows:
            return None
        low, high = windows[-1] if self.rng.random() < 0.5 else self.rng.choice(windows)
        return (low + (high - low) * self.rng.random()).astimezone(UTC)

    def citizen(self, low_hours: float, high_hours: float) -> datetime:
        """A reporter's reply, ``low``..``high`` hours later, not in the middle of the night."""
        moment = self.t + timedelta(hours=self.rng.uniform(low_hours, high_hours))
        local = moment.astimezone(self.g.calendars[data.KUTIM].tz)
        if local.hour < _NIGHT_END or local.hour >= _NIGHT_START:
            morning = local.date() + timedelta(days=1 if local.hour >= _NIGHT_START else 0)
            local = datetime.combine(morning, time(_NIGHT_END), tzinfo=local.tzinfo) + timedelta(
                minutes=self.rng.randint(0, 180))
            moment = local.astimezone(UTC)
        return self._cap(moment)

    def call(self, when: datetime, service: Callable[..., Any], **kwargs: Any) -> Any:
        with clock.frozen(when):
            result = service(**kwargs)
        if isinstance(result, Report):
            self.last = result  # the services return the report as they left it
        return result

    # -- the report

    def report(self) -> Report:
        """The report as the last service left it (without a query)."""
        if self.last is None or self.last.pk != self.report_id:
            self.last = Report.objects.select_related("current_node").get(pk=self.report_id)
        return self.last

    def play(self) -> None:
        scenario = self.d.scenario
        self.submit()
        if scenario in ("submitted", "submitted_overdue"):
            return
        if scenario.startswith(_ARCHIVE_PREFIX):
            self.archive(_ARCHIVE_KINDS[scenario])
            return
        if scenario in ("on_hold", "submitted_after_hold", "closed_after_hold"):
            self.hold()
            if scenario == "on_hold":
                return
            self.provide_info()
            if scenario == "submitted_after_hold":
                return
        self.dispose(misroute=scenario == "disposed_returned"
                     or (scenario == "closed_accepted" and self.rng.random() < 0.08))
        self.work(scenario)
        self.support()

    def work(self, scenario: str) -> None:
        """What the agency (and the reporter) did after the disposition."""
        if scenario.startswith("disposed"):
            self.supervise()
        elif scenario == "in_progress":
            self.handle(progress=self.rng.random() < 0.6, final=False)
        elif scenario == "in_progress_overdue":
            self.handle(progress=True, final=False)
            self.supervise()
        elif scenario == "in_progress_reopened":
            self.handle(progress=self.rng.random() < 0.3, final=True)
            self.reopen()
        elif scenario == "responded":
            self.handle(progress=self.rng.random() < 0.4, final=True)
        elif scenario in ("closed_accepted", "closed_after_hold"):
            self.handle(progress=self.rng.random() < 0.5, final=True)
            self.accept()
        elif scenario == "closed_auto":
            self.handle(progress=False, final=True, fast=True)
            self.auto_close()
        elif scenario == "closed_by_verifier":
            self.handle(progress=True, final=False)
            self.close()

    def submit(self) -> None:
        d = self.d
        actor = self.g.actor("warga") if d.by_account else PUBLIC
        submitted = self.call(
            self.t, report_submit, actor=actor, type=d.type, title=d.title, body=d.body,
            region_code=d.region, channel=d.channel, category_code=d.category,
            incident_date=d.incident_date, latitude=d.latitude, longitude=d.longitude,
            address=d.address, target_agency_code=None if d.national else d.agency,
            is_anonymous=d.anonymous, is_confidential=d.confidential, reporter_name=d.name,
            reporter_email=d.email, reporter_phone=d.phone,
        )
        self.report_id = submitted.report.pk
        # The pool the routing chose (its region's hub, else the national one).
        self.tier = self.g.agency_code(submitted.report.tier)
        d.tracking_number = submitted.report.tracking_number
        self.reporter = (self.g.actor("warga") if d.by_account
                         else reporter_actor(report_id=self.report_id))

    # -- verification

    def verifier(self) -> Actor:
        return self.g.actor(data.VERIFIERS[self.tier])

    def hold(self) -> None:
        question, self.hold_answer = self.d.hold
        self.call(self.office(self.tier, 0, 1), services.report_hold,
                  actor=self.verifier(), report_id=self.report_id, question=question)

    def provide_info(self) -> None:
        answer = self.hold_answer.format(**self.d.fill)
        self.call(self.citizen(2, 60), services.report_provide_info,
                  actor=self.reporter, report_id=self.report_id, body=answer)

    def archive(self, reason: str) -> None:
        verifier = self.verifier()
        if reason == ArchiveReason.INCOMPLETE:
            question = self.d.hold[0]
            report = self.call(self.office(self.tier, 0, 1), services.report_hold,
                               actor=verifier, report_id=self.report_id, question=question)
            due = report.hold_due_at
            at = due + timedelta(minutes=self.rng.randint(1, 20)) if due else self.g.now
            if at < self.g.now:
                self.t = at
                self.call(at, services.report_auto_archive, report_id=self.report_id)
            return
        survivor = self.d.duplicate_of
        note = data.ARCHIVE_NOTES.get(reason, "")
        if survivor is not None:
            note = f"{note} Silakan pantau laporan nomor {survivor.tracking_number}."
        self.call(self.office(self.tier, 0, 2), services.report_archive,
                  actor=verifier, report_id=self.report_id, reason=reason, note=note,
                  duplicate_of=survivor.tracking_number if survivor is not None else None)

    # -- disposition

    def target(self) -> OrgNode:
        d = self.d
        if d.unit is not None:
            return self.g.nodes[d.unit]
        category = self.g.categories.get(d.category) if d.category else None
        node = routing_suggestion(agency=self.g.nodes[d.agency],
                                  category_id=category.pk if category else None,
                                  region_code=d.region)
        if node is None:
            raise LookupError(f"no demo route for {d.category} in {d.region}")
        return node

    def _verify_delay(self) -> tuple[int, int]:
        return (3, 4) if self.rng.random() < 0.12 else (1, 2)

    def dispose(self, *, misroute: bool) -> None:
        """Verify and dispose, ending with an active disposition at the right unit."""
        d = self.d
        right = self.target()
        wrong_code, wrong_reason = data.MISROUTES.get(d.category or "", ("", ""))
        wrong = self.g.nodes.get(wrong_code) if misroute else None
        if wrong is not None and wrong.pk == right.pk:
            wrong = None
        verifier = self.verifier()
        if d.sensitive and not d.confidential and self.rng.random() < 0.5:
            self.call(self.office(self.tier, 0, 1), services.report_set_privacy,
                      actor=verifier, report_id=self.report_id, confidential=True)
            self.call(self.t + timedelta(minutes=1), services.report_note, actor=verifier,
                      report_id=self.report_id, body=data.PRIVACY_NOTE)
        low, high = self._verify_delay()
        if self.tier == data.ROOT:
            agency = self.g.nodes[d.agency]
            self.call(self.office(self.tier, low, high), services.report_dispose,
                      actor=verifier, report_id=self.report_id, node_code=agency.code,
                      note=data.NATIONAL_NOTES[d.agency])
            self.disposed_at = self.t
            hub = self.g.liaison(agency)
            first = wrong or right
            self.forward(hub, first, d.agency)
            if wrong is not None:
                self.give_back(wrong, wrong_reason)
                self.forward(hub, right, d.agency)
        else:
            first = wrong or right
            self.call(self.office(self.tier, low, high), services.report_dispose,
                      actor=verifier, report_id=self.report_id, node_code=first.code,
                      note=self.rng.choice(data.DISPOSE_NOTES))
            self.disposed_at = self.t
            if wrong is not None:
                self.give_back(wrong, wrong_reason)
                self.call(self.office(self.tier, 0, 1), services.report_dispose,
                          actor=verifier, report_id=self.report_id, node_code=right.code,
                          note=self.rng.choice(data.DISPOSE_NOTES))
        self.unit = right
        if self.tier == data.KUTIM and self.rng.random() < 0.1:
            self.call(self.office(data.KUTIM, 0, 1), services.report_note,
                      actor=self.g.actor("kominfo"), report_id=self.report_id,
                      body=self.rng.choice(data.HUB_NOTES).format(unit=right.name))

    def forward(self, by: Actor, node: OrgNode, org: str) -> None:
        self.call(self.office(org, 0, 1), services.report_forward, actor=by,
                  report_id=self.report_id, node_code=node.code,
                  note=data.FORWARD_NOTE.format(unit=node.name))

    def give_back(self, node: OrgNode, reason: str) -> None:
        """"Bukan wewenang": the wrong unit hands the report back."""
        self.call(self.office(self.g.agency_code(node), 0, 2), services.report_return,
                  actor=self.g.liaison(node), report_id=self.report_id, reason=reason)

    # -- follow-up

    def handler_unit(self) -> OrgNode:
        if self.unit is None:
            raise RuntimeError("the report was not disposed yet")
        return self.unit

    def handle(self, *, progress: bool, final: bool, fast: bool = False) -> None:
        unit = self.handler_unit()
        org = self.g.agency_code(unit)
        liaison = self.g.liaison(unit)
        sub = data.SUBUNIT_FORWARDS.get((self.g.code_of.get(unit.pk, ""), self.d.category or ""))
        if sub is not None and sub.endswith("sangatta-utara") and self.d.region != "64.08.04":
            sub = None
        if sub is not None and self.rng.random() < 0.6:
            self.forward(liaison, self.g.nodes[sub], org)
            unit = self.g.nodes[sub]
        self.call(self.office(org, 0, 2), services.report_acknowledge, actor=liaison,
                  report_id=self.report_id)
        if progress:
            self.progress(unit, org, 1, 4)
        if final:
            report = self.report()
            low, high = (1, 4) if fast else _RESPONSE_DAYS.get(report.resolution_days or 14,
                                                               (2, 10))
            if not fast and self.rng.random() < 0.1:
                low, high = high, high + 6  # late
            at = self.office(org, low, high)
            answer = (self.d.answer or data.FINAL_ANSWERS.get(self.d.category or "")
                      or data.FINAL_ANSWER)
            self.call(at, services.report_follow_up, actor=liaison, report_id=self.report_id,
                      body=self._text(answer, unit, org), final=True)

    def progress(self, unit: OrgNode, org: str, low: int, high: int) -> None:
        """A non-final follow-up by the unit's officer (or its liaison)."""
        texts = data.PROGRESS_BY_TYPE.get(self.d.type) or data.PROGRESS.get(
            self.d.category or "", data.PROGRESS["lainnya"])
        self.call(self.office(org, low, high), services.report_follow_up,
                  actor=self.g.officer(unit), report_id=self.report_id,
                  body=self._text(self.rng.choice(texts), unit, org), final=False)

    def _text(self, template: str, unit: OrgNode, org: str) -> str:
        """Fill an answer; ``{tanggal}`` is the last working day before now (the work day)."""
        cal = self.g.calendars[org]
        day = self.t.astimezone(cal.tz).date() - timedelta(days=1)
        while not cal.is_working_day(day):
            day -= timedelta(days=1)
        tanggal = (f"{data.DAYS_ID[day.weekday()]}, {day.day} "
                   f"{data.MONTHS_ID[day.month - 1]} {day.year}")
        return template.format(**self.d.fill, unit=unit.name, tanggal=tanggal)

    def accept(self) -> None:
        ratings, weights = zip(*data.RATINGS, strict=True)
        rating: int = self.rng.choices(ratings, weights)[0]
        self.call(self.citizen(3, 72), services.report_reporter_reply, actor=self.reporter,
                  report_id=self.report_id, accept=True, rating=rating,
                  body=self.rng.choice(data.ACCEPT_COMMENTS[rating]))

    def reopen(self) -> None:
        self.call(self.citizen(5, 72), services.report_reporter_reply, actor=self.reporter,
                  report_id=self.report_id, accept=False,
                  body=self.rng.choice(data.REOPEN_COMMENTS[self.d.type]))
        if self.rng.random() < 0.5:
            unit = self.handler_unit()
            self.progress(unit, self.g.agency_code(unit), 1, 3)

    def auto_close(self) -> None:
        report = self.report()
        if report.reply_due_at is None:
            return
        at = report.reply_due_at + timedelta(minutes=self.rng.randint(1, 20))
        if at < self.g.now:  # otherwise the reply window is still open: it stays responded
            self.t = at
            self.call(at, services.report_auto_close, report_id=self.report_id)

    def close(self) -> None:
        closer = self.g.actor(data.VERIFIERS[self.d.agency])
        self.call(self.office(self.d.agency, 1, 5), services.report_close, actor=closer,
                  report_id=self.report_id, reason=self.rng.choice(data.CLOSE_REASONS))

    def supervise(self) -> None:
        """The hub reminds the unit of an overdue report (supervisors are read-only)."""
        report = self.report()
        if (self.d.agency != data.KUTIM or report.staff_due_at is None
                or report.staff_due_at >= self.g.now - timedelta(days=1)
                or self.rng.random() < 0.4):
            return
        self.t = max(self.t, report.staff_due_at)
        unit = report.current_node
        self.call(self.office(data.KUTIM, 1, 2), services.report_note,
                  actor=self.g.actor(data.VERIFIERS[data.KUTIM]), report_id=self.report_id,
                  body=self.rng.choice(data.SUPERVISOR_NOTES).format(unit=unit.name))

    def support(self) -> None:
        """Public "dukung" from other residents on a few public reports."""
        if self.d.confidential or self.disposed_at is None or self.rng.random() < 0.75:
            return
        if self.report().is_confidential:
            return
        span = (self.g.now - self.disposed_at).total_seconds()
        for n in range(self.rng.randint(1, 9)):
            at = self.disposed_at + timedelta(seconds=span * self.rng.random())
            key = hashlib.sha256(f"demo:{self.d.tracking_number}:{n}".encode()).hexdigest()
            self.call(at, services.report_support, report_id=self.report_id, supporter_key=key)


# Working days from acknowledgement to the final answer, by resolution tier (HK).
_RESPONSE_DAYS: dict[int, tuple[int, int]] = {2: (0, 1), 5: (1, 4), 14: (2, 10), 60: (5, 20)}


__all__ = ["DemoRefused", "LoadResult", "demo_loaded", "demo_logins", "demo_password",
           "load_demo", "load_region_demo", "region_demo_loaded", "region_users"]
