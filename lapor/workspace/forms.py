"""Input parsing for the staff pages. Forms only parse and check shapes; every rule about what
may happen lives in the services they feed (ARCHITECTURE: no business logic in forms)."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lapor.attachments.filetypes import ALLOWED_CONTENT_TYPES
from lapor.attachments.services import Upload
from lapor.reports.models import Channel, ReportType, Visibility
from lapor.reports.states import Action, ArchiveReason, Status
from lapor.reports.visibility import BY_KIND, REVEAL_KIND
from lapor.training.services import NAME_MAX, REPORT_COUNT_MAX
from lapor.workdays.calendar import RESOLUTION_TIERS

# Shown next to every free-text field staff write into a report (lapor.reports.visibility).
VISIBILITY_LABELS: dict[str, Any] = {
    Visibility.PUBLIC: _("Visible to the public"),
    Visibility.REPORTER: _("Only for the reporter"),
    Visibility.INTERNAL: _("Staff only"),
}


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


class _VisibleBoundField(forms.BoundField):
    @property
    def visibility_now(self) -> str:
        """The declaration, narrowed to the reporter when the form's ``public`` choice says
        so (a follow-up "only for the reporter")."""
        field = self.field
        assert isinstance(field, StaffTextField)  # noqa: S101  (narrowing for the type checker)
        narrowed = field.narrowable and "public" in self.form.fields and str(
            self.form["public"].value()) == "0"
        return Visibility.REPORTER if narrowed else field.visibility

    def build_widget_attrs(self, attrs: dict[str, Any],
                           widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        # Screen readers announce who reads the text with the field (the tag beside it).
        tag = f"{self.auto_id}_visibility"
        described = attrs.get("aria-describedby", "")
        attrs["aria-describedby"] = f"{described} {tag}".strip()
        return attrs


class StaffTextField(forms.CharField):
    """A free text staff write into a report. ``visibility`` is its one declaration
    (:data:`lapor.reports.visibility.TEXT_FIELDS`); ``workspace/form.html`` shows it beside
    the field. ``narrowable``: the form's ``public`` choice may narrow it to the reporter."""

    def __init__(self, *, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.visibility = BY_KIND[kind].visibility
        self.narrowable = BY_KIND[kind].narrowable

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> forms.BoundField:
        return _VisibleBoundField(form, self, field_name)


def _note(kind: str, label: Any, **kwargs: Any) -> StaffTextField:
    kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
    return StaffTextField(kind=kind, label=label, **kwargs)


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
    note = _note(Action.DISPOSE, _("Note to the assignee"), required=False, max_length=2000)


class HoldForm(VersionForm):
    question = _note(Action.HOLD, _("Question to the reporter"), max_length=10_000,
                     widget=forms.Textarea(attrs={"rows": 3}))


class ArchiveForm(VersionForm):
    reason = forms.ChoiceField(label=_("Reason"), choices=ArchiveReason.choices)
    duplicate_of = forms.CharField(
        label=_("Tracking number of the original (duplicates only)"), required=False,
        max_length=20)
    note = _note(Action.ARCHIVE, _("Note"), required=False, max_length=2000)


class ReturnForm(VersionForm):
    """"Bukan wewenang": the reason is for the officers who dispose it again."""

    reason = _note(Action.RETURN_TO_VERIFIER, _("Reason"), max_length=2000)


class PassUpForm(VersionForm):
    """Pass up to the next tier: the reason is for the verifiers who receive it."""

    reason = _note(Action.PASS_UP, _("Reason"), max_length=2000)


class UnarchiveForm(VersionForm):
    reason = _note(Action.UNARCHIVE, _("Reason"), max_length=2000)


class CloseForm(VersionForm):
    reason = _note(Action.CLOSE, _("Reason"), max_length=2000)


class PrivacyForm(VersionForm):
    anonymous = forms.BooleanField(label=_("Anonymous (hide the reporter's identity)"),
                                   required=False)
    confidential = forms.BooleanField(label=_("Confidential (hide the whole report from the "
                                              "public)"), required=False)


class ForwardForm(VersionForm):
    node = NodeField(label=_("Forward to"))
    note = _note(Action.FORWARD, _("Note"), required=False, max_length=2000)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked as one ``FileField`` value."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        one = super().clean
        if isinstance(data, list | tuple):
            return [one(d, initial) for d in data if d]
        return [one(data, initial)] if data else []


class FollowUpForm(VersionForm):
    body = _note(Action.RESPOND, _("Follow-up"), max_length=10_000,
                 widget=forms.Textarea(attrs={"rows": 4}))
    public = forms.TypedChoiceField(
        label=_("Who sees it (the text and its photos)"), coerce=lambda v: v == "1",
        initial="1", widget=forms.RadioSelect,
        choices=[("1", VISIBILITY_LABELS[Visibility.PUBLIC]),
                 ("0", VISIBILITY_LABELS[Visibility.REPORTER])])
    final = forms.BooleanField(
        label=_("Final follow-up (the reporter is asked to accept it)"), required=False)
    photos = MultipleFileField(
        label=_("Photos (optional)"), required=False,
        help_text=_("JPEG, PNG, WebP, PDF or MP4. They take the choice above: published with "
                    "a public follow-up, shown only to the reporter otherwise. Metadata (EXIF, "
                    "GPS) is removed from images and PDFs."),
        widget=MultipleFileInput(attrs={"accept": ",".join(ALLOWED_CONTENT_TYPES)}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # One byte over the limit is enough for the service to refuse a file as too large.
        data["files"] = [Upload(data=upload.read(settings.LAPOR_ATTACHMENT_MAX_BYTES + 1),
                                filename=upload.name or "")
                         for upload in data.get("photos") or []]
        return data


class NoteForm(WorkspaceForm):
    body = _note(Action.NOTE, _("Internal note"), max_length=10_000)


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
    reason = _note(REVEAL_KIND, _("Reason for opening the identity (recorded)"),
                   max_length=2000)


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


# The walk-in/phone desk (lapor.intake): shapes only; the rules live in lapor.intake.walk_in
# and report_submit.
WALK_IN_CHANNEL_CHOICES = [(Channel.WALK_IN, _("Walk-in (the reporter came to the desk)")),
                           (Channel.PHONE, _("Phone call"))]
WALK_IN_TYPE_CHOICES = [(ReportType.COMPLAINT, _("Complaint")),
                        (ReportType.ASPIRATION, _("Aspiration")),
                        (ReportType.INFORMATION_REQUEST, _("Information request"))]


class WalkInForm(WorkspaceForm):
    desk = forms.ChoiceField(label=_("Enter into"), required=False)
    channel = forms.ChoiceField(label=_("How the report came in"),
                                choices=WALK_IN_CHANNEL_CHOICES, widget=forms.RadioSelect,
                                initial=Channel.WALK_IN)
    type = forms.ChoiceField(label=_("Type of report"), choices=WALK_IN_TYPE_CHOICES,
                             initial=ReportType.COMPLAINT)
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("One short sentence: what happened, where."))
    body = forms.CharField(label=_("What the reporter told"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 6}))
    region_code = forms.CharField(
        label=_("Region code"), max_length=13,
        widget=forms.TextInput(attrs={"list": "walk-in-regions", "autocomplete": "off"}),
        help_text=_("Kemendagri code of the district or regency, e.g. 64.08.04."))
    incident_date = forms.DateField(label=_("Date it happened (optional)"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    address = forms.CharField(label=_("Address or landmark (optional)"), required=False,
                              max_length=300)
    category = forms.ChoiceField(label=_("Category (optional)"), required=False)
    is_anonymous = forms.BooleanField(
        label=_("The reporter asks to stay anonymous"), required=False,
        help_text=_("Their identity is then hidden from every agency-side role after this "
                    "page."))
    is_confidential = forms.BooleanField(
        label=_("The report is confidential (not published)"), required=False)
    reporter_name = forms.CharField(label=_("Reporter's name (optional)"), required=False,
                                    max_length=120)
    reporter_phone = forms.CharField(label=_("Reporter's phone (optional)"), required=False,
                                     max_length=32,
                                     widget=forms.TextInput(attrs={"type": "tel"}))
    reporter_email = forms.CharField(
        label=_("Reporter's e-mail (optional)"), required=False, max_length=254,
        widget=forms.EmailInput,
        help_text=_("The acknowledgement and the answers are sent here."))
    reporter_nik = forms.CharField(label=_("NIK (optional)"), required=False, max_length=24,
                                   widget=forms.TextInput(attrs={"inputmode": "numeric"}))

    # Service field names -> form field names, for refusals.
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {"category_code": "category",
                                                "desk_code": "desk"}

    def __init__(self, *args: Any, desks: list[tuple[str, str]],
                 categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "desk", desks)
        set_choices(self, "category", [("", _("— Not sure —")), *categories])


# The trainer pages (lapor.training): shapes only; the rules live in lapor.training.services.
class TrainingSpaceForm(WorkspaceForm):
    agency = forms.ChoiceField(label=_("Agency to mirror"))
    name = forms.CharField(label=_("Name of the training"), max_length=NAME_MAX, required=False,
                           help_text=_("For example: Bimtek SP4N-LAPOR! October 2026."))
    report_count = forms.IntegerField(label=_("Practice reports"), min_value=1,
                                      max_value=REPORT_COUNT_MAX, initial=12)


class PracticeAccountForm(WorkspaceForm):
    trainee_name = forms.CharField(label=_("Trainee's name"), max_length=NAME_MAX)
    roles = forms.MultipleChoiceField(
        label=_("Roles in the training space"),
        help_text=_("Hold Ctrl (or Cmd) to pick more than one."))


class TrainingConfirmForm(WorkspaceForm):
    confirm = forms.BooleanField(label=_("Yes, I am sure"))
