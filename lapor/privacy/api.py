"""Privacy endpoints: revealing a reporter's identity (permission + written reason + audit)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lapor.core.api import BearerAuth, errors, request_staff
from lapor.privacy import services
from lapor.privacy.schemas import IdentityOut, RevealIn

router = Router(tags=["staff"], auth=BearerAuth())


@router.post(
    "/reports/{report_id}/reveal-identity",
    response={200: IdentityOut, **errors(401, 403, 404)},
    summary="Reveal the reporter's identity (needs privacy.reveal_identity and a reason)",
    description=(
        "Needs read access to the report (else 404) and the reveal permission, which no role "
        "holds by default (else 403). The reason (at least 20 characters) goes into the "
        "processing record; the audit log records the reveal. The identity is in this "
        "response only: the staff view keeps hiding an anonymous reporter."
    ),
)
def reveal_identity(request: HttpRequest, report_id: int, payload: RevealIn) -> dict[str, str]:
    actor = request_staff(request)
    identity = services.identity_reveal(actor=actor, report_id=report_id, reason=payload.reason)
    return {"name": identity.name, "email": identity.email, "phone": identity.phone,
            "nik": identity.nik}
