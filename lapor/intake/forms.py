"""The walk-in/phone form: shapes only; the rules live in walk_in.py and report_submit."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from lapor.reports.models import Channel, ReportType
from lapor.workspace.forms import WorkspaceForm, set_choices

CHANNEL_CHOICES = [(Channel.WALK_IN, _("Walk-in (the reporter came to the desk)")),
                   (Channel.PHONE, _("Phone call"))]
TYPE_CHOICES = [(ReportType.COMPLAINT, _("Complaint")),
                (ReportType.ASPIRATION, _("Aspiration")),
                (ReportType.INFORMATION_REQUEST, _("Information request"))]


class WalkInForm(WorkspaceForm):
    desk = forms.ChoiceField(label=_("Enter into"), required=False)
    channel = forms.ChoiceField(label=_("How the report came in"), choices=CHANNEL_CHOICES,
                                widget=forms.RadioSelect, initial=Channel.WALK_IN)
    type = forms.ChoiceField(label=_("Type of report"), choices=TYPE_CHOICES,
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
