"""The ledger's columns and how one of its rows becomes normalised values or row errors.

Every value goes through `customers.validators`, so a row the importer accepts is a row the
archive form accepts. A value that is present but invalid rejects its row, in an optional
column too; an empty optional value is fine; an empty required value is an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.models import Vehicle
from customers.validators import (
    clean_name,
    normalize_invoice_number,
    normalize_name,
    normalize_phone,
    normalize_plate,
    normalize_vin,
    parse_amount,
    parse_record_date,
)
from dealership_cs.models import Staff
from dealership_cs.spreadsheets import Column, Row, RowError, SheetReader, cell_text

# Aliases are compared after NFKC, case folding and removing all spaces, so "Customer Name",
# "customer name" and "ＣＵＳＴＯＭＥＲ　ＮＡＭＥ" are one header; the underscore forms are
# listed separately because an underscore is not a space. The first alias is the label shown
# on the upload page and in messages.
LEDGER_COLUMNS: tuple[Column, ...] = (
    Column("customer_name", ("客户名称", "customer_name", "customer name", "客户姓名", "购车人"), required=True),
    Column("phone", ("联系电话", "phone", "手机", "手机号", "手机号码")),
    Column("vin", ("车架号", "vin", "VIN码", "底盘号", "车辆识别代号"), required=True),
    Column("plate", ("车牌号", "plate", "车牌", "车牌号码")),
    Column("model", ("车型", "model", "车型名称")),
    Column("consultant", ("销售顾问", "consultant", "销售人员", "sales consultant"), required=True),
    Column("deal_date", ("成交日期", "deal_date", "deal date")),
    Column("delivery_date", ("交车日期", "delivery_date", "delivery date", "交车时间"), required=True),
    Column("invoice_number", ("发票号码", "invoice_number", "invoice number", "发票号"), required=True),
    Column("invoice_date", ("开票日期", "invoice_date", "invoice date", "开票时间"), required=True),
    Column("invoice_amount", ("发票金额", "invoice_amount", "invoice amount", "价税合计"), required=True),
)
_REQUIRED = frozenset(column.key for column in LEDGER_COLUMNS if column.required)

_MODEL_MAX_LENGTH = Vehicle._meta.get_field("model_name").max_length
_STAFF_NAME_MAX_LENGTH = Staff._meta.get_field("name").max_length


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """One accepted row, normalised; two rows are equal when their values are, whatever their row numbers."""

    customer_name: str
    phone: str
    vin: str
    plate: str
    model: str
    consultant: str
    deal_date: date | None
    delivery_date: date
    invoice_number: str
    invoice_date: date
    invoice_amount: Decimal
    row: int = field(compare=False)


def _model_name(value: object) -> str:
    text = clean_name(cell_text(value))
    if len(text) > _MODEL_MAX_LENGTH:
        raise ValidationError(
            _("This model name has %(count)d characters; at most %(limit)d are allowed.")
            % {"count": len(text), "limit": _MODEL_MAX_LENGTH}
        )
    return text


def _consultant_name(value: object) -> str:
    name = normalize_name(value)
    if len(name) > _STAFF_NAME_MAX_LENGTH:
        raise ValidationError(
            _("This name has %(count)d characters; at most %(limit)d are allowed.")
            % {"count": len(name), "limit": _STAFF_NAME_MAX_LENGTH}
        )
    return name


def _archive_amount(value: object) -> Decimal | None:
    amount = parse_amount(value)
    if amount is not None and amount < 0:
        # A red-letter invoice (红字发票) voids an earlier one; it is not a sale to archive.
        raise ValidationError(
            _("“%(value)s” is negative: a red-letter invoice voids a sale and is not a closed-deal archive.")
            % {"value": cell_text(value)}
        )
    return amount


_PARSERS = {
    "customer_name": normalize_name,
    "phone": normalize_phone,
    "vin": normalize_vin,
    "plate": normalize_plate,
    "model": _model_name,
    "consultant": _consultant_name,
    "deal_date": parse_record_date,
    "delivery_date": parse_record_date,
    "invoice_number": normalize_invoice_number,
    "invoice_date": parse_record_date,
    "invoice_amount": _archive_amount,
}


def parse_row(reader: SheetReader, row: Row) -> tuple[LedgerRow | None, list[RowError]]:
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
    if errors:
        return None, errors
    return LedgerRow(**values, row=row.number), []
