"""The discrepancy desk: what the nightly reconciliation found, for the customer-service staff to work through.

Everyone with a role reads it; assigning, noting and resolving need the change permission
(customer-service staff and administrators, by the role table).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from customers.filters import DiscrepancyFilter
from customers.models import Discrepancy
from customers.reconciliation.desk import (
    DESK_RELATED,
    discrepancy_counts_by_type,
    discrepancy_export_name,
    discrepancy_export_xlsx,
    discrepancy_related,
    discrepancy_side_by_side,
    discrepancy_work,
)
from dealership_cs.forms import StyledFormMixin
from dealership_cs.generic_views import FilteredListView, RecordDetailView
from dealership_cs.models import Staff
from dealership_cs.spreadsheets.writer import xlsx_response

NOTE_MAX_LENGTH = 2000


class AssignForm(StyledFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=Staff.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, keep: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Active colleagues, and whoever is assigned now even if they have left since.
        self.fields["assignee"].queryset = Staff.objects.choosable(keep=keep).order_by("department", "name")


class NoteForm(StyledFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class DiscrepancyListView(FilteredListView):
    model = Discrepancy
    filterset_class = DiscrepancyFilter
    template_name = "customers/discrepancy_list.html"
    select_related = DESK_RELATED

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = {key: value for key, value in self.request.GET.items() if key != "page" and value != ""}
        context["type_counts"] = self._type_counts(params)
        context["export_query"] = urlencode(params)
        context["here"] = self.request.get_full_path()
        context["can_change"] = self.request.user.has_perm("customers.change_discrepancy")
        return context

    def _type_counts(self, params: dict[str, str]) -> list[dict]:
        """The counts by type under the other filters, each a link that narrows the list to that type."""
        without_type = {key: value for key, value in params.items() if key != "type"}
        filterset = DiscrepancyFilter(without_type, queryset=Discrepancy.objects.visible_to(self.request.user))
        if not filterset.is_valid():
            return []
        chosen = params.get("type", "")
        return [
            {
                "type": c.type,
                "label": c.label,
                "count": c.count,
                "active": c.type == chosen,
                "query": urlencode({**without_type, "type": c.type}),
            }
            for c in discrepancy_counts_by_type(filterset.qs)
        ]


class DiscrepancyDetailView(RecordDetailView):
    model = Discrepancy
    template_name = "customers/discrepancy_detail.html"
    select_related = (
        "archive__vehicle",
        "archive__customer",
        "archive__consultant",
        "invoice",
        "consultant",
        "assignee",
        "resolved_by",
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        discrepancy = self.object
        context["side_by_side"] = discrepancy_side_by_side(discrepancy)
        context["related"] = discrepancy_related(discrepancy)
        context["can_work"] = context["can_change"] and discrepancy.status != Discrepancy.Status.CLOSED
        context["assign_form"] = AssignForm(
            initial={"assignee": discrepancy.assignee_id or discrepancy.consultant_id}, keep=discrepancy.assignee_id
        )
        context["note_form"] = NoteForm(initial={"note": discrepancy.note})
        if discrepancy.invoice_id is not None:
            context["invoice_url"] = (
                reverse("customers:omdinvoice_list")
                + "?"
                + urlencode({"invoice_number": discrepancy.invoice.invoice_number})
            )
        return context


class DiscrepancyActionView(PermissionRequiredMixin, View):
    """Assign, note, resolve or reopen one discrepancy (one ``discrepancy_work`` each), then go back."""

    permission_required = "customers.change_discrepancy"
    raise_exception = True
    DONE = {
        "note": gettext_lazy("The note was saved."),
        "resolve": gettext_lazy("Marked as resolved."),
        "reopen": gettext_lazy("Reopened."),
    }

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        discrepancy = get_object_or_404(Discrepancy.objects.visible_to(request.user), pk=pk)
        if action not in ("assign", "note", "resolve", "reopen"):
            return HttpResponse(status=404)
        try:
            work = self._work(action, discrepancy)
            discrepancy_work(discrepancy=discrepancy, by=request.user, **work)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, self._done(action, work))
        return redirect(self._back(discrepancy))

    def _work(self, action: str, discrepancy: Discrepancy) -> dict:
        """The posted form as ``discrepancy_work``'s arguments; a bad form is refused with its messages."""
        if action == "reopen":
            return {"reopen": True}
        if action == "assign":
            form = AssignForm(self.request.POST, keep=discrepancy.assignee_id)
        else:
            form = NoteForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        if action == "assign":
            return {"assignee": form.cleaned_data["assignee"]}
        # The list's "resolved" button sends no note: the stored one stays.
        note = form.cleaned_data["note"] if "note" in self.request.POST else None
        return {"note": note, "resolve": action == "resolve"}

    def _done(self, action: str, work: dict) -> str:
        if action != "assign":
            return str(self.DONE[action])
        if work["assignee"] is None:
            return _("Nobody is assigned any more.")
        return _("Assigned to %(name)s.") % {"name": work["assignee"].name}

    def _back(self, discrepancy: Discrepancy) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return discrepancy.get_absolute_url()


class DiscrepancyExportView(PermissionRequiredMixin, View):
    """The list as filtered on the page (same filters, every page), as an .xlsx named after its month."""

    permission_required = "customers.view_discrepancy"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = DiscrepancyFilter(
            request.GET, queryset=Discrepancy.objects.visible_to(request.user), request=request
        )
        if not filterset.is_valid():
            errors = [error for field_errors in filterset.errors.values() for error in field_errors]
            return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
        month = filterset.form.cleaned_data.get("month")
        return xlsx_response(discrepancy_export_xlsx(filterset.qs), discrepancy_export_name(month))
