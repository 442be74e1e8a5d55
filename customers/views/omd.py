"""Pages for the OMD invoice imports (administrators) and the OMD invoice list (everyone)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from customers.filters import OmdImportFilter, OmdInvoiceFilter
from customers.models import OmdImport, OmdInvoice
from customers.omd.selectors import omd_error_workbook, omd_preview_rows, omd_row_errors
from customers.tasks import schedule_omd_apply, schedule_omd_validate
from dealership_cs.forms import StyledFormMixin
from dealership_cs.generic_views import FilteredListView
from dealership_cs.permissions import Role, has_role

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OmdUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=gettext_lazy("OMD export (.xlsx, .xls or .csv)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Check only (never import)"), required=False)


class AdminOnly:
    """OMD imports are the administrators' work: everyone else gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, Role.ADMIN):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_import(self, pk: int) -> OmdImport:
        return get_object_or_404(OmdImport.objects.visible_to(self.request.user), pk=pk)


class OmdImportListView(AdminOnly, FilteredListView):
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
        from customers.omd.service import omd_import_create
        from dealership_cs.spreadsheets import SpreadsheetRefused

        form = OmdUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with transaction.atomic():
                    omd_import = omd_import_create(
                        source=upload, file_name=upload.name, by=request.user, dry_run=form.cleaned_data["dry_run"]
                    )
                    schedule_omd_validate(omd_import.pk)
            except SpreadsheetRefused as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(omd_import)
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OmdImportDetailView(AdminOnly, View):
    """One import: live progress, the preview (counts, first rows as mapped, row errors), confirm or cancel."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        omd_import = self.get_import(pk)
        context = {"object": omd_import, **_progress_context(omd_import)}
        if omd_import.status == OmdImport.Status.PREVIEWED:
            # What the import would do with each row is only meaningful before it is done.
            context["preview_rows"] = omd_preview_rows(omd_import)
        if omd_import.status in (OmdImport.Status.PREVIEWED, OmdImport.Status.DONE, OmdImport.Status.IMPORTING):
            context["row_errors"] = omd_row_errors(omd_import, limit=200)
        return render(request, "customers/omdimport_detail.html", context)


class OmdImportProgressView(AdminOnly, View):
    """The progress panel, polled by htmx while a worker runs the import."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        omd_import = self.get_import(pk)
        response = render(
            request, "customers/includes/omd_progress.html", {"object": omd_import, **_progress_context(omd_import)}
        )
        if request.htmx and not _progress_context(omd_import)["running"]:
            # The work has finished: reload the whole page to show the preview or the result.
            response["HX-Refresh"] = "true"
        return response


class OmdImportActionView(AdminOnly, View):
    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        from customers.omd.service import omd_import_cancel, omd_import_confirm

        omd_import = self.get_import(pk)
        try:
            with transaction.atomic():
                if action == "confirm":
                    omd_import = omd_import_confirm(omd_import=omd_import, by=request.user)
                    schedule_omd_apply(omd_import.pk)
                    messages.success(request, _("Import confirmed; a worker is writing the invoices."))
                elif action == "cancel":
                    omd_import_cancel(omd_import=omd_import, by=request.user)
                    messages.success(request, _("Import cancelled."))
                else:
                    return HttpResponse(status=404)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(omd_import)


class OmdImportErrorsView(AdminOnly, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        omd_import = self.get_import(pk)
        response = HttpResponse(omd_error_workbook(omd_import), content_type=XLSX)
        stem = omd_import.file_name.rsplit(".", 1)[0]
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stem)}-errors.xlsx"
        return response


class OmdInvoiceListView(FilteredListView):
    model = OmdInvoice
    filterset_class = OmdInvoiceFilter
    template_name = "customers/omdinvoice_list.html"
    select_related = ("batch",)


def _progress_context(omd_import: OmdImport) -> dict:
    return {"running": omd_import.status in (OmdImport.Status.QUEUED, *OmdImport.RUNNING)}


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)
