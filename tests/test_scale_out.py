"""Scale-out (issue #10, docs/deploy.md): two application servers and two task workers on one
PostgreSQL process every report and every notification once.

Real processes: two granian servers and two `lapor worker` processes with the production
settings and the database task backend, a real SMTP server (aiosmtpd) for the reporters'
acknowledgements and a local integrated application that receives the signed callbacks and
counts deliveries by their Idempotency-Key. Submissions go to both servers concurrently.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from lapor.notifications.models import CallbackEndpoint, OutboxMessage
from lapor.notifications.tests.fakes import fake_provider, smtp_server
from lapor.reports.models import Report, ReportEvent
from tests.factories import Tree
from tests.servers import app_server, http, process_env, task_worker, wait_until

PER_SERVER = 15


def _submission(server: int, n: int) -> bytes:
    return json.dumps({
        "type": "complaint",
        "title": f"Jalan berlubang di ruas {server}-{n}",
        "body": "Jalan poros kecamatan berlubang besar dan membahayakan pengendara motor.",
        "region_code": "64.08.04",
        "target_agency_code": "kutim",
        "reporter_name": f"Pelapor {server}-{n}",
        "reporter_email": f"pelapor{server}x{n}@example.org",
    }).encode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_servers_and_two_workers_process_everything_once(
    tree: Tree, record_property: Any,
) -> None:
    with fake_provider() as application, smtp_server() as (inbox, smtp_port):
        CallbackEndpoint.objects.create(node=tree.kutim, name="SIMPEL Kutim",
                                        url=application.url, secret="rahasia-bersama",
                                        created_at=datetime.now(UTC))
        env = process_env(LAPOR_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                          LAPOR_EMAIL_HOST="127.0.0.1", LAPOR_EMAIL_PORT=str(smtp_port),
                          LAPOR_OUTBOX_BACKOFF_BASE_SECONDS="1")
        with (app_server(env) as first, app_server(env) as second,
              task_worker(env), task_worker(env)):
            answers: dict[str, list[int]] = {first: [], second: []}
            tracking: list[str] = []
            lock = threading.Lock()

            def submit_all(base: str, server: int) -> None:
                for n in range(PER_SERVER):
                    answer = http(f"{base}/api/v1/reports", method="POST",
                                  body=_submission(server, n),
                                  headers={"Content-Type": "application/json"})
                    with lock:
                        answers[base].append(answer.status)
                        if answer.status == 201:
                            tracking.append(json.loads(answer.body)["tracking_number"])

            threads = [threading.Thread(target=submit_all, args=(base, i))
                       for i, base in enumerate((first, second))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            total = 2 * PER_SERVER
            assert answers == {first: [201] * PER_SERVER, second: [201] * PER_SERVER}
            # Two rows per report (the reporter's e-mail, the application's callback), all
            # delivered by the workers.
            wait_until(lambda: OutboxMessage.objects.filter(status="sent").count() == 2 * total,
                       timeout=120, what="every outbox row sent")

    assert len(set(tracking)) == total
    assert Report.objects.count() == total
    assert set(Report.objects.values_list("tracking_number", flat=True)) == set(tracking)
    assert ReportEvent.objects.filter(kind="submit").count() == total
    rows = list(OutboxMessage.objects.values("channel", "status", "attempts", "claimed_by"))
    assert Counter(row["channel"] for row in rows) == {"email": total, "webhook": total}
    # Once each: no row was taken by both workers, none needed a second attempt.
    assert {(row["status"], row["attempts"]) for row in rows} == {("sent", 1)}
    workers = Counter(row["claimed_by"] for row in rows)
    assert "" not in workers
    assert len(workers) <= 2, workers
    record_property("deliveries_per_worker", dict(workers))
    # The integrated application and the mail server saw each message exactly once.
    assert len(application.received) == total
    assert set(application.delivered.values()) == {1}
    message_ids = [message["Message-ID"] for message in inbox.messages]
    assert len(message_ids) == total
    assert len(set(message_ids)) == total
    recipients = sorted(message["To"] for message in inbox.messages)
    assert recipients == sorted(f"pelapor{s}x{n}@example.org"
                                for s in range(2) for n in range(PER_SERVER))
