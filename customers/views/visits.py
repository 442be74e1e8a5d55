"""The repair-order import page: upload a DMS export, see the counts and the rejected rows, download them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from customers.visits import VISIT_COLUMNS, error_workbook_name, visit_import
from customers.visits.forms import VisitUploadForm
from dealership_cs.spreadsheets import SpreadsheetRefused
from dealership_cs.spreadsheets.held import EXPIRED_DOWNLOAD, held_download, hold_download
from dealership_cs.spreadsheets.writer import xlsx_response

# The import creates the cars and customers the ROs name, so it needs what their forms need.
IMPORT_PERMISSIONS = ["customers.add_servicevisit", "customers.add_customer", "customers.add_vehicle"]


class VisitImportView(PermissionRequiredMixin, View):
    """Upload a repair-order export; check it first (the default), then import it."""

    permission_required = IMPORT_PERMISSIONS
    raise_exception = True
    template_name = "customers/visit_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": VisitUploadForm(), "columns": VISIT_COLUMNS})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = VisitUploadForm(request.POST, request.FILES)
        context = {"form": form, "columns": VISIT_COLUMNS}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        upload, dry_run = form.cleaned_data["file"], form.cleaned_data["dry_run"]
        try:
            result = visit_import(source=upload, file_name=upload.name, by=request.user, dry_run=dry_run)
        except SpreadsheetRefused as exc:
            form.add_error("file", exc.message)
            return render(request, self.template_name, context, status=400)
        context.update({"result": result, "dry_run": dry_run, "file_name": upload.name})
        if result.rejected:
            context["errors_token"] = hold_download(
                user=request.user, data=result.error_workbook(), stem=error_workbook_name(upload.name)
            )
        return render(request, self.template_name, context)


class VisitImportErrorsView(PermissionRequiredMixin, View):
    """The rejected rows of the user's last repair-order uploads, as a workbook to fix and upload again."""

    permission_required = IMPORT_PERMISSIONS
    raise_exception = True

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        held = held_download(user=request.user, token=token)
        if held is None:
            messages.error(request, EXPIRED_DOWNLOAD)
            return redirect("customers:visit_import")
        data, stem = held
        return xlsx_response(data, stem)
