"""The OMD export's columns and how one data row becomes normalised values or row errors.

Every value goes through `customers.validators`, the same functions behind the forms, so a
value the importer accepts is a value a form accepts. A value that is present but invalid
rejects its row, in an optional column too; an empty optional value is fine.

This is the hot loop of a 200,000-row import, so values that repeat down a column (dates,
amounts, models, consultants, dealer codes) are parsed once per distinct value and cached,
errors included; values that are unique per row (invoice numbers, VINs, phones, names) go
straight to the validators, which have fast paths for already-canonical input.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from customers.models import OmdInvoice
from customers.validators import (
    clean_name,
    normalize_invoice_number,
    normalize_name,
    normalize_phone,
    normalize_vin,
    parse_amount,
    parse_record_date,
)
from dealership_cs.spreadsheets import Column, Row, SheetReader, cell_text

# Aliases are compared after NFKC, case folding and removing all spaces; the first alias is the
# label shown on the upload page and in messages. Underscore forms are listed separately
# because an underscore is not a space.
OMD_COLUMNS: tuple[Column, ...] = (
    Column("invoice_number", ("发票号码", "发票号", "invoice no", "invoice_number", "invoice number"), required=True),
    Column("invoice_date", ("开票日期", "开票时间", "invoice date", "invoice_date"), required=True),
    Column("customer_name", ("客户名称", "客户姓名", "购车人", "customer name", "customer_name"), required=True),
    Column("phone", ("联系电话", "手机", "手机号码", "电话", "phone", "mobile")),
    Column("vin", ("车架号", "底盘号", "车辆识别代号", "VIN"), required=True),
    Column("model", ("车型", "车型名称", "model")),
    Column("amount", ("发票金额", "价税合计", "金额", "amount"), required=True),
    Column("consultant", ("销售顾问", "销售人员", "consultant")),
    Column("dealer_code", ("经销商代码", "dealer code", "dealer_code")),
    Column("entered_at", ("上报日期", "录入日期", "entered at", "entered_at")),
    Column(
        "original_invoice_number",
        ("原发票号码", "对应发票号码", "红冲发票号码", "original invoice number", "original_invoice_number"),
    ),
)
REQUIRED_KEYS = frozenset(column.key for column in OMD_COLUMNS if column.required)

# Column key -> OmdInvoice / OmdStagedRow field, for the columns whose names differ.
FIELD_OF_KEY = {"model": "model_name", "consultant": "consultant_name"}


def field_of(key: str) -> str:
    return FIELD_OF_KEY.get(key, key)


_MODEL_MAX = OmdInvoice._meta.get_field("model_name").max_length
_CONSULTANT_MAX = OmdInvoice._meta.get_field("consultant_name").max_length
_DEALER_CODE_MAX = OmdInvoice._meta.get_field("dealer_code").max_length
_DEALER_CODE = re.compile(r"[A-Z0-9][A-Z0-9_-]*", re.ASCII)


def _model_name(value: object) -> str:
    text = clean_name(cell_text(value))
    if len(text) > _MODEL_MAX:
        raise ValidationError(
            _("This model name has %(count)d characters; at most %(limit)d are allowed.")
            % {"count": len(text), "limit": _MODEL_MAX}
        )
    return text


def _consultant_name(value: object) -> str:
    name = normalize_name(value)
    if len(name) > _CONSULTANT_MAX:
        raise ValidationError(
            _("This name has %(count)d characters; at most %(limit)d are allowed.")
            % {"count": len(name), "limit": _CONSULTANT_MAX}
        )
    return name


def _dealer_code(value: object) -> str:
    # Numeric codes arrive as floats ("7370001.0"); cell_text shows them as the user typed them.
    code = "".join(clean_name(cell_text(value)).split()).upper()
    if not code:
        return ""
    if len(code) > _DEALER_CODE_MAX or not _DEALER_CODE.fullmatch(code):
        raise ValidationError(
            _("“%(value)s” is not a dealer code: it may only contain letters, digits, - and _ (at most %(limit)d).")
            % {"value": cell_text(value), "limit": _DEALER_CODE_MAX}
        )
    return code


class Parsed(NamedTuple):
    """One accepted row, normalised; equal tuples are the same invoice listed twice."""

    invoice_number: str
    invoice_date: date
    customer_name: str
    phone: str
    vin: str
    model_name: str
    amount: Decimal
    consultant_name: str
    dealer_code: str
    entered_at: date | None
    original_invoice_number: str


# In `Parsed` order: (column key, parser, cached?, value of an empty cell). Cached columns see
# few distinct values per file; the others are unique per row.
_STEPS: tuple[tuple[str, Callable[[object], object], bool, object], ...] = (
    ("invoice_number", normalize_invoice_number, False, ""),
    ("invoice_date", parse_record_date, True, None),
    ("customer_name", normalize_name, False, ""),
    ("phone", normalize_phone, False, ""),
    ("vin", normalize_vin, False, ""),
    ("model", _model_name, True, ""),
    ("amount", parse_amount, True, None),
    ("consultant", _consultant_name, True, ""),
    ("dealer_code", _dealer_code, True, ""),
    ("entered_at", parse_record_date, True, None),  # a date or a date and time; the time is dropped
    ("original_invoice_number", normalize_invoice_number, False, ""),
)
assert tuple(field_of(key) for key, *_ in _STEPS) == Parsed._fields
# Distinct values kept per cached column: far above a real export's variety, and a bound on
# memory when a column such as the amount turns out to be nearly unique.
_CACHE_LIMIT = 50_000


class _Rejected:
    """A validation failure: the reason, ready for the row error (cached like a value)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _attempt(parse: Callable[[object], object], raw: object) -> object:
    try:
        return parse(raw)
    except ValidationError as exc:
        return _Rejected(" ".join(exc.messages))


_MISSING = object()
_UNCACHED = frozenset({bool, datetime})
_make_parsed = Parsed._make


class RowParser:
    """Turns the reader's rows into `Parsed` tuples, or lists of row errors {"column", "value", "reason"}."""

    def __init__(self, reader: SheetReader) -> None:
        self.reader = reader
        required_text = _("required")
        # (key, parser, cache or None, empty value, error for an empty cell or None)
        self._steps = tuple(
            (key, parse, {} if cached else None, empty, required_text if key in REQUIRED_KEYS else None)
            for key, parse, cached, empty in _STEPS
        )

    def parse(self, row: Row) -> tuple[Parsed | None, list[dict[str, str]]]:
        values = row.values
        out: list[object] = []
        errors: list[tuple[str, str]] | None = None
        for key, parse, cache, empty, required in self._steps:
            raw = values[key]
            if raw is None:  # the reader's empty cell (blank, whitespace only, or a column the file lacks)
                if required is not None:
                    (errors := errors or []).append((key, required))
                out.append(empty)
                continue
            # bool is kept out of the caches because True == 1 == 1.0 would share an entry, and
            # datetimes because they are often unique (times of day) and fast to parse anyway.
            if cache is not None and raw.__class__ not in _UNCACHED:
                value = cache.get(raw, _MISSING)
                if value is _MISSING:
                    value = _attempt(parse, raw)
                    if len(cache) < _CACHE_LIMIT:
                        cache[raw] = value
            else:
                # _attempt, inlined: this branch runs for every unique value of every row.
                try:
                    value = parse(raw)
                except ValidationError as exc:
                    value = _Rejected(" ".join(exc.messages))
            if value.__class__ is _Rejected:
                (errors := errors or []).append((key, value.reason))
                value = empty
            elif required is not None and (value is None or value == ""):
                (errors := errors or []).append((key, required))
            out.append(value)
        if errors:
            error = self.reader.error
            return None, [
                {"column": e.column, "value": e.value, "reason": e.reason}
                for e in (error(row, key, reason) for key, reason in errors)
            ]
        return _make_parsed(out), []
