"""Small real data for tests: an organisation tree with one user per role, and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, models
from django_otp.plugins.otp_totp.models import TOTPDevice

from lapor.accounts.models import User
from lapor.audit.models import AuditEntry
from lapor.audit.services import GENESIS, _digest
from lapor.categories.models import Category
from lapor.core import clock
from lapor.orgs.actors import PUBLIC, Actor, actor_for_user
from lapor.orgs.models import NodeKind, OrgNode, Role, RoleAssignment, Sop
from lapor.orgs.services import node_create, role_assign
from lapor.reports.submission import SubmittedReport, report_submit

PASSWORD = "correct-horse-battery"
# Every staff user made here gets a confirmed authenticator with this key (hex of 20 bytes);
# tests.api_client.login computes the current code from it.
TOTP_KEY = "3132333435363738393031323334353637383930"


@dataclass
class Tree:
    root: OrgNode
    kutim: OrgNode  # hub agency, WITA
    pupr: OrgNode  # unit of kutim
    bina_marga: OrgNode  # subunit of pupr
    dinkes: OrgNode  # unit of kutim
    samarinda: OrgNode  # another hub agency, WITA
    samarinda_dishub: OrgNode
    category: Category  # 14 HK
    urgent: Category  # 2 HK
    users: dict[str, User] = field(default_factory=dict)

    def actor(self, name: str) -> Actor:
        return actor_for_user(self.users[name])


def make_user(username: str, *roles: tuple[OrgNode, str]) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD,
                                    display_name=username.replace("_", " ").title())
    for node, role in roles:
        role_assign(user=user, node=node, role=role)
    if roles:
        # Local import: this shared file's header stays untouched (see reporter_of).
        from lapor.accounts.two_factor import totp_set  # noqa: PLC0415

        totp_set(user=user, key_hex=TOTP_KEY)
    return user


def make_tree() -> Tree:
    """The tree and its users, as :func:`build_tree` makes them through the real services.

    That is ~190 queries (a role is a get_or_create plus an audit entry, each staff user gets
    an authenticator), about a quarter of an ordinary test's time. The first call in a test
    database builds it and keeps its rows (:class:`_Snapshot`); a later call that finds the
    tree's tables as the first one did (the same row counts, the same audit head: every test
    rolls back or flushes) inserts those rows again, with their ids, datetimes moved by the
    time since, and the audit chain re-hashed, in about a dozen queries."""
    key = str(connection.settings_dict["NAME"])
    snapshot = _SNAPSHOTS.get(key)
    baseline = _tree_tables_state()
    if snapshot is not None and snapshot.baseline == baseline:
        return snapshot.restore()
    tree = build_tree()
    if snapshot is None:
        _SNAPSHOTS[key] = _Snapshot.capture(tree, baseline)
    return tree


# The tables build_tree writes, parents first (every row it writes is one it inserted).
_TREE_MODELS: tuple[type[models.Model], ...] = (
    User, Category, OrgNode, Sop, RoleAssignment, TOTPDevice, AuditEntry)


def _tree_tables_state() -> tuple[Any, ...]:
    """Each tree table's row count and largest id, and the audit chain's head hash."""
    parts = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*), MAX({m._meta.pk.column}) FROM {m._meta.db_table}"  # noqa: S608
        for i, m in enumerate(_TREE_MODELS))
    with connection.cursor() as cursor:
        cursor.execute(parts)
        counts = tuple(tuple(row[1:]) for row in sorted(cursor.fetchall()))
    head = AuditEntry.objects.order_by("-seq").values_list("entry_hash", flat=True).first()
    return (*counts, head)


@dataclass
class _Snapshot:
    """The rows :func:`build_tree` inserted into a database, and which of them the tree holds."""

    baseline: tuple[Any, ...]
    taken_at: datetime
    rows: list[tuple[type[models.Model], list[dict[str, Any]]]]
    nodes: dict[str, int]  # Tree field -> OrgNode id
    categories: dict[str, int]
    users: dict[str, int]

    @classmethod
    def capture(cls, tree: Tree, baseline: tuple[Any, ...]) -> _Snapshot:
        rows = []
        for model, (_count, largest) in zip(_TREE_MODELS, baseline, strict=False):
            fields = [f.attname for f in model._meta.concrete_fields]
            rows.append((model, list(model._default_manager.filter(pk__gt=largest or 0)
                                     .order_by("pk").values(*fields))))
        return cls(
            baseline=baseline, taken_at=clock.now(), rows=rows,
            nodes={name: getattr(tree, name).pk for name in (
                "root", "kutim", "pupr", "bina_marga", "dinkes", "samarinda",
                "samarinda_dishub")},
            categories={"category": tree.category.pk, "urgent": tree.urgent.pk},
            users={name: user.pk for name, user in tree.users.items()})

    def restore(self) -> Tree:
        shift = clock.now() - self.taken_at
        ids = self._new_ids()
        for model, rows in self.rows:
            objects = [model(**_moved(model, row, ids, shift)) for row in rows]
            if model is AuditEntry:
                previous = AuditEntry.objects.order_by("-seq").values_list(
                    "entry_hash", flat=True).first() or GENESIS
                for entry in objects:
                    entry.prev_hash = previous
                    entry.entry_hash = previous = _digest(entry)
            model._default_manager.bulk_create(objects)
        nodes = OrgNode.objects.in_bulk([ids[OrgNode][pk] for pk in self.nodes.values()])
        categories = Category.objects.in_bulk(
            [ids[Category][pk] for pk in self.categories.values()])
        users = User.objects.in_bulk([ids[User][pk] for pk in self.users.values()])
        tree = Tree(**{name: nodes[ids[OrgNode][pk]] for name, pk in self.nodes.items()},
                    **{name: categories[ids[Category][pk]]
                       for name, pk in self.categories.items()})
        tree.users = {name: users[ids[User][pk]] for name, pk in self.users.items()}
        return tree

    def _new_ids(self) -> dict[type[models.Model], dict[int, int]]:
        """Old id -> the id the row gets now. PostgreSQL: the next ids of each table's
        sequence, as the services' inserts would take them (ids keep growing through the run,
        as without the copy, so tests that order by id or path see what they saw). SQLite:
        the same ids (its sequences roll back with the test, so the services would reuse
        them too)."""
        old = {model: [row[model._meta.pk.attname] for row in rows] for model, rows in self.rows}
        if connection.vendor != "postgresql":
            return {model: {pk: pk for pk in pks} for model, pks in old.items()}
        parts = " UNION ALL ".join(
            f"SELECT {i}, nextval(pg_get_serial_sequence('{m._meta.db_table}', "  # noqa: S608
            f"'{m._meta.pk.column}')) FROM generate_series(1, {len(pks)})"
            for i, (m, pks) in enumerate(old.items()) if pks)
        fresh: dict[int, list[int]] = {}
        with connection.cursor() as cursor:
            cursor.execute(parts)
            for index, value in cursor.fetchall():
                fresh.setdefault(index, []).append(value)
        return {model: dict(zip(pks, sorted(fresh.get(i, [])), strict=True))
                for i, (model, pks) in enumerate(old.items())}


_SNAPSHOTS: dict[str, _Snapshot] = {}


def _moved(model: type[models.Model], row: dict[str, Any],
           ids: dict[type[models.Model], dict[int, int]], shift: timedelta) -> dict[str, Any]:
    """``row`` with its ids and the ids it refers to replaced (``ids``) and its datetimes moved
    by ``shift``; also the ids inside a node's path and an audit entry's target and payload."""
    moved = {k: v + shift if isinstance(v, datetime) else v for k, v in row.items()}
    for f in model._meta.concrete_fields:
        target = model if f.primary_key else f.related_model if f.is_relation else None
        if target in ids and moved[f.attname] is not None:
            moved[f.attname] = ids[target][moved[f.attname]]
    nodes = ids[OrgNode]
    if model is OrgNode:
        moved["path"] = "/" + "".join(f"{nodes.get(int(p), int(p))}/"
                                      for p in row["path"].strip("/").split("/"))
    if model is AuditEntry:
        if row["target_type"] == "user" and row["target_id"].isdigit():
            moved["target_id"] = str(ids[User].get(int(row["target_id"]), row["target_id"]))
        if isinstance(row["payload"], dict) and isinstance(row["payload"].get("node"), int):
            moved["payload"] = {**row["payload"],
                                "node": nodes.get(row["payload"]["node"], row["payload"]["node"])}
    return moved


def build_tree() -> Tree:
    """The tree of :class:`Tree`, made through the real services (:func:`make_tree`)."""
    root = node_create(code="nasional", name="Admin Nasional", kind=NodeKind.ROOT, parent=None)
    kutim = node_create(code="kutim", name="Pemerintah Kabupaten Kutai Timur",
                        kind=NodeKind.AGENCY, parent=root, is_hub=True, region_id="64.08")
    pupr = node_create(code="kutim-pupr", name="Dinas PUPR", kind=NodeKind.UNIT, parent=kutim)
    bina_marga = node_create(code="kutim-pupr-binamarga", name="Bidang Bina Marga",
                             kind=NodeKind.SUBUNIT, parent=pupr)
    dinkes = node_create(code="kutim-dinkes", name="Dinas Kesehatan", kind=NodeKind.UNIT,
                         parent=kutim)
    samarinda = node_create(code="samarinda", name="Pemerintah Kota Samarinda",
                            kind=NodeKind.AGENCY, parent=root, is_hub=True, region_id="64.72")
    samarinda_dishub = node_create(code="samarinda-dishub", name="Dishub Samarinda",
                                   kind=NodeKind.UNIT, parent=samarinda)
    category = Category.objects.create(code="jalan", name_id="Jalan", name_en="Roads",
                                       resolution_days=14)
    urgent = Category.objects.create(code="darurat", name_id="Darurat", name_en="Emergency",
                                     resolution_days=2)
    tree = Tree(root=root, kutim=kutim, pupr=pupr, bina_marga=bina_marga, dinkes=dinkes,
                samarinda=samarinda, samarinda_dishub=samarinda_dishub, category=category,
                urgent=urgent)
    tree.users = {
        "national": make_user("national", (root, Role.NATIONAL_VERIFIER)),
        "hub": make_user("hub", (kutim, Role.HUB_VERIFIER)),
        "liaison_pupr": make_user("liaison_pupr", (pupr, Role.LIAISON)),
        "officer_pupr": make_user("officer_pupr", (pupr, Role.UNIT_OFFICER)),
        "liaison_binamarga": make_user("liaison_binamarga", (bina_marga, Role.LIAISON)),
        "liaison_dinkes": make_user("liaison_dinkes", (dinkes, Role.LIAISON)),
        "supervisor_kutim": make_user("supervisor_kutim", (kutim, Role.SUPERVISOR)),
        "supervisor_pupr": make_user("supervisor_pupr", (pupr, Role.SUPERVISOR)),
        "auditor": make_user("auditor", (root, Role.AUDITOR)),
        "sysadmin": make_user("sysadmin", (root, Role.SYSADMIN)),
        "hub_samarinda": make_user("hub_samarinda", (samarinda, Role.HUB_VERIFIER)),
        "liaison_samarinda": make_user("liaison_samarinda",
                                       (samarinda_dishub, Role.LIAISON)),
        "citizen": make_user("citizen"),
    }
    return tree


def submit(
    tree: Tree, *, at: datetime | None = None, actor: Actor | None = None, **overrides: Any
) -> SubmittedReport:
    """Submit a plausible report to Kutai Timur (its hub verifies it) unless told otherwise."""
    fields: dict[str, Any] = {
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Jalan di depan Pasar Induk Sangatta berlubang besar dan membahayakan pengendara.",
        "region_code": "64.08.04",
        "category_code": tree.category.code,
        "target_agency_code": tree.kutim.code,
        "reporter_name": "Siti Aminah",
        "reporter_email": "siti@example.org",
        "reporter_phone": "0812-3456-7890",
    }
    fields.update(overrides)
    if at is None:
        return report_submit(actor=actor or PUBLIC, **fields)
    with clock.frozen(at):
        return report_submit(actor=actor or PUBLIC, **fields)


# ---------------------------------------------------------------- lifecycle helpers
# Used by test_lifecycle, test_permissions, test_deadlines_lifecycle, test_sweep and
# test_concurrency: reports brought into a status through the real services, never by saving
# a status directly.


def reporter_of(report: Any) -> Actor:
    """The reporter of ``report``, proven by access code (one report only)."""
    # Local imports: these helpers are appended to a shared file whose header stays untouched.
    from lapor.orgs.actors import reporter_actor  # noqa: PLC0415

    return reporter_actor(report_id=report.pk)


def drive(
    tree: Tree, status: str, *, at: datetime | None = None, forwarded: bool = False,
    **overrides: Any,
) -> Any:
    """A Kutai Timur report (hub verifies) brought into ``status`` with the real services.

    ``on_hold`` asks a question, ``archived`` archives as spam, ``disposed`` disposes to PUPR
    (and, with ``forwarded``, PUPR forwards it to Bina Marga), ``in_progress`` acknowledges,
    ``responded`` posts a final follow-up, ``closed`` has the reporter accept with rating 5.
    Every step happens at the one instant ``at`` (default: the real now).
    """
    from lapor.reports import services  # noqa: PLC0415  (see reporter_of)

    with clock.frozen(at or clock.now()):
        report = submit(tree, **overrides).report
        hub = tree.actor("hub")
        if status == "on_hold":
            services.report_hold(actor=hub, report_id=report.pk, question="Di mana tepatnya?")
        elif status == "archived":
            services.report_archive(actor=hub, report_id=report.pk, reason="spam")
        elif status != "submitted":
            services.report_dispose(actor=hub, report_id=report.pk, node_code=tree.pupr.code)
            handler = tree.actor("liaison_pupr")
            if forwarded:
                services.report_forward(actor=handler, report_id=report.pk,
                                        node_code=tree.bina_marga.code)
                handler = tree.actor("liaison_binamarga")
            if status in ("in_progress", "responded", "closed"):
                services.report_acknowledge(actor=handler, report_id=report.pk)
            if status in ("responded", "closed"):
                services.report_follow_up(actor=handler, report_id=report.pk, final=True,
                                          body="Lubang sudah ditambal pada hari Senin.")
            if status == "closed":
                services.report_reporter_reply(actor=reporter_of(report), report_id=report.pk,
                                               accept=True, rating=5)
    report.refresh_from_db()
    assert report.status == status, (report.status, status)
    return report
