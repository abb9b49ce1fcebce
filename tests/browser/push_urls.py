"""The site's URLs plus a minimal ``/sw.js`` that imports only the Web Push part, for
tests/browser/test_push.py (the installable app's real worker is the shell's, lapor.portal.pwa;
this stands in for it so the push part is tested on its own)."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from lapor.config.urls import urlpatterns as site_urlpatterns


def service_worker(request: HttpRequest) -> HttpResponse:
    return HttpResponse("importScripts('/static/portal/sw-push.js');\n",
                        content_type="text/javascript")


urlpatterns = [path("sw.js", service_worker), *site_urlpatterns]
