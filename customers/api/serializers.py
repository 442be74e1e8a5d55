"""API serializers of customer records: they parse and present; every write goes through customers.services.

Reading and writing shapes differ where a record points to others: a request names a related
row by its id, a response shows it as a small nested object, so a list needs no second call.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse
from rest_framework.validators import UniqueValidator

from customers.api.fields import (
    AmountField,
    BirthDateField,
    FlexibleDateField,
    InvoiceNumberField,
    NameField,
    PhoneField,
    PlateField,
    RecordDateTimeField,
    VinField,
)
from customers.models import Customer, CustomerMerge, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.selectors import Candidate
from dealership_cs.api.fields import ChoosableStaffField, VisibleRelatedField, choice_field
from dealership_cs.models import Staff

CONFIRM_DUPLICATES_HELP = _(
    "Save even though the record looks like an existing one (send it again after a 409 answer)."
)


def _confirm_duplicates_field() -> serializers.BooleanField:
    return serializers.BooleanField(write_only=True, default=False, help_text=CONFIRM_DUPLICATES_HELP)


CustomerGenderField = choice_field("CustomerGenderEnum", Customer.Gender)
CustomerKindField = choice_field("CustomerKindEnum", Customer.Kind)
CustomerSourceField = choice_field("CustomerSourceEnum", Customer.Source)
ServiceVisitKindField = choice_field("ServiceVisitKindEnum", ServiceVisit.Kind)
PhoneCorrectionFieldField = choice_field("PhoneCorrectionFieldEnum", PhoneCorrection.Field)
PhoneCorrectionStatusField = choice_field("PhoneCorrectionStatusEnum", PhoneCorrection.Status)


# --- Small nested shapes used in responses ------------------------------------------------------


class StaffBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Staff
        fields = ["id", "name"]
        read_only_fields = fields


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]
        read_only_fields = fields


class CustomerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "name", "mobile"]
        read_only_fields = fields


class VehicleBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vehicle
        fields = ["id", "vin", "plate", "model_name"]
        read_only_fields = fields


# --- Customers ---------------------------------------------------------------------------------


class CustomerSerializer(serializers.ModelSerializer):
    """A customer; the same shape is read and written (``vehicles`` is read-only)."""

    name = NameField()
    mobile = PhoneField(required=False, allow_blank=True)
    phone2 = PhoneField(required=False, allow_blank=True)
    birthday = BirthDateField(required=False, allow_null=True)
    do_not_call_since = FlexibleDateField(required=False, allow_null=True)
    gender = CustomerGenderField(required=False)
    kind = CustomerKindField(required=False)
    source = CustomerSourceField(required=False)
    vehicles = VehicleBriefSerializer(many=True, read_only=True)
    confirm_duplicates = _confirm_duplicates_field()

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "mobile",
            "phone2",
            "gender",
            "birthday",
            "address",
            "kind",
            "source",
            "do_not_call",
            "do_not_call_reason",
            "do_not_call_since",
            "notes",
            "vehicles",
            "created_at",
            "updated_at",
            "confirm_duplicates",
        ]
        read_only_fields = ["created_at", "updated_at"]


class CustomerMergeSerializer(serializers.Serializer):
    duplicate = VisibleRelatedField(
        queryset=Customer.objects.all(), help_text=_("The duplicate customer to merge into this one (it is removed).")
    )


class CustomerMergeResultSerializer(serializers.ModelSerializer):
    survivor = CustomerSerializer(read_only=True)
    moved = serializers.SerializerMethodField(help_text=_("How many records of each kind moved to the survivor."))
    filled = serializers.SerializerMethodField(help_text=_("Empty fields of the survivor filled from the duplicate."))

    class Meta:
        model = CustomerMerge
        fields = ["id", "survivor", "merged_customer_id", "moved", "filled", "merged_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_moved(self, merge: CustomerMerge) -> dict[str, int]:
        return {key: value for key, value in merge.moved.items() if key != "filled"}

    def get_filled(self, merge: CustomerMerge) -> list[str]:
        return list(merge.moved.get("filled", []))


# --- Vehicles ----------------------------------------------------------------------------------


class VehicleSerializer(serializers.ModelSerializer):
    holder = CustomerBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Vehicle
        fields = [
            "id",
            "vin",
            "plate",
            "model_name",
            "colour",
            "delivery_date",
            "holder",
            "user_name",
            "user_phone",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VehicleWriteSerializer(serializers.ModelSerializer):
    # One car, one VIN: an existing VIN is refused outright (400), never offered as a duplicate to confirm.
    vin = VinField(
        validators=[UniqueValidator(Vehicle.objects.all(), message=_("A vehicle with this VIN already exists."))]
    )
    plate = PlateField(required=False, allow_blank=True)
    delivery_date = FlexibleDateField(required=False, allow_null=True)
    holder = VisibleRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    user_name = NameField(required=False, allow_blank=True)
    user_phone = PhoneField(required=False, allow_blank=True)
    confirm_duplicates = _confirm_duplicates_field()

    class Meta:
        model = Vehicle
        fields = [
            "vin",
            "plate",
            "model_name",
            "colour",
            "delivery_date",
            "holder",
            "user_name",
            "user_phone",
            "confirm_duplicates",
        ]


# --- Closed-deal archives ----------------------------------------------------------------------


class SalesArchiveSerializer(serializers.ModelSerializer):
    vehicle = VehicleBriefSerializer(read_only=True)
    customer = CustomerBriefSerializer(read_only=True)
    consultant = StaffBriefSerializer(read_only=True)
    submitted_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SalesArchive
        fields = [
            "id",
            "vehicle",
            "customer",
            "consultant",
            "deal_date",
            "delivery_date",
            "invoice_number",
            "invoice_date",
            "invoice_amount",
            "invoice_name",
            "archive_phone",
            "submitted_at",
            "submitted_by",
            "updated_at",
        ]
        read_only_fields = fields


class SalesArchiveSubmitSerializer(serializers.Serializer):
    """What a consultant hands in after a sale (the fields of ``services.ArchiveInput``).

    The car is found by VIN and the buyer by ``customer``, the car's holder, or phone and name;
    whatever is missing is created. Submitting again for the same VIN updates that car's archive.
    """

    customer_name = NameField()
    phone = PhoneField(required=False, allow_blank=True)
    vin = VinField()
    plate = PlateField(required=False, allow_blank=True)
    model = serializers.CharField(source="model_name", required=False, allow_blank=True, max_length=100)
    consultant = ChoosableStaffField(queryset=Staff.objects.all(), help_text=_("The sales consultant (staff id)."))
    deal_date = FlexibleDateField(required=False, allow_null=True)
    delivery_date = FlexibleDateField()
    invoice_number = InvoiceNumberField()
    invoice_date = FlexibleDateField()
    invoice_amount = AmountField()
    invoice_name = NameField(required=False, allow_blank=True, help_text=_("When it differs from the customer's name."))
    customer = VisibleRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True, help_text=_("An existing customer (id).")
    )


class SalesArchiveUpdateSerializer(serializers.ModelSerializer):
    consultant = ChoosableStaffField(queryset=Staff.objects.all())
    deal_date = FlexibleDateField(required=False, allow_null=True)
    delivery_date = FlexibleDateField()
    invoice_number = InvoiceNumberField()
    invoice_date = FlexibleDateField()
    invoice_amount = AmountField()
    invoice_name = NameField()
    archive_phone = PhoneField(required=False, allow_blank=True)

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


# --- Service visits ----------------------------------------------------------------------------


class ServiceVisitSerializer(serializers.ModelSerializer):
    vehicle = VehicleBriefSerializer(read_only=True)
    customer = CustomerBriefSerializer(read_only=True, allow_null=True)
    advisor = StaffBriefSerializer(read_only=True, allow_null=True)
    kind = ServiceVisitKindField(read_only=True)

    class Meta:
        model = ServiceVisit
        fields = [
            "id",
            "ro_number",
            "vehicle",
            "customer",
            "advisor",
            "kind",
            "opened_at",
            "closed_at",
            "mileage",
            "amount",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ServiceVisitWriteSerializer(serializers.ModelSerializer):
    vehicle = VisibleRelatedField(queryset=Vehicle.objects.all())
    customer = VisibleRelatedField(
        queryset=Customer.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Defaults to the vehicle's invoice holder."),
    )
    advisor = ChoosableStaffField(queryset=Staff.objects.all(), required=False, allow_null=True)
    kind = ServiceVisitKindField(required=False)
    opened_at = RecordDateTimeField()
    closed_at = RecordDateTimeField(required=False, allow_null=True)
    amount = AmountField(required=False, allow_null=True)

    class Meta:
        model = ServiceVisit
        fields = ["ro_number", "vehicle", "customer", "advisor", "kind", "opened_at", "closed_at", "mileage", "amount"]


# --- Phone corrections -------------------------------------------------------------------------


class PhoneCorrectionSerializer(serializers.ModelSerializer):
    customer = CustomerBriefSerializer(read_only=True)
    proposed_by = UserBriefSerializer(read_only=True, allow_null=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)
    field = PhoneCorrectionFieldField(read_only=True)
    status = PhoneCorrectionStatusField(read_only=True)

    class Meta:
        model = PhoneCorrection
        fields = [
            "id",
            "customer",
            "field",
            "old_value",
            "new_value",
            "reason",
            "status",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class PhoneCorrectionProposeSerializer(serializers.ModelSerializer):
    customer = VisibleRelatedField(queryset=Customer.objects.all())
    field = PhoneCorrectionFieldField(required=False)
    new_value = PhoneField()

    class Meta:
        model = PhoneCorrection
        fields = ["customer", "field", "new_value", "reason"]


# --- The 409 answer ----------------------------------------------------------------------------


class DuplicateCandidateSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text=_("customer or vehicle"))
    id = serializers.IntegerField(source="pk")
    label = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    url = serializers.SerializerMethodField(help_text=_("The existing record in this API."))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, candidate: Candidate) -> str:
        return reverse(f"{candidate.kind}-detail", args=[candidate.pk], request=self.context.get("request"))


class DuplicatesFoundSerializer(serializers.Serializer):
    detail = serializers.CharField()
    candidates = DuplicateCandidateSerializer(many=True)
