"""The training-mode banner and the trainer's menu entry, for the workspace base template."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from lapor.reports.models import Report
from lapor.training.models import PracticeAccount

register = template.Library()


def is_practice_account(request: HttpRequest | None) -> bool:
    """Whether the signed-in staff member is a practice account (once per request)."""
    actor = getattr(request, "actor", None)
    if request is None or actor is None or actor.user is None:
        return False
    cached = getattr(request, "_lapor_practice_account", None)
    if cached is None:
        cached = PracticeAccount.objects.filter(user_id=actor.user.pk).exists()
        request._lapor_practice_account = cached  # type: ignore[attr-defined]
    return bool(cached)


@register.inclusion_tag("training/_banner.html", takes_context=True)
def training_banner(context: template.Context) -> dict[str, Any]:
    """Shown on every page while training data is on screen: a practice account is signed in,
    a practice report is open, or a trainer page is shown (``training_mode``)."""
    report = context.get("report")
    shown = (bool(context.get("training_mode"))
             or (isinstance(report, Report) and report.is_training)
             or is_practice_account(context.get("request")))
    return {"shown": shown}


@register.inclusion_tag("training/_nav.html", takes_context=True)
def training_nav(context: template.Context, who: dict[str, Any]) -> dict[str, Any]:
    """The "Training" menu entry for agency admins (the trainers), never for trainees."""
    request = context.get("request")
    return {"shown": bool(who.get("admin_url")) and not is_practice_account(request),
            "current": context.get("nav") == "training"}
