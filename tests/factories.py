"""Small real data for tests: an organisation tree with one user per role, and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lapor.accounts.models import User
from lapor.categories.models import Category
from lapor.core import clock
from lapor.orgs.actors import PUBLIC, Actor, actor_for_user
from lapor.orgs.models import NodeKind, OrgNode, Role
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
