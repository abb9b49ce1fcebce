"""GeoReport v2 (``/open311/v2/``): every resource in XML and JSON."""

from django.urls import re_path

from lapor.open311 import views

_FMT = r"(?P<fmt>json|xml)"
# Service codes are category slugs; request ids and tokens are tracking numbers.
_CODE = r"(?P<service_code>[A-Za-z0-9_-]{1,60})"
_ID = r"(?P<service_request_id>[0-9#-]{1,30})"
_TOKEN = r"(?P<token>[0-9#-]{1,30})"  # noqa: S105  (a URL pattern, not a secret)

app_name = "open311"
urlpatterns = [
    re_path(rf"^discovery\.{_FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services\.{_FMT}$", views.services, name="services"),
    re_path(rf"^services/{_CODE}\.{_FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests\.{_FMT}$", views.requests, name="requests"),
    re_path(rf"^requests/{_ID}\.{_FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/{_TOKEN}\.{_FMT}$", views.token, name="token"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
