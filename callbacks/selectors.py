"""Reads other apps take from the callback desk.

The accuracy grade's 36 callback-authenticity points count closed-deal archives whose sales
callback reached and confirmed the buyer (verified) against those where it found a wrong number,
a number out of service or a contact mismatch (failed); the rest are pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CallbackVerification:
    verified: int = 0
    failed: int = 0


def sales_callback_verification(
    *, start: date, end: date
) -> dict[tuple[date, int | None], CallbackVerification] | None:
    """Verified and failed sales callbacks per delivery month and consultant, for archives delivered in [start, end).

    Returns None while the callback desk records no outcomes yet: the item is then "not yet
    measurable", never full marks. The callbacks issue replaces this with a query over call attempts.
    """
    return None
