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
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from customers.filters import DiscrepancyFilter
from customers.models import Discrepancy
from customers.reconciliation.desk import (
    DESK_RELATED,
    discrepancy_assign,
    discrepancy_counts_by_type,
    discrepancy_export_xlsx,
    discrepancy_note,
    discrepancy_related,
    discrepancy_reopen,
    discrepancy_resolve,
    discrepancy_side_by_side,
)
from dealership_cs.forms import StyledFormMixin
from dealership_cs.generic_views import FilteredListView, RecordDetailView
from dealership_cs.models import Staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOTE_MAX_LENGTH = 2000


class AssignForm(StyledFormMixin, forms.Form):
    assignee = forms.ModelChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=Staff.objects.active().order_by("department", "name"),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )


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
        context["assign_form"] = AssignForm(initial={"assignee": discrepancy.assignee_id or discrepancy.consultant_id})
        context["note_form"] = NoteForm(initial={"note": discrepancy.note})
        if discrepancy.invoice_id is not None:
            context["invoice_url"] = (
                reverse("customers:omdinvoice_list")
                + "?"
                + urlencode({"invoice_number": discrepancy.invoice.invoice_number})
            )
        return context


class DiscrepancyActionView(PermissionRequiredMixin, View):
    """Assign, note, resolve or reopen one discrepancy, then go back where the user came from."""

    permission_required = "customers.change_discrepancy"
    raise_exception = True

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        discrepancy = get_object_or_404(Discrepancy.objects.visible_to(request.user), pk=pk)
        if action not in ("assign", "note", "resolve", "reopen"):
            return HttpResponse(status=404)
        try:
            done = getattr(self, action)(discrepancy)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if done:
                messages.success(request, done)
        return redirect(self._back(discrepancy))

    def assign(self, discrepancy: Discrepancy) -> str:
        form = AssignForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        assignee = form.cleaned_data["assignee"]
        discrepancy_assign(discrepancy=discrepancy, assignee=assignee, by=self.request.user)
        if assignee is None:
            return _("Nobody is assigned any more.")
        return _("Assigned to %(name)s.") % {"name": assignee.name}

    def note(self, discrepancy: Discrepancy) -> str:
        form = NoteForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        discrepancy_note(discrepancy=discrepancy, note=form.cleaned_data["note"], by=self.request.user)
        return _("The note was saved.")

    def resolve(self, discrepancy: Discrepancy) -> str:
        form = NoteForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        discrepancy_resolve(discrepancy=discrepancy, by=self.request.user, note=form.cleaned_data["note"])
        return _("Marked as resolved.")

    def reopen(self, discrepancy: Discrepancy) -> str:
        discrepancy_reopen(discrepancy=discrepancy, by=self.request.user)
        return _("Reopened.")

    def _back(self, discrepancy: Discrepancy) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return discrepancy.get_absolute_url()


class DiscrepancyExportView(PermissionRequiredMixin, View):
    """The list as filtered on the page (same filters, every page), as an .xlsx file."""

    permission_required = "customers.view_discrepancy"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = DiscrepancyFilter(
            request.GET, queryset=Discrepancy.objects.visible_to(request.user), request=request
        )
        if not filterset.is_valid():
            errors = [error for field_errors in filterset.errors.values() for error in field_errors]
            return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(discrepancy_export_xlsx(filterset.qs), content_type=XLSX)
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="discrepancies-{stamp}.xlsx"'
        return response
