"""Everything the verifier is shown next to an unverified report, in one place: similar
reports (duplicates), routing suggestions and the spam score. Suggestions only: the
verifier's own action decides."""

from __future__ import annotations

from typing import Any

from lapor.orgs.actors import Actor
from lapor.reports.models import Report
from lapor.search.duplicates import similar_for_staff
from lapor.search.routing import suggestions
from lapor.search.spam import spam_score


def verifier_suggestions(actor: Actor, report: Report) -> dict[str, Any]:
    routing, model = suggestions(report)
    classified = [s.confidence for s in routing if s.confidence is not None]
    return {
        "similar": similar_for_staff(actor, report),
        "can_merge": True,
        "routing": routing,
        "routing_model": model,
        "spam": spam_score(report, best_confidence=max(classified) if classified else None),
    }
