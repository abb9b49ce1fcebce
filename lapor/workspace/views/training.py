"""Trainer pages under /petugas/pelatihan/ (lapor.training): the spaces of the agencies one
administers, one space's trainees and their work against the deadlines, practice accounts
(password shown once), reset and delete.

Only trainers (:func:`lapor.training.services.can_train` on the space's agency) reach a space;
anyone else gets a 404. Every page shows the training-mode banner. Each POST calls one service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from lapor.core.errors import ApplicationError
from lapor.core.language import active_language
from lapor.orgs.models import Role
from lapor.orgs.selectors import agencies_administered, node_get, sop_for
from lapor.reports.states import STATUS_LABELS_EN, Status
from lapor.training import selectors, services
from lapor.training.models import TrainingSpace
from lapor.workspace.access import StaffRequest, error_text, staff_required
from lapor.workspace.forms import (
    PracticeAccountForm,
    TrainingConfirmForm,
    TrainingSpaceForm,
    set_choices,
)

ROLE_LABELS = {Role.HUB_VERIFIER: Role.HUB_VERIFIER.label, Role.LIAISON: Role.LIAISON.label,
               Role.UNIT_OFFICER: Role.UNIT_OFFICER.label,
               Role.SUPERVISOR: Role.SUPERVISOR.label}


def _trainable(request: StaffRequest) -> list[Any]:
    return [a for a in agencies_administered(request.actor)
            if services.can_train(request.actor, a)]


def _index(request: StaffRequest, form: TrainingSpaceForm | None = None,
           status: int = 200) -> HttpResponse:
    agencies = _trainable(request)
    if not agencies:
        raise Http404("training")
    form = form or TrainingSpaceForm(prefix_id="space")
    set_choices(form, "agency", [(a.code, a.name) for a in agencies])
    return render(request, "training/index.html", {
        "spaces": [{"space": s, "zone": sop_for(s.root).timezone}
                   for s in selectors.spaces_for(request.actor)],
        "form": form, "nav": "training",
        "training_mode": True}, status=status)


@require_GET
@staff_required
def index(request: StaffRequest) -> HttpResponse:
    return _index(request)


@require_POST
@staff_required
def create(request: StaffRequest) -> HttpResponse:
    form = TrainingSpaceForm(request.POST, prefix_id="space")
    set_choices(form, "agency", [(a.code, a.name) for a in _trainable(request)])
    if not form.is_valid():
        return _index(request, form, status=422)
    agency = node_get(form.cleaned_data["agency"])
    assert agency is not None  # noqa: S101  (a valid choice is an active node)
    try:
        space = services.training_space_create(
            actor=request.actor, agency=agency, name=form.cleaned_data["name"],
            report_count=form.cleaned_data["report_count"])
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
        return _index(request, form, status=exc.status)
    messages.success(request, _("The training space is ready."))
    return redirect("workspace:training:space", space_id=space.pk)


def _role_choices(space: TrainingSpace) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for node in selectors.space_nodes(space):
        roles = ([Role.HUB_VERIFIER, Role.SUPERVISOR] if node.pk == space.root_id
                 else [Role.LIAISON, Role.UNIT_OFFICER, Role.SUPERVISOR])
        choices += [(f"{role}@{node.code}", f"{ROLE_LABELS[role]} · {node.name}")
                    for role in roles]
    return choices


def _space_page(request: StaffRequest, space: TrainingSpace, *,
                form: PracticeAccountForm | None = None, created: Any = None,
                status: int = 200) -> HttpResponse:
    form = form or PracticeAccountForm(prefix_id="account")
    set_choices(form, "roles", _role_choices(space))
    labels = STATUS_LABELS_EN if active_language() == "en" else dict(Status.choices)
    counts = [(labels[status], n) for status, n in selectors.status_counts(space).items()]
    return render(request, "training/space.html", {
        "space": space, "progress": selectors.trainee_progress(space), "counts": counts,
        "zone": sop_for(space.root).timezone,
        "form": form, "confirm": TrainingConfirmForm(prefix_id="confirm"), "created": created,
        "nav": "training", "training_mode": True}, status=status)


@require_GET
@staff_required
def space_page(request: StaffRequest, space_id: int) -> HttpResponse:
    return _space_page(request, selectors.space_for(request.actor, space_id))


@never_cache
@require_POST
@staff_required
def account_create(request: StaffRequest, space_id: int) -> HttpResponse:
    """Create a practice account and show its password on this one answer (never stored,
    never cached, never shown again)."""
    space = selectors.space_for(request.actor, space_id)
    form = PracticeAccountForm(request.POST, prefix_id="account")
    set_choices(form, "roles", _role_choices(space))
    if not form.is_valid():
        return _space_page(request, space, form=form, status=422)
    roles = []
    for value in form.cleaned_data["roles"]:
        role, _sep, code = value.partition("@")
        node = node_get(code)
        assert node is not None  # noqa: S101  (a valid choice is a node of the space)
        roles.append((node, role))
    try:
        created = services.practice_account_create(
            actor=request.actor, space=space, trainee_name=form.cleaned_data["trainee_name"],
            roles=roles)
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))
        return _space_page(request, space, form=form, status=exc.status)
    return _space_page(request, space, created=created, status=201)


def _confirmed(request: StaffRequest) -> bool:
    form = TrainingConfirmForm(request.POST, prefix_id="confirm")
    if form.is_valid():
        return True
    messages.error(request, _("Tick the confirmation box first."))
    return False


@require_POST
@staff_required
def reset(request: StaffRequest, space_id: int) -> HttpResponse:
    space = selectors.space_for(request.actor, space_id)
    if _confirmed(request):
        count = services.training_space_reset(actor=request.actor, space=space)
        messages.success(request, _("The space is reset: %(count)d new practice reports.")
                         % {"count": count})
    return redirect("workspace:training:space", space_id=space.pk)


@require_POST
@staff_required
def delete(request: StaffRequest, space_id: int) -> HttpResponse:
    space = selectors.space_for(request.actor, space_id)
    if not _confirmed(request):
        return redirect("workspace:training:space", space_id=space.pk)
    services.training_space_delete(actor=request.actor, space=space)
    messages.success(request, _("The training space and its practice accounts are deleted."))
    return redirect("workspace:training:index")
