"""Input parsing for the trainer pages (shapes only; rules live in lapor.training.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lapor.training.services import NAME_MAX, REPORT_COUNT_MAX
from lapor.workspace.forms import WorkspaceForm


class SpaceForm(WorkspaceForm):
    agency = forms.ChoiceField(label=_("Agency to mirror"))
    name = forms.CharField(label=_("Name of the training"), max_length=NAME_MAX, required=False,
                           help_text=_("For example: Bimtek SP4N-LAPOR! October 2026."))
    report_count = forms.IntegerField(label=_("Practice reports"), min_value=1,
                                      max_value=REPORT_COUNT_MAX, initial=12)


class AccountForm(WorkspaceForm):
    trainee_name = forms.CharField(label=_("Trainee's name"), max_length=NAME_MAX)
    roles = forms.MultipleChoiceField(
        label=_("Roles in the training space"),
        help_text=_("Hold Ctrl (or Cmd) to pick more than one."))


class ConfirmForm(WorkspaceForm):
    confirm = forms.BooleanField(label=_("Yes, I am sure"))
