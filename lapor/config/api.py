"""The root JSON API: /api/v1, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

from lapor.accounts.api import router as auth_router
from lapor.attachments.api import public_router as attachments_public_router
from lapor.attachments.api import staff_router as attachments_staff_router
from lapor.core.api import RENDERER, StrictJSONParser, install_error_handlers
from lapor.orgs.api import router as reference_router
from lapor.orgs.api import sop_router
from lapor.privacy.api import router as privacy_router
from lapor.reports.api import public_router, staff_router

api = NinjaAPI(
    title="Lapor API",
    version="1",
    description=(
        "SP4N-LAPOR! complaint handling. Citizens submit and track reports; staff verify, "
        "dispose, follow up and close them within deadlines counted in working days. "
        "Errors are JSON `{code, message, field, detail}` with a stable `code`; the message "
        "follows `Accept-Language` (Bahasa Indonesia by default, English on request)."
    ),
    urls_namespace="api-v1",
    parser=StrictJSONParser(),
    renderer=RENDERER,
)
install_error_handlers(api)
api.add_router("", auth_router)
api.add_router("", public_router)
api.add_router("", staff_router)
api.add_router("", privacy_router)
api.add_router("", attachments_public_router)
api.add_router("", attachments_staff_router)
api.add_router("", reference_router)
api.add_router("", sop_router)
api.add_router("", "lapor.notifications.api.router")
api.add_router("", "lapor.notifications.push_api.router")
api.add_router("", "lapor.stats.api.router")
api.add_router("", "lapor.search.api.public_router")
api.add_router("", "lapor.search.api.staff_router")
api.add_router("", "lapor.intake.api.router")
