"""Sign-in with two factors, authenticator enrollment, sign-out.

One form takes username, password and the 6-digit code (or a recovery code); the checks are
:func:`lapor.accounts.signin.session_login`, the same as the API's token sign-in.
"""

from __future__ import annotations

import math
from base64 import b32encode

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lapor.accounts import services, signin
from lapor.accounts.two_factor import enrollment_user
from lapor.core.errors import ApplicationError, TooManyRequests
from lapor.workspace.access import error_text
from lapor.workspace.forms import CodeForm, LoginForm

ENROLLMENT_SESSION_KEY = "workspace_enrollment"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workspace:inbox")


def _lockout_text(error: TooManyRequests) -> str:
    minutes = max(1, math.ceil(error.retry_after / 60))
    return _("Too many failed sign-in attempts. Try again in %(minutes)d minutes.") % {
        "minutes": minutes}


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signin.session_login(request=request, username=data["username"],
                                   password=data["password"], otp=data["otp"] or None)
        except TooManyRequests as exc:
            form.add_error(None, _lockout_text(exc))
            status = 429
        except ApplicationError as exc:
            if exc.code == "otp_enrollment_required":
                request.session[ENROLLMENT_SESSION_KEY] = exc.detail["enrollment_token"]
                return redirect("workspace:enroll")
            form.add_error("otp" if exc.field == "otp" else None, error_text(exc))
            status = exc.status
        else:
            return HttpResponseRedirect(_next_url(request))
    elif request.method == "POST":
        status = 422
    # Never send the password back into the page.
    form.fields["password"].widget.render_value = False
    return render(request, "workspace/login.html",
                  {"form": form, "next": request.GET.get("next", "")}, status=status)


@require_http_methods(["GET", "POST"])
def enroll(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator: the secret as a QR code (inline SVG, made on the server) and as
    text; a current code confirms it and signs in; the recovery codes are shown once."""
    raw = request.session.get(ENROLLMENT_SESSION_KEY, "")
    user = enrollment_user(raw) if raw else None
    if user is None:
        messages.error(request, _("The set-up link expired. Sign in again."))
        return redirect("workspace:login")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            codes = signin.session_otp_confirm(request=request, user=user,
                                                 code=form.cleaned_data["code"],
                                                 enrollment_raw=raw)
        except TooManyRequests as exc:
            form.add_error("code", _lockout_text(exc))
            status = 429
        except ApplicationError as exc:
            form.add_error("code", error_text(exc))
            status = exc.status
        else:
            request.session.pop(ENROLLMENT_SESSION_KEY, None)
            # Shown in this answer only, never stored in the session.
            return render(request, "workspace/recovery_codes.html", {"codes": codes})
    device = services.otp_pending(user=user) or services.otp_enroll(user=user)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
    secret = b32encode(device.bin_key).decode()
    return render(request, "workspace/enroll.html",
                  {"form": form, "qr": qr, "secret": secret,
                   "secret_groups": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                   "uri": device.config_url}, status=status)


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    signin.session_logout(request=request)
    messages.success(request, _("You are signed out."))
    return redirect("workspace:login")
