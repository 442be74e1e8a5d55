"""The discrepancy desk: the staff's work on what the nightly reconciliation found, and the desk's reads.

The reconciliation (``customers.reconciliation.matching``) creates, updates and closes ``Discrepancy`` rows in
bulk SQL. The services here change only the staff's part of a row (assignee, note, resolution),
each guarded by the state the row must be in, and each keeping its history with who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import Enum

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Discrepancy
from dealership_cs.models import Staff
from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled

# What a list, an export or the API needs of each row, in one query.
DESK_RELATED = ("archive__vehicle", "invoice", "consultant", "assignee", "resolved_by")


# --- Services -----------------------------------------------------------------------------------


def _locked(discrepancy: Discrepancy) -> Discrepancy:
    # The nightly run updates the same rows; the row lock makes its change and the staff's wait for each other.
    return Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)


def _record_as_found(discrepancy: Discrepancy) -> None:
    """Give a row written by the reconciliation's bulk SQL a first history entry before the staff change it.

    Without it the history would start at the staff's first change and could not say what it was before.
    """
    if discrepancy.history.exists():
        return
    moments = [discrepancy.first_seen_at, discrepancy.last_seen_at, discrepancy.closed_at]
    # Found by the nightly job, not by whoever is logged in now (the history middleware's default).
    discrepancy._history_user = None
    Discrepancy.history.bulk_history_create(
        [discrepancy],
        default_date=max(moment for moment in moments if moment is not None),
        default_change_reason=_("Found by the reconciliation"),
    )


def _save(discrepancy: Discrepancy, *, by: AbstractBaseUser | None, reason: str = "") -> None:
    discrepancy.full_clean()
    discrepancy._history_user = by
    if reason:
        discrepancy._change_reason = reason
    discrepancy.save()


def _refuse_closed(discrepancy: Discrepancy) -> None:
    if discrepancy.status == Discrepancy.Status.CLOSED:
        raise ValidationError(
            _("This discrepancy was closed by the reconciliation: the archive and OMD agree now."),
            code="closed",
        )


class Keep(Enum):
    """A parameter left out: "keep what is stored" (``assignee=None`` means "nobody")."""

    KEEP = "keep"


KEEP = Keep.KEEP


@transaction.atomic
def discrepancy_work(
    *,
    discrepancy: Discrepancy,
    by: AbstractBaseUser | None,
    assignee: Staff | None | Keep = KEEP,
    note: str | None = None,
    resolve: bool = False,
    reopen: bool = False,
) -> Discrepancy:
    """One person's action on a discrepancy: assign, note, resolve or reopen, any of them at once.

    All or nothing: the row is locked once, every part is checked against the state it expects
    (a closed discrepancy is neither assigned, resolved nor reopened; only an open one is
    resolved, only a resolved one reopened; only an active colleague is newly assigned) before anything
    changes, and the whole action is one history entry, named after the resolution or reopening
    it holds. A note is allowed in any state; ``""`` clears it. Nothing new writes nothing.
    """
    if resolve and reopen:
        raise ValidationError(_("A discrepancy is either resolved or reopened, not both at once."), code="both")
    discrepancy = _locked(discrepancy)
    changes: dict[str, object] = {}
    reason = ""
    if assignee is not KEEP:
        _refuse_closed(discrepancy)
        if discrepancy.assignee_id != (assignee.pk if assignee else None):
            # As stored now, not as the caller's copy says: they may have been deactivated meanwhile.
            if assignee is not None and not Staff.objects.filter(pk=assignee.pk, active=True).exists():
                raise ValidationError({"assignee": _("%(name)s is no longer active.") % {"name": assignee.name}})
            changes["assignee"] = assignee
    if note is not None and note.strip() != discrepancy.note:
        changes["note"] = note.strip()
    if resolve:
        _refuse_closed(discrepancy)
        if discrepancy.status == Discrepancy.Status.RESOLVED:
            raise ValidationError(_("This discrepancy is already resolved."), code="resolved")
        # It still counts against the month's accuracy while the data disagrees: the
        # reconciliation closes it once the archive or OMD is corrected.
        changes.update(status=Discrepancy.Status.RESOLVED, resolved_by=by, resolved_at=timezone.now())
        reason = _("Resolved")
    if reopen:
        if discrepancy.status != Discrepancy.Status.RESOLVED:
            raise ValidationError(_("Only a resolved discrepancy can be reopened."), code="not_resolved")
        changes.update(status=Discrepancy.Status.OPEN, resolved_by=None, resolved_at=None)
        reason = _("Reopened")
    if not changes:
        return discrepancy
    _record_as_found(discrepancy)
    for name, value in changes.items():
        setattr(discrepancy, name, value)
    _save(discrepancy, by=by, reason=reason)
    return discrepancy


def discrepancy_assign(*, discrepancy: Discrepancy, assignee: Staff | None, by: AbstractBaseUser | None) -> Discrepancy:
    """Give the discrepancy to someone to fix (usually the consultant who handed in the archive), or to nobody."""
    return discrepancy_work(discrepancy=discrepancy, by=by, assignee=assignee)


def discrepancy_note(*, discrepancy: Discrepancy, note: str, by: AbstractBaseUser | None) -> Discrepancy:
    """Replace the discrepancy's note (the history keeps the earlier ones); allowed in any state."""
    return discrepancy_work(discrepancy=discrepancy, by=by, note=note)


def discrepancy_resolve(*, discrepancy: Discrepancy, by: AbstractBaseUser | None, note: str = "") -> Discrepancy:
    """Mark an open discrepancy as dealt with, by whom and when (with a note, if given; a blank one keeps it)."""
    return discrepancy_work(discrepancy=discrepancy, by=by, resolve=True, note=note if note.strip() else None)


def discrepancy_reopen(*, discrepancy: Discrepancy, by: AbstractBaseUser | None) -> Discrepancy:
    """Take back a resolution: the discrepancy is open again and nobody has resolved it."""
    return discrepancy_work(discrepancy=discrepancy, by=by, reopen=True)


# --- Selectors ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeCount:
    type: str
    label: str
    count: int


def discrepancy_counts_by_type(queryset: QuerySet[Discrepancy]) -> list[TypeCount]:
    """How many rows of the queryset there are of each type (every type listed, zero included); one query."""
    counts = dict(queryset.order_by().values_list("type").annotate(n=Count("id")).values_list("type", "n"))
    return [TypeCount(value, str(label), counts.get(value, 0)) for value, label in Discrepancy.Type.choices]


@dataclass(frozen=True)
class SideBySideRow:
    """One field of the archive next to the same field of the OMD invoice."""

    key: str
    label: str
    archive_value: str
    omd_value: str
    differs: bool


def _money(amount: Decimal | None) -> str:
    return "" if amount is None else f"¥{amount:,.2f}"


def _day(value) -> str:
    return "" if value is None else value.isoformat()


def discrepancy_side_by_side(discrepancy: Discrepancy, *, deadline_days: int | None = None) -> list[SideBySideRow]:
    """The archive and the OMD invoice of a discrepancy, field by field, with the fields that disagree marked.

    Names are compared by their normalised key (full-width letters, spaces), as the reconciliation
    does. A blank phone on one side is unknown, not a disagreement. Whether the invoice was late
    depends on the year's deadline, which the accuracy rules hold: given ``deadline_days`` it is
    computed here, otherwise the reconciliation's own finding (an unclosed ``late_invoice`` for
    this archive and invoice) says so. When one side is missing altogether nothing is compared.
    """
    archive, invoice = discrepancy.archive, discrepancy.invoice
    both = archive is not None and invoice is not None

    def row(key: str, label: str, archive_value: str, omd_value: str, differs: bool) -> SideBySideRow:
        return SideBySideRow(
            key, label, archive_value if archive else "", omd_value if invoice else "", both and differs
        )

    late = False
    deadline_text = ""
    if both:
        if deadline_days is not None:
            deadline = archive.delivery_date + timedelta(days=deadline_days)
            late = invoice.invoice_date > deadline
            deadline_text = _("delivered %(delivery)s, due by %(deadline)s") % {
                "delivery": _day(archive.delivery_date),
                "deadline": _day(deadline),
            }
        else:
            late = (
                Discrepancy.objects.filter(archive=archive, invoice=invoice, type=Discrepancy.Type.LATE_INVOICE)
                .exclude(status=Discrepancy.Status.CLOSED)
                .exists()
            )
    if not deadline_text and archive is not None:
        deadline_text = _("delivered %(delivery)s") % {"delivery": _day(archive.delivery_date)}

    vin = archive.vehicle.vin if archive else ""
    archive_phone = archive.archive_phone if archive else ""
    omd_phone = invoice.phone if invoice else ""
    return [
        row(
            "name",
            _("Customer name"),
            archive.invoice_name if archive else "",
            invoice.customer_name if invoice else "",
            both and archive.invoice_name_key != invoice.customer_name_key,
        ),
        row(
            "invoice_number",
            _("Invoice number"),
            archive.invoice_number if archive else "",
            invoice.invoice_number if invoice else "",
            both and archive.invoice_number != invoice.invoice_number,
        ),
        row(
            "amount",
            _("Invoice amount"),
            _money(archive.invoice_amount if archive else None),
            _money(invoice.amount if invoice else None),
            both and archive.invoice_amount != invoice.amount,
        ),
        row(
            "invoice_date",
            _("Invoice date"),
            _day(archive.invoice_date if archive else None),
            _day(invoice.invoice_date if invoice else None),
            both and archive.invoice_date != invoice.invoice_date,
        ),
        row("timeliness", _("Invoiced in time"), deadline_text, _day(invoice.invoice_date if invoice else None), late),
        row("vin", _("VIN"), vin, invoice.vin if invoice else "", both and vin != invoice.vin),
        row(
            "phone",
            _("Phone"),
            archive_phone,
            omd_phone,
            both and bool(archive_phone) and bool(omd_phone) and archive_phone != omd_phone,
        ),
    ]


def discrepancy_related(discrepancy: Discrepancy) -> QuerySet[Discrepancy]:
    """The other findings on the same archive (or, without archive, the same invoice), newest month first."""
    if discrepancy.archive_id is not None:
        others = Discrepancy.objects.filter(archive_id=discrepancy.archive_id)
    else:
        others = Discrepancy.objects.filter(invoice_id=discrepancy.invoice_id)
    return others.exclude(pk=discrepancy.pk).select_related("assignee").order_by("-month", "type")


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


EXPORT_WIDTHS = (9, 16, 12, 14, 20, 22, 22, 10, 12, 40, 12, 17)


def discrepancy_export_name(month: str | None) -> str:
    """The download's name (without extension) after what it holds: 差异清单-2011-08, or 差异清单 for every month.

    Named in Chinese in every language, as the dealership files its documents.
    """
    return _("差异清单-%(month)s") % {"month": month} if month else _("差异清单")


def discrepancy_export_xlsx(queryset: QuerySet[Discrepancy]) -> bytes:
    """The rows of the queryset as an .xlsx: a header row, then one row per discrepancy in the queryset's order.

    Through the project's one export writer: a note or a name that looks like a formula stays text,
    and the resolution time is the dealership's local time.
    """
    book = ExportWorkbook()
    sheet = book.sheet(_("Discrepancies"), widths=EXPORT_WIDTHS, freeze="A2")
    headers = [
        _("Month"),
        _("Type"),
        _("Sales consultant"),
        _("Customer"),
        _("VIN"),
        _("Archive's value"),
        _("OMD's value"),
        _("Status"),
        _("Assigned to"),
        _("Note"),
        _("Resolved by"),
        _("Resolved at"),
    ]
    sheet.append([Styled(str(header), bold=True) for header in headers])
    for d in queryset.select_related(*DESK_RELATED).iterator(chunk_size=2000):
        archive, invoice = d.archive, d.invoice
        sheet.append(
            [
                f"{d.month:%Y-%m}",
                d.get_type_display(),
                d.consultant.name if d.consultant else None,
                archive.invoice_name if archive else (invoice.customer_name if invoice else None),
                archive.vehicle.vin if archive else (invoice.vin if invoice else None),
                d.archive_value or None,
                d.omd_value or None,
                d.get_status_display(),
                d.assignee.name if d.assignee else None,
                d.note or None,
                _person(d.resolved_by) or None,
                d.resolved_at,
            ]
        )
    return book.to_bytes()
