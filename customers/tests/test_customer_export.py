"""Exporting the customer list as filtered on /customers/: the file, the record of who exported what, who may."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from customers.models import Customer
from customers.tests.factories import CustomerFactory
from dealership_cs.models import ExportRecord

pytestmark = pytest.mark.django_db

URL = "/customers/export.xlsx"
HOSTILE = '=HYPERLINK("http://x","y")'


def sheet_rows(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_export_holds_the_filtered_list_with_types_kept_and_formulas_as_text(english, staff_user):
    CustomerFactory(name=HOSTILE, source=Customer.Source.IMPORT, birthday=dt.date(1980, 5, 4), do_not_call=True)
    CustomerFactory(name="张伟", source=Customer.Source.IMPORT)
    CustomerFactory(name="李娜", source=Customer.Source.SALES)
    english.force_login(staff_user)

    response = english.get(URL, {"source": "import", "ordering": "name"})

    assert response.status_code == 200
    assert quote(f"客户清单-{timezone.localdate():%Y-%m-%d}.xlsx") in response["Content-Disposition"]
    header, *rows = sheet_rows(response)
    assert header[:4] == ("#", "Name", "Mobile", "Second phone") and header[-1] == "Created"
    assert [row[1] for row in rows] == ["'" + HOSTILE, "张伟"]  # the other source is filtered out
    hostile = rows[0]
    assert isinstance(hostile[0], int) and hostile[5] == dt.datetime(1980, 5, 4)
    assert hostile[6:9] == ("Individual", "Import", "Yes")
    created = Customer.objects.get(name=HOSTILE).created_at
    # The creation time in the dealership's local time (Excel keeps no zone, nor microseconds).
    assert abs(hostile[-1] - timezone.localtime(created).replace(tzinfo=None)) < dt.timedelta(seconds=1)


def test_the_search_is_applied_as_on_the_page(client, staff_user):
    CustomerFactory(name="张伟", mobile="13912345678")
    CustomerFactory(name="李娜", mobile="13987654321")
    client.force_login(staff_user)

    header, *rows = sheet_rows(client.get(URL, {"q": "5678"}))

    assert [row[2] for row in rows] == ["13912345678"]


def test_each_export_is_recorded_with_who_when_the_filter_and_the_row_count(client, staff_user):
    CustomerFactory.create_batch(3, source=Customer.Source.IMPORT)
    CustomerFactory(source=Customer.Source.SALES)
    client.force_login(staff_user)
    before = timezone.now()

    client.get(URL, {"source": "import", "q": "", "page": "2"})

    record = ExportRecord.objects.get()
    assert (record.kind, record.exported_by, record.row_count) == ("customer_list", staff_user, 3)
    assert record.query_string == "source=import&q="  # the page number is not part of the filter
    assert record.filters == {"source": "import"}
    assert record.file_name == f"客户清单-{timezone.localdate():%Y-%m-%d}.xlsx"
    assert before <= record.exported_at <= timezone.now()


def test_a_large_list_is_exported_whole_in_as_many_queries_as_a_short_one(client, staff_user):
    def export() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = sheet_rows(client.get(URL))
        return len(rows) - 1, len(queries)

    client.force_login(staff_user)
    CustomerFactory.create_batch(3)
    short, short_queries = export()
    Customer.objects.bulk_create(
        [Customer(name=f"客户{n}", name_key=f"客户{n}", mobile=f"139{n:08d}") for n in range(4500)]
    )
    large, large_queries = export()

    assert (short, large) == (3, 4503)
    assert large_queries == short_queries <= 14  # session, permissions, one read of the rows, the record
    assert list(ExportRecord.objects.order_by("id").values_list("row_count", flat=True)) == [3, 4503]


def test_every_role_that_sees_the_list_may_export_it_and_nobody_else(client, cast):
    CustomerFactory()
    for name in ("staff", "agent", "manager", "admin"):
        client.force_login(cast[name])
        assert client.get(URL).status_code == 200, name
    client.force_login(cast["norole"])
    assert client.get(URL).status_code == 403
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert ExportRecord.objects.count() == 4


def test_a_bad_filter_is_refused_with_a_message_and_nothing_is_recorded(english, staff_user):
    english.force_login(staff_user)

    response = english.get(URL, {"created_after": "yesterday"})

    assert response.status_code == 400
    assert "Created from: Enter a valid date." in response.content.decode()
    assert not ExportRecord.objects.exists()


def test_the_list_page_offers_the_export_with_its_filter_and_search_but_not_its_page(client, staff_user):
    CustomerFactory()
    client.force_login(staff_user)

    html = client.get("/customers/", {"source": "import", "q": "张", "page": "1"}).content.decode()

    assert f'href="{URL}?source=import&amp;q=%E5%BC%A0" data-testid="export-link"' in html
    html = client.get("/customers/", {"created_after": "yesterday"}).content.decode()
    assert 'data-testid="export-link"' not in html  # a filter the page refuses is not exported


def test_export_records_are_read_only_in_the_admin_and_visible_to_administrators_alone(client, admin_user, staff_user):
    client.force_login(staff_user)
    client.get(URL)
    record = ExportRecord.objects.get()
    assert list(ExportRecord.objects.visible_to(admin_user)) == [record]
    assert not ExportRecord.objects.visible_to(staff_user).exists()

    client.force_login(admin_user)
    listing = client.get("/admin/dealership_cs/exportrecord/")
    assert listing.status_code == 200 and "zhang.staff" in listing.content.decode()
    assert client.get("/admin/dealership_cs/exportrecord/add/").status_code == 403
    page = client.get(f"/admin/dealership_cs/exportrecord/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(f"/admin/dealership_cs/exportrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ExportRecord.objects.filter(pk=record.pk).exists()
