"""Serializer fields for customer data: thin wrappers that run the one set of validators.

A value the API accepts is a value the forms (customers/fields.py) and the importers accept,
because all of them call customers.validators; a refusal carries the validator's own message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from customers import validators


def _run(normaliser: Callable[[Any], Any], value: Any) -> Any:
    try:
        return normaliser(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(get_error_detail(error)) from error


class _NormalisingCharField(serializers.CharField):
    """Text normalised by one of customers.validators; "" stays "" (blank is allowed only if asked)."""

    normaliser: Callable[[str], str] = staticmethod(lambda value: value)

    def to_internal_value(self, data: Any) -> str:
        return _run(self.normaliser, super().to_internal_value(data))


class PhoneField(_NormalisingCharField):
    """A Chinese phone number, stored as 13812345678 or 0534-2345678."""

    normaliser = staticmethod(validators.normalize_phone)


class VinField(_NormalisingCharField):
    """A 17-character VIN with a correct check digit, upper-cased."""

    normaliser = staticmethod(validators.normalize_vin)


class PlateField(_NormalisingCharField):
    """A licence plate such as 鲁N12345 (dots, dashes and spaces are dropped)."""

    normaliser = staticmethod(validators.normalize_plate)


class NameField(_NormalisingCharField):
    """A person's or company's name: trimmed, half-width, with at least one letter."""

    normaliser = staticmethod(validators.normalize_name)


class InvoiceNumberField(_NormalisingCharField):
    """An invoice number of 8–20 digits, left-padded with zeros to 8."""

    normaliser = staticmethod(validators.normalize_invoice_number)


class _EmptyIsNoneField(serializers.Field):
    """A value parsed by a validator that gives None for empty input; None needs allow_null.

    Any JSON value goes to the validator, which refuses what is not an amount or a date with
    its own message (numbers are taken as spreadsheet cells would be).
    """

    default_error_messages = {"blank": _("This field may not be blank.")}
    parser: Callable[[Any], Any] = staticmethod(lambda value: value)

    def to_internal_value(self, data: Any) -> Any:
        value = _run(self.parser, data)
        if value is None and not self.allow_null:
            self.fail("blank")
        return value


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "example": "159800.00",
        "description": "Yuan. Input may also be text such as ¥159,800.00 or 15.98万.",
    }
)
class AmountField(_EmptyIsNoneField):
    """An amount in yuan; text may carry ¥/元, thousands separators or 万. Rendered as "159800.00"."""

    parser = staticmethod(validators.parse_amount)

    def to_representation(self, value: Decimal) -> str:
        return f"{value:.2f}"


@extend_schema_field(OpenApiTypes.DATE)
class FlexibleDateField(_EmptyIsNoneField):
    """A date of the dealership's records (1990–2100) written 2011-08-24, 2011/8/24, 2011.08.24,
    2011年8月24日 or 20110824; rendered ISO."""

    parser = staticmethod(validators.parse_record_date)

    def to_representation(self, value: date) -> str:
        return value.isoformat()


class BirthDateField(FlexibleDateField):
    """A customer's birthday: written like any date, and any year from 1900 on."""

    parser = staticmethod(validators.parse_date)


class RecordDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time of the dealership's records (a service visit's opening and closing): 1990–2100.

    Out of that range a time zone's historic local mean time (+08:05:43 for Shanghai before 1901)
    would make the answer an invalid RFC 3339 date-time, and the year is a typo anyway.
    """

    def to_internal_value(self, value: Any) -> datetime:
        moment = super().to_internal_value(value)
        _run(lambda parsed: validators.validate_record_date(parsed, shown=value), moment)
        return moment
