"""Reads over customer records: search, duplicate candidates, data quality, a customer's timeline."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, Q
from django.db.models.functions import Right
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, CustomerMerge, PhoneCorrection, SalesArchive, ServiceVisit, Vehicle
from customers.validators import name_key, normalize_phone, normalize_plate

SHARED_PHONE_MIN_CUSTOMERS = 3
_DIGITS = re.compile(r"^\d+$", re.ASCII)
_VIN = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
_VIN_TAIL = re.compile(r"^[A-HJ-NPR-Z0-9]*\d[A-HJ-NPR-Z0-9]*$")
# A search first fetches up to this many matches unordered. "ORDER BY created_at DESC LIMIT n"
# tempts PostgreSQL to walk the newest-first index and filter, which reads most of the table when
# the matches are few (bench/customer_search.py: 150 ms for a two-character name prefix among
# 500,000 customers, against 3 ms this way).
_UNORDERED_MATCHES = 1000


@dataclass
class Candidate:
    """An existing record that a new one may duplicate, and why."""

    kind: str  # "customer" or "vehicle"
    pk: int
    label: str
    reasons: list[str | Promise] = field(default_factory=list)

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse(f"customers:{self.kind}_detail", args=[self.pk])


def customer_duplicates(*, name: str, mobile: str, phone2: str = "", exclude_pk: int | None = None) -> list[Candidate]:
    """Customers sharing a phone with the given one (name + phone is the strongest match)."""
    phones = [p for p in {mobile, phone2} if p]
    if not phones:
        return []
    key = name_key(name)
    query = Customer.objects.filter(Q(mobile__in=phones) | Q(phone2__in=phones))
    if exclude_pk:
        query = query.exclude(pk=exclude_pk)
    candidates = []
    for customer in query.order_by("id")[:20]:
        reasons: list[str | Promise] = []
        if key and customer.name_key == key:
            reasons.append(_("same name and phone"))
        else:
            reasons.append(_("same phone"))
        candidates.append(Candidate("customer", customer.pk, f"{customer.name} {customer.mobile}", reasons))
    # The same person first: name and phone both match.
    candidates.sort(key=lambda c: 0 if c.reasons[0] == _("same name and phone") else 1)
    return candidates


def vehicle_duplicates(*, vin: str, plate: str, exclude_pk: int | None = None) -> list[Candidate]:
    conditions = Q()
    if vin:
        conditions |= Q(vin=vin)
    if plate:
        conditions |= Q(plate=plate)
    if not conditions:
        return []
    query = Vehicle.objects.filter(conditions).select_related("holder")
    if exclude_pk:
        query = query.exclude(pk=exclude_pk)
    candidates = []
    for vehicle in query[:20]:
        reasons: list[str | Promise] = []
        if vin and vehicle.vin == vin:
            reasons.append(_("same VIN"))
        if plate and vehicle.plate == plate:
            reasons.append(_("same plate"))
        holder = vehicle.holder.name if vehicle.holder else ""
        candidates.append(Candidate("vehicle", vehicle.pk, f"{vehicle.vin} {vehicle.plate} {holder}".strip(), reasons))
    return candidates


@dataclass
class SearchResult:
    customers: list[Customer]
    matched_by: str | Promise
    query: str


def customer_search(query: str, *, limit: int = 50) -> SearchResult:
    """Find customers by name, phone (full or last 4), VIN (full or last 6/8), plate or invoice number.

    The kind of query is read from its shape, so each search is one indexed lookup.
    """
    text = unicodedata.normalize("NFKC", query or "").strip()
    compact = re.sub(r"[\s\-()]", "", text).upper()
    if compact.startswith("+86"):
        compact = compact[3:]
    if not compact:
        return SearchResult([], "", text)
    base = Customer.objects.order_by("-created_at", "-id")
    ids: set[int] = set()
    matched: list[str | Promise] = []

    def add(qs, label):
        rows = list(qs.order_by().values_list("id", flat=True)[:_UNORDERED_MATCHES])
        if len(rows) == _UNORDERED_MATCHES:
            # Dense matches: walking newest first finds the newest ones quickly.
            rows = list(qs.values_list("id", flat=True)[: limit + 1])
        found = set(rows)
        if found:
            ids.update(found)
            matched.append(label)

    if _DIGITS.match(compact):
        if len(compact) == 4:
            add(Customer.objects.annotate(tail=Right("mobile", 4)).filter(tail=compact), _("last 4 digits of phone"))
        if len(compact) in (6, 8):
            column = "tail6" if len(compact) == 6 else "tail8"
            vins = Vehicle.objects.annotate(**{column: Right("vin", len(compact))}).filter(**{column: compact})
            add(Customer.objects.filter(vehicles__in=vins), _("last digits of VIN"))
        if 6 <= len(compact) <= 20:
            # Invoice numbers that lost their leading zeros are stored padded to 8 digits.
            add(Customer.objects.filter(sales_archives__invoice_number=compact.zfill(8)), _("invoice number"))
        if len(compact) >= 7:
            try:
                phone = normalize_phone(compact)
            except Exception:
                phone = ""
            if phone:
                add(Customer.objects.with_phone(phone), _("phone"))
                add(Customer.objects.filter(vehicles__user_phone=phone), _("contact phone"))
    elif _VIN.match(compact):
        add(Customer.objects.filter(vehicles__vin=compact), _("VIN"))
    elif len(compact) in (6, 8) and _VIN_TAIL.match(compact):
        column = "tail6" if len(compact) == 6 else "tail8"
        vins = Vehicle.objects.annotate(**{column: Right("vin", len(compact))}).filter(**{column: compact})
        add(Customer.objects.filter(vehicles__in=vins), _("last digits of VIN"))
    else:
        try:
            plate = normalize_plate(text)
        except Exception:
            plate = ""
        if plate:
            add(Customer.objects.filter(vehicles__plate=plate), _("plate"))
        key = name_key(text)
        if key and not ids:
            add(Customer.objects.filter(name_key__startswith=key), _("name"))
    customers = list(base.filter(id__in=ids)[:limit]) if ids else []
    return SearchResult(customers, ", ".join(str(m) for m in matched), text)


def shared_phones(*, min_customers: int = SHARED_PHONE_MIN_CUSTOMERS) -> list[dict]:
    """Mobiles shared by several customers: often a salesperson's own number typed in by mistake."""
    rows = (
        Customer.objects.exclude(mobile="")
        .values("mobile")
        .annotate(customers=Count("id"))
        .filter(customers__gte=min_customers)
        .order_by("-customers", "mobile")
    )
    return list(rows[:200])


def _as_datetime(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


# Apps above customers (callbacks, care) add their events to the timeline through this hook, so
# customers never imports them: each source takes a customer and returns events shaped like the
# ones below, with "text" and "url" for the page to show.
TIMELINE_SOURCES: list[Callable[[Customer], list[dict]]] = []


def register_timeline_source(source: Callable[[Customer], list[dict]]) -> None:
    if source not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(source)


def customer_timeline(customer: Customer) -> list[dict]:
    """The customer's vehicles, archives, visits, phone corrections, merges and the registered
    sources' events (calls, complaints) in time order, newest first."""
    events: list[dict] = []
    for source in TIMELINE_SOURCES:
        events.extend(source(customer))
    for vehicle in customer.vehicles.all():
        events.append(
            {
                "at": _as_datetime(vehicle.delivery_date or vehicle.created_at),
                "kind": "vehicle",
                "label": _("Vehicle delivered"),
                "object": vehicle,
            }
        )
    for archive in SalesArchive.objects.filter(customer=customer).select_related("vehicle", "consultant"):
        events.append(
            {
                "at": _as_datetime(archive.delivery_date),
                "kind": "archive",
                "label": _("Closed-deal archive"),
                "object": archive,
            }
        )
    for visit in ServiceVisit.objects.filter(customer=customer).select_related("vehicle", "advisor"):
        events.append({"at": visit.opened_at, "kind": "visit", "label": _("Service visit"), "object": visit})
    for correction in PhoneCorrection.objects.filter(customer=customer).select_related("proposed_by"):
        events.append(
            {
                "at": correction.proposed_at,
                "kind": "phone_correction",
                "label": _("Phone correction"),
                "object": correction,
            }
        )
    for merge in CustomerMerge.objects.filter(survivor=customer).select_related("merged_by"):
        events.append({"at": merge.merged_at, "kind": "merge", "label": _("Merged a duplicate"), "object": merge})
    events.sort(key=lambda e: e["at"] or _as_datetime(date.min), reverse=True)
    return events
