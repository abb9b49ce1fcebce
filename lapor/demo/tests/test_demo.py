from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from lapor.accounts.models import User
from lapor.core import clock
from lapor.core.models import Marker
from lapor.demo import data
from lapor.demo.loader import demo_logins
from lapor.orgs.actors import PUBLIC
from lapor.orgs.models import NodeKind, OrgNode, Role, RoleAssignment, Sop
from lapor.orgs.services import node_create
from lapor.renaksi.models import Activity, Evidence, Plan
from lapor.reports.models import Report, ReportEvent, Support
from lapor.reports.states import ArchiveReason, Status
from lapor.reports.submission import report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(data.PASSWORD_ENV, raising=False)


# Most tests load "as of" a fixed Friday, so the calendar (holidays, weekends) is always the
# same; one test loads as of the real now.
PINNED = datetime(2026, 11, 27, 4, 0, tzinfo=UTC)


def _load(*args: str, at: datetime | None = PINNED) -> str:
    out = StringIO()
    with clock.frozen(at) if at is not None else nullcontext():
        call_command("demo", "--reports", "40", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "reports": Report.objects.count(),
        "events": ReportEvent.objects.count(),
        "supports": Support.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
        "nodes": OrgNode.objects.count(),
        "markers": Marker.objects.count(),
        "renaksi": Plan.objects.count(),
        "activities": Activity.objects.count(),
        "evidence": Evidence.objects.count(),
    }


def test_load_covers_every_status_and_archive_reason() -> None:
    output = _load()

    real = Report.objects.filter(is_training=False)  # not the Renaksi's practice reports
    assert real.count() == 40
    assert set(real.values_list("status", flat=True)) == set(Status.values)
    reasons = set(Report.objects.exclude(archive_reason="").values_list("archive_reason",
                                                                        flat=True))
    assert {ArchiveReason.DUPLICATE, ArchiveReason.INCOMPLETE} <= reasons
    duplicate = Report.objects.get(archive_reason=ArchiveReason.DUPLICATE)
    assert duplicate.duplicate_of is not None
    closed_kinds = set(ReportEvent.objects.filter(to_status=Status.CLOSED)
                       .values_list("kind", flat=True))
    assert {"accept", "auto_close", "close"} <= closed_kinds
    assert Report.objects.filter(status=Status.CLOSED, rating__isnull=False).exists()
    assert real.filter(staff_due_at__lt=PINNED).exists()  # some overdue
    channels = set(Report.objects.values_list("channel", flat=True))
    assert {"web", "mobile", "sms", "whatsapp"} <= channels
    assert Report.objects.filter(is_anonymous=True).exists()
    assert Report.objects.filter(reporter_user__username="warga").exists()
    assert "Demo data loaded" in output
    assert "kominfo" in output


def test_history_is_in_the_past_and_in_order() -> None:
    _load(at=None)
    now = timezone.now()

    assert not ReportEvent.objects.filter(created_at__gt=now).exists()
    assert not Support.objects.filter(created_at__gt=now).exists()
    for report in Report.objects.prefetch_related("events"):
        moments = [e.created_at for e in sorted(report.events.all(), key=lambda e: e.pk)]
        assert moments == sorted(moments)
        assert moments[0] == report.submitted_at
        assert (now - report.submitted_at).days <= data.WINDOW_DAYS


def test_second_run_changes_nothing() -> None:
    _load()
    before = _counts()

    output = _load()

    assert _counts() == before
    assert "already loaded" in output


def test_every_kecamatan_of_kutai_timur_is_a_unit() -> None:
    _load("--quiet")

    kecamatan = OrgNode.objects.filter(code__startswith=data.KECAMATAN_PREFIX)
    assert kecamatan.count() == 18
    assert sorted(kecamatan.values_list("region_id", flat=True)) == [
        f"64.08.{n:02d}" for n in range(1, 19)
    ]
    kutim = OrgNode.objects.get(code=data.KUTIM)
    assert all(k.parent_id == kutim.pk and k.kind == NodeKind.UNIT for k in kecamatan)
    assert kecamatan.get(region_id="64.08.04").name == "Kecamatan Sangatta Utara"
    assert Sop.objects.get(node=kutim).timezone == "WITA"
    assert Sop.objects.get(node=kutim).sms_keyword == "KUTIM"


def _request() -> HttpRequest:
    """django-axes (the lockout backend) needs the request to know the client address."""
    return RequestFactory().post("/api/v1/auth/login")


def test_demo_accounts_sign_in_with_the_default_password() -> None:
    _load("--quiet")

    for spec in data.USERS:
        user = authenticate(_request(), username=spec.username, password=data.DEFAULT_PASSWORD)
        assert user is not None, spec.username
        if spec.role is not None:
            assert RoleAssignment.objects.filter(user=user, role=spec.role,
                                                 node__code=spec.node).exists()
    assert not RoleAssignment.objects.filter(user__username="warga").exists()


def test_existing_accounts_keep_their_password() -> None:
    User.objects.create_user(username="pupr", password="my-own-secret-123")

    _load("--quiet")

    assert authenticate(_request(), username="pupr", password="my-own-secret-123") is not None
    assert authenticate(_request(), username="pupr", password=data.DEFAULT_PASSWORD) is None
    assert RoleAssignment.objects.filter(user__username="pupr", role=Role.LIAISON).exists()


def test_quiet_prints_nothing() -> None:
    assert _load("--quiet") == ""


def test_refuses_a_database_with_real_reports() -> None:
    node_create(code="nasional", name="Admin Nasional", kind=NodeKind.ROOT, parent=None)
    report_submit(actor=PUBLIC, type="complaint", title="Jalan berlubang",
                  body="Jalan di depan pasar berlubang besar.", region_code="64.08.04")
    nodes = OrgNode.objects.count()

    with pytest.raises(CommandError, match="not demo data"):
        _load()

    assert OrgNode.objects.count() == nodes  # nothing half-done
    assert not Marker.objects.exists()
    assert Report.objects.count() == 1


def test_demo_logins_lists_every_account_main_ones_first() -> None:
    rows = demo_logins()

    assert [username for username, _, _ in rows] == [spec.username for spec in data.USERS]
    assert rows[0] == ("nasional", "Admin nasional", "Admin Nasional SP4N-LAPOR!")
    assert ("camat.sangatta", "Admin penghubung", "Kecamatan Sangatta Utara") in rows
    primary = demo_logins(primary_only=True)
    assert [u for u, _, _ in primary][:3] == ["nasional", "kominfo", "pupr"]
    assert "kaltim" not in {u for u, _, _ in primary}


# ---------------------------------------------------------------- the regional demo


def test_region_demo_holds_kutim_subtree_its_staff_and_no_reports() -> None:
    out = StringIO()
    with clock.frozen(PINNED):
        call_command("demo", "--region", "kutim", stdout=out)

    codes = set(OrgNode.objects.values_list("code", flat=True))
    kutim = OrgNode.objects.get(code=data.KUTIM)
    assert data.ROOT in codes
    assert {"kutim-pupr", "kutim-pupr-binamarga", "kutim-dinkes-pkm-sangatta-utara"} <= codes
    assert not codes & {data.KALTIM, "kaltim-pupr", data.KEMENKES, "kemenkes-sdmk"}
    assert OrgNode.objects.filter(code__startswith=data.KECAMATAN_PREFIX).count() == 18
    assert all(kutim.contains(node) for node in OrgNode.objects.exclude(kind=NodeKind.ROOT))
    sop = Sop.objects.get(node=kutim)
    assert (sop.timezone, sop.sms_keyword, sop.verify_days) == ("WITA", "KUTIM", 2)
    assert not Report.objects.exists()

    usernames = set(User.objects.values_list("username", flat=True))
    assert {"kominfo", "pupr", "pupr.petugas", "camat.sangatta", "bupati", "sysadmin",
            "warga"} <= usernames
    assert not usernames & {"nasional", "ombudsman", "kaltim", "kemenkes"}
    kominfo = authenticate(_request(), username="kominfo", password=data.DEFAULT_PASSWORD)
    assert kominfo is not None
    assert RoleAssignment.objects.filter(user=kominfo, role=Role.HUB_VERIFIER,
                                         node=kutim).exists()
    assert "Regional demo of kutim loaded" in out.getvalue()
    assert "nasional" not in out.getvalue().split("Demo accounts", 1)[1]


def test_region_demo_twice_changes_nothing_and_never_mixes_with_the_national_one() -> None:
    with clock.frozen(PINNED):
        call_command("demo", "--region", "kutim", "--quiet")
    before = _counts()
    again = StringIO()
    with clock.frozen(PINNED):
        call_command("demo", "--region", "kutim", stdout=again)
    assert _counts() == before
    assert "already loaded" in again.getvalue()

    with pytest.raises(CommandError, match="regional demo"):
        _load("--quiet")
    assert _counts() == before
