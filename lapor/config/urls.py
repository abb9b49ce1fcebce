from django.urls import path

from lapor.config.api import api
from lapor.core.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
]
