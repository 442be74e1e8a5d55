"""FilterSets shared by the customer pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import (
    Customer,
    Discrepancy,
    OmdImport,
    OmdInvoice,
    PhoneCorrection,
    SalesArchive,
    ServiceVisit,
    Vehicle,
)
from customers.selectors import customer_search
from dealership_cs.filters import SortFilter, YesNoFilter
from dealership_cs.forms import StyledForm
from dealership_cs.models import Staff

# The sort menu's "when the record was made" (创建时间), apart from "created" as a count of new rows.
CREATED = pgettext_lazy("sort by", "Created")


def _in_month(queryset, field: str, value: str):
    """Rows whose date field falls in the month YYYY-MM (a range, so the date index is used)."""
    from datetime import date

    try:
        year, month = (int(part) for part in value.split("-"))
        start = date(year, month, 1)
    except ValueError:
        return queryset.none()
    end = date(year + (month == 12), month % 12 + 1, 1)
    return queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        help_text=_("Name, phone (or last 4), VIN (or last 6/8), plate, invoice"),
        widget=forms.TextInput(
            attrs={
                "data-search-box": "",
                "autofocus": "",
                "size": 28,
                "placeholder": _("Name, phone, VIN, plate, invoice"),
            }
        ),
    )
    source = django_filters.ChoiceFilter(label=_("Source"), choices=Customer.Source.choices)
    kind = django_filters.ChoiceFilter(label=_("Type"), choices=Customer.Kind.choices)
    do_not_call = YesNoFilter(label=_("Do not call"))
    created_after = django_filters.DateFilter(label=_("Created from"), field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(label=_("Created to"), field_name="created_at", lookup_expr="date__lte")
    ordering = SortFilter(
        fields=(("created_at", "created_at"), ("name_key", "name"), ("mobile", "mobile")),
        field_labels={"created_at": CREATED, "name_key": _("Name"), "mobile": _("Mobile")},
    )

    class Meta:
        model = Customer
        form = StyledForm
        fields = ["q", "source", "kind", "do_not_call"]

    def filter_q(self, queryset, name, value):
        result = customer_search(value, limit=500)
        self.search_result = result
        return queryset.filter(pk__in=[c.pk for c in result.customers])


class VehicleFilter(django_filters.FilterSet):
    vin = django_filters.CharFilter(label=_("VIN (full or last digits)"), field_name="vin", lookup_expr="endswith")
    plate = django_filters.CharFilter(label=_("Plate"), field_name="plate", lookup_expr="iexact")
    model_name = django_filters.CharFilter(label=_("Model"), field_name="model_name", lookup_expr="icontains")
    holder = django_filters.NumberFilter(label=_("Invoice holder (id)"), field_name="holder_id")
    delivered_after = django_filters.DateFilter(
        label=_("Delivered from"), field_name="delivery_date", lookup_expr="gte"
    )
    delivered_before = django_filters.DateFilter(label=_("Delivered to"), field_name="delivery_date", lookup_expr="lte")
    ordering = SortFilter(
        fields=(("created_at", "created_at"), ("delivery_date", "delivery_date"), ("vin", "vin")),
        field_labels={"created_at": CREATED, "delivery_date": _("Delivery date"), "vin": _("VIN")},
    )

    class Meta:
        model = Vehicle
        form = StyledForm
        fields = ["vin", "plate", "model_name", "holder"]


class SalesArchiveFilter(django_filters.FilterSet):
    month = django_filters.CharFilter(label=_("Delivery month (YYYY-MM)"), method="filter_month")
    consultant = django_filters.ModelChoiceFilter(
        label=_("Sales consultant"), queryset=Staff.objects.sales_consultants().order_by("name")
    )
    invoice_number = django_filters.CharFilter(label=_("Invoice number"), field_name="invoice_number")
    vin = django_filters.CharFilter(label=_("VIN"), field_name="vehicle__vin", lookup_expr="endswith")
    delivered_after = django_filters.DateFilter(
        label=_("Delivered from"), field_name="delivery_date", lookup_expr="gte"
    )
    delivered_before = django_filters.DateFilter(label=_("Delivered to"), field_name="delivery_date", lookup_expr="lte")
    ordering = SortFilter(
        fields=(
            ("delivery_date", "delivery_date"),
            ("invoice_date", "invoice_date"),
            ("invoice_amount", "invoice_amount"),
        ),
        field_labels={
            "delivery_date": _("Delivery date"),
            "invoice_date": _("Invoice date"),
            "invoice_amount": _("Invoice amount"),
        },
    )

    class Meta:
        model = SalesArchive
        form = StyledForm
        fields = ["consultant", "invoice_number"]

    def filter_month(self, queryset, name, value):
        return _in_month(queryset, "delivery_date", value)


class ServiceVisitFilter(django_filters.FilterSet):
    ro_number = django_filters.CharFilter(label=_("RO number"), field_name="ro_number")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ServiceVisit.Kind.choices)
    advisor = django_filters.ModelChoiceFilter(
        label=_("Service advisor"), queryset=Staff.objects.service_advisors().order_by("name")
    )
    vin = django_filters.CharFilter(label=_("VIN"), field_name="vehicle__vin", lookup_expr="endswith")
    closed_after = django_filters.DateFilter(label=_("Left from"), field_name="closed_at", lookup_expr="date__gte")
    closed_before = django_filters.DateFilter(label=_("Left to"), field_name="closed_at", lookup_expr="date__lte")
    ordering = SortFilter(
        fields=(("opened_at", "opened_at"), ("closed_at", "closed_at"), ("amount", "amount")),
        field_labels={"opened_at": _("Opened at"), "closed_at": _("Left at"), "amount": _("Amount")},
    )

    class Meta:
        model = ServiceVisit
        form = StyledForm
        fields = ["ro_number", "kind", "advisor"]


class PhoneCorrectionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PhoneCorrection.Status.choices)

    class Meta:
        model = PhoneCorrection
        form = StyledForm
        fields = ["status"]


class OmdInvoiceFilter(django_filters.FilterSet):
    invoice_number = django_filters.CharFilter(label=_("Invoice number"), method="filter_invoice_number")
    vin = django_filters.CharFilter(label=_("VIN"), field_name="vin", lookup_expr="endswith")
    customer_name = django_filters.CharFilter(
        label=_("Customer name"), field_name="customer_name", lookup_expr="startswith"
    )
    month = django_filters.CharFilter(label=_("Invoice month (YYYY-MM)"), method="filter_month")
    voided = YesNoFilter(label=_("Voided"))
    ordering = SortFilter(
        fields=(("invoice_date", "invoice_date"), ("amount", "amount"), ("invoice_number", "invoice_number")),
        field_labels={"invoice_date": _("Invoice date"), "amount": _("Amount"), "invoice_number": _("Invoice number")},
    )

    class Meta:
        model = OmdInvoice
        form = StyledForm
        fields = ["voided"]

    def filter_invoice_number(self, queryset, name, value):
        from django.core.exceptions import ValidationError

        from customers.validators import normalize_invoice_number

        try:
            return queryset.filter(invoice_number=normalize_invoice_number(value))
        except ValidationError:
            return queryset.none()

    def filter_month(self, queryset, name, value):
        return _in_month(queryset, "invoice_date", value)


class OmdImportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=OmdImport.Status.choices)

    class Meta:
        model = OmdImport
        form = StyledForm
        fields = ["status"]


class DiscrepancyFilter(django_filters.FilterSet):
    """The discrepancy desk and ``/api/discrepancies/``: open discrepancies unless another status is asked for."""

    ALL = "all"
    month = django_filters.CharFilter(
        label=_("Month (YYYY-MM)"),
        method="filter_month",
        validators=[RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("Enter a month as YYYY-MM, e.g. 2011-08."))],
        widget=forms.TextInput(attrs={"placeholder": "2011-08", "size": 8}),
    )
    type = django_filters.ChoiceFilter(label=_("Type"), choices=Discrepancy.Type.choices)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Discrepancy.Status.choices, (ALL, _("All"))],
        empty_label=None,
        method="filter_status",
        help_text=_("Open unless given; “all” for every status."),
    )
    consultant = django_filters.ModelChoiceFilter(
        label=_("Sales consultant"), queryset=Staff.objects.sales_consultants().order_by("name")
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assigned to"), queryset=Staff.objects.order_by("name"), null_label=_("Nobody")
    )
    ordering = SortFilter(
        fields=(
            ("month", "month"),
            ("type", "type"),
            ("first_seen_at", "first_seen_at"),
            ("last_seen_at", "last_seen_at"),
            ("resolved_at", "resolved_at"),
        ),
        field_labels={
            "month": _("Month"),
            "type": _("Type"),
            "first_seen_at": _("First found"),
            "last_seen_at": _("Last found"),
            "resolved_at": _("Resolved at"),
        },
    )

    class Meta:
        model = Discrepancy
        form = StyledForm
        fields = ["month", "type", "status", "consultant", "assignee"]

    def __init__(self, data=None, *args, **kwargs):
        # The desk is a work queue: without a status it shows what is still open, on the page and in the API.
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = Discrepancy.Status.OPEN.value
        super().__init__(data, *args, **kwargs)

    def filter_month(self, queryset, name, value):
        return _in_month(queryset, "month", value)

    def filter_status(self, queryset, name, value):
        return queryset if value == self.ALL else queryset.filter(status=value)
