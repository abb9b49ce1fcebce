"""Processing one recorded inbound message, exactly once.

The task locks the :class:`InboundMessage` row and returns at once unless it is still
``received``; identity, conversation, report and answers are written in that one transaction,
with the row marked ``processed``. A task run twice (an at-least-once broker, the sweep
re-enqueueing a slow row) therefore changes nothing the second time. Photos are fetched from
the provider after the commit, outside any transaction.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import transaction
from django.utils import translation

from lapor.attachments.services import attachment_add
from lapor.channels.identities import conversation_locked, identity_for
from lapor.channels.models import InboundMessage, InboundStatus
from lapor.channels.pipeline import Outcome
from lapor.channels.providers import PROVIDERS
from lapor.channels.replies import replies_write
from lapor.core import clock
from lapor.core.errors import ApplicationError
from lapor.orgs.actors import reporter_actor
from lapor.privacy import vault

logger = logging.getLogger("lapor.channels")


def inbound_process(*, inbound_id: int) -> str:
    """Process one inbound row; returns its outcome code."""
    with translation.override(settings.LAPOR_NOTIFY_LANGUAGE), transaction.atomic():
        row = InboundMessage.objects.select_for_update().filter(pk=inbound_id).first()
        if row is None or row.status != InboundStatus.RECEIVED:
            return row.outcome if row is not None else "missing"
        try:
            incoming = PROVIDERS[row.provider].parse(json.loads(vault.decrypt(row.raw)))
            unparsable = False
        except (KeyError, TypeError, ValueError, AttributeError):
            # Signed by the provider but not in the documented shape: keep the row (its id
            # still stops replays) and never retry it.
            logger.warning("channel %s: inbound %s not understood", row.provider, row.pk)
            incoming, unparsable = None, True
        if incoming is None:
            outcome = Outcome("unparsable" if unparsable else "ignored")
            row.status = InboundStatus.IGNORED
        else:
            identity = identity_for(channel=incoming.channel, handle=incoming.handle,
                                    provider=incoming.provider)
            conversation = conversation_locked(identity)
            outcome = PROVIDERS[row.provider].handle(incoming, identity, conversation)
            replies_write(cause=f"in{row.pk}", identity=identity, replies=outcome.replies)
            row.status = InboundStatus.PROCESSED
        row.outcome = outcome.code[:40]
        row.report_id = outcome.report_id
        row.processed_at = clock.now()
        row.save(update_fields=["status", "outcome", "report", "processed_at"])
        provider = row.provider
    if outcome.media and outcome.report_id is not None:
        attach_media(provider, outcome.report_id, outcome.media)
    return outcome.code


def attach_media(provider: str, report_id: int, media_ids: tuple[str, ...]) -> int:
    """Fetch each photo from the provider and attach it as the reporter (checked, stripped of
    metadata by lapor.attachments). A failure is logged; the report stands without it."""
    fetch = PROVIDERS[provider].fetch_media
    if fetch is None:
        return 0
    added = 0
    for media_id in media_ids:
        try:
            data, filename = fetch(media_id)
            attachment_add(actor=reporter_actor(report_id=report_id), report_id=report_id,
                           data=data, filename=filename)
            added += 1
        except ApplicationError as exc:
            logger.warning("channel %s: photo refused for report %s: %s", provider, report_id,
                           exc.code)
        except OSError as exc:
            logger.warning("channel %s: photo fetch failed for report %s: %s", provider,
                           report_id, type(exc).__name__)
    return added
