"""HTML forms for customer records. Field cleaning goes through customers.validators (customers/fields.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.fields import (
    AmountField,
    BirthDateField,
    FlexibleDateField,
    InvoiceNumberField,
    PersonNameField,
    PhoneField,
    PlateField,
    RecordDateTimeField,
    VinField,
)
from customers.models import Customer, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.services import ArchiveInput
from dealership_cs.forms import StyledFormMixin
from dealership_cs.models import Staff

CONFIRM_LABEL = _("These are different records: save anyway")


class CustomerForm(StyledFormMixin, forms.ModelForm):
    name = PersonNameField(label=_("Name"), max_length=100)
    mobile = PhoneField(label=_("Mobile"), required=False)
    phone2 = PhoneField(label=_("Second phone"), required=False)
    birthday = BirthDateField(label=_("Birthday"), required=False)
    do_not_call_since = FlexibleDateField(label=_("Do not call since"), required=False)
    confirm_duplicates = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    class Meta:
        model = Customer
        fields = [
            "name",
            "kind",
            "gender",
            "mobile",
            "phone2",
            "birthday",
            "address",
            "source",
            "do_not_call",
            "do_not_call_reason",
            "do_not_call_since",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("do_not_call") and not data.get("do_not_call_reason"):
            self.add_error("do_not_call_reason", _("Say why the customer must not be called."))
        return data

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm_duplicates"}


class VehicleForm(StyledFormMixin, forms.ModelForm):
    vin = VinField(label=_("VIN"))
    plate = PlateField(label=_("Plate"), required=False)
    user_phone = PhoneField(label=_("Contact phone"), required=False)
    delivery_date = FlexibleDateField(label=_("Delivery date"), required=False)
    holder = forms.ModelChoiceField(
        label=_("Invoice holder (customer number)"),
        queryset=Customer.objects.all(),
        required=False,
        widget=forms.NumberInput,
    )
    confirm_duplicates = forms.BooleanField(label=CONFIRM_LABEL, required=False)

    class Meta:
        model = Vehicle
        fields = ["vin", "plate", "model_name", "colour", "delivery_date", "holder", "user_name", "user_phone"]

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm_duplicates"}


def _consultants(keep: int | None = None):
    # Active consultants; an archive being edited keeps showing its own even after they left.
    return Staff.objects.choosable(position=Staff.Position.SALES_CONSULTANT, keep=keep).order_by("name")


class ArchiveEntryForm(StyledFormMixin, forms.Form):
    """The closed-deal archive as a consultant hands it in: buyer, car and invoice on one form."""

    customer_name = PersonNameField(label=_("Customer name"), max_length=100)
    phone = PhoneField(label=_("Phone"), required=False)
    vin = VinField(label=_("VIN"))
    plate = PlateField(label=_("Plate"), required=False)
    model_name = forms.CharField(label=_("Model"), max_length=100, required=False)
    consultant = forms.ModelChoiceField(label=_("Sales consultant"), queryset=Staff.objects.none())
    deal_date = FlexibleDateField(label=_("Deal date"), required=False)
    delivery_date = FlexibleDateField(label=_("Delivery date"))
    invoice_number = InvoiceNumberField(label=_("Invoice number"))
    invoice_date = FlexibleDateField(label=_("Invoice date"))
    invoice_amount = AmountField(label=_("Invoice amount (CNY)"))
    invoice_name = PersonNameField(label=_("Name on the invoice (if different)"), max_length=100, required=False)
    customer = forms.ModelChoiceField(queryset=Customer.objects.all(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = _consultants()

    def clean_invoice_amount(self):
        amount = self.cleaned_data["invoice_amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("An archive's invoice amount cannot be negative."))
        return amount

    def archive_input(self) -> ArchiveInput:
        return ArchiveInput(**self.cleaned_data)


class ArchiveEditForm(StyledFormMixin, forms.ModelForm):
    deal_date = FlexibleDateField(label=_("Deal date"), required=False)
    delivery_date = FlexibleDateField(label=_("Delivery date"))
    invoice_number = InvoiceNumberField(label=_("Invoice number"))
    invoice_date = FlexibleDateField(label=_("Invoice date"))
    invoice_amount = AmountField(label=_("Invoice amount (CNY)"))
    invoice_name = PersonNameField(label=_("Name on the invoice"), max_length=100)
    archive_phone = PhoneField(label=_("Phone on the archive"), required=False)

    class Meta:
        model = SalesArchive
        fields = [
            "consultant",
            "deal_date",
            "delivery_date",
            "invoice_number",
            "invoice_date",
            "invoice_amount",
            "invoice_name",
            "archive_phone",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].queryset = _consultants(keep=self.instance.consultant_id)


class VisitForm(StyledFormMixin, forms.ModelForm):
    vin = VinField(label=_("VIN"))
    amount = AmountField(label=_("Amount (CNY)"), required=False)
    opened_at = RecordDateTimeField(label=_("Opened at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closed_at = RecordDateTimeField(
        label=_("Closed at (car left)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    class Meta:
        model = ServiceVisit
        fields = ["ro_number", "vin", "advisor", "kind", "opened_at", "closed_at", "mileage", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["advisor"].queryset = Staff.objects.choosable(
            position=Staff.Position.SERVICE_ADVISOR, keep=self.instance.advisor_id
        ).order_by("name")
        if self.instance.pk:
            self.initial.setdefault("vin", self.instance.vehicle.vin)

    def clean_vin(self):
        vin = self.cleaned_data["vin"]
        self.vehicle = Vehicle.objects.filter(vin=vin).first()
        if self.vehicle is None:
            raise forms.ValidationError(_("No vehicle with this VIN; add the vehicle first."))
        return vin

    def service_fields(self) -> dict:
        fields = {k: v for k, v in self.cleaned_data.items() if k != "vin"}
        fields["vehicle"] = self.vehicle
        return fields


class PhoneCorrectionForm(StyledFormMixin, forms.Form):
    field = forms.ChoiceField(label=_("Which number"), choices=PhoneCorrection.Field.choices)
    new_value = PhoneField(label=_("Correct number"))
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class MergeForm(StyledFormMixin, forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("Duplicate customer number (merged into this one, then removed)"),
        queryset=Customer.objects.all(),
        widget=forms.NumberInput,
    )


class LedgerUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Ledger file (.xlsx, .xls or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only (store nothing)"), required=False, initial=True)
