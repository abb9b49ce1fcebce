"""The public statistics page, included at /statistik/ (namespace portal:stats)."""

from django.urls import path

from lapor.stats import public_views

app_name = "stats"
urlpatterns = [
    path("", public_views.statistics, name="public"),
    path("<slug:code>/", public_views.statistics, name="public_node"),
]
