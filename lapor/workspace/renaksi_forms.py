"""Input parsing for the Renaksi pages (lapor.workspace.views.renaksi). Forms only parse and
check shapes; every rule (dates inside the plan's period, units of the agency, who may write)
lives in :mod:`lapor.renaksi.services`, whose refusals the views put back on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from lapor.orgs.models import OrgNode
from lapor.renaksi.models import ActivityKind, ActivityStatus, EvidenceKind, Indicator
from lapor.workspace.forms import WorkspaceForm, set_choices
from lapor.workspace.targets import grouped_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanForm(WorkspaceForm):
    agency = forms.ChoiceField(label=_("Agency"))
    title = forms.CharField(label=_("Title"), max_length=200)
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, agencies: list[OrgNode], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "agency", [(a.code, a.name) for a in agencies])
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].code
            self.fields["agency"].widget = forms.HiddenInput()


class ActivityForm(WorkspaceForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    units = forms.MultipleChoiceField(
        label=_("Perangkat daerah and kecamatan involved"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "renaksi-units"}))
    owner = forms.ChoiceField(label=_("Officer responsible"), required=False)
    planned_start = forms.DateField(label=_("Planned start"), widget=DATE)
    planned_end = forms.DateField(label=_("Planned end"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=ActivityStatus.choices)
    done_on = forms.DateField(label=_("Done on"), required=False, widget=DATE,
                              help_text=_("Required when the status is “done”."))
    proof_indicator = forms.ChoiceField(
        label=_("Proven done by the indicator"), required=False,
        choices=[("", _("None: status and evidence only")), *Indicator.choices],
        help_text=_("The activity counts as done when every unit it involves meets this "
                    "readiness indicator."))
    description = forms.CharField(label=_("Description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, units: list[OrgNode], owners: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "units", grouped_choices(units))
        set_choices(self, "owner", [("", _("Nobody yet")), *owners])

    def changes(self) -> dict[str, object]:
        """The cleaned data as :func:`lapor.renaksi.services.activity_update` takes it."""
        d = self.cleaned_data
        return {"kind": d["kind"], "title": d["title"], "description": d["description"],
                "planned_start": d["planned_start"], "planned_end": d["planned_end"],
                "unit_codes": list(d["units"]), "owner": d["owner"] or None,
                "proof_indicator": d["proof_indicator"], "status": d["status"],
                "done_on": d["done_on"]}


class EvidenceForm(WorkspaceForm):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=EvidenceKind.choices)
    file = forms.FileField(label=_("File"),
                           help_text=_("A PDF or a photo (JPEG, PNG, WebP), checked and cleaned "
                                       "like a report attachment."))

    def upload(self) -> tuple[bytes, str]:
        """The file's bytes and its name as sent (display text only)."""
        file = self.cleaned_data["file"]
        # One byte over the limit is enough for the service to refuse a file as too large.
        return file.read(settings.LAPOR_ATTACHMENT_MAX_BYTES + 1), file.name or ""


class ConfirmDeleteForm(WorkspaceForm):
    """The tick box before an activity is deleted."""


    confirm = forms.BooleanField(label=_("Yes, delete this activity and its evidence"))
