"""Routing suggestions: the agency's SOP rules first, then a text classifier trained on the
agency's own history. It suggests; a verifier disposes (DOMAIN.md).

Training examples are the agency's real (non-training) reports with the unit its verifiers
first disposed them to, minus hops the unit handed back as "bukan wewenang" (those were
misroutes). Features: TF-IDF over PySastrawi stems of title and body, plus the category and
district as tokens; model: multinomial logistic regression (probabilities = confidence).
Before the final fit on every example, 20% are held out to measure top-1 and top-3 accuracy,
stored with the model and shown next to the suggestions. ``routing_train_task`` retrains
(daily from the scheduler, or ``lapor routing_train``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from django.db import transaction

from lapor.core import clock
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import routing_suggestion
from lapor.reports.models import Disposition, DispositionState, Report
from lapor.search.duplicates import district_of
from lapor.search.models import RoutingModel
from lapor.search.text import stems

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from lapor.search.learning import Learner

logger = logging.getLogger(__name__)

MIN_EXAMPLES = 20
MAX_EXAMPLES = 50_000
HELD_OUT = 0.2
TOP = 3


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


def routing_train(agency: OrgNode) -> RoutingModel | None:
    """Measure, fit on every example and store the agency's model; ``None`` when its history is
    too small (fewer than ``MIN_EXAMPLES`` dispositions or a single unit)."""
    texts, labels = training_examples(agency)
    if len(texts) < MIN_EXAMPLES or len(set(labels)) < 2:
        return None
    learner = _learner()
    measured = learner.measure(texts, labels)
    blob = learner.fit(texts, labels)
    with transaction.atomic():
        stored, _ = RoutingModel.objects.update_or_create(agency=agency, defaults={
            "trained_at": clock.now(), "examples": measured.examples,
            "classes": measured.classes, "held_out": measured.held_out,
            "accuracy": measured.accuracy, "top3_accuracy": measured.top3_accuracy,
            "blob": blob,
        })
    logger.info("routing model of %s: %d examples, accuracy %.3f, top-3 %.3f", agency.code,
                measured.examples, measured.accuracy, measured.top3_accuracy)
    return stored


def routing_train_all() -> dict[str, float]:
    """Retrain every hub agency; returns agency code → held-out accuracy. One BLAS/OpenMP
    thread: the worker shares its machine with web processes (two cores took 190 % for
    minutes on 552 agencies before)."""
    done = {}
    with _learner().one_thread():
        for agency in OrgNode.objects.filter(kind=NodeKind.AGENCY, is_hub=True,
                                             is_active=True):
            stored = routing_train(agency)
            if stored is not None:
                done[agency.code] = stored.accuracy
    return done


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
