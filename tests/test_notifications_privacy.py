"""An anonymous reporter's identity never reaches an agency-side message (issue #6).

A name, e-mail and phone number are planted on an anonymous report, which then goes through
every step that writes outbox rows (submission, hold, answer, disposition, forward, hand back,
follow-ups, reopen, messages, overdue, escalation, digest, callbacks). Every agency-side outbox
row (subject, body, payload, key, error), every in-app notification, every e-mail sent to staff
and the notification API's answers are searched for any form of them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core import mail

from lapor.core import clock
from lapor.notifications.digest import send_digests
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import CallbackEndpoint, Notification, OutboxMessage
from lapor.orgs.models import EscalationStep
from lapor.reports import services
from lapor.sla.notices import sweep_notices
from tests.api_client import login
from tests.factories import PASSWORD, Tree, reporter_of, submit

WITA = ZoneInfo("Asia/Makassar")
NAME, EMAIL, PHONE = "Zubaedah Tanamnama", "zubaedah.tanam@example.org", "0812-9999-1234"
PLANTED = ("Zubaedah", "Tanamnama", "zubaedah.tanam", "9999-1234", "99991234", "812999")


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [p for p in PLANTED if p.lower() in lowered]


def test_anonymous_identity_never_reaches_agency_side_messages(tree: Tree) -> None:
    for user in tree.users.values():
        user.email = f"{user.username}@kutim.example"
        user.save(update_fields=["email"])
    EscalationStep.objects.create(agency=tree.kutim, order=1, node=tree.kutim)
    CallbackEndpoint.objects.create(node=tree.kutim, name="SIPP", url="http://127.0.0.1:9/x",
                                    secret="s", created_at=clock.now())
    start = datetime(2026, 6, 1, 9, 0, tzinfo=WITA)
    report = submit(tree, at=start, is_anonymous=True, reporter_name=NAME,
                    reporter_email=EMAIL, reporter_phone=PHONE).report
    hub, reporter = tree.actor("hub"), reporter_of(report)
    day = timedelta(days=1)
    with clock.frozen(start + timedelta(hours=1)):
        services.report_hold(actor=hub, report_id=report.pk, question="Lokasi tepatnya?")
        services.report_provide_info(actor=reporter, report_id=report.pk, body="Depan pasar.")
        services.report_dispose(actor=hub, report_id=report.pk, node_code=tree.pupr.code)
        services.report_forward(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                node_code=tree.bina_marga.code)
        services.report_return(actor=tree.actor("liaison_binamarga"), report_id=report.pk,
                               reason="Bukan wewenang bidang.")
        services.report_reporter_message(actor=reporter, report_id=report.pk,
                                         body="Mohon segera.")
    # Late: overdue, escalation, digest (on a working day: Thursday 18 June).
    with clock.frozen(start + 17 * day):
        sweep_notices()
        send_digests()
    with clock.frozen(start + 21 * day):
        services.report_acknowledge(actor=tree.actor("liaison_pupr"), report_id=report.pk)
        services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                                  body="Sudah ditambal.", final=True)
        services.report_reporter_reply(actor=reporter, report_id=report.pk, accept=False,
                                       body="Belum beres.")
        dispatch()

    agency_side = OutboxMessage.objects.exclude(audience="reporter")
    kinds = set(agency_side.values_list("event", flat=True))
    assert {"staff.assigned", "staff.returned", "staff.info_provided", "staff.overdue",
            "staff.escalation", "staff.digest", "staff.reporter_message",
            "staff.reporter_reply"} <= kinds
    assert any(k.startswith("callback.") for k in kinds)
    found = []
    for row in agency_side:
        text = " ".join([row.key, row.subject, row.body, json.dumps(row.payload),
                         row.last_error])
        found += [(row.key, leak) for leak in _leaks(text)]
    for note in Notification.objects.all():
        found += [(note.key, leak) for leak in _leaks(note.subject + note.body)]
    reporter_mail = [m for m in mail.outbox if m.to == [EMAIL]]
    assert reporter_mail, "the reporter is still answered on their own channel"
    for sent in mail.outbox:
        if sent.to != [EMAIL]:
            found += [(sent.subject, leak) for leak in _leaks(sent.subject + sent.body)]
    # Reporter-facing rows carry no address either: it is decrypted at delivery only.
    for row in OutboxMessage.objects.filter(audience="reporter"):
        found += [(row.key, leak) for leak in _leaks(row.subject + row.body + row.key)]
    for who in ("liaison_pupr", "hub", "supervisor_kutim"):
        response = login(who, PASSWORD).get("/notifications", {"limit": 100})
        assert response.status_code == 200
        assert response.json()["items"]
        found += [(who, leak) for leak in _leaks(response.content.decode())]
    assert found == []
