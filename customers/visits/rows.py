"""The repair-order export's columns and how one of its rows becomes normalised values or row errors.

Every value that the customer records share (VIN, plate, phone, names, amount, dates) goes through
`customers.validators`, so a row the importer accepts is a row the visit form accepts. A value that
is present but invalid rejects its row, in an optional column too; an empty optional value is
fine; an empty required value is an error. Only what is particular to a repair order is read
here: the RO number, the kind of work, the mileage.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.models import ServiceVisit
from customers.validators import (
    normalize_name,
    normalize_phone,
    normalize_plate,
    normalize_vin,
    parse_amount,
    parse_record_datetime,
)
from dealership_cs.models import Staff
from dealership_cs.spreadsheets import Column, Row, RowError, SheetReader, cell_text

# Aliases are compared after NFKC, case folding and removing all spaces (see the ledger's
# columns); the first alias is the label shown on the upload page and in messages. The extra
# Chinese aliases are the headings dealer management systems (DMS) print on their RO exports.
VISIT_COLUMNS: tuple[Column, ...] = (
    Column("ro_number", ("工单号", "ro_number", "ro number", "RO号", "维修工单号", "委托书号"), required=True),
    Column("vin", ("车架号", "vin", "VIN码", "底盘号", "车辆识别代号"), required=True),
    Column("plate", ("车牌号", "plate", "车牌", "车牌号码")),
    Column("customer_name", ("客户名称", "customer_name", "customer name", "客户姓名", "送修人"), required=True),
    Column("phone", ("联系电话", "phone", "手机", "手机号", "手机号码")),
    Column("advisor", ("服务顾问", "advisor", "service advisor", "接待员"), required=True),
    Column("kind", ("维修类别", "kind", "维修类型", "工单类型")),
    Column("opened_at", ("进厂时间", "opened_at", "opened at", "进厂日期", "开单时间"), required=True),
    Column("closed_at", ("结算时间", "closed_at", "closed at", "结算日期", "出厂时间")),
    Column("mileage", ("行驶里程", "mileage", "里程", "进厂里程")),
    Column("amount", ("结算金额", "amount", "工单金额", "维修金额")),
)
_REQUIRED = frozenset(column.key for column in VISIT_COLUMNS if column.required)

# A date-time without a time zone is the dealership's local time.
SHANGHAI = ZoneInfo("Asia/Shanghai")

_RO_MAX_LENGTH = ServiceVisit._meta.get_field("ro_number").max_length
_STAFF_NAME_MAX_LENGTH = Staff._meta.get_field("name").max_length
# A PositiveIntegerField holds up to 2**31 - 1; no car has run ten million kilometres.
MILEAGE_LIMIT = 10_000_000

Kind = ServiceVisit.Kind
# What DMS exports write in the kind column, looked for in this order inside the cell's text, so
# that "事故维修" is an accident and "保养+维修" a maintenance; anything else is "other".
KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Kind.WARRANTY, ("保修", "索赔", "三包", "warranty", "claim")),
    (Kind.ACCIDENT, ("事故", "accident")),
    (Kind.MAINTENANCE, ("保养", "首保", "定保", "maintenance")),
    (Kind.REPAIR, ("维修", "修理", "机修", "repair")),
)

_MILEAGE_UNIT = re.compile(r"(km|公里|千米)$", re.IGNORECASE)
# Non-negative: a minus sign is refused as "not a mileage".
_MILEAGE_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?", re.ASCII)


@dataclass(frozen=True, slots=True)
class VisitRow:
    """One accepted row, normalised; two rows are equal when their values are, whatever their row numbers.

    `kind` is None when the cell is empty, so that re-importing without the column keeps what
    the visit holds.
    """

    ro_number: str
    vin: str
    plate: str
    customer_name: str
    phone: str
    advisor: str
    kind: str | None
    opened_at: datetime
    closed_at: datetime | None
    mileage: int | None
    amount: Decimal | None
    row: int = field(compare=False)


def normalize_ro_number(value: object) -> str:
    """The RO number as the DMS prints it, with full-width characters folded and spaces removed.

    Letter case is kept: the visit form stores the number as typed, and both must meet on one key.
    """
    text = "".join(unicodedata.normalize("NFKC", cell_text(value)).split())
    if len(text) > _RO_MAX_LENGTH:
        raise ValidationError(
            _("“%(value)s” is not an RO number: it has %(count)d characters; at most %(limit)d are allowed.")
            % {"value": text[:40], "count": len(text), "limit": _RO_MAX_LENGTH}
        )
    if text and not text.isprintable():
        raise ValidationError(_("“%(value)s” is not an RO number: it holds control characters.") % {"value": text})
    return text


def visit_kind(value: object) -> str | None:
    """The visit's kind read from Chinese or English text; anything unrecognised is "other"."""
    text = "".join(unicodedata.normalize("NFKC", cell_text(value)).split()).casefold()
    if not text:
        return None
    for kind, words in KIND_WORDS:
        if any(word in text for word in words):
            return kind
    return Kind.OTHER


def parse_mileage(value: object) -> int | None:
    """Kilometres as a whole number; text may carry thousands separators and km / 公里."""
    if value is None:
        return None
    if value.__class__ is float and value.is_integer() and 0 <= value < MILEAGE_LIMIT:
        return int(value)  # a number cell: every row of a clean export
    if isinstance(value, bool):
        raise ValidationError(_("“%(value)s” is not a mileage.") % {"value": cell_text(value)})
    if isinstance(value, int | float):
        # repr() is the shortest text that round-trips: what the user saw in the cell.
        text = repr(value)
    else:
        text = _MILEAGE_UNIT.sub("", "".join(unicodedata.normalize("NFKC", str(value)).split()).replace(",", ""))
        if not text:
            return None
    if not _MILEAGE_NUMBER.fullmatch(text):
        raise ValidationError(_("“%(value)s” is not a mileage.") % {"value": cell_text(value)})
    number = Decimal(text)
    if number != number.to_integral_value():
        raise ValidationError(
            _("“%(value)s” is not a mileage: it must be a whole number of kilometres.") % {"value": cell_text(value)}
        )
    if number >= MILEAGE_LIMIT:
        raise ValidationError(_("“%(value)s” is too large to be a mileage.") % {"value": cell_text(value)})
    return int(number)


def parse_moment(value: object) -> datetime | None:
    """An aware date-time of the records (1990–2100) from a cell; without a time zone it is Shanghai local time."""
    moment = parse_record_datetime(value)
    return None if moment is None else moment.replace(tzinfo=SHANGHAI)


def _advisor_name(value: object) -> str:
    name = normalize_name(value)
    if len(name) > _STAFF_NAME_MAX_LENGTH:
        raise ValidationError(
            _("This name has %(count)d characters; at most %(limit)d are allowed.")
            % {"count": len(name), "limit": _STAFF_NAME_MAX_LENGTH}
        )
    return name


_PARSERS = {
    "ro_number": normalize_ro_number,
    "vin": normalize_vin,
    "plate": normalize_plate,
    "customer_name": normalize_name,
    "phone": normalize_phone,
    "advisor": _advisor_name,
    "kind": visit_kind,
    "opened_at": parse_moment,
    "closed_at": parse_moment,
    "mileage": parse_mileage,
    "amount": parse_amount,
}


def parse_row(reader: SheetReader, row: Row) -> tuple[VisitRow | None, list[RowError]]:
    """The row's normalised values, or every error found in it (one per bad cell)."""
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for key, parse in _PARSERS.items():
        try:
            value = parse(row.values[key])
        except ValidationError as exc:
            errors.append(reader.error(row, key, " ".join(exc.messages)))
            continue
        if key in _REQUIRED and value in ("", None):
            errors.append(reader.error(row, key, _("required")))
        values[key] = value
    opened, closed = values.get("opened_at"), values.get("closed_at")
    if opened and closed and closed < opened:
        errors.append(reader.error(row, "closed_at", closed_before_opened()))
    if errors:
        return None, errors
    return VisitRow(**values, row=row.number), []


def closed_before_opened() -> str:
    # The same words as the model's constraint message, so both read alike and share a translation.
    return _("The car cannot leave before it came in: check the closing time.")
