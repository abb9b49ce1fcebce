"""Background tasks of the intake app (run by ``lapor worker``)."""

from __future__ import annotations

from django.tasks import task

from lapor.intake.email_intake import inbound_email_process


@task()
def process_inbound_email_task(email_id: int) -> str:
    return inbound_email_process(email_id=email_id)
