"""How an evidence file leaves the server, the same for the staff pages and the API: always an
attachment named with the extension of its detected type, never sniffed, sandboxed if a
browser opens it anyway, never cached (attendance lists hold names)."""

from __future__ import annotations

from django.http import FileResponse

from lapor.attachments.presenters import content_disposition, download_name
from lapor.orgs.actors import Actor
from lapor.renaksi.evidence import evidence_open


def evidence_download(actor: Actor, evidence_id: int) -> FileResponse:
    """The file for whoever sees its activity (404 otherwise, 503 when storage fails)."""
    handle, content_type, name = evidence_open(actor, evidence_id)
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition(download_name(name, content_type))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
