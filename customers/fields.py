"""Form fields for customer data: thin wrappers that run the one set of validators.

A value the importer accepts is a value these fields accept, because both call
customers.validators. The API's serializer fields (customers/api/fields.py) do the same.
"""

from __future__ import annotations

from django import forms

from customers import validators


class _NormalisingCharField(forms.CharField):
    normaliser = staticmethod(lambda value: value)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        return self.normaliser(value)


class PhoneField(_NormalisingCharField):
    normaliser = staticmethod(validators.normalize_phone)


class VinField(_NormalisingCharField):
    normaliser = staticmethod(validators.normalize_vin)


class PlateField(_NormalisingCharField):
    normaliser = staticmethod(validators.normalize_plate)


class PersonNameField(_NormalisingCharField):
    normaliser = staticmethod(validators.normalize_name)


class InvoiceNumberField(_NormalisingCharField):
    normaliser = staticmethod(validators.normalize_invoice_number)


class AmountField(forms.CharField):
    """Money in CNY: accepts ¥/￥/元, thousands separators and full-width digits."""

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return validators.parse_amount(value)


class FlexibleDateField(forms.CharField):
    """A date of the dealership's records (1990–2100) typed as 2011-08-24, 2011/8/24, 2011.08.24,
    2011年8月24日 or 20110824."""

    widget = forms.DateInput(attrs={"placeholder": "yyyy-mm-dd", "autocomplete": "off"})
    parser = staticmethod(validators.parse_record_date)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        return self.parser(value)

    def prepare_value(self, value):
        return value.isoformat() if hasattr(value, "isoformat") else value


class BirthDateField(FlexibleDateField):
    """A customer's birthday: typed like any date, and any year from 1900 on."""

    parser = staticmethod(validators.parse_date)


class RecordDateTimeField(forms.DateTimeField):
    """A moment of the dealership's records (a service visit's opening and closing): 1990–2100."""

    def to_python(self, value):
        moment = super().to_python(value)
        validators.validate_record_date(moment, shown=value)
        return moment
