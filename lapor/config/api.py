"""The root JSON API: /api/v1, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from collections.abc import Callable
from typing import Any

from ninja import NinjaAPI
from ninja.operation import Operation

from lapor.api.accounts.routes import router as auth_router
from lapor.api.attachments.routes import public_router as attachments_public_router
from lapor.api.attachments.routes import staff_router as attachments_staff_router
from lapor.api.orgs.routes import router as reference_router
from lapor.api.orgs.routes import sop_router
from lapor.api.privacy.routes import router as privacy_router
from lapor.api.reports.routes import public_router, staff_router
from lapor.core.api import RENDERER, StrictJSONParser, install_error_handlers


class LaporAPI(NinjaAPI):
    """Operation ids stay what they were before the routers moved into :mod:`lapor.api`
    (issue #20): ``lapor_<app>_api_<function>`` (``lapor_notifications_push_api_…`` for Web
    Push). Generated clients name their methods after them, so they are part of the contract."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return stable_operation_id(operation.view_func)


def stable_operation_id(view: Callable[..., Any]) -> str:
    parts = view.__module__.split(".")  # lapor.api.<app>.<routes|push>
    if parts[:2] == ["lapor", "api"] and len(parts) == 4:
        app, module = parts[2], parts[3]
        prefix = f"lapor_{app}_api" if module == "routes" else f"lapor_{app}_{module}_api"
        return f"{prefix}_{view.__name__}"
    return f"{view.__module__}_{view.__name__}".replace(".", "_")


api = LaporAPI(
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
api.add_router("", "lapor.api.notifications.routes.router")
api.add_router("", "lapor.api.notifications.push.router")
api.add_router("", "lapor.api.stats.routes.router")
api.add_router("", "lapor.api.search.routes.public_router")
api.add_router("", "lapor.api.search.routes.staff_router")
api.add_router("", "lapor.api.intake.routes.router")
api.add_router("", "lapor.api.renaksi.routes.router")
# Federation between Lapor instances (issue #22): signed requests of the other instance.
api.add_router("", "lapor.api.federation.routes.router")
