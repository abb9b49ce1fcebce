"""Issue 18, routing: e-mail, integrated applications and walk-in entry follow the one rule
(lapor.orgs.selectors.report_receiver): a report naming no agency reaches its region's hub."""

from __future__ import annotations

import pytest
from django.test import override_settings

from lapor.intake.applications import integration_app_create
from lapor.intake.email_inbox import inbound_email_record
from lapor.intake.email_intake import inbound_email_process
from lapor.intake.models import InboundEmail
from lapor.intake.tests.mailtools import citizen_mail
from lapor.intake.tests.support import post_report, report_body
from lapor.orgs.models import NodeKind
from lapor.orgs.services import node_create, sop_update
from lapor.reports.models import Report
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def _mail(to: str) -> Report | None:
    mail = citizen_mail(to=to)
    assert inbound_email_record(raw=mail.as_bytes(), source="smtp", recipients=[to])
    row = InboundEmail.objects.get()
    inbound_email_process(email_id=row.pk)
    row.refresh_from_db()
    return row.report


def test_mail_to_the_general_address_goes_to_the_default_regions_hub(tree: Tree) -> None:
    with override_settings(LAPOR_EMAIL_DEFAULT_REGION="64.08.04"):
        report = _mail("lapor@lapor.test")
    assert report is not None
    assert (report.channel, report.region_id, report.tier, report.target_agency) == (
        "email", "64.08.04", tree.kutim, None)


def test_mail_outside_any_hubs_region_goes_to_the_national_pool(tree: Tree) -> None:
    with override_settings(LAPOR_EMAIL_DEFAULT_REGION="31.71"):
        report = _mail("lapor@lapor.test")
    assert report is not None
    assert (report.tier, report.target_agency) == (tree.root, None)


def test_mail_to_an_agencys_address_stays_addressed(tree: Tree) -> None:
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, receives_region_reports=False)
    with override_settings(LAPOR_EMAIL_DEFAULT_REGION="31.71"):
        report = _mail("kutim@lapor.test")
    assert report is not None
    assert (report.tier, report.target_agency) == (tree.kutim, tree.kutim)


def test_integration_reports_reach_the_applications_hub(tree: Tree) -> None:
    """An application speaks for its agency: its reports are addressed to it, so they reach
    the agency's hub whatever the region routing setting says."""
    sop_update(actor=tree.actor("hub"), agency=tree.kutim, receives_region_reports=False)
    token = integration_app_create(agency_code="kutim", name="SIPADU Kutim").token
    answer = post_report(token, report_body("KTM-1"), "k-1")
    assert answer.status_code == 201, answer.content
    report = Report.objects.get(tracking_number=answer.json()["tracking_number"])
    assert (report.channel, report.tier) == ("integration", tree.kutim)


def test_integration_of_an_agency_without_verifiers_waits_nationally(tree: Tree) -> None:
    """A non-hub agency's application: the national pool verifies (the region's hub could not
    dispose to an agency outside its tree)."""
    node_create(code="berau", name="Pemerintah Kabupaten Berau", kind=NodeKind.AGENCY,
                parent=tree.root, is_hub=False, region_id="64.03")
    token = integration_app_create(agency_code="berau", name="Aplikasi Berau").token
    answer = post_report(token, report_body("BRU-1", region_code="64.08.04"), "k-2")
    assert answer.status_code == 201, answer.content
    report = Report.objects.get(tracking_number=answer.json()["tracking_number"])
    assert (report.tier, report.target_agency.code) == (tree.root, "berau")
