"""Input parsing for the staff pages. Forms only parse and check shapes; every rule about what
may happen lives in the services they feed (ARCHITECTURE: no business logic in forms)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lapor.reports.states import ArchiveReason, Status
from lapor.sla.calendar import RESOLUTION_TIERS


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101  (narrowing for the type checker)
    field.choices = choices


class WorkspaceForm(forms.Form):
    template_name = "workspace/form.html"

    def __init__(self, *args: Any, prefix_id: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if prefix_id:
            self.auto_id = f"{prefix_id}-%s"


class LoginForm(WorkspaceForm):
    username = forms.CharField(label=pgettext_lazy("staff sign-in", "Username"),
                               max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=pgettext_lazy("staff sign-in", "Password"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))
    otp = forms.CharField(
        label=_("Verification code"), max_length=32, required=False,
        help_text=_("The 6-digit code of your authenticator app, or one recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


class CodeForm(WorkspaceForm):
    code = forms.CharField(label=_("Code from the app"), max_length=32,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                         "inputmode": "numeric"}))


class VersionForm(WorkspaceForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NodeField(forms.CharField):
    """An organisation code picked from a list; the service decides whether it is valid."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=80, widget=forms.Select, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # No maxlength on a <select>. lapor.js puts a type-to-filter box before the list
        # (lapor.workspace.targets); these are its words, translated here.
        return {"data-filterable": "", "data-filter-label": _("Type to filter the units"),
                "data-filter-none": _("No unit matches."),
                "data-filter-count": _("Units shown:")}


class DisposeForm(VersionForm):
    node = NodeField(label=_("Dispose to"))
    resolution_days = forms.TypedChoiceField(
        label=_("Resolution deadline (working days)"), required=False, coerce=int,
        empty_value=None,
        choices=[("", _("Per category"))] + [(d, str(d)) for d in RESOLUTION_TIERS],
    )
    note = forms.CharField(label=_("Note to the assignee"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class HoldForm(VersionForm):
    question = forms.CharField(label=_("Question to the reporter"), max_length=10_000,
                               widget=forms.Textarea(attrs={"rows": 3}))


class ArchiveForm(VersionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ArchiveReason.choices)
    duplicate_of = forms.CharField(
        label=_("Tracking number of the original (duplicates only)"), required=False,
        max_length=20)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(VersionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class PrivacyForm(VersionForm):
    anonymous = forms.BooleanField(label=_("Anonymous (hide the reporter's identity)"),
                                   required=False)
    confidential = forms.BooleanField(label=_("Confidential (hide the whole report from the "
                                              "public)"), required=False)


class ForwardForm(VersionForm):
    node = NodeField(label=_("Forward to"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(VersionForm):
    body = forms.CharField(label=_("Follow-up"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    public = forms.TypedChoiceField(
        label=_("Who sees it"), coerce=lambda v: v == "1", initial="1",
        choices=[("1", _("Public")), ("0", _("Only the reporter"))],
        widget=forms.RadioSelect)
    final = forms.BooleanField(
        label=_("Final follow-up (the reporter is asked to accept it)"), required=False)


class NoteForm(WorkspaceForm):
    body = forms.CharField(label=_("Internal note"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class AttachForm(WorkspaceForm):
    file = forms.FileField(label=_("File (JPEG, PNG, WebP, PDF or MP4)"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            # One byte over the limit is enough for the service to refuse it as too large.
            data["data"] = upload.read(settings.LAPOR_ATTACHMENT_MAX_BYTES + 1)
            data["filename"] = upload.name or ""
        return data


class PublishForm(WorkspaceForm):
    attachment = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RevealForm(WorkspaceForm):
    reason = forms.CharField(label=_("Reason for opening the identity (recorded)"),
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


TABS = ("all", "today", "soon", "overdue")


class InboxFilterForm(WorkspaceForm):
    """The inbox's GET filters; invalid values are dropped, never an error page."""

    node = forms.CharField(required=False, widget=forms.HiddenInput)
    tab = forms.ChoiceField(required=False, choices=[(t, t) for t in TABS],
                            widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    region = forms.RegexField(label=_("Region code"), required=False, regex=r"^[0-9.]{1,13}$",
                              help_text=_("Kemendagri code, e.g. 64.08"))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    date_from = forms.DateField(label=_("Submitted from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Submitted until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    subtree = forms.BooleanField(label=_("Include units below"), required=False)
    cursor = forms.CharField(required=False, widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args: Any, categories: list[tuple[str, str]],
                 channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_ = [("", _("All"))]
        set_choices(self, "status", any_ + [(s.value, s.label) for s in Status])
        set_choices(self, "category", any_ + categories)
        set_choices(self, "channel", any_ + channels)


class SopForm(WorkspaceForm):
    verify_days = forms.IntegerField(label=_("Verify and dispose (working days)"),
                                     min_value=1, max_value=60)
    first_followup_days = forms.IntegerField(label=_("First follow-up (working days)"),
                                             min_value=1, max_value=60)
    reply_window_days = forms.IntegerField(label=_("Reporter reply window (working days)"),
                                           min_value=1, max_value=60)
    hold_days = forms.IntegerField(label=_("On hold before archiving (working days)"),
                                   min_value=1, max_value=60)
    escalate_after_days = forms.IntegerField(
        label=_("Escalate after overdue (working days)"), min_value=1, max_value=60)
    urgent_max_days = forms.TypedChoiceField(
        label=_("Urgent reports: resolution tier up to"), coerce=int, required=False,
        empty_value=None,
        choices=[(0, _("No report is urgent")), (2, "2 HK"), (5, "5 HK"), (14, "14 HK"),
                 (60, "60 HK")],
        help_text=_("Overdue notices and escalations of urgent reports go out at once, at any "
                    "hour; the others arrive at 08:00 of the recipient's next working day."))
    timezone = forms.ChoiceField(label=_("Time zone"),
                                 choices=[("WIB", "WIB"), ("WITA", "WITA"), ("WIT", "WIT")])
    sms_keyword = forms.CharField(label=_("SMS keyword"), required=False, max_length=20,
                                  help_text=_("e.g. KUTIM; empty removes it"))
    receives_region_reports = forms.BooleanField(
        label=_("Receive the region's reports that name no agency"), required=False,
        help_text=_("Reports about this agency's region filed without a chosen agency (portal "
                    "\"Let the verifiers decide\", SMS without keyword, chat, e-mail, Open311, "
                    "integrations) wait for this hub's verifiers instead of the national pool. "
                    "Takes effect only while the hub has a verifier."))


class DayOffForm(WorkspaceForm):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=200)


class DayOffRemoveForm(WorkspaceForm):
    day = forms.DateField(widget=forms.HiddenInput)


class RoutingForm(WorkspaceForm):
    rules = forms.CharField(
        label=_("Routing rules"), required=False, max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One rule per line: category code, region code prefix, target unit code, "
                    "priority. Leave category or region empty to match any."),
    )

    def clean_rules(self) -> list[tuple[str, str, str, int]]:
        """``[(category code, region prefix, target code, priority)]``; codes are resolved
        and checked by the view and the service."""
        rules = []
        for number, line in enumerate(self.cleaned_data["rules"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(",")]
            if len(parts) == 3:
                parts.append("100")
            if len(parts) != 4 or not parts[2] or not parts[3].isdigit():
                raise forms.ValidationError(_("Line %(n)d is not a valid rule.") % {"n": number})
            rules.append((parts[0], parts[1], parts[2], int(parts[3])))
        return rules


class EscalationForm(WorkspaceForm):
    nodes = forms.CharField(
        label=_("Escalation chain"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One organisation code per line; the first is told first."))

    def clean_nodes(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["nodes"].splitlines() if line.strip()]


class RoleGrantForm(WorkspaceForm):
    username = forms.CharField(label=pgettext_lazy("staff sign-in", "Username"),
                               max_length=150)
    node = forms.ChoiceField(label=_("Unit"))
    role = forms.ChoiceField(label=_("Role"))


class RoleRevokeForm(WorkspaceForm):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
