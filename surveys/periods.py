"""The programs' calendars: which periods a year has, how they are written and parsed.

A period is stored as (year, index). The index counts the program's periods from 1 (months
1–12, quarters 1–4, halves 1–2; a yearly program has only 1); index 0 is the manufacturer's
official full-year result (年度), which a monthly or quarterly program may also publish.

Written forms, the same everywhere (import sheets, forms, the API): ``2010-02`` (month),
``2010-Q1`` (quarter), ``2010-H1`` (half year), ``2010`` (the year). Parsing also accepts what
people type into spreadsheets: ``2010/2``, ``2010年2月``, ``2010Q1``, ``2010年第1季度``,
``2010年上半年``, full-width digits, and a date cell (its month).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

YEAR_MIN, YEAR_MAX = 2000, 2100
ANNUAL = 0


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")
    HALF = "half", _("Half-yearly")
    YEAR = "year", _("Yearly")


PERIODS_PER_YEAR = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.HALF: 2, PeriodKind.YEAR: 1}

_CHINESE_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
_YEAR_ONLY = re.compile(r"(\d{4})(?:年|年度|-?Y)?")
_MONTH = re.compile(r"(\d{4})(?:[-/.]|年)(\d{1,2})月?")
_QUARTER = re.compile(r"(\d{4})(?:[-/.]|年)?(?:Q([1-4])|第?([1-4一二三四])季度?)")
_HALF = re.compile(r"(\d{4})(?:[-/.]|年)?(?:H([12])|(上|下)半年)")
_YEAR_FROM_NUMBER = re.compile(r"(\d{4})\.0+")


@dataclass(frozen=True, order=True)
class Period:
    """A period of a program's calendar; ``index`` 0 is the official full-year result."""

    year: int
    index: int
    kind: str

    @property
    def is_annual(self) -> bool:
        return self.index == ANNUAL or self.kind == PeriodKind.YEAR

    @property
    def code(self) -> str:
        """The written form used by imports and the API: 2010-02, 2010-Q1, 2010-H1, 2010."""
        return period_code(self.kind, self.year, self.index)

    @property
    def label(self) -> str:
        """The short label shown in table headers."""
        return period_label(self.kind, self.index)

    def __str__(self) -> str:
        return self.code


def period_count(kind: str) -> int:
    return PERIODS_PER_YEAR[PeriodKind(kind)]


def period_indexes(kind: str) -> list[int]:
    """The year's regular periods, in order (the full-year result is not among them)."""
    return list(range(1, period_count(kind) + 1))


def period_code(kind: str, year: int, index: int) -> str:
    if index == ANNUAL or kind == PeriodKind.YEAR:
        return f"{year}"
    if kind == PeriodKind.MONTH:
        return f"{year}-{index:02d}"
    if kind == PeriodKind.QUARTER:
        return f"{year}-Q{index}"
    return f"{year}-H{index}"


def period_label(kind: str, index: int) -> str:
    if index == ANNUAL or kind == PeriodKind.YEAR:
        return str(_("Year"))
    if kind == PeriodKind.MONTH:
        return str(_("Month %(n)s") % {"n": index})
    if kind == PeriodKind.QUARTER:
        return f"Q{index}"
    return f"H{index}"


def allowed_examples(kind: str, year: int = 2010) -> str:
    """The written forms a program accepts, for messages: "2010-Q1 … 2010-Q4, or 2010"."""
    indexes = period_indexes(kind)
    first, last = period_code(kind, year, indexes[0]), period_code(kind, year, indexes[-1])
    if kind == PeriodKind.YEAR:
        return first
    return str(_("%(first)s … %(last)s, or %(year)s for the full-year result")) % {
        "first": first,
        "last": last,
        "year": year,
    }


def _check_year(year: int, shown: str) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError(
            _("“%(value)s”: the year must be between %(min)s and %(max)s."),
            code="period_year",
            params={"value": shown, "min": YEAR_MIN, "max": YEAR_MAX},
        )
    return year


def parse_period(value: object, kind: str) -> Period | None:
    """The period ``value`` names in a program reported ``kind``-ly; None when empty.

    Raises ValidationError saying which forms the program accepts when the text is not a period
    or names a period the program's calendar does not have (a month of a quarterly program).
    """
    kind = PeriodKind(kind)
    if value is None:
        return None
    if isinstance(value, datetime.date):  # a date cell (datetime is a date): its month
        if kind != PeriodKind.MONTH:
            raise _not_in_calendar(value.isoformat()[:7], kind)
        return Period(_check_year(value.year, value.isoformat()[:7]), value.month, kind)
    if isinstance(value, float | int) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else repr(value)
    else:
        text = str(value)
    shown = text.strip()
    text = unicodedata.normalize("NFKC", text).strip().upper().replace(" ", "")
    if not text:
        return None
    if match := _YEAR_FROM_NUMBER.fullmatch(text):
        text = match.group(1)
    found: tuple[str, int, int] | None = None
    if match := _YEAR_ONLY.fullmatch(text):
        found = (PeriodKind.YEAR, int(match.group(1)), ANNUAL)
    elif match := _MONTH.fullmatch(text):
        found = (PeriodKind.MONTH, int(match.group(1)), int(match.group(2)))
    elif match := _QUARTER.fullmatch(text):
        number = match.group(2) or match.group(3)
        found = (PeriodKind.QUARTER, int(match.group(1)), int(_CHINESE_DIGITS.get(number, number)))
    elif match := _HALF.fullmatch(text):
        number = match.group(2) or ("1" if match.group(3) == "上" else "2")
        found = (PeriodKind.HALF, int(match.group(1)), int(number))
    if found is None:
        raise ValidationError(
            _("“%(value)s” is not a period: write it as %(examples)s."),
            code="period_format",
            params={"value": shown, "examples": allowed_examples(kind)},
        )
    found_kind, year, index = found
    _check_year(year, shown)
    if found_kind == PeriodKind.YEAR:
        return Period(year, 1 if kind == PeriodKind.YEAR else ANNUAL, kind)
    if found_kind != kind:
        raise _not_in_calendar(shown, kind)
    if not 1 <= index <= period_count(kind):
        raise ValidationError(
            _("“%(value)s” is not a period: write it as %(examples)s."),
            code="period_format",
            params={"value": shown, "examples": allowed_examples(kind)},
        )
    return Period(year, index, kind)


def _not_in_calendar(shown: str, kind: str) -> ValidationError:
    return ValidationError(
        _("“%(value)s” is not in this program's calendar (reported %(kind)s): use %(examples)s."),
        code="period_calendar",
        params={"value": shown, "kind": str(PeriodKind(kind).label).lower(), "examples": allowed_examples(kind)},
    )
