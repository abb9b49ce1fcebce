"""Input of the dashboard pages and exports (GET query strings)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from lapor.reports.models import Channel, ReportType
from lapor.reports.states import Status
from lapor.stats.selectors import REGION_CODE

MONTH_PATTERN = r"^\d{4}-\d{2}$"


class PeriodForm(forms.Form):
    # "from" is a keyword: the field is named by the query parameter through add_prefix.
    from_ = forms.RegexField(regex=MONTH_PATTERN, required=False, label=_("From month"),
                             widget=forms.TextInput(attrs={"type": "month"}))
    to = forms.RegexField(regex=MONTH_PATTERN, required=False, label=_("To month"),
                          widget=forms.TextInput(attrs={"type": "month"}))

    def add_prefix(self, field_name: str) -> str:
        return "from" if field_name == "from_" else super().add_prefix(field_name)


class BoardForm(PeriodForm):
    """The dashboard's query: the period, and where the region table stands."""

    region = forms.RegexField(regex=REGION_CODE, required=False, max_length=8,
                              label=_("Region code"))


class RowsForm(BoardForm):
    """A long table's "show all" page: order and page number."""

    sort = forms.ChoiceField(required=False, label=_("Order by"), choices=[
        ("", "—"), ("rank", _("Compliance")), ("reports", _("Reports")),
        ("followup_rate", _("First follow-up on time")), ("overdue", _("Overdue now"))])
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)


class ListFilterForm(PeriodForm):
    status = forms.ChoiceField(required=False, label=_("Status"),
                               choices=[("", "—"), *[(s, s) for s in Status.values]])
    type = forms.ChoiceField(required=False, label=_("Type"),
                             choices=[("", "—"), *[(t, t) for t in ReportType.values]])
    channel = forms.ChoiceField(required=False, label=_("Channel"),
                                choices=[("", "—"), *[(c, c) for c in Channel.values]])
    category = forms.SlugField(required=False, max_length=60, label=_("Category code"))
    region = forms.RegexField(regex=r"^\d{2}(\.\d{2}){0,2}(\.\d{4})?$", required=False,
                              max_length=13, label=_("Region code"))


class IdentityExportForm(forms.Form):
    reason = forms.CharField(min_length=20, max_length=2000, label=_("Reason"),
                             widget=forms.Textarea(attrs={"rows": 3}))
