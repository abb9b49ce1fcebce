"""The optional citizen account: sign up, sign in, sign out, my reports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lapor.accounts.registration import citizen_login, citizen_register
from lapor.core.errors import (
    ApplicationError,
    NotAuthenticated,
    PermissionDenied,
    TooManyRequests,
)
from lapor.core.pagination import keyset_page
from lapor.portal import support
from lapor.portal.forms import LoginForm, SignUpForm
from lapor.reports.permissions import reports_of_reporter

MY_PAGE_SIZE = 20


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = citizen_register(identifier=data["identifier"],
                                    display_name=data["display_name"], password=data["password"])
        except ApplicationError as exc:
            support.add_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your account is ready. Reports you send while signed "
                                        "in are listed under My reports."))
            return redirect("portal:my_reports")
    return render(request, "portal/account/signup.html", {"form": form})


def signin(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    staff_refused = False
    if request.method == "POST" and form.is_valid():
        try:
            user = citizen_login(request=request, identifier=form.cleaned_data["identifier"],
                                 password=form.cleaned_data["password"])
        except TooManyRequests as exc:
            return support.too_many(request, exc)
        except PermissionDenied:
            staff_refused = True
            form.add_error(None, _("This is a staff account. Staff sign in on the officers' "
                                   "page."))
        except NotAuthenticated as exc:
            form.add_error(None, support.error_text(exc))
        else:
            login(request, user)
            return redirect("portal:my_reports")
    return render(request, "portal/account/login.html",
                  {"form": form, "staff_refused": staff_refused})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are signed out."))
    return redirect("portal:home")


def my_reports(request: HttpRequest) -> HttpResponse:
    actor = support.citizen(request)
    if actor.user is None:
        return redirect("portal:login")
    qs = reports_of_reporter(actor).select_related("region").only(
        "id", "tracking_number", "title", "status", "submitted_at", "region__code",
        "region__name", "is_confidential", "is_anonymous", "agency")
    try:
        page = keyset_page(qs, field="submitted_at", cursor=request.GET.get("cursor") or None,
                           limit=MY_PAGE_SIZE)
    except ApplicationError:
        page = keyset_page(qs, field="submitted_at", cursor=None, limit=MY_PAGE_SIZE)
    support.with_zones(page.items)
    return render(request, "portal/account/my_reports.html", {"page": page})
