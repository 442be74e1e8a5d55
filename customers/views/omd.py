"""Pages for the OMD invoice imports (administrators) and the OMD invoice list (everyone).

Who may do what is the role table's (dealership_cs.permissions): seeing the imports needs
`view_omdimport`, uploading `add_omdimport`, confirming and cancelling `change_omdimport`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from customers.filters import OmdImportFilter, OmdInvoiceFilter
from customers.models import OmdImport, OmdInvoice
from customers.omd.selectors import (
    omd_error_workbook,
    omd_error_workbook_name,
    omd_import_for,
    omd_import_page,
)
from customers.omd.service import omd_import_cancel, omd_import_confirm, omd_import_upload
from dealership_cs.forms import StyledFormMixin
from dealership_cs.generic_views import FilteredListView
from dealership_cs.spreadsheets import SpreadsheetRefused
from dealership_cs.spreadsheets.writer import xlsx_response


class OmdUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("OMD export (.xlsx, .xls or .csv)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Check only (never import)"), required=False)


class OmdImportView(PermissionRequiredMixin, View):
    """An import's page or action: the role table's permission, then the import if the user may see it."""

    raise_exception = True
    permission_required = "customers.view_omdimport"

    def get_import(self, pk: int) -> OmdImport:
        omd_import = omd_import_for(user=self.request.user, pk=pk)
        if omd_import is None:
            raise Http404
        return omd_import


class OmdImportListView(FilteredListView):
    """The history of imports, with the upload form on top."""

    model = OmdImport
    filterset_class = OmdImportFilter
    template_name = "customers/omdimport_list.html"
    select_related = ("uploaded_by",)
    paginate_by = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or OmdUploadForm()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("customers.add_omdimport"):
            raise PermissionDenied
        form = OmdUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                omd_import = omd_import_upload(
                    source=upload, file_name=upload.name, by=request.user, dry_run=form.cleaned_data["dry_run"]
                )
            except SpreadsheetRefused as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(omd_import)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OmdImportDetailView(OmdImportView):
    """One import: live progress, the preview (counts, first rows as mapped, row errors, reverts), confirm or cancel."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        page = omd_import_page(self.get_import(pk))
        context = {
            "object": page.omd_import,
            "preview_rows": page.preview_rows,
            "row_errors": page.row_errors,
            "reverted_rows": page.reverted_rows,
            "frozen_note": page.frozen_note,
            "can_change": request.user.has_perm("customers.change_omdimport"),
            **_progress_context(page.omd_import),
        }
        return render(request, "customers/omdimport_detail.html", context)


class OmdImportProgressView(OmdImportView):
    """The progress panel, polled by htmx while a worker runs the import."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        omd_import = self.get_import(pk)
        progress = _progress_context(omd_import)
        response = render(request, "customers/includes/omd_progress.html", {"object": omd_import, **progress})
        if request.htmx and not progress["running"]:
            # The work has finished: reload the whole page to show the preview or the result.
            response["HX-Refresh"] = "true"
        return response


class OmdImportActionView(OmdImportView):
    permission_required = "customers.change_omdimport"

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        omd_import = self.get_import(pk)
        try:
            if action == "confirm":
                omd_import = omd_import_confirm(
                    omd_import=omd_import, by=request.user, allow_revert=request.POST.get("allow_revert") == "on"
                )
                messages.success(request, _("Import confirmed; a worker is writing the invoices."))
            elif action == "cancel":
                omd_import_cancel(omd_import=omd_import, by=request.user)
                messages.success(request, _("Import cancelled."))
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(omd_import)


class OmdImportErrorsView(OmdImportView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        omd_import = self.get_import(pk)
        return xlsx_response(omd_error_workbook(omd_import), omd_error_workbook_name(omd_import))


class OmdInvoiceListView(FilteredListView):
    model = OmdInvoice
    filterset_class = OmdInvoiceFilter
    template_name = "customers/omdinvoice_list.html"
    select_related = ("batch",)


def _progress_context(omd_import: OmdImport) -> dict:
    # Polled while a worker has it or it waits for one (previewed waits for a person).
    return {"running": omd_import.status in (*OmdImport.RUNNING, *OmdImport.WAITING)}
