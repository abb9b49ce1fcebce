"""Staff pages of the search app (lapor.search) under /petugas/: the search page and the
merge action of a report page. Same gate as every workspace page (staff_required)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from lapor.core.errors import ApplicationError
from lapor.core.pagination import Page
from lapor.reports.merge import report_merge
from lapor.reports.selectors import report_for_staff
from lapor.reports.states import Status
from lapor.search import selectors
from lapor.workspace.access import StaffRequest, error_text, staff_required


class StaffSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search words"), max_length=200, required=False,
                        help_text=gettext_lazy("Words, or a tracking number to open that "
                                               "report."),
                        widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    category = forms.CharField(label=gettext_lazy("Category code"), max_length=60,
                               required=False)
    region = forms.CharField(label=gettext_lazy("Region code"), max_length=13, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101  (narrowing for mypy)
        field.choices = [("", _("Any status")), *Status.choices]


class MergeForm(forms.Form):
    into = forms.CharField(max_length=12)
    note = forms.CharField(max_length=2_000, required=False)
    expected_version = forms.IntegerField(min_value=1, required=False)


@require_GET
@staff_required
def staff_search(request: StaffRequest) -> HttpResponse:
    """Search every report the signed-in staff member may read; a tracking number typed as
    the query opens that report's page when the reader may read it."""
    form = StaffSearchForm(request.GET or None)
    page: Page[selectors.Hit] = Page(items=[], next_cursor=None)
    problem = ""
    if form.is_bound and form.is_valid() and form.cleaned_data["q"]:
        data = form.cleaned_data
        filters = selectors.SearchFilters(category=data["category"], region=data["region"],
                                          status=data["status"])
        number = selectors.tracking_number_in(data["q"])
        try:
            page = selectors.search_staff(request.actor, data["q"], filters,
                                          cursor=request.GET.get("cursor") or None)
        except ApplicationError as exc:
            problem = error_text(exc)
        if number is not None:
            # A tracking number opens that report, if this reader may read it.
            if page.items:
                return redirect("workspace:report", report_id=page.items[0].report.pk)
            problem = _("No report with the tracking number %(number)s that you may read.") % {
                "number": number}
        elif not page.items and selectors.tracking_number_typo(data["q"]):
            problem = _("This looks like a tracking number, but one of its 12 digits is wrong: "
                        "check them.")
    next_query = None
    if page.next_cursor:
        following = request.GET.copy()
        following["cursor"] = page.next_cursor
        next_query = following.urlencode()
    return render(request, "search/staff_search.html", {
        "form": form, "page": page, "problem": problem, "next_query": next_query,
        "nav": "search", "searched": form.is_bound and bool(request.GET.get("q")),
    })


@require_POST
@staff_required
def merge(request: StaffRequest, report_id: int) -> HttpResponse:
    """Merge this report into a similar one (lapor.reports.merge); back to the page either way,
    with the outcome as a message."""
    report = report_for_staff(request.actor, report_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the report to merge into."))
        return redirect("workspace:report", report_id=report.pk)
    data = form.cleaned_data
    try:
        survivor = report_merge(actor=request.actor, report_id=report.pk, into=data["into"],
                                note=data["note"], expected_version=data["expected_version"])
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("workspace:report", report_id=report.pk)
    messages.success(request, _("Merged: the report is archived as a duplicate of %(number)s.")
                     % {"number": survivor.tracking_number})
    return redirect("workspace:report", report_id=survivor.pk)
