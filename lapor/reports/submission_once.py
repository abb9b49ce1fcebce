"""``POST /api/v1/reports`` with an ``Idempotency-Key``: the citizen app's queue sends once.

The phone makes the key (``crypto.randomUUID()``) when the report is queued and sends it with
every retry; the same key and body give back the first answer (the same tracking number and
access code), another body is 422 ``idempotency_key_reused``. The generic rules and the
encrypted stored answer are lapor.core.idempotency, shared with the integration API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings

from lapor.core import idempotency
from lapor.core.idempotency import IdempotentResult
from lapor.reports.models import SubmissionReplay
from lapor.reports.submission import SubmittedReport


def _scope(user_id: int | None) -> idempotency.IdempotencyScope:
    scope = f"user:{user_id}" if user_id is not None else "public"
    return idempotency.IdempotencyScope(
        model=SubmissionReplay, namespace="lapor.reports", scope=scope,
        filters={"scope": scope}, window_hours=settings.LAPOR_REPORTS_REPLAY_HOURS)


def submitted_answer(submitted: SubmittedReport) -> dict[str, Any]:
    """The 201 answer of ``POST /api/v1/reports`` (JSON-ready: it may be stored)."""
    report = submitted.report
    return {
        "tracking_number": report.tracking_number,
        "access_code": submitted.access_code,
        "status": report.status,
        "verify_due_at": report.verify_due_at.isoformat() if report.verify_due_at else None,
    }


def report_submit_once(*, idempotency_key: str, user_id: int | None, request_data: Any,
                       prepare: Callable[[], Callable[[], SubmittedReport]]) -> IdempotentResult:
    """Replay the answer stored for ``idempotency_key``; else ``prepare()``
    (:func:`lapor.reports.submission.report_prepare`: the checks and the submission limit,
    before and outside the transaction that holds the key, like a request without a key), then
    the write it returns in that transaction, and store its answer."""
    key = idempotency.check_key(idempotency_key)

    def produce() -> Callable[[], dict[str, Any]]:
        create = prepare()
        return lambda: submitted_answer(create())

    return _scope(user_id).run(key=key, request_data=request_data, prepare=produce)


def submission_replay_purge() -> int:
    """Delete stored answers older than ``LAPOR_REPORTS_REPLAY_HOURS``."""
    return idempotency.purge(SubmissionReplay, window_hours=settings.LAPOR_REPORTS_REPLAY_HOURS)
