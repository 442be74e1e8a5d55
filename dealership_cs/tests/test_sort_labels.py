"""Every list's sort menu speaks the page's language: explicit labels, both directions translated lazily.

django-filter's defaults are the English field name ("Created at", "Vin") and a "(descending)"
formatted once at import, in whatever language was active then.
"""

from __future__ import annotations

import importlib
import inspect

import django_filters
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.functional import Promise

from customers.filters import CustomerFilter, OmdInvoiceFilter, SalesArchiveFilter, ServiceVisitFilter, VehicleFilter
from dealership_cs.filters import SortFilter
from dealership_cs.permissions import OWN_APPS


def sort_filters():
    """(FilterSet, its ordering filter) for every FilterSet in every app's filters module."""
    for app in OWN_APPS:
        try:
            module = importlib.import_module(f"{app}.filters")
        except ModuleNotFoundError:
            continue
        for _name, filterset in inspect.getmembers(module, inspect.isclass):
            if issubclass(filterset, django_filters.FilterSet) and filterset.__module__ == module.__name__:
                for sort in filterset.base_filters.values():
                    if isinstance(sort, django_filters.OrderingFilter):
                        yield filterset, sort


def labels(filterset, language: str) -> list[str]:
    sort = filterset.base_filters["ordering"]
    with translation.override(language):
        return [str(label) for _value, label in sort.extra["choices"]]


def test_every_sort_menu_has_labels_that_follow_the_language():
    found = list(sort_filters())
    assert {filterset.__name__ for filterset, _sort in found} >= {
        "CustomerFilter",
        "VehicleFilter",
        "SalesArchiveFilter",
        "ServiceVisitFilter",
        "OmdInvoiceFilter",
        "DiscrepancyFilter",
    }
    frozen = [
        (filterset.__name__, value, label)
        for filterset, sort in found
        for value, label in sort.extra["choices"]
        if not isinstance(label, Promise)
    ]
    assert frozen == []


@pytest.mark.parametrize(
    ("filterset", "expected"),
    [
        (CustomerFilter, ["Created", "Name", "Mobile"]),
        (VehicleFilter, ["Created", "Delivery date", "VIN"]),
        (SalesArchiveFilter, ["Delivery date", "Invoice date", "Invoice amount"]),
        (ServiceVisitFilter, ["Opened at", "Left at", "Amount"]),
        (OmdInvoiceFilter, ["Invoice date", "Amount", "Invoice number"]),
    ],
)
def test_each_sort_field_has_its_own_label_in_both_directions(filterset, expected):
    assert labels(filterset, "en") == [text for label in expected for text in (label, f"{label} (descending)")]


def test_a_descending_label_is_translated_when_shown_not_at_import():
    vin, vin_descending = labels(VehicleFilter, "zh-hans")[4:6]

    assert vin == "车架号"
    assert vin_descending.startswith("车架号")
    assert "VIN" not in vin_descending and "Vin" not in vin_descending


def test_a_sort_field_without_a_label_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="created_at"):
        SortFilter(fields=(("created_at", "created_at"),), field_labels={})
