"""Portal forms: they parse what was typed into Python values and render accessibly.

No rule lives here beyond parsing (ARCHITECTURE "thin adapters"): lengths, formats and
references are checked by the services, whose refusals the views put next to the field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from lapor.core.errors import message_for
from lapor.core.language import active_language
from lapor.reports.models import ReportType
from lapor.reports.presenters import status_label
from lapor.reports.states import Status
from lapor.reports.submission import ADDRESS_MAX, BODY_MAX, NAME_MAX, TITLE_MAX, TITLE_MIN


class PortalRenderer(DjangoTemplates):
    field_template_name = "portal/forms/field.html"


class PortalForm(forms.Form):
    default_renderer = PortalRenderer()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        """Bytes that were not UTF-8 reach a form as U+FFFD replacement characters (Django
        decodes forms leniently); a browser on a UTF-8 page never sends them, so such a value
        is refused like the API refuses the raw bytes (``invalid_encoding``), not stored."""
        cleaned = super().clean() or {}
        language = active_language()
        for name, value in list(cleaned.items()):
            if isinstance(value, str) and "\ufffd" in value:
                self.add_error(name, message_for("invalid_encoding", language))
        return cleaned


CHOICE_TEMPLATE = "portal/forms/choice.html"


class PlainSelect(forms.Select):
    """A ``<select>`` written in Python. Django's ``Select`` renders a template per option:
    80 of the public feed's 135 ms went to the 552 agencies of the national tree; this takes
    about a millisecond. Flat choices only (no option groups), same markup otherwise."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        chosen = set(self.format_value(value))
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(label)}</option>" for key, label in self.choices)
        return format_html('<select name="{}"{}>{}</select>', name,
                           flatatt(self.build_attrs(self.attrs, attrs)),
                           mark_safe(options))  # noqa: S308  (every part escaped above)


def _choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)  # noqa: S101  (narrowing)
    field.choices = choices


TYPE_CHOICES = [
    (ReportType.COMPLAINT, _("Complaint (pengaduan): something in a public service went wrong")),
    (ReportType.ASPIRATION, _("Aspiration (aspirasi): a suggestion or an idea")),
    (ReportType.INFORMATION_REQUEST, _("Information request (permintaan informasi)")),
]


def type_label(value: str) -> str:
    labels: dict[str, str] = {
        ReportType.COMPLAINT: str(_("Complaint")),
        ReportType.ASPIRATION: str(_("Aspiration")),
        ReportType.INFORMATION_REQUEST: str(_("Information request")),
    }
    return labels.get(value, value)


class ReportForm(PortalForm):
    type = forms.ChoiceField(label=_("Type of report"), choices=TYPE_CHOICES,
                             widget=forms.RadioSelect, initial=ReportType.COMPLAINT,
                             required=False)
    title = forms.CharField(label=_("Title"), required=False,
                            widget=forms.TextInput(attrs={"maxlength": TITLE_MAX,
                                                          "aria-required": "true"}))
    body = forms.CharField(label=_("What happened?"), required=False,
                           widget=forms.Textarea(attrs={"maxlength": BODY_MAX,
                                                        "aria-required": "true"}),
                           help_text=_("Describe the problem: when, where, who is affected, "
                                       "what you expect. Do not write ID numbers or phone "
                                       "numbers of other people."))
    incident_date = forms.DateField(label=_("Date it happened (optional)"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}))
    region_q = forms.CharField(label=_("Search for a region by name"), required=False,
                               widget=forms.TextInput(attrs={"type": "search",
                                                             "autocomplete": "off"}))
    region_code = forms.CharField(required=False)
    address = forms.CharField(label=_("Address or landmark (optional)"), required=False,
                              widget=forms.TextInput(attrs={"maxlength": ADDRESS_MAX}))
    latitude = forms.DecimalField(label=_("Latitude"), required=False, max_digits=9,
                                  decimal_places=6, localize=False,
                                  widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    longitude = forms.DecimalField(label=_("Longitude"), required=False, max_digits=9,
                                   decimal_places=6, localize=False,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    category = forms.ChoiceField(label=_("Category (optional)"), required=False,
                                 widget=PlainSelect)
    target_agency = forms.ChoiceField(
        label=_("Agency to send it to (optional)"), required=False, widget=PlainSelect,
        help_text=_("If you do not know, leave it empty: the national verifiers send it to the "
                    "right agency."))
    is_anonymous = forms.BooleanField(
        label=_("Keep my identity secret (anonymous)"), required=False,
        template_name=CHOICE_TEMPLATE,
        help_text=_("Your name and contact details are never shown to the agency handling the "
                    "report nor to the public (the person you report about may work there). "
                    "Only officers given a special permission by the national administrators "
                    "can open them, with a written reason that is recorded."))
    is_confidential = forms.BooleanField(
        label=_("Keep the content of my report secret (confidential)"), required=False,
        template_name=CHOICE_TEMPLATE,
        help_text=_("The report is not published in the public list or search. Only you, the "
                    "verifiers and the offices handling it can read it."))
    reporter_name = forms.CharField(label=_("Your name (optional)"), required=False,
                                    widget=forms.TextInput(attrs={"autocomplete": "name",
                                                                  "maxlength": NAME_MAX}))
    reporter_email = forms.CharField(label=_("E-mail (optional)"), required=False,
                                     widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    reporter_phone = forms.CharField(label=_("Phone number (optional)"), required=False,
                                     widget=forms.TextInput(attrs={"type": "tel",
                                                                   "autocomplete": "tel"}))
    phone_updates = forms.BooleanField(
        label=_("Send updates about this report to this number by SMS"), required=False,
        template_name=CHOICE_TEMPLATE,
        help_text=_("Only when the status changes, never at night. Without a phone number "
                    "nothing is sent."))
    reporter_nik = forms.CharField(
        label=_("NIK, national identity number (optional)"), required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        help_text=_("16 digits. Stored encrypted; only needed if the agency must identify you."))

    # Service field names -> form field names, for refusals.
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {
        "category_code": "category", "target_agency_code": "target_agency",
    }

    def __init__(self, *args: Any, categories: list[tuple[str, str]],
                 agencies: list[tuple[str, str]], phone_updates: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not phone_updates:  # no SMS gateway configured: the opt-in is not offered
            del self.fields["phone_updates"]
        # The limits shown are the service's own (lapor.reports.submission).
        self.fields["title"].help_text = _(
            "One short sentence: what happened, where (%(min)s to %(max)s characters)."
        ) % {"min": TITLE_MIN, "max": TITLE_MAX}
        _choices(self, "category", [("", _("— Not sure —")), *categories])
        _choices(self, "target_agency", [("", _("— Let the verifiers decide —")), *agencies])


class TrackForm(PortalForm):
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The 12-digit number you received when you sent the report."))


class AccessCodeForm(PortalForm):
    access_code = forms.CharField(
        label=_("Access code"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                      "spellcheck": "false"}),
        help_text=_("The code shown once when you sent the report, like ABCD-EFGH-JKMN-PQRS."))


class MessageForm(PortalForm):
    body = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}),
                           required=False)


class AttachForm(PortalForm):
    file = forms.FileField(label=_("File (photo, PDF or video)"))


RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class ReplyForm(PortalForm):
    decision = forms.ChoiceField(
        label=_("Is your problem resolved?"), widget=forms.RadioSelect, required=False,
        choices=[("accept", _("Yes, I accept the follow-up")),
                 ("reopen", _("No, it is not resolved"))])
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you? (1 = not at all, 5 = very)"), coerce=int,
        choices=RATING_CHOICES, widget=forms.RadioSelect(attrs={"class": "rating"}),
        required=False, empty_value=None)
    body = forms.CharField(label=_("Comment (required if it is not resolved)"),
                           widget=forms.Textarea(attrs={"rows": 3}), required=False)


class FeedForm(PortalForm):
    """The public feed's filters (a GET form); unknown values are simply ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200,
                        help_text=_("Words, or a tracking number to open that report."),
                        widget=forms.TextInput(attrs={"type": "search"}))
    category = forms.ChoiceField(label=_("Category"), required=False, widget=PlainSelect)
    region = forms.CharField(label=_("Region code"), required=False, max_length=13,
                             help_text=_("For example 64.08 (Kutai Timur)."))
    status = forms.ChoiceField(label=_("Status"), required=False, widget=PlainSelect)
    agency = forms.ChoiceField(label=_("Agency"), required=False, widget=PlainSelect)

    def __init__(self, *args: Any, categories: list[tuple[str, str]],
                 agencies: list[tuple[str, str]], statuses: list[tuple[str, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        _choices(self, "category", [everything, *categories])
        _choices(self, "agency", [everything, *agencies])
        _choices(self, "status", [everything, *statuses])


class SignUpForm(PortalForm):
    display_name = forms.CharField(label=_("Your name"), max_length=120,
                                   widget=forms.TextInput(attrs={"autocomplete": "name"}))
    identifier = forms.CharField(
        label=_("E-mail or phone number"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("You sign in with it. Not verified yet: type it carefully."))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters, not a common password."))
    password_again = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords are not the same."))
        return data


class LoginForm(PortalForm):
    identifier = forms.CharField(label=_("E-mail or phone number"), max_length=254,
                                 widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(
                                   attrs={"autocomplete": "current-password"}))


def status_choices(statuses: tuple[str, ...], lang: str) -> list[tuple[str, str]]:
    return [(s, status_label(s, lang)) for s in statuses if s in Status.values]
