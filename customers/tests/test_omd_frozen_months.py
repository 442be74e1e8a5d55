"""An OMD import says how many of its rows fall in frozen accuracy months, and which months.

A fresh `make run` freezes every demo month, so an import on the demo reconciled nothing and no
page said why. The months are frozen by reports (a layer above customers), which tells the OMD
import through customers.omd.frozen.
"""

from __future__ import annotations

import io
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from customers.models import OmdImport
from customers.omd import frozen
from customers.omd.service import omd_import_create, omd_import_run, omd_import_validate
from customers.tests import omd_files as files
from customers.tests.omd_files import invoice
from reports.models import AccuracyMonth

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def export() -> bytes:
    """Two July invoices, three in August, one in September and one December; one bad row."""
    days = [date(2011, 7, 5), date(2011, 7, 30), *[date(2011, 8, d) for d in (1, 15, 31)], date(2011, 9, 1)]
    rows = [invoice(n, invoice_date=day) for n, day in enumerate(days, 1)]
    rows += [invoice(7, invoice_date=date(2011, 12, 24)), invoice(8, invoice_date=date(2011, 8, 2), vin="bad")]
    return files.omd_xlsx(rows)[0]


@pytest.fixture
def august_to_october_frozen():
    for month in (8, 9, 10):
        AccuracyMonth.objects.create(month=date(2011, month, 1), frozen=True)
    AccuracyMonth.objects.create(month=date(2011, 12, 1), frozen=False)


def test_the_preview_and_the_import_count_the_rows_of_frozen_months(august_to_october_frozen):
    omd_import = omd_import_create(source=io.BytesIO(export()), file_name="omd.xlsx")
    previewed = omd_import_validate(import_id=omd_import.pk)

    assert (previewed.frozen_rows, previewed.frozen_months) == (4, ["2011-08", "2011-09"])

    done = omd_import_run(source=io.BytesIO(export()), file_name="omd.xlsx")  # all unchanged, still frozen
    assert (done.status, done.frozen_rows, done.frozen_months) == (OmdImport.Status.DONE, 4, ["2011-08", "2011-09"])


def test_nothing_is_reported_when_no_month_is_frozen():
    AccuracyMonth.objects.create(month=date(2011, 8, 1), frozen=False)

    done = omd_import_run(source=io.BytesIO(export()), file_name="omd.xlsx")

    assert (done.created, done.frozen_rows, done.frozen_months) == (7, 0, [])


def test_months_come_from_whoever_registered_them(monkeypatch):
    monkeypatch.setattr(frozen, "_provider", lambda: [date(2011, 7, 1), date(2011, 12, 1)])

    done = omd_import_run(source=io.BytesIO(export()), file_name="omd.xlsx")

    assert (done.frozen_rows, done.frozen_months) == (3, ["2011-07", "2011-12"])
    monkeypatch.setattr(frozen, "_provider", None)
    assert frozen.frozen_months() == []


def test_the_command_page_and_api_say_how_many_rows_and_which_months(
    tmp_path, client, admin_user, settings, august_to_october_frozen
):
    path = tmp_path / "omd.xlsx"
    path.write_bytes(export())
    out = StringIO()
    call_command("import_omd", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1].startswith("created=7 ")
    # Commands speak the site's language (Chinese): the count and the months, whatever the wording.
    assert lines[-2].startswith("4 ") and "2011-08, 2011-09" in lines[-2]
    omd_import = OmdImport.objects.get()

    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(omd_import.get_absolute_url()).content.decode()
    assert 'data-testid="frozen"' in html and "4 rows fall in frozen months (2011-08, 2011-09)" in html

    api = APIClient()
    api.force_authenticate(admin_user)
    body = api.get(f"/api/omd-imports/{omd_import.pk}/").json()
    assert (body["frozen_rows"], body["frozen_months"]) == (4, ["2011-08", "2011-09"])
