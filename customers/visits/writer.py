"""Writing accepted repair-order rows: set-based, a chunk at a time, with history and the batch on every row.

Per chunk, the stored visits and cars, the people already known for those cars and the customers
with the rows' phones are read with a few `__in` queries as plain values (a re-import of an
unchanged export builds no model instance at all); only the visits and cars that change are then
fetched whole, in one query each. New rows are written with `bulk_create`, changed ones with
`bulk_update` of only the columns they change, and their history rows (the same rows
simple_history's bulk helpers write: who, when, why, with the batch in the reason) are copied from
the written rows by the database itself, `INSERT ... SELECT`, rather than built as one object per
row. Bulk writes bypass `Model.save()`, so the derived name keys are set here.

Who the visit's customer is, in this order (the duplicate rules of the customer records: one
person per name and phone, and never two people merged on a name alone):

1. the customer the stored visit already names, when the name matches (a re-import changes nothing);
2. a person already known for this car with that name: its invoice holder, then the customers of
   its earlier visits (also those met earlier in the same file);
3. the customer with the row's phone (mobile or second phone) and name;
4. a new customer (source "import"). A car never seen before is created with that customer as its
   holder.

An existing car only has its empty plate and holder filled in: an RO is a record of one day in the
workshop and does not overwrite what the car record knows. Likewise an empty optional cell (kind,
closing time, mileage, amount) keeps what the stored visit holds.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Customer, ImportBatch, ServiceVisit, Vehicle
from customers.validators import name_key
from customers.visits.rows import VisitRow
from dealership_cs.models import Staff

# A stored row is named by its id; a row created in this chunk by its (not yet saved) object.
Ref = int | models.Model

# What a visit's row may change, in the order of `_STORED` after its id.
VISIT_VALUES = ("vehicle", "customer", "advisor", "kind", "opened_at", "closed_at", "mileage", "amount")
_STORED = ("id", "vehicle_id", "customer_id", "advisor_id", "kind", "opened_at", "closed_at", "mileage", "amount")
# Optional values an empty cell leaves as stored.
_KEPT_WHEN_EMPTY = ("kind", "closed_at", "mileage", "amount")
_REASON_MAX_LENGTH = 100  # simple_history's history_change_reason column
# The history table's own columns besides the tracked ones (history_id is its key).
_HISTORY_OWN = ("history_date", "history_change_reason", "history_type", "history_user")
_IDS_PER_STATEMENT = 500  # well inside every database's limit on bound parameters


def record_history(
    model: type[models.Model], pks: list[int], *, history_type: str, by=None, reason: str = "", at=None
) -> None:
    """Add a history row ("+" created, "~" changed) for each of the rows `pks`, copied from the table itself.

    What simple_history's bulk helpers store, in a few statements whatever the number of rows.
    A history table with a column this does not know (a custom history field) is refused loudly.
    """
    if not pks:
        return
    history = model.history.model
    tracked = [field.column for field in history.tracked_fields]
    own = {field.name: field for field in history._meta.concrete_fields if field.name in _HISTORY_OWN}
    others = {field.column for field in history._meta.concrete_fields} - set(tracked) - {"history_id"}
    if len(own) != len(_HISTORY_OWN) or others != {field.column for field in own.values()}:
        raise ImproperlyConfigured(f"{history.__name__} has columns record_history does not fill: {sorted(others)}")
    quote = connection.ops.quote_name
    columns = [*tracked, *(own[name].column for name in _HISTORY_OWN)]
    stamp = [
        own["history_date"].get_db_prep_save(at or timezone.now(), connection),
        reason,
        history_type,
        by.pk if by is not None else None,
    ]
    pk_column = quote(model._meta.pk.column)
    head = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(quote(c) for c in columns)}) "
        f"SELECT {', '.join(quote(c) for c in tracked)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
    )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), _IDS_PER_STATEMENT):
            ids = pks[start : start + _IDS_PER_STATEMENT]
            cursor.execute(
                f"{head}WHERE {pk_column} IN ({', '.join(['%s'] * len(ids))}) ORDER BY {pk_column}", [*stamp, *ids]
            )


def _set(obj: models.Model, name: str, value: Any) -> None:
    """Set a value, or a foreign key from its Ref (an id, or an object whose id bulk_create fills in later)."""
    field = obj._meta.get_field(name)
    if field.is_relation and not isinstance(value, models.Model):
        setattr(obj, field.attname, value)
    else:
        setattr(obj, name, value)


class _Car:
    """A car as this chunk knows it: stored (by id) or created here (by object)."""

    __slots__ = ("ref", "plate", "holder", "new")

    def __init__(self, ref: Ref, plate: str, holder: Ref | None, *, new: bool) -> None:
        self.ref, self.plate, self.holder, self.new = ref, plate, holder, new


class VisitWriter:
    """Resolves and writes chunks of accepted rows, all tied to one ImportBatch; counts what it did."""

    def __init__(self, *, batch: ImportBatch, by=None) -> None:
        self.batch = batch
        self.by = by
        reason = _("Repair-order import #%(batch)s: %(file)s") % {"batch": batch.pk, "file": batch.file_name}
        self.reason = reason[:_REASON_MAX_LENGTH]
        self.advisors = self._load_advisors()
        self.created = self.updated = self.unchanged = 0
        self.customers_created = self.vehicles_created = self.advisors_created = 0

    @staticmethod
    def _load_advisors() -> dict[str, Staff]:
        # The staff list is short and has no stored name key to query on: read it once and
        # compare in Python. Where two people share a name, an active service advisor wins.
        staff = sorted(
            Staff.objects.only("id", "name", "position", "active"),
            key=lambda person: (person.position != Staff.Position.SERVICE_ADVISOR, not person.active, person.pk),
        )
        found: dict[str, Staff] = {}
        for person in staff:
            found.setdefault(name_key(person.name), person)
        return found

    def _create(self, model: type[models.Model], objs: list) -> None:
        if objs:
            model.objects.bulk_create(objs)
            self._history(model, [obj.pk for obj in objs], "+")

    def _history(self, model: type[models.Model], pks: list[int], history_type: str) -> None:
        record_history(model, pks, history_type=history_type, by=self.by, reason=self.reason)

    def _update(self, model: type[models.Model], changes: dict[int, dict[str, Any]]) -> None:
        """Write `changes` ({id: {field: value or Ref}}) to the rows, each group of rows with the columns it changes."""
        if not changes:
            return
        # bulk_update skips auto_now, so the time of the change is set by hand.
        now = timezone.now()
        groups: dict[tuple[str, ...], list[models.Model]] = defaultdict(list)
        for obj in model.objects.filter(pk__in=list(changes)):
            values = changes[obj.pk]
            for name, value in values.items():
                _set(obj, name, value)
            obj.batch, obj.updated_at = self.batch, now
            groups[tuple(sorted(values))].append(obj)
        for fields, objs in groups.items():
            model.objects.bulk_update(objs, [*fields, "batch", "updated_at"])
        self._history(model, sorted(changes), "~")

    def _add_advisors(self, rows: list[VisitRow]) -> None:
        new: dict[str, Staff] = {}
        for row in rows:
            key = name_key(row.advisor)
            if key not in self.advisors and key not in new:
                new[key] = Staff(
                    name=row.advisor, department=Staff.Department.SERVICE, position=Staff.Position.SERVICE_ADVISOR
                )
        self._create(Staff, list(new.values()))
        self.advisors.update(new)
        self.advisors_created += len(new)

    @staticmethod
    def _cars(rows: list[VisitRow]) -> tuple[dict[str, _Car], dict[tuple[str, str], Ref]]:
        """The stored cars by VIN, and (VIN, name key) -> the people known for them: holder first, then visitors."""
        cars: dict[str, _Car] = {}
        known: dict[tuple[str, str], Ref] = {}
        stored = (
            Vehicle.objects.select_for_update(of=("self",))
            .filter(vin__in={row.vin for row in rows})
            .values_list("id", "vin", "plate", "holder_id", "holder__name_key")
        )
        vins: dict[int, str] = {}
        for pk, vin, plate, holder_id, holder_key in stored:
            cars[vin] = _Car(pk, plate, holder_id, new=False)
            vins[pk] = vin
            if holder_id is not None:
                known[(vin, holder_key)] = holder_id
        if vins:
            visitors = (
                ServiceVisit.objects.filter(vehicle_id__in=list(vins), customer__isnull=False)
                .values_list("vehicle_id", "customer_id", "customer__name_key")
                .distinct()
                .order_by("customer_id")
            )
            for vehicle_id, customer_id, key in visitors:
                known.setdefault((vins[vehicle_id], key), customer_id)
        return cars, known

    @staticmethod
    def _customers_by_phone(rows: list[VisitRow]) -> dict[tuple[str, str], int]:
        rows = [row for row in rows if row.phone]
        if not rows:
            return {}
        phones = {row.phone for row in rows}
        keys = {name_key(row.customer_name) for row in rows}
        found: dict[tuple[str, str], int] = {}
        candidates = Customer.objects.filter(Q(mobile__in=phones) | Q(phone2__in=phones), name_key__in=keys)
        for pk, mobile, phone2, key in candidates.order_by("id").values_list("id", "mobile", "phone2", "name_key"):
            for phone in (mobile, phone2):
                if phone:
                    found.setdefault((phone, key), pk)
        return found

    def write(self, rows: list[VisitRow]) -> list[tuple[VisitRow, str, str]]:
        """Upsert the rows' visits (each RO at most once in `rows`) with their customers, cars and advisors.

        Returns the rows refused against what is stored, as (row, column key, reason); nothing of
        those rows is written.
        """
        stored_visits: dict[str, tuple[Any, ...]] = {}
        visit_customer_keys: dict[str, str] = {}
        visits = (
            ServiceVisit.objects.select_for_update(of=("self",))
            .filter(ro_number__in=[row.ro_number for row in rows])
            .values_list("ro_number", "customer__name_key", *_STORED)
        )
        for ro_number, customer_key, *values in visits:
            stored_visits[ro_number] = tuple(values)
            visit_customer_keys[ro_number] = customer_key

        refused: list[tuple[VisitRow, str, str]] = []
        accepted: list[VisitRow] = []
        closed_index = _STORED.index("closed_at")
        for row in rows:
            stored = stored_visits.get(row.ro_number)
            closed_at = row.closed_at or (stored[closed_index] if stored else None)
            if closed_at is not None and closed_at < row.opened_at:
                # Only possible with a closing time kept from the stored visit: the row's own pair
                # was checked when it was read.
                reason = _(
                    "The stored visit left the workshop at %(closed)s, before this opening time; "
                    "give the closing time in the file too."
                ) % {"closed": timezone.localtime(closed_at).strftime("%Y-%m-%d %H:%M")}
                refused.append((row, "opened_at", reason))
            else:
                accepted.append(row)
        rows = accepted

        keys = [name_key(row.customer_name) for row in rows]
        cars, known = self._cars(rows)
        self._add_advisors(rows)
        by_phone = self._customers_by_phone(
            [
                row
                for row, key in zip(rows, keys, strict=True)
                if visit_customer_keys.get(row.ro_number) != key and (row.vin, key) not in known
            ]
        )

        new_customers: list[Customer] = []
        new_by_phone: dict[tuple[str, str], Customer] = {}
        new_vehicles: list[Vehicle] = []
        car_fills: dict[int, dict[str, Any]] = {}
        new_visits: list[ServiceVisit] = []
        visit_changes: dict[int, dict[str, Any]] = {}
        for row, key in zip(rows, keys, strict=True):
            stored = stored_visits.get(row.ro_number)
            customer: Ref | None = None
            if stored is not None and visit_customer_keys[row.ro_number] == key:
                customer = stored[_STORED.index("customer_id")]
            customer = customer or known.get((row.vin, key))
            if customer is None and row.phone:
                customer = by_phone.get((row.phone, key)) or new_by_phone.get((row.phone, key))
            if customer is None:
                customer = Customer(
                    name=row.customer_name,
                    name_key=key,
                    mobile=row.phone,
                    source=Customer.Source.IMPORT,
                    batch=self.batch,
                )
                new_customers.append(customer)
                if row.phone:
                    new_by_phone[(row.phone, key)] = customer
            known.setdefault((row.vin, key), customer)

            car = cars.get(row.vin)
            car_changed = False
            if car is None:
                vehicle = Vehicle(vin=row.vin, plate=row.plate, batch=self.batch)
                _set(vehicle, "holder", customer)
                new_vehicles.append(vehicle)
                car = cars[row.vin] = _Car(vehicle, row.plate, customer, new=True)
            elif car.new:
                if row.plate and not car.plate:
                    car.ref.plate = car.plate = row.plate
            else:
                fill: dict[str, Any] = {}
                if row.plate and not car.plate:
                    fill["plate"] = car.plate = row.plate
                if car.holder is None:
                    fill["holder"] = car.holder = customer
                if fill:
                    car_fills.setdefault(car.ref, {}).update(fill)
                    car_changed = True

            values: dict[str, Any] = {
                "vehicle": car.ref,
                "customer": customer,
                "advisor": self.advisors[name_key(row.advisor)],
                "kind": row.kind or ServiceVisit.Kind.OTHER,
                "opened_at": row.opened_at,
                "closed_at": row.closed_at,
                "mileage": row.mileage,
                "amount": row.amount,
            }
            if stored is None:
                visit = ServiceVisit(ro_number=row.ro_number, batch=self.batch)
                for name, value in values.items():
                    _set(visit, name, value)
                new_visits.append(visit)
                self.created += 1
                continue
            for name in _KEPT_WHEN_EMPTY:
                if getattr(row, name) is None:
                    del values[name]
            changes = {name: value for name, value in values.items() if not self._same(stored, name, value)}
            if changes:
                visit_changes[stored[0]] = changes
                self.updated += 1
            elif car_changed:
                # The car's plate or holder was filled in from this row even if the visit is as stored.
                self.updated += 1
            else:
                self.unchanged += 1

        # Parents first: bulk_create fills in the ids that the next level's foreign keys need.
        self._create(Customer, new_customers)
        self.customers_created += len(new_customers)
        self._create(Vehicle, new_vehicles)
        self.vehicles_created += len(new_vehicles)
        self._update(Vehicle, car_fills)
        self._create(ServiceVisit, new_visits)
        self._update(ServiceVisit, visit_changes)
        return refused

    @staticmethod
    def _same(stored: tuple[Any, ...], name: str, value: Any) -> bool:
        held = stored[VISIT_VALUES.index(name) + 1]
        if isinstance(value, models.Model):
            return value.pk is not None and value.pk == held
        return value == held
