"""Callback authenticity (电访真实性): the accuracy grade's 36 points, read from the sales callbacks.

An archive is verified when its sales callback reached and confirmed the buyer, failed when it
found a wrong number, a number out of service or a contact mismatch; the rest (no task yet, no
answer, busy, refused, unreachable, expired, still open) are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, OuterRef, Subquery
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
    The tasks are counted per verdict in one pass, so each task's latest call is looked up once
    (filtering and counting on the verdict in SQL looked it up three times: bench/callbacks.py).
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
        .values(
            month=TruncMonth("archive__delivery_date"),
            consultant=F("archive__consultant_id"),
            verdict=Subquery(latest),
        )
        .annotate(tasks=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[date, int | None], list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        if row["verdict"] == CallOutcome.CONFIRMED:
            counts[(row["month"], row["consultant"])][0] += row["tasks"]
        elif row["verdict"] in FAILED_OUTCOMES:
            counts[(row["month"], row["consultant"])][1] += row["tasks"]
    return {key: CallbackVerification(verified, failed) for key, (verified, failed) in counts.items()}
