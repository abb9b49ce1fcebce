from django.urls import include, path

from lapor.config.api import api
from lapor.config.views import healthz, metrics_view, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # Staff and citizens have separate URL roots, templates and sign-in (ARCHITECTURE habit 17).
    path("petugas/", include("lapor.workspace.urls")),
    path("open311/v2/", include("lapor.open311.urls")),
    # Provider webhooks: SMS, WhatsApp, Telegram, X (lapor.channels, docs/channels.md).
    path("channels/", include("lapor.channels.urls")),
    path("", include("lapor.portal.urls")),
]

handler404 = "lapor.config.errors.page_not_found"
