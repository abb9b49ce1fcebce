"""Routing suggestions: the agency's SOP rules first, then a text classifier trained on the
agency's own history. It suggests; a verifier disposes (DOMAIN.md).

Training examples are the agency's real (non-training) reports with the unit its verifiers
first disposed them to, minus hops the unit handed back as "bukan wewenang" (those were
misroutes). Features: TF-IDF over PySastrawi stems of title and body, plus the category and
district as tokens; model: multinomial logistic regression (probabilities = confidence).
Before the final fit on every example, 20% are held out to measure top-1 and top-3 accuracy,
stored with the model and shown next to the suggestions. ``routing_train_task`` retrains
(nightly from the scheduler, on its own queue and worker, or ``lapor routing_train``).

Incremental: a night's run (:func:`routing_train_all`) counts, per agency, the examples added or
handed back since the last finished run (one query over that window's dispositions) and
retrains only the agencies where they reach ``LAPOR_ROUTING_RETRAIN_PERCENT`` % of the model's
examples (or any, once the model is ``LAPOR_ROUTING_RETRAIN_DAYS`` old); the others carry the
count forward. A retrained agency reads its whole history again (the model is refitted on every
example, never patched) but each text is analysed once and the regression starts from the
current model's weights (:meth:`lapor.search.learning.Learner.train`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q

from lapor.core import clock
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import routing_suggestion
from lapor.reports.models import Disposition, DispositionState, Report
from lapor.search.duplicates import district_of
from lapor.search.models import RoutingModel, RoutingRun
from lapor.search.text import stems

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from lapor.search.learning import Learner

logger = logging.getLogger(__name__)

MIN_EXAMPLES = 20
MAX_EXAMPLES = 50_000
HELD_OUT = 0.2
TOP = 3
# Dispositions younger than this when a run starts are left to the next run: a transaction
# that wrote one a moment before may not have committed yet.
SETTLE = timedelta(minutes=5)


def features(text: str) -> list[str]:
    """The analyzer of the vectorizer (module level: the fitted pipeline is pickled)."""
    head, _, tail = text.partition("\x1f")
    return [*stems(head), *tail.split()]


def example_text(*, title: str, body: str, category: str | None, region: str) -> str:
    return f"{title} {body}\x1fcat:{category or '-'} reg:{district_of(region)}"


def training_examples(agency: OrgNode) -> tuple[list[str], list[str]]:
    """(texts, unit codes): where the agency's verifiers first sent its reports, newest first."""
    rows = (
        Disposition.objects.filter(parent__isnull=True, node__path__startswith=agency.path,
                                   report__is_training=False)
        .exclude(state=DispositionState.RETURNED).exclude(node=agency)
        .order_by("-created_at")
        .values_list("report__title", "report__body", "report__category__code",
                     "report__region_id", "node__code")[:MAX_EXAMPLES]
    )
    texts, labels = [], []
    for title, body, category, region, node in rows:
        texts.append(example_text(title=title, body=body, category=category, region=region))
        labels.append(node)
    return texts, labels


def _learner() -> Learner:
    # The one lazy import of this module: lapor.search.learning imports scikit-learn, SciPy and
    # joblib (~770 ms), paid where a model is trained or loaded, never when the web server or
    # the worker starts.
    from lapor.search.learning import Learner  # noqa: PLC0415  (scikit-learn: heavy)

    return Learner(analyzer=features, held_out=HELD_OUT, top=TOP)


def _previous(stored: RoutingModel | None) -> Pipeline | None:
    """The agency's current pipeline, to start the regression from (None: start from zero)."""
    if stored is None:
        return None
    blob = RoutingModel.objects.values_list("blob", flat=True).filter(pk=stored.pk).first()
    if blob is None:
        return None
    try:
        return _learner().load(bytes(blob))
    except Exception:  # a model pickled by another scikit-learn, or damaged: start cold
        logger.warning("routing model of agency %s unreadable: training from zero",
                       stored.agency_id)
        return None


def routing_train(agency: OrgNode, *, stored: RoutingModel | None = None) -> RoutingModel | None:
    """Measure, fit on every example and store the agency's model; ``None`` when its history is
    too small (fewer than ``MIN_EXAMPLES`` dispositions or a single unit). ``stored`` is the
    agency's current model when the caller has it (read otherwise)."""
    started = time.perf_counter()
    texts, labels = training_examples(agency)
    if len(texts) < MIN_EXAMPLES or len(set(labels)) < 2:
        return None
    if stored is None:
        stored = RoutingModel.objects.filter(agency=agency).defer("blob").first()
    trained = _learner().train(texts, labels, previous=_previous(stored))
    measured = trained.measured
    seconds = time.perf_counter() - started
    with transaction.atomic():
        stored, _ = RoutingModel.objects.update_or_create(agency=agency, defaults={
            "trained_at": clock.now(), "examples": measured.examples,
            "classes": measured.classes, "held_out": measured.held_out,
            "accuracy": measured.accuracy, "top3_accuracy": measured.top3_accuracy,
            "blob": trained.blob, "seconds": seconds, "pending": 0,
        })
    logger.info("routing model of %s: %d examples, accuracy %.3f, top-3 %.3f, %.2f s",
                agency.code, measured.examples, measured.accuracy, measured.top3_accuracy,
                seconds, extra={"agency": agency.code, "examples": measured.examples,
                                "accuracy": measured.accuracy,
                                "top3_accuracy": measured.top3_accuracy,
                                "seconds": round(seconds, 3)})
    return stored


def changed_examples(agencies: list[OrgNode], since: datetime, until: datetime) -> dict[int, int]:
    """Agency id → examples its verifiers added (a first disposition to one of its units) or
    lost (such a hop handed back as *bukan wewenang*) in ``[since, until)``: one grouped query
    over the window's dispositions."""
    by_path = {agency.path: agency.pk for agency in agencies}
    rows = (
        Disposition.objects.filter(parent__isnull=True, report__is_training=False)
        .filter(Q(created_at__gte=since, created_at__lt=until)
                | Q(state=DispositionState.RETURNED, ended_at__gte=since, ended_at__lt=until))
        .values_list("node__path").annotate(n=Count("id")).order_by()
    )
    changed: dict[int, int] = {}
    for path, n in rows:
        parts = path.strip("/").split("/")
        # Every agency above the node (not the node itself), as training_examples selects.
        for depth in range(1, len(parts)):
            agency_id = by_path.get("/" + "/".join(parts[:depth]) + "/")
            if agency_id is not None:
                changed[agency_id] = changed.get(agency_id, 0) + n
    return changed


def retrain_due(stored: RoutingModel | None, changed: int, now: datetime) -> bool:
    """Retrain an agency with new examples when it has no model yet, when the examples not yet
    learned reach ``LAPOR_ROUTING_RETRAIN_PERCENT`` % of its model's, or when its model is older
    than ``LAPOR_ROUTING_RETRAIN_DAYS``."""
    if stored is None:
        return changed > 0
    waiting = stored.pending + changed
    if waiting == 0:
        return False
    return (waiting >= settings.LAPOR_ROUTING_RETRAIN_PERCENT / 100 * stored.examples
            or stored.trained_at <= now - timedelta(days=settings.LAPOR_ROUTING_RETRAIN_DAYS))


def routing_train_all(*, full: bool = False) -> dict[str, float]:
    """Retrain the hub agencies whose history changed enough since the last finished run
    (every one with ``full``, or when no run finished yet); returns agency code → held-out
    accuracy of those retrained. One BLAS/OpenMP thread: the worker shares its machine with
    web processes (two cores took 190 % for minutes on 552 agencies before)."""
    now = clock.now()
    last = RoutingRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    since = None if full or last is None else last.until
    run = RoutingRun.objects.create(started_at=now, since=since, until=now - SETTLE)
    wall, cpu = time.perf_counter(), time.process_time()
    agencies = list(OrgNode.objects.filter(kind=NodeKind.AGENCY, is_hub=True, is_active=True))
    models = {m.agency_id: m for m in RoutingModel.objects.defer("blob")}
    changed = None if since is None else changed_examples(agencies, since, run.until)
    done = {}
    with _learner().one_thread():
        for agency in agencies:
            stored = models.get(agency.pk)
            if changed is not None:
                count = changed.get(agency.pk, 0)
                if not retrain_due(stored, count, now):
                    run.skipped += 1
                    if stored is not None and count:
                        RoutingModel.objects.filter(pk=stored.pk).update(
                            pending=stored.pending + count)
                    continue
            trained = routing_train(agency, stored=stored)
            if trained is None:
                run.skipped += 1
                continue
            run.trained += 1
            run.examples += trained.examples
            done[agency.code] = trained.accuracy
    run.finished_at = clock.now()
    run.seconds = time.perf_counter() - wall
    run.cpu_seconds = time.process_time() - cpu
    run.save()
    logger.info("routing retraining (%s): %d agencies retrained (%d examples), %d skipped, "
                "%.1f s, %.1f CPU s", "full" if since is None else "incremental", run.trained,
                run.examples, run.skipped, run.seconds, run.cpu_seconds,
                extra={"trained": run.trained, "skipped": run.skipped,
                       "examples": run.examples, "seconds": round(run.seconds, 3),
                       "cpu_seconds": round(run.cpu_seconds, 3)})
    return done


@dataclass(frozen=True)
class RoutingStatus:
    """What /metrics shows of the retraining: the last finished run and every model."""

    last_run: RoutingRun | None
    # (agency code, examples, held-out accuracy, top-3 accuracy, training seconds)
    models: list[tuple[str, int, float, float, float]]


def routing_status() -> RoutingStatus:
    last = RoutingRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    models = list(RoutingModel.objects.order_by("agency__code").values_list(
        "agency__code", "examples", "accuracy", "top3_accuracy", "seconds"))
    return RoutingStatus(last_run=last, models=models)


@lru_cache(maxsize=16)
def _loaded(model_id: int, trained_at: str) -> Pipeline:
    # Keyed by the training time too: a retrained model replaces the cached one.
    blob = RoutingModel.objects.values_list("blob", flat=True).get(pk=model_id)
    return _learner().load(bytes(blob))


@dataclass(frozen=True)
class Suggestion:
    node: OrgNode
    source: str  # "sop" (a routing rule) or "classifier"
    confidence: float | None  # the classifier's probability; None for a rule

    @property
    def percent(self) -> int | None:
        return None if self.confidence is None else round(100 * self.confidence)


def suggestions(report: Report) -> tuple[list[Suggestion], RoutingModel | None]:
    """Up to three units for ``report``: the SOP rule's first, then the classifier's best, each
    an active unit of the agency; and the model used (for its measured accuracy)."""
    agency = report.agency or report.target_agency
    if agency is None:
        return [], None
    found: list[Suggestion] = []
    rule = routing_suggestion(agency=agency, category_id=report.category_id,
                              region_code=report.region_id)
    if rule is not None:
        found.append(Suggestion(node=rule, source="sop", confidence=None))
    stored = RoutingModel.objects.filter(agency=agency).defer("blob").first()
    if stored is None:
        return found, None
    model = _loaded(stored.pk, stored.trained_at.isoformat())
    text = example_text(title=report.title, body=report.body,
                        category=report.category.code if report.category else None,
                        region=report.region_id)
    probabilities = model.predict_proba([text])[0]
    ranked = sorted(zip(model.classes_, probabilities, strict=True), key=lambda cp: -cp[1])
    nodes = {n.code: n for n in OrgNode.objects.filter(
        code__in=[code for code, _ in ranked[:TOP + 1]], is_active=True,
        path__startswith=agency.path)}
    for code, probability in ranked:
        if len(found) >= TOP:
            break
        node = nodes.get(code)
        if node is not None and all(s.node.pk != node.pk for s in found):
            found.append(Suggestion(node=node, source="classifier",
                                    confidence=round(float(probability), 3)))
    return found, stored
