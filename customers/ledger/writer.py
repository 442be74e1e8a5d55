"""Writing accepted ledger rows: set-based, a chunk at a time, with history and the batch on every row.

Per chunk, existing vehicles, archives and customers are read with a few `__in` queries, and
new and changed rows are written with simple_history's bulk helpers, so the history keeps who
changed what and why (the batch) without one ORM save per row. Bulk writes bypass
`Model.save()`, so the derived name keys are set here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from customers.ledger.rows import LedgerRow
from customers.models import Customer, ImportBatch, SalesArchive, Vehicle
from customers.validators import name_key
from dealership_cs.models import Staff

VEHICLE_UPDATE_FIELDS = ("plate", "model_name", "delivery_date", "holder", "batch", "updated_at")
ARCHIVE_UPDATE_FIELDS = (
    "customer",
    "consultant",
    "deal_date",
    "delivery_date",
    "invoice_number",
    "invoice_date",
    "invoice_amount",
    "invoice_name",
    "invoice_name_key",
    "archive_phone",
    "batch",
    "updated_at",
)
_REASON_MAX_LENGTH = 100  # simple_history's history_change_reason column


def _assign(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set `values` on `obj`; True when any of them differs from what it held."""
    changed = False
    for name, value in values.items():
        if isinstance(value, models.Model):
            # Compare ids: reading obj.<fk> would cost a query per row.
            attname = obj._meta.get_field(name).attname
            if value.pk is None or getattr(obj, attname) != value.pk:
                setattr(obj, name, value)
                changed = True
        elif getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _holder_kept(vehicle: Vehicle | None, row: LedgerRow) -> bool:
    return bool(vehicle and vehicle.holder and vehicle.holder.name_key == name_key(row.customer_name))


class LedgerWriter:
    """Resolves and writes chunks of accepted rows, all tied to one ImportBatch; counts what it did."""

    def __init__(self, *, batch: ImportBatch, by=None) -> None:
        self.batch = batch
        self.by = by
        reason = _("Archive ledger import #%(batch)s: %(file)s") % {"batch": batch.pk, "file": batch.file_name}
        self.reason = reason[:_REASON_MAX_LENGTH]
        self.consultants = self._load_consultants()
        self.created = self.updated = self.unchanged = 0
        self.customers_created = self.consultants_created = 0

    @staticmethod
    def _load_consultants() -> dict[str, Staff]:
        # The staff list is short and has no stored name key to query on: read it once and
        # compare in Python. Where two people share a name, an active sales consultant wins.
        staff = sorted(
            Staff.objects.only("id", "name", "position", "active"),
            key=lambda person: (person.position != Staff.Position.SALES_CONSULTANT, not person.active, person.pk),
        )
        found: dict[str, Staff] = {}
        for person in staff:
            found.setdefault(name_key(person.name), person)
        return found

    def _create(self, model: type[models.Model], objs: list) -> None:
        if objs:
            bulk_create_with_history(objs, model, default_user=self.by, default_change_reason=self.reason)

    def _update(self, model: type[models.Model], objs: list, fields: Iterable[str]) -> None:
        if objs:
            # bulk_update skips auto_now, so the time of the change is set by hand.
            now = timezone.now()
            for obj in objs:
                obj.batch = self.batch
                obj.updated_at = now
            bulk_update_with_history(objs, model, list(fields), default_user=self.by, default_change_reason=self.reason)

    def _add_consultants(self, rows: list[LedgerRow]) -> None:
        new: dict[str, Staff] = {}
        for row in rows:
            key = name_key(row.consultant)
            if key not in self.consultants and key not in new:
                new[key] = Staff(
                    name=row.consultant, department=Staff.Department.SALES, position=Staff.Position.SALES_CONSULTANT
                )
        self._create(Staff, list(new.values()))
        self.consultants.update(new)
        self.consultants_created += len(new)

    @staticmethod
    def _customers_by_phone(rows: list[LedgerRow]) -> dict[tuple[str, str], Customer]:
        rows = [row for row in rows if row.phone]
        if not rows:
            return {}
        phones = {row.phone for row in rows}
        keys = {name_key(row.customer_name) for row in rows}
        found: dict[tuple[str, str], Customer] = {}
        candidates = Customer.objects.filter(Q(mobile__in=phones) | Q(phone2__in=phones), name_key__in=keys)
        for customer in candidates.order_by("id"):
            for phone in (customer.mobile, customer.phone2):
                if phone:
                    found.setdefault((phone, customer.name_key), customer)
        return found

    def write(self, rows: list[LedgerRow]) -> None:
        """Upsert the rows' customers, vehicles and archives (each VIN at most once in `rows`)."""
        batch = self.batch
        vehicles = {
            vehicle.vin: vehicle
            for vehicle in Vehicle.objects.select_for_update(of=("self",))
            .select_related("holder")
            .filter(vin__in=[row.vin for row in rows])
        }
        archives = {
            archive.vehicle_id: archive
            for archive in SalesArchive.objects.select_for_update().filter(
                vehicle_id__in=[vehicle.pk for vehicle in vehicles.values()]
            )
        }
        self._add_consultants(rows)
        by_phone = self._customers_by_phone([row for row in rows if not _holder_kept(vehicles.get(row.vin), row)])

        new_customers: dict[tuple[str, str], Customer] = {}
        new_vehicles: list[Vehicle] = []
        changed_vehicles: list[Vehicle] = []
        new_archives: list[SalesArchive] = []
        changed_archives: list[SalesArchive] = []
        for row in rows:
            key = name_key(row.customer_name)
            vehicle = vehicles.get(row.vin)
            if _holder_kept(vehicle, row):
                customer = vehicle.holder
            else:
                lookup = (row.phone, key)
                customer = (by_phone.get(lookup) or new_customers.get(lookup)) if row.phone else None
                if customer is None:
                    customer = Customer(
                        name=row.customer_name,
                        name_key=key,
                        mobile=row.phone,
                        source=Customer.Source.IMPORT,
                        batch=batch,
                    )
                    # Without a phone nothing tells two buyers of the same name apart: one each.
                    new_customers[lookup if row.phone else ("", f"row {row.row}")] = customer

            vehicle_values = {
                # An empty plate or model in the ledger does not erase what the car record knows.
                "plate": row.plate or (vehicle.plate if vehicle else ""),
                "model_name": row.model or (vehicle.model_name if vehicle else ""),
                "delivery_date": row.delivery_date,
                "holder": customer,
            }
            if vehicle is None:
                vehicle = Vehicle(vin=row.vin, batch=batch, **vehicle_values)
                new_vehicles.append(vehicle)
                vehicle_changed = True
            else:
                vehicle_changed = _assign(vehicle, vehicle_values)
                if vehicle_changed:
                    changed_vehicles.append(vehicle)

            archive_values = {
                "customer": customer,
                "consultant": self.consultants[name_key(row.consultant)],
                "deal_date": row.deal_date,
                "delivery_date": row.delivery_date,
                "invoice_number": row.invoice_number,
                "invoice_date": row.invoice_date,
                "invoice_amount": row.invoice_amount,
                "invoice_name": row.customer_name,
                "archive_phone": row.phone,
            }
            archive = archives.get(vehicle.pk) if vehicle.pk else None
            if archive is None:
                new_archives.append(
                    SalesArchive(
                        vehicle=vehicle, invoice_name_key=key, submitted_by=self.by, batch=batch, **archive_values
                    )
                )
                self.created += 1
            elif _assign(archive, archive_values):
                archive.invoice_name_key = key
                changed_archives.append(archive)
                self.updated += 1
            elif vehicle_changed:
                # The row's car details (plate, model, holder) changed even if the invoice did not.
                self.updated += 1
            else:
                self.unchanged += 1

        # Parents first: bulk_create fills in the ids that the next level's foreign keys need.
        self._create(Customer, list(new_customers.values()))
        self.customers_created += len(new_customers)
        self._create(Vehicle, new_vehicles)
        self._update(Vehicle, changed_vehicles, VEHICLE_UPDATE_FIELDS)
        self._create(SalesArchive, new_archives)
        self._update(SalesArchive, changed_archives, ARCHIVE_UPDATE_FIELDS)
