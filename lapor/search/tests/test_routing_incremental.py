"""The nightly routing retraining (issue #21): incremental (only agencies whose examples changed
since the last run), on its own queue that the interactive worker never takes, with its
duration and each model's held-out accuracy in /metrics."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django_tasks_db.models import DBTaskResult

from lapor.config import metrics
from lapor.config.scheduler import tick
from lapor.core import clock
from lapor.reports import services
from lapor.search import routing
from lapor.search.learning import Learner
from lapor.search.models import RoutingModel, RoutingRun
from lapor.search.tasks import ROUTING_QUEUE, routing_train_task
from lapor.search.tests.test_routing_spam import _history
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db

NIGHT_1 = datetime(2026, 6, 2, 18, 0, tzinfo=UTC)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                              "QUEUES": ["default", ROUTING_QUEUE]}}


def _dispose(tree: Tree, title: str, unit_code: str, at: datetime, *,
             agency: str = "kutim", hub: str = "hub", region: str = "64.08.04") -> None:
    with clock.frozen(at):
        report = submit(tree, title=title, body=f"{title}. Mohon segera ditangani.",
                        category_code=tree.urgent.code, target_agency_code=agency,
                        region_code=region).report
        services.report_dispose(actor=tree.actor(hub), report_id=report.pk,
                                node_code=unit_code)


def test_only_agencies_with_new_examples_are_retrained(tree: Tree) -> None:
    with clock.frozen(NIGHT_1 - timedelta(days=1)):
        _history(tree)
    with clock.frozen(NIGHT_1):
        assert set(routing_train_task.call()) == {tree.kutim.code}  # first run: full
    first = RoutingModel.objects.get(agency=tree.kutim)

    # Nothing new the next night: nothing retrained, the model stays as it was.
    with clock.frozen(NIGHT_1 + timedelta(days=1)):
        assert routing_train_task.call() == {}
    assert RoutingModel.objects.get(agency=tree.kutim).trained_at == first.trained_at
    run = RoutingRun.objects.order_by("-pk").first()
    assert run is not None
    assert (run.trained, run.skipped, run.since) == (0, 2, NIGHT_1 - routing.SETTLE)

    # A new disposition in Samarinda (one unit: still no model) and one in Kutai Timur.
    day_2 = NIGHT_1 + timedelta(days=1, hours=2)
    _dispose(tree, "Lampu lalu lintas mati", tree.samarinda_dishub.code, day_2,
             agency=tree.samarinda.code, hub="hub_samarinda", region="64.72.01")
    _dispose(tree, "Jalan berlubang di Sangatta", tree.pupr.code, day_2)
    with clock.frozen(NIGHT_1 + timedelta(days=2)):
        changed = routing.changed_examples([tree.kutim, tree.samarinda],
                                           day_2 - timedelta(hours=1), clock.now())
        assert changed == {tree.kutim.pk: 1, tree.samarinda.pk: 1}
        assert set(routing_train_task.call()) == {tree.kutim.code}
    second = RoutingModel.objects.get(agency=tree.kutim)
    assert second.trained_at > first.trained_at
    assert second.examples == first.examples + 1
    assert second.pending == 0


def test_a_handed_back_hop_counts_as_a_change(tree: Tree) -> None:
    with clock.frozen(NIGHT_1 - timedelta(days=1)):
        _history(tree)
    returned = tree.pupr.code
    report = submit(tree, at=NIGHT_1 - timedelta(hours=2)).report
    with clock.frozen(NIGHT_1 - timedelta(hours=2)):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=returned)
    window = (NIGHT_1 - timedelta(hours=1), NIGHT_1)
    assert routing.changed_examples([tree.kutim], *window) == {}
    with clock.frozen(NIGHT_1 - timedelta(minutes=30)):
        services.report_return(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                               reason="Bukan wewenang kami")
    assert routing.changed_examples([tree.kutim], *window) == {tree.kutim.pk: 1}


@override_settings(LAPOR_ROUTING_RETRAIN_PERCENT=10, LAPOR_ROUTING_RETRAIN_DAYS=7)
def test_a_few_new_examples_wait_until_they_are_a_share_of_the_model() -> None:
    now = NIGHT_1
    model = RoutingModel(examples=1000, pending=0, trained_at=now - timedelta(days=1))
    assert routing.retrain_due(None, 1, now)  # no model yet: try as soon as there is news
    assert not routing.retrain_due(None, 0, now)
    assert not routing.retrain_due(model, 0, now)
    assert not routing.retrain_due(model, 99, now)
    assert routing.retrain_due(model, 100, now)
    model.pending = 60
    assert routing.retrain_due(model, 40, now)  # carried forward from earlier nights
    stale = RoutingModel(examples=1000, pending=0, trained_at=now - timedelta(days=7))
    assert routing.retrain_due(stale, 1, now)
    assert not routing.retrain_due(stale, 0, now)


def test_the_fast_training_measures_what_the_reference_measures(tree: Tree) -> None:
    _history(tree)
    texts, labels = routing.training_examples(tree.kutim)
    learner = Learner(analyzer=routing.features, held_out=routing.HELD_OUT, top=routing.TOP)
    reference = learner.measure(texts, labels)
    trained = learner.train(texts, labels)
    assert trained.measured == reference
    # Started from a model (yesterday's), the same data gives the same measurement.
    again = learner.train(texts, labels, previous=learner.load(trained.blob))
    assert again.measured == reference
    model = learner.load(again.blob)
    assert list(model.classes_) == sorted(set(labels))
    assert model.predict(["Obat kosong di puskesmas Bengalon"])[0] == tree.dinkes.code


# The worker claims rows in its own transactions (SELECT … FOR UPDATE SKIP LOCKED): it needs
# real transactions, not the test's wrapping one (on PostgreSQL it would retry forever).
@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE, LAPOR_ROUTING_WORKER_NICE=0)
def test_the_retraining_goes_to_its_own_queue_that_only_a_routing_worker_takes(
        tree: Tree) -> None:
    _history(tree)
    assert routing_train_task.queue_name == ROUTING_QUEUE
    with clock.frozen(NIGHT_1 + timedelta(minutes=1)):
        tick("worker-a")
    queued = DBTaskResult.objects.get(task_path="lapor.search.tasks.routing_train_task")
    assert queued.queue_name == ROUTING_QUEUE
    # The interactive worker drains its queue (the sweep, dispatch…) and leaves the training.
    call_command("worker", "--burst", stdout=StringIO())
    queued.refresh_from_db()
    assert queued.status == "READY"
    assert not RoutingModel.objects.exists()
    assert DBTaskResult.objects.filter(queue_name="default", status="READY").count() == 0
    call_command("worker", "--burst", "--queue-name", ROUTING_QUEUE, stdout=StringIO())
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert RoutingModel.objects.filter(agency=tree.kutim).exists()


def test_metrics_show_the_run_and_each_model(tree: Tree, client: Client) -> None:
    _history(tree)
    routing_train_task.call()
    metrics.reset_cache()
    page = client.get("/metrics").content.decode()
    metrics.reset_cache()
    model = RoutingModel.objects.get(agency=tree.kutim)
    run = RoutingRun.objects.get()

    def sample(name: str) -> float:
        match = re.search(rf"^{re.escape(name)} (\S+)$", page, re.MULTILINE)
        assert match, f"{name} not in /metrics"
        return float(match.group(1))

    assert sample("lapor_routing_train_duration_seconds") == pytest.approx(run.seconds)
    assert sample("lapor_routing_train_cpu_seconds") == pytest.approx(run.cpu_seconds)
    assert sample('lapor_routing_train_agencies{result="trained"}') == 1
    assert sample('lapor_routing_model_accuracy{agency="kutim",top="1"}') == \
        pytest.approx(model.accuracy)
    assert sample('lapor_routing_model_accuracy{agency="kutim",top="3"}') == \
        pytest.approx(model.top3_accuracy)
    assert sample('lapor_routing_model_examples{agency="kutim"}') == model.examples
    assert sample('lapor_routing_model_train_seconds{agency="kutim"}') > 0
