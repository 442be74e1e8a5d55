"""Pages for customer records: thin views over customers.services and customers.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from customers import services
from customers.exports import customer_list_export_name, customer_list_workbook
from customers.filters import (
    CustomerFilter,
    PhoneCorrectionFilter,
    SalesArchiveFilter,
    ServiceVisitFilter,
    VehicleFilter,
)
from customers.forms import (
    ArchiveEditForm,
    ArchiveEntryForm,
    CustomerForm,
    LedgerUploadForm,
    MergeForm,
    PhoneCorrectionForm,
    VehicleForm,
    VisitForm,
)
from customers.models import Customer, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.selectors import customer_duplicates, customer_timeline, shared_phones
from dealership_cs.generic_views import FilteredListView, RecordDetailView, ServiceFormView
from dealership_cs.models import ExportRecord
from dealership_cs.services import export_record_create
from dealership_cs.spreadsheets.held import EXPIRED_DOWNLOAD, held_download, hold_download
from dealership_cs.spreadsheets.writer import xlsx_file_response, xlsx_response

# --- Customers ----------------------------------------------------------------------------------


class CustomerListView(FilteredListView):
    model = Customer
    filterset_class = CustomerFilter
    template_name = "customers/customer_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The export button carries the filter and search as they are, not the page number.
        context["export_query"] = _list_filter(self.request).urlencode()
        return context


def _list_filter(request: HttpRequest) -> QueryDict:
    params = request.GET.copy()
    params.pop("page", None)
    return params


class CustomerExportView(PermissionRequiredMixin, View):
    """The customer list as filtered and searched on the page, every page of it, as an .xlsx; the export is recorded.

    Whoever may see the list may export it, and only the rows ``visible_to`` them.
    """

    permission_required = "customers.view_customer"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        params = _list_filter(request)
        visible = Customer.objects.visible_to(request.user)
        filterset = CustomerFilter(params or None, queryset=visible, request=request)
        if filterset.is_bound and not filterset.is_valid():
            errors = [f"{filterset.form[name].label}: {' '.join(texts)}" for name, texts in filterset.errors.items()]
            return HttpResponse(" ".join(errors), status=400, content_type="text/plain; charset=utf-8")
        book, rows = customer_list_workbook(filterset.qs)
        stem = customer_list_export_name(timezone.localdate())
        export_record_create(
            kind=ExportRecord.Kind.CUSTOMER_LIST,
            by=request.user,
            query_string=params.urlencode(),
            filters={key: values[0] if len(values) == 1 else values for key, values in params.lists() if any(values)},
            row_count=rows,
            file_name=f"{stem}.xlsx",
        )
        return xlsx_file_response(book, stem)


class CustomerDetailView(RecordDetailView):
    model = Customer
    template_name = "customers/customer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["timeline"] = customer_timeline(self.object)
        context["vehicles"] = self.object.vehicles.all()
        context["duplicates"] = customer_duplicates(
            name=self.object.name, mobile=self.object.mobile, phone2=self.object.phone2, exclude_pk=self.object.pk
        )
        context["can_merge"] = user.has_perm("customers.merge_customer")
        context["can_propose_phone"] = user.has_perm("customers.add_phonecorrection")
        context["phone_form"] = PhoneCorrectionForm()
        return context


class CustomerEditView(ServiceFormView):
    model = Customer
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    duplicates_exception = services.DuplicatesFound
    success_message = gettext_lazy("Customer %(name)s was saved.")

    def perform(self, form, obj):
        confirm = form.cleaned_data.get("confirm_duplicates", False)
        if obj is None:
            return services.customer_create(by=self.request.user, confirm_duplicates=confirm, **form.service_fields())
        return services.customer_update(
            customer=obj, by=self.request.user, confirm_duplicates=confirm, **form.service_fields()
        )


class CustomerMergeView(PermissionRequiredMixin, View):
    permission_required = "customers.merge_customer"
    raise_exception = True

    def _survivor(self, pk: int) -> Customer:
        return get_object_or_404(Customer.objects.visible_to(self.request.user), pk=pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        survivor = self._survivor(pk)
        initial = {"duplicate": request.GET.get("duplicate")} if request.GET.get("duplicate") else None
        return self._render(survivor, MergeForm(initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        survivor = self._survivor(pk)
        form = MergeForm(request.POST)
        if not form.is_valid():
            return self._render(survivor, form, status=400)
        try:
            merge = services.customer_merge(
                survivor=survivor, duplicate=form.cleaned_data["duplicate"], by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self._render(survivor, form, status=400)
        messages.success(request, _("Customer #%(id)s was merged into this one.") % {"id": merge.merged_customer_id})
        return redirect(survivor)

    def _render(self, survivor, form, status=200):
        candidates = customer_duplicates(
            name=survivor.name, mobile=survivor.mobile, phone2=survivor.phone2, exclude_pk=survivor.pk
        )
        return render(
            self.request,
            "customers/customer_merge.html",
            {"object": survivor, "form": form, "candidates": candidates},
            status=status,
        )


# --- Vehicles -----------------------------------------------------------------------------------


class VehicleListView(FilteredListView):
    model = Vehicle
    filterset_class = VehicleFilter
    template_name = "customers/vehicle_list.html"
    select_related = ("holder",)


class VehicleDetailView(RecordDetailView):
    model = Vehicle
    template_name = "customers/vehicle_detail.html"
    select_related = ("holder",)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["archive"] = SalesArchive.objects.filter(vehicle=self.object).select_related("consultant").first()
        context["visits"] = self.object.visits.select_related("advisor").all()[:50]
        return context


class VehicleEditView(ServiceFormView):
    model = Vehicle
    form_class = VehicleForm
    template_name = "customers/vehicle_form.html"
    duplicates_exception = services.DuplicatesFound
    success_message = gettext_lazy("Vehicle %(name)s was saved.")

    def get_initial(self) -> dict:
        return {"holder": self.request.GET.get("holder")} if self.request.GET.get("holder") else {}

    def perform(self, form, obj):
        confirm = form.cleaned_data.get("confirm_duplicates", False)
        if obj is None:
            return services.vehicle_create(by=self.request.user, confirm_duplicates=confirm, **form.service_fields())
        return services.vehicle_update(
            vehicle=obj, by=self.request.user, confirm_duplicates=confirm, **form.service_fields()
        )


# --- Closed-deal archives -----------------------------------------------------------------------


class ArchiveListView(FilteredListView):
    model = SalesArchive
    filterset_class = SalesArchiveFilter
    template_name = "customers/salesarchive_list.html"
    select_related = ("vehicle", "customer", "consultant")


class ArchiveDetailView(RecordDetailView):
    model = SalesArchive
    template_name = "customers/salesarchive_detail.html"
    select_related = ("vehicle", "customer", "consultant", "submitted_by")


class ArchiveEditView(ServiceFormView):
    model = SalesArchive
    template_name = "customers/salesarchive_form.html"
    success_message = gettext_lazy("Archive %(name)s was saved.")

    @property
    def form_class(self):
        return ArchiveEditForm if "pk" in self.kwargs else ArchiveEntryForm

    def get_initial(self) -> dict:
        customer_id = self.request.GET.get("customer")
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id and customer_id.isdigit() else None
        if customer is None:
            return {}
        return {"customer": customer.pk, "customer_name": customer.name, "phone": customer.mobile}

    def perform(self, form, obj):
        if obj is None:
            return services.archive_submit(data=form.archive_input(), by=self.request.user)
        return services.archive_update(archive=obj, by=self.request.user, **form.cleaned_data)


# --- Service visits -----------------------------------------------------------------------------


class VisitListView(FilteredListView):
    model = ServiceVisit
    filterset_class = ServiceVisitFilter
    template_name = "customers/servicevisit_list.html"
    select_related = ("vehicle", "customer", "advisor")


class VisitDetailView(RecordDetailView):
    model = ServiceVisit
    template_name = "customers/servicevisit_detail.html"
    select_related = ("vehicle", "customer", "advisor")


class VisitEditView(ServiceFormView):
    model = ServiceVisit
    form_class = VisitForm
    template_name = "customers/servicevisit_form.html"
    success_message = gettext_lazy("Service visit %(name)s was saved.")

    def perform(self, form, obj):
        if obj is None:
            return services.visit_create(by=self.request.user, **form.service_fields())
        return services.visit_update(visit=obj, by=self.request.user, **form.service_fields())


# --- Data quality and phone corrections ---------------------------------------------------------


class DataQualityView(PermissionRequiredMixin, View):
    permission_required = "customers.view_customer"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "customers/data_quality.html", {"shared_phones": shared_phones()})


class PhoneCorrectionListView(FilteredListView):
    model = PhoneCorrection
    filterset_class = PhoneCorrectionFilter
    template_name = "customers/phonecorrection_list.html"
    select_related = ("customer", "proposed_by", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_decide"] = self.request.user.has_perm("customers.change_phonecorrection")
        return context


class PhoneCorrectionProposeView(PermissionRequiredMixin, View):
    permission_required = "customers.add_phonecorrection"
    raise_exception = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
        form = PhoneCorrectionForm(request.POST)
        if form.is_valid():
            try:
                services.phone_correction_propose(customer=customer, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("The phone correction was proposed; staff will apply it."))
        else:
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
        return redirect(customer)


class PhoneCorrectionDecideView(PermissionRequiredMixin, View):
    permission_required = "customers.change_phonecorrection"
    raise_exception = True

    def post(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        correction = get_object_or_404(PhoneCorrection.objects.visible_to(request.user), pk=pk)
        action = {"apply": services.phone_correction_apply, "reject": services.phone_correction_reject}.get(decision)
        if action is None:
            return HttpResponse(status=404)
        extra = {"new_value": request.POST.get("new_value", "").strip()} if decision == "apply" else {}
        try:
            action(correction=correction, by=request.user, **extra)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Done."))
        return redirect("customers:phonecorrection_list")


# --- Ledger import ------------------------------------------------------------------------------


class LedgerImportView(PermissionRequiredMixin, View):
    """Upload an Excel/CSV ledger of closed-deal archives; check it first, then import it."""

    permission_required = ["customers.add_salesarchive", "customers.add_customer", "customers.add_vehicle"]
    raise_exception = True
    template_name = "customers/ledger_import.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        from customers.ledger import LEDGER_COLUMNS

        return render(request, self.template_name, {"form": LedgerUploadForm(), "columns": LEDGER_COLUMNS})

    def post(self, request: HttpRequest) -> HttpResponse:
        from customers.ledger import LEDGER_COLUMNS, error_workbook_name, ledger_import
        from dealership_cs.spreadsheets import SpreadsheetRefused

        form = LedgerUploadForm(request.POST, request.FILES)
        context = {"form": form, "columns": LEDGER_COLUMNS}
        if not form.is_valid():
            return render(request, self.template_name, context, status=400)
        upload = form.cleaned_data["file"]
        try:
            result = ledger_import(
                source=upload, file_name=upload.name, by=request.user, dry_run=form.cleaned_data["dry_run"]
            )
        except SpreadsheetRefused as exc:
            form.add_error("file", exc.message)
            return render(request, self.template_name, context, status=400)
        context.update({"result": result, "dry_run": form.cleaned_data["dry_run"], "file_name": upload.name})
        if result.rejected:
            context["errors_token"] = hold_download(
                user=request.user, data=result.error_workbook(), stem=error_workbook_name(upload.name)
            )
        return render(request, self.template_name, context)


class LedgerImportErrorsView(PermissionRequiredMixin, View):
    """The rejected rows of the user's last ledger uploads, as a workbook to fix and upload again."""

    permission_required = LedgerImportView.permission_required
    raise_exception = True

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        held = held_download(user=request.user, token=token)
        if held is None:
            messages.error(request, EXPIRED_DOWNLOAD)
            return redirect("customers:ledger_import")
        data, stem = held
        return xlsx_response(data, stem)
