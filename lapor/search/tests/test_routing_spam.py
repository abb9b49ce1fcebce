"""Routing suggestions (SOP rule first, then the agency's classifier with confidence and its
held-out accuracy, retrained by a task) and the spam score (signals shown, nothing dropped)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from lapor.config.scheduler import tick
from lapor.core import clock
from lapor.core.models import PeriodicRun
from lapor.orgs.services import routing_rules_replace
from lapor.reports import services
from lapor.reports.models import Report
from lapor.reports.states import Status
from lapor.search import routing
from lapor.search.models import RoutingModel
from lapor.search.spam import spam_score, text_signals
from lapor.search.tasks import routing_train_task
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.api_client import login
from tests.factories import PASSWORD, Tree, submit

pytestmark = pytest.mark.django_db

ROADS = ["Jalan berlubang di {p}", "Aspal rusak parah di {p}", "Jembatan retak di {p}",
         "Perbaikan jalan mangkrak di {p}"]
HEALTH = ["Antrean panjang di puskesmas {p}", "Obat kosong di puskesmas {p}",
          "Dokter puskesmas {p} jarang datang", "Pelayanan RSUD {p} lambat"]
PLACES = ["Sangatta", "Bengalon", "Muara Wahau", "Rantau Pulung", "Kaliorang", "Sandaran"]


def _history(tree: Tree) -> None:
    """Real dispositions by the Kutai Timur hub: roads to PUPR, health to Dinkes."""
    hub = tree.actor("hub")
    start = clock.now() - timedelta(days=20)
    for i, place in enumerate(PLACES * 2):
        for titles, unit in ((ROADS, tree.pupr), (HEALTH, tree.dinkes)):
            title = titles[i % len(titles)].format(p=place)
            with clock.frozen(start + timedelta(hours=i)):
                report = submit(tree, title=title, body=f"{title}. Mohon segera ditangani.",
                                category_code=tree.urgent.code).report
                services.report_dispose(actor=hub, report_id=report.pk, node_code=unit.code)


def test_classifier_learns_the_agency_history_and_suggests_top_units(tree: Tree) -> None:
    _history(tree)
    stored = routing.routing_train(tree.kutim)
    assert stored is not None
    assert stored.examples == 24
    assert stored.classes == 2
    assert stored.held_out == 5
    assert 0 <= stored.accuracy <= stored.top3_accuracy <= 1
    health = submit(tree, title="Puskesmas tutup siang hari",
                    body="Puskesmas di Bengalon tutup sebelum jam pelayanan berakhir.",
                    category_code=tree.urgent.code).report
    found, model = routing.suggestions(health)
    assert model is not None
    assert model.pk == stored.pk
    assert [s.node.code for s in found] == [tree.dinkes.code, tree.pupr.code]
    assert found[0].source == "classifier"
    assert found[0].confidence is not None
    assert found[0].confidence > found[1].confidence  # type: ignore[operator]
    road = submit(tree, title="Jalan rusak berlubang", body="Aspal jalan rusak dan berlubang.",
                  category_code=tree.urgent.code).report
    assert routing.suggestions(road)[0][0].node.code == tree.pupr.code


def test_sop_rule_comes_first_then_the_classifier(tree: Tree) -> None:
    _history(tree)
    routing.routing_train(tree.kutim)
    routing_rules_replace(actor=tree.actor("sysadmin"), agency=tree.kutim,
                          rules=[(tree.urgent.pk, "", tree.bina_marga, 10)])
    report = submit(tree, title="Obat kosong di puskesmas", body="Stok obat kosong lagi.",
                    category_code=tree.urgent.code).report
    found, _ = routing.suggestions(report)
    assert found[0].node.code == tree.bina_marga.code
    assert found[0].source == "sop"
    assert found[0].confidence is None
    assert [s.node.code for s in found[1:]] == [tree.dinkes.code, tree.pupr.code]


def test_too_little_history_trains_nothing_and_suggests_only_rules(tree: Tree) -> None:
    report = submit(tree).report
    assert routing.routing_train(tree.kutim) is None
    assert routing.suggestions(report) == ([], None)


def test_the_task_and_the_command_retrain(tree: Tree) -> None:
    _history(tree)
    result = routing_train_task.call()
    assert result == {tree.kutim.code: RoutingModel.objects.get(agency=tree.kutim).accuracy}
    out = StringIO()
    call_command("routing_train", "--agency", tree.kutim.code, stdout=out)
    assert out.getvalue().startswith(f"{tree.kutim.code}: 24 examples, 2 units, held-out 5")


def test_training_reports_and_returned_hops_are_not_learned(tree: Tree) -> None:
    _history(tree)
    practice = Report.objects.filter(title__startswith="Obat kosong")
    Report.objects.filter(pk__in=[r.pk for r in practice]).update(is_training=True)
    texts, labels = routing.training_examples(tree.kutim)
    assert not any(t.startswith("Obat kosong") for t in texts)
    assert len(texts) == 24 - practice.count()
    returned = Report.objects.filter(title__startswith="Jembatan").first()
    assert returned is not None
    services.report_return(actor=tree.actor("liaison_pupr"), report_id=returned.pk,
                           reason="Bukan wewenang kami")
    texts_after, _ = routing.training_examples(tree.kutim)
    assert len(texts_after) == len(texts) - 1
    assert set(labels) == {tree.pupr.code, tree.dinkes.code}


def test_spam_signals_are_named_and_scored() -> None:
    calm = text_signals("Jalan berlubang di depan pasar",
                        "Jalan di depan Pasar Induk berlubang besar dan membahayakan pengendara.")
    assert (calm.score, calm.signals, calm.level) == (0, [], "low")
    noisy = text_signals("TOLONG!!!", "BANGSAT SEMUA KLIK www.contoh.com AAAAAAAA")
    assert noisy.signals == ["short_text", "shouting", "repeated_characters", "links",
                             "abusive_words"]
    assert noisy.score == 100
    assert noisy.level == "high"


def test_burst_from_one_identity_raises_the_score_but_stores_everything(tree: Tree) -> None:
    body = "Jalan di depan Pasar Induk berlubang besar dan membahayakan pengendara motor."
    reports = [submit(tree, title=f"Laporan jalan nomor {i}", body=body,
                      reporter_phone="0812-1111-2222").report for i in range(5)]
    other = submit(tree, title="Laporan lain", body=body, reporter_phone="0813-9999-8888",
                   reporter_email="lain@example.org").report
    assert "burst_from_identity" not in spam_score(reports[2]).signals
    assert "burst_from_identity" in spam_score(reports[4]).signals
    assert "burst_from_identity" not in spam_score(other).signals
    # Never a silent drop: every report is stored and waits for a verifier.
    assert Report.objects.filter(status=Status.SUBMITTED).count() == 6


def test_verifier_sees_suggestions_and_score_on_page_and_api(tree: Tree) -> None:
    _history(tree)
    routing.routing_train(tree.kutim)
    report = submit(tree, title="Obat kosong di puskesmas Sangatta",
                    body="Obat habis, pasien disuruh beli sendiri di apotek luar.",
                    category_code=tree.urgent.code).report
    html = signed_in("hub").get(report_url(report.pk)).content.decode()
    assert 'data-testid="routing-suggestions"' in html
    assert "Dinas Kesehatan" in html
    assert "keyakinan" in html
    assert 'data-testid="spam-score"' in html
    answer = login("hub", PASSWORD).get(f"/reports/{report.pk}/suggestions").json()
    assert answer["routing"][0]["code"] == tree.dinkes.code
    assert 0 < answer["routing"][0]["confidence"] <= 1
    assert answer["model"]["examples"] == 24
    assert answer["spam"]["level"] == "low"
    assert Client().get(f"/api/v1/reports/{report.pk}/suggestions").status_code == 401
    # Another agency's verifier: the report does not exist for them.
    other = login("hub_samarinda", PASSWORD).get(f"/reports/{report.pk}/suggestions")
    assert other.status_code == 404


def test_the_daily_retraining_waits_for_the_night(tree: Tree) -> None:
    """Retraining every agency takes minutes of CPU: the scheduler starts it at the first tick
    at or after LAPOR_ROUTING_TRAIN_HOUR_UTC (18:00 UTC = 01:00 WIB), once a day."""
    def claimed() -> int:
        return PeriodicRun.objects.filter(task="search.routing_train").count()

    with clock.frozen(datetime(2026, 6, 1, 9, 30, tzinfo=UTC)):
        tick("worker-a")
    assert claimed() == 0
    with clock.frozen(datetime(2026, 6, 1, 18, 1, tzinfo=UTC)):
        tick("worker-a")
    assert claimed() == 1
    with clock.frozen(datetime(2026, 6, 1, 22, 0, tzinfo=UTC)):
        tick("worker-b")
    assert claimed() == 1
