"""Every way a customer record changes: create, update, merge, archive submission, visits, phone fixes.

Callers (forms, API, importers) hand in values already normalised by customers.validators.
Each service validates with full_clean(), writes in one transaction and records who did it
in the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import (
    Customer,
    CustomerMerge,
    PhoneCorrection,
    SalesArchive,
    ServiceVisit,
    Vehicle,
)
from customers.selectors import Candidate, customer_duplicates, vehicle_duplicates
from customers.validators import clean_name, normalize_phone, validate_phone
from dealership_cs.models import Staff

CUSTOMER_FIELDS = (
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
)
VEHICLE_FIELDS = ("vin", "plate", "model_name", "colour", "delivery_date", "holder", "user_name", "user_phone")
VISIT_FIELDS = ("ro_number", "vehicle", "customer", "advisor", "kind", "opened_at", "closed_at", "mileage", "amount")
ARCHIVE_FIELDS = (
    "consultant",
    "deal_date",
    "delivery_date",
    "invoice_number",
    "invoice_date",
    "invoice_amount",
    "invoice_name",
    "archive_phone",
)


class DuplicatesFound(Exception):
    """Raised instead of saving when the new record looks like an existing one and nobody confirmed."""

    def __init__(self, candidates: list[Candidate]):
        super().__init__(_("Possible duplicates found."))
        self.candidates = candidates


def _check_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")


def _save(obj, *, by, reason: str = "") -> None:
    obj.full_clean()
    obj._history_user = by
    if reason:
        obj._change_reason = reason
    obj.save()


def _apply_do_not_call(customer: Customer) -> None:
    # The date and reason belong to the flag: set the date when it is switched on, clear both
    # when it is switched off.
    if customer.do_not_call and not customer.do_not_call_since:
        customer.do_not_call_since = timezone.localdate()
    if not customer.do_not_call:
        customer.do_not_call_reason = ""
        customer.do_not_call_since = None


@transaction.atomic
def customer_create(*, by=None, confirm_duplicates: bool = False, **fields) -> Customer:
    _check_fields(fields, CUSTOMER_FIELDS)
    customer = Customer(**fields)
    customer.name = clean_name(customer.name)
    _apply_do_not_call(customer)
    if not confirm_duplicates:
        candidates = customer_duplicates(name=customer.name, mobile=customer.mobile, phone2=customer.phone2)
        if candidates:
            raise DuplicatesFound(candidates)
    _save(customer, by=by)
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, by=None, confirm_duplicates: bool = False, **fields) -> Customer:
    _check_fields(fields, CUSTOMER_FIELDS)
    phones_before = {customer.mobile, customer.phone2}
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.name = clean_name(customer.name)
    _apply_do_not_call(customer)
    if not confirm_duplicates and {customer.mobile, customer.phone2} - phones_before - {""}:
        candidates = customer_duplicates(
            name=customer.name, mobile=customer.mobile, phone2=customer.phone2, exclude_pk=customer.pk
        )
        if candidates:
            raise DuplicatesFound(candidates)
    _save(customer, by=by)
    return customer


@transaction.atomic
def customer_merge(*, survivor: Customer, duplicate: Customer, by=None) -> CustomerMerge:
    """Move everything of ``duplicate`` to ``survivor`` and delete the duplicate, keeping a record.

    Nothing is lost: vehicles, archives, visits and phone corrections move over (later apps'
    callbacks and care records move through ``MERGE_HOOKS``), empty fields of the survivor are
    filled from the duplicate, and the duplicate's last state is kept in the merge record and
    in its history.
    """
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A customer cannot be merged into itself."))
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Customer.objects.select_for_update().get(pk=duplicate.pk)
    snapshot = {key: (str(value) if value is not None else None) for key, value in model_to_dict(duplicate).items()}
    reason = _("Merged customer #%(id)s (%(name)s) into this one") % {"id": duplicate.pk, "name": duplicate.name}
    moved = {
        "vehicles": _move(Vehicle, "holder", duplicate, survivor, by=by, reason=reason),
        "sales_archives": _move(SalesArchive, "customer", duplicate, survivor, by=by, reason=reason),
        "visits": _move(ServiceVisit, "customer", duplicate, survivor, by=by, reason=reason),
        "phone_corrections": _move(PhoneCorrection, "customer", duplicate, survivor, by=by, reason=reason),
        # The duplicate may itself have absorbed others; those records must survive it.
        "merges": CustomerMerge.objects.filter(survivor=duplicate).update(survivor=survivor),
    }
    for hook in MERGE_HOOKS:
        moved.update(hook(survivor=survivor, duplicate=duplicate))
    filled = []
    # The duplicate's mobile is the number most likely to reach the person: keep it first.
    if not survivor.phone2 and duplicate.mobile and duplicate.mobile != survivor.mobile and survivor.mobile:
        survivor.phone2 = duplicate.mobile
        filled.append("phone2")
    for name in ("mobile", "phone2", "birthday", "address", "notes"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
            filled.append(name)
    if survivor.mobile and survivor.phone2 == survivor.mobile:
        survivor.phone2 = ""
        if "phone2" in filled:
            filled.remove("phone2")
    if duplicate.do_not_call and not survivor.do_not_call:
        # A customer who asked not to be called keeps that wish whichever record survives.
        survivor.do_not_call = True
        survivor.do_not_call_reason = duplicate.do_not_call_reason
        survivor.do_not_call_since = duplicate.do_not_call_since
        filled.append("do_not_call")
    _save(survivor, by=by, reason=reason)
    merge = CustomerMerge.objects.create(
        survivor=survivor,
        merged_customer_id=duplicate.pk,
        merged_snapshot=snapshot,
        moved={**moved, "filled": filled},
        merged_by=by,
    )
    duplicate._history_user = by
    duplicate._change_reason = _("Merged into customer #%(id)s") % {"id": survivor.pk}
    duplicate.delete()
    return merge


def _move(model, field: str, duplicate: Customer, survivor: Customer, *, by, reason: str) -> int:
    """Re-point rows from the duplicate to the survivor, with a history entry on each row."""
    from simple_history.utils import bulk_update_with_history

    rows = list(model.objects.filter(**{field: duplicate}))
    for row in rows:
        setattr(row, field, survivor)
    if rows:
        bulk_update_with_history(rows, model, [field], default_user=by, default_change_reason=reason)
    return len(rows)


# Functions(survivor=, duplicate=) -> {label: count} that higher apps register so that their
# records (callbacks, care invitations) follow a merge without this app importing them.
MERGE_HOOKS: list = []


@transaction.atomic
def vehicle_create(*, by=None, confirm_duplicates: bool = False, **fields) -> Vehicle:
    _check_fields(fields, VEHICLE_FIELDS)
    vehicle = Vehicle(**fields)
    if not confirm_duplicates:
        candidates = vehicle_duplicates(vin=vehicle.vin, plate=vehicle.plate)
        if candidates:
            raise DuplicatesFound(candidates)
    _save(vehicle, by=by)
    return vehicle


@transaction.atomic
def vehicle_update(*, vehicle: Vehicle, by=None, confirm_duplicates: bool = False, **fields) -> Vehicle:
    _check_fields(fields, VEHICLE_FIELDS)
    plate_before = vehicle.plate
    for name, value in fields.items():
        setattr(vehicle, name, value)
    if not confirm_duplicates and vehicle.plate and vehicle.plate != plate_before:
        candidates = vehicle_duplicates(vin="", plate=vehicle.plate, exclude_pk=vehicle.pk)
        if candidates:
            raise DuplicatesFound(candidates)
    _save(vehicle, by=by)
    return vehicle


@dataclass
class ArchiveInput:
    """What a consultant hands in after a sale, already normalised."""

    customer_name: str
    vin: str
    consultant: Staff
    delivery_date: date
    invoice_number: str
    invoice_date: date
    invoice_amount: Decimal
    phone: str = ""
    plate: str = ""
    model_name: str = ""
    deal_date: date | None = None
    invoice_name: str = ""
    customer: Customer | None = None


@transaction.atomic
def archive_submit(*, data: ArchiveInput, by=None) -> SalesArchive:
    """Enter a closed-deal archive: find or create the car and the buyer, then the archive.

    The car is found by VIN; the buyer is the given customer, else the car's holder, else the
    customer with the same phone and name, else a new one. One archive per car: submitting
    again for the same VIN updates it.
    """
    vehicle = Vehicle.objects.select_for_update().filter(vin=data.vin).first()
    customer = data.customer or (vehicle.holder if vehicle and vehicle.holder else None)
    if customer is None and data.phone:
        from customers.validators import name_key

        customer = (
            Customer.objects.with_phone(data.phone).filter(name_key=name_key(data.customer_name)).order_by("id").first()
        )
    if customer is None:
        customer = Customer(name=data.customer_name, mobile=data.phone, source=Customer.Source.SALES)
        customer.name = clean_name(customer.name)
        _save(customer, by=by)
    if vehicle is None:
        vehicle = Vehicle(vin=data.vin)
    vehicle.holder = customer
    vehicle.plate = data.plate or vehicle.plate
    vehicle.model_name = data.model_name or vehicle.model_name
    vehicle.delivery_date = data.delivery_date
    _save(vehicle, by=by)
    archive = SalesArchive.objects.filter(vehicle=vehicle).first() or SalesArchive(vehicle=vehicle, submitted_by=by)
    archive.customer = customer
    archive.consultant = data.consultant
    archive.deal_date = data.deal_date
    archive.delivery_date = data.delivery_date
    archive.invoice_number = data.invoice_number
    archive.invoice_date = data.invoice_date
    archive.invoice_amount = data.invoice_amount
    archive.invoice_name = clean_name(data.invoice_name or data.customer_name)
    archive.archive_phone = data.phone
    _save(archive, by=by)
    return archive


@transaction.atomic
def archive_update(*, archive: SalesArchive, by=None, **fields) -> SalesArchive:
    _check_fields(fields, ARCHIVE_FIELDS)
    for name, value in fields.items():
        setattr(archive, name, value)
    archive.invoice_name = clean_name(archive.invoice_name)
    _save(archive, by=by)
    return archive


@transaction.atomic
def visit_create(*, by=None, **fields) -> ServiceVisit:
    _check_fields(fields, VISIT_FIELDS)
    visit = ServiceVisit(**fields)
    if visit.customer_id is None and visit.vehicle_id is not None:
        visit.customer_id = visit.vehicle.holder_id
    _save(visit, by=by)
    return visit


@transaction.atomic
def visit_update(*, visit: ServiceVisit, by=None, **fields) -> ServiceVisit:
    _check_fields(fields, VISIT_FIELDS)
    for name, value in fields.items():
        setattr(visit, name, value)
    _save(visit, by=by)
    return visit


@transaction.atomic
def phone_correction_propose(
    *, customer: Customer, new_value: str, reason: str = "", field: str = PhoneCorrection.Field.MOBILE, by=None
) -> PhoneCorrection:
    correction = PhoneCorrection(
        customer=customer,
        field=field,
        old_value=getattr(customer, field),
        new_value=new_value,
        reason=reason,
        proposed_by=by,
    )
    if correction.old_value == correction.new_value:
        raise ValidationError({"new_value": _("The new number is the same as the current one.")})
    _save(correction, by=by)
    return correction


@transaction.atomic
def phone_correction_apply(*, correction: PhoneCorrection, by=None, new_value: str | None = None) -> PhoneCorrection:
    """Apply a proposed number. A callback that found a number wrong proposes no new one: staff find
    the right number and give it here (``new_value``)."""
    correction = PhoneCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.status != PhoneCorrection.Status.PENDING:
        raise ValidationError(_("This correction was already decided."))
    if new_value:
        correction.new_value = normalize_phone(new_value)
        validate_phone(correction.new_value)
        if correction.new_value == correction.old_value:
            raise ValidationError({"new_value": _("The new number is the same as the current one.")})
    if not correction.new_value:
        raise ValidationError(
            {"new_value": _("Enter the right number before applying: the call found the old one wrong.")}
        )
    customer = Customer.objects.select_for_update().get(pk=correction.customer_id)
    if getattr(customer, correction.field) != correction.old_value:
        # Someone fixed the number since: applying this stale proposal would undo their fix.
        raise ValidationError(_("The number has changed since this correction was proposed."))
    setattr(customer, correction.field, correction.new_value)
    _save(customer, by=by, reason=_("Phone correction #%(id)s applied") % {"id": correction.pk})
    correction.status = PhoneCorrection.Status.APPLIED
    correction.decided_by, correction.decided_at = by, timezone.now()
    _save(correction, by=by)
    return correction


@transaction.atomic
def phone_correction_reject(*, correction: PhoneCorrection, by=None) -> PhoneCorrection:
    correction = PhoneCorrection.objects.select_for_update().get(pk=correction.pk)
    if correction.status != PhoneCorrection.Status.PENDING:
        raise ValidationError(_("This correction was already decided."))
    correction.status = PhoneCorrection.Status.REJECTED
    correction.decided_by, correction.decided_at = by, timezone.now()
    _save(correction, by=by)
    return correction
