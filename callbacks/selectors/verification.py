"""Callback authenticity (电访真实性): the accuracy grade's 36 points, read from the sales callbacks.

An archive is verified when its sales callback reached and confirmed the buyer, failed when it
found a wrong number, a number out of service or a contact mismatch; the rest (no task yet, no
answer, busy, refused, unreachable, expired, still open) are not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncMonth

from callbacks.models import FAILED_OUTCOMES, CallAttempt, CallbackKind, CallbackTask, CallOutcome

DECISIVE_OUTCOMES = (CallOutcome.CONFIRMED, *FAILED_OUTCOMES)


@dataclass(frozen=True)
class CallbackVerification:
    verified: int = 0
    failed: int = 0


def sales_callback_verification(*, start: date, end: date) -> dict[tuple[date, int | None], CallbackVerification]:
    """Verified and failed sales callbacks per delivery month and consultant, for archives delivered in [start, end).

    An archive's verdict is its sales task's latest decisive call (confirmed, or one of the failed
    outcomes): a buyer confirmed after a first wrong number counts as verified, and the other way round.
    """
    latest = (
        CallAttempt.objects.filter(task=OuterRef("pk"), outcome__in=DECISIVE_OUTCOMES)
        .order_by("-started_at", "-id")
        .values("outcome")[:1]
    )
    rows = (
        CallbackTask.objects.filter(
            kind=CallbackKind.SALES, archive__delivery_date__gte=start, archive__delivery_date__lt=end
        )
        .annotate(verdict=Subquery(latest))
        .filter(verdict__isnull=False)
        .values(month=TruncMonth("archive__delivery_date"), consultant=F("archive__consultant_id"))
        .annotate(
            verified=Count("pk", filter=Q(verdict=CallOutcome.CONFIRMED)),
            failed=Count("pk", filter=Q(verdict__in=FAILED_OUTCOMES)),
        )
    )
    result: dict[tuple[date, int | None], CallbackVerification] = {}
    for row in rows:
        result[(row["month"], row["consultant"])] = CallbackVerification(row["verified"], row["failed"])
    return result
