"""Background tasks of the channels app (run by ``lapor worker``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.tasks import task

from lapor.channels.models import InboundMessage, InboundStatus
from lapor.channels.processing import inbound_process
from lapor.channels.sms import sms_flush_due
from lapor.core import clock

# A received row older than this was lost between commit and enqueue (or its worker died).
STALE_SECONDS = 60


@task()
def process_inbound_task(inbound_id: int) -> str:
    """Process one recorded message (a no-op when it was processed before)."""
    return inbound_process(inbound_id=inbound_id)


def channels_sweep() -> dict[str, int]:
    """Flush SMS parts whose window passed; re-process rows stuck in ``received``."""
    flushed = sms_flush_due()
    cutoff = clock.now() - timedelta(seconds=STALE_SECONDS)
    stuck = list(InboundMessage.objects.filter(status=InboundStatus.RECEIVED,
                                               received_at__lt=cutoff)
                 .order_by("received_at").values_list("pk", flat=True)[:200])
    for pk in stuck:
        inbound_process(inbound_id=pk)
    return {"sms_flushed": flushed, "reprocessed": len(stuck), "raw_erased": raw_erase()}


def raw_erase() -> int:
    """Blank the encrypted raw payload of handled messages older than
    ``LAPOR_CHANNELS_RAW_KEEP_DAYS`` (UU PDP: keep personal data no longer than needed). The
    row stays: its unique provider id still stops a late replay."""
    cutoff = clock.now() - timedelta(days=settings.LAPOR_CHANNELS_RAW_KEEP_DAYS)
    return (InboundMessage.objects
            .filter(status__in=[InboundStatus.PROCESSED, InboundStatus.IGNORED],
                    received_at__lt=cutoff)
            .exclude(raw="").update(raw=""))


@task()
def channels_sweep_task() -> dict[str, int]:
    return channels_sweep()
