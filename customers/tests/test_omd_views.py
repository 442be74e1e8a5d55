"""OMD import pages, API, command and tasks: admins only, progress, confirm, cancel, error workbook, exit codes."""

from __future__ import annotations

import io
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from openpyxl import load_workbook
from rest_framework.test import APIClient

from customers import tasks
from customers.models import OmdImport, OmdInvoice
from customers.validators import vin_with_check_digit
from dealership_cs.tests.spreadsheet_factory import make_csv, make_xlsx

HEADER = ["发票号码", "开票日期", "客户名称", "联系电话", "车架号", "车型", "价税合计", "销售顾问"]
VINS = [vin_with_check_digit(f"LSVAU2180N21{n:05}") for n in range(1, 6)]


def export(rows: list[list[object]]) -> bytes:
    return make_xlsx(
        [
            ["一汽-大众 OMD 零售发票导出", None, None],
            ["导出时间：2011-09-01 08:00"],
            HEADER,
            *rows,
            ["合计", None, None, None, None, None, 999],
        ]
    )


GOOD = [
    [12345678, 40779, "张　伟", 13812345678.0, VINS[0].lower(), "朗逸", "¥129,800.00", "刘洋"],
    ["00123457", "2011/8/25", "李娜", "139-0534-1234", VINS[1], "帕萨特", 189800, "陈静"],
]
BAD = ["00123458", "2011-02-30", "王芳", "12345", VINS[2], "途观", "abc", "杨帆"]


@pytest.fixture
def run_tasks_eagerly(monkeypatch):
    """Tasks enqueued after commit run at once (the worker path itself is tested in dealership_cs)."""
    monkeypatch.setattr(tasks.omd_validate, "delay", lambda import_id: tasks.omd_validate(import_id))
    monkeypatch.setattr(tasks.omd_apply, "delay", lambda import_id: tasks.omd_apply(import_id))
    # The reconciliation a finished import triggers is tested in reports; keep it off the broker here.
    monkeypatch.setattr(tasks, "schedule_accuracy_reconcile", lambda: None)


def upload(client, data: bytes, name: str = "OMD导出.xlsx", **extra):
    return client.post("/customers/omd/", {"file": SimpleUploadedFile(name, data), **extra})


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "norole"])
def test_only_admins_reach_the_import_pages_and_api(client, cast, who):
    client.force_login(cast[who])
    assert client.get("/customers/omd/").status_code == 403
    assert upload(client, export(GOOD)).status_code == 403
    api = APIClient()
    api.force_authenticate(cast[who])
    assert api.get("/api/omd-imports/").status_code == 403
    assert api.post("/api/omd-imports/", {"file": SimpleUploadedFile("x.xlsx", export(GOOD))}).status_code == 403
    assert OmdImport.objects.count() == 0


def test_upload_enqueues_validation_after_commit(client, admin_user, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.omd_validate, "delay", lambda import_id: sent.append(import_id))
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = upload(client, export(GOOD))
    omd_import = OmdImport.objects.get()
    assert response.status_code == 302 and response["Location"] == omd_import.get_absolute_url()
    assert sent == [] and len(callbacks) == 1  # nothing is sent before the upload is committed
    callbacks[0]()
    assert sent == [omd_import.pk]


def test_preview_then_confirm_then_done(client, admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, export([*GOOD, BAD]))
    omd_import = OmdImport.objects.get()
    assert omd_import.status == OmdImport.Status.PREVIEWED
    assert (omd_import.created, omd_import.rejected) == (2, 1)
    assert OmdInvoice.objects.count() == 0  # the preview writes no invoice
    html = client.get(omd_import.get_absolute_url()).content.decode()
    assert 'data-testid="preview"' in html and 'data-testid="row-errors"' in html and 'data-testid="confirm"' in html
    assert "12345678" in html and "13812345678" in html  # rows as mapped
    assert html.count('data-action="create"') == 2 and html.count('data-action="rejected"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/customers/omd/{omd_import.pk}/confirm/")
    assert response.status_code == 302
    omd_import.refresh_from_db()
    assert omd_import.status == OmdImport.Status.DONE and omd_import.created == 2 and omd_import.progress == 100
    assert OmdInvoice.objects.count() == 2


def test_progress_panel_polls_while_running_and_stops_when_finished(client, admin_user, monkeypatch):
    monkeypatch.setattr(tasks.omd_validate, "delay", lambda import_id: None)
    client.force_login(admin_user)
    upload(client, export(GOOD))
    omd_import = OmdImport.objects.get()
    html = client.get(f"/customers/omd/{omd_import.pk}/progress/").content.decode()
    assert "hx-trigger" in html and 'data-status="queued"' in html
    OmdImport.objects.filter(pk=omd_import.pk).update(
        status=OmdImport.Status.VALIDATING, progress=40, heartbeat_at=timezone.now()
    )
    html = client.get(f"/customers/omd/{omd_import.pk}/progress/").content.decode()
    assert "width: 40%" in html
    OmdImport.objects.filter(pk=omd_import.pk).update(status=OmdImport.Status.PREVIEWED, progress=100)
    response = client.get(f"/customers/omd/{omd_import.pk}/progress/", HTTP_HX_REQUEST="true")
    assert response["HX-Refresh"] == "true" and "hx-trigger" not in response.content.decode()


def test_cancel_a_previewed_import(client, admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, export(GOOD))
    omd_import = OmdImport.objects.get()
    client.post(f"/customers/omd/{omd_import.pk}/cancel/")
    omd_import.refresh_from_db()
    assert omd_import.status == OmdImport.Status.CANCELLED
    client.post(f"/customers/omd/{omd_import.pk}/confirm/")
    omd_import.refresh_from_db()
    assert omd_import.status == OmdImport.Status.CANCELLED and OmdInvoice.objects.count() == 0


def test_a_refused_upload_says_why_and_stores_nothing(
    client, admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    response = upload(client, b"", name="empty.xlsx")
    assert response.status_code == 400 and response.context["form"].errors["file"]
    assert OmdImport.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, make_xlsx([["发票号码", "客户名称"], ["12345678", "张伟"]]), name="omd.xlsx")
    omd_import = OmdImport.objects.get()
    assert omd_import.status == OmdImport.Status.FAILED
    assert "omd.xlsx" in omd_import.message and "开票日期" in omd_import.message  # names a missing column
    html = client.get(omd_import.get_absolute_url()).content.decode()
    assert 'data-testid="message"' in html and 'data-testid="confirm"' not in html
    assert OmdInvoice.objects.count() == 0


def test_the_error_workbook_carries_the_original_row_and_the_reason(
    client, admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, export([*GOOD, BAD]))
    omd_import = OmdImport.objects.get()
    response = client.get(f"/customers/omd/{omd_import.pk}/errors.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][: len(HEADER)] == HEADER  # the file's own headers, so the rows can be re-uploaded
    assert rows[0][len(HEADER) :] == ["表格行号", "列", "值", "原因"]
    assert len(rows) == 2  # one rejected row
    rejected = rows[1]
    assert rejected[0] == "00123458" and rejected[2] == "王芳" and rejected[4] == VINS[2]
    assert rejected[len(HEADER)] == 6  # sheet row number: two title rows, the header, then the 3rd data row
    reasons = rejected[len(HEADER) + 3]
    assert "2011-02-30" in rejected[len(HEADER) + 2] and reasons.count(";") >= 2  # date, phone and amount


FORMULA = '=HYPERLINK("http://x","y")'


def test_the_error_workbook_keeps_a_formula_as_text_and_is_named_after_the_upload_in_chinese(
    client, admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    hostile = [*BAD[:6], FORMULA, FORMULA]  # a formula for an amount (the row's error) and for a consultant
    # Rejected for its date; its negative amount must come back a number, not a protected text.
    red_letter = ["00123459", "2011-13-01", "赵六", "13812345679", VINS[3], "朗逸", "-129800", "刘洋"]
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        # A CSV: the cells are the texts as typed (an .xlsx made here would hold real formulas).
        upload(client, make_csv([HEADER, GOOD[1], hostile, red_letter], encoding="gb18030"), name="八月OMD导出.csv")
    omd_import = OmdImport.objects.get()

    response = client.get(f"/customers/omd/{omd_import.pk}/errors.xlsx")

    assert response["Content-Disposition"].endswith("filename*=UTF-8''" + quote("八月OMD导出-错误行.xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    hostile_row, red_letter_row = list(sheet.iter_rows(min_row=2))
    formula_cells = [hostile_row[6], hostile_row[7], hostile_row[len(HEADER) + 2]]
    assert all(cell.data_type == "s" for cell in formula_cells)
    assert [cell.value for cell in formula_cells[:2]] == ["'" + FORMULA] * 2
    assert FORMULA in formula_cells[2].value and not formula_cells[2].value.startswith("=")
    assert (red_letter_row[6].data_type, red_letter_row[6].value) == ("n", -129800)


def test_api_upload_progress_and_confirm(admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks):
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/omd-imports/", {"file": SimpleUploadedFile("omd.xlsx", export(GOOD))})
    assert response.status_code == 202
    pk = response.json()["id"]
    body = api.get(f"/api/omd-imports/{pk}/").json()
    assert body["status"] == "previewed" and body["progress"] == 100 and body["created"] == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/omd-imports/{pk}/confirm/").status_code == 202
    assert api.get(f"/api/omd-imports/{pk}/").json()["status"] == "done"
    invoices = api.get("/api/omd-invoices/", {"invoice_number": "12345678"}).json()
    assert invoices["count"] == 1 and invoices["results"][0]["vin"] == VINS[0]


def test_api_dry_run_cannot_be_confirmed(admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks, settings):
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        pk = api.post(
            "/api/omd-imports/", {"file": SimpleUploadedFile("omd.xlsx", export(GOOD)), "dry_run": "true"}
        ).json()["id"]
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = api.post(f"/api/omd-imports/{pk}/confirm/")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "This upload was only a check and cannot be imported; upload the file again to import it."
    }
    body = api.get(f"/api/omd-imports/{pk}/").json()
    assert (body["status"], body["dry_run"], body["confirmed_at"], body["created"]) == ("previewed", True, None, 2)
    assert OmdInvoice.objects.count() == 0


@pytest.mark.parametrize("who", ["staff", "agent", "manager"])
def test_every_role_reads_the_omd_invoices(client, cast, who, settings):
    from customers.omd.service import omd_import_run

    omd_import_run(source=io.BytesIO(export(GOOD)), file_name="omd.xlsx")
    client.force_login(cast[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/customers/omd/invoices/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "12345678" in html and "00123457" in html and VINS[0] in html and "张 伟" in html
    api = APIClient()
    api.force_authenticate(cast[who])
    body = api.get("/api/omd-invoices/").json()
    assert body["count"] == 2
    assert {(row["invoice_number"], row["vin"], row["amount"]) for row in body["results"]} == {
        ("12345678", VINS[0], "129800.00"),
        ("00123457", VINS[1], "189800.00"),
    }
    # Reading the invoices is not reaching the imports.
    assert client.get("/customers/omd/").status_code == 403


def test_the_command_prints_row_errors_and_the_counts_last(tmp_path: Path, db):
    path = tmp_path / "omd.xlsx"
    path.write_bytes(export([*GOOD, BAD]))
    out = StringIO()
    call_command("import_omd", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "created=2 updated=0 unchanged=0 rejected=1 voided=0 reverted=0"
    assert any(line.startswith("row 6") or "6" in line.split(",")[0] for line in lines[:-1])
    out = StringIO()
    call_command("import_omd", str(path), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "created=0 updated=0 unchanged=2 rejected=1 voided=0 reverted=0"


def test_the_command_refuses_a_file_without_a_required_column(tmp_path: Path, db):
    path = tmp_path / "omd.xlsx"
    path.write_bytes(make_xlsx([["发票号码", "客户名称"], ["12345678", "张伟"]]))
    with pytest.raises(CommandError) as excinfo:
        call_command("import_omd", str(path), stdout=StringIO())
    assert "omd.xlsx" in str(excinfo.value)
    assert OmdImport.objects.count() == 0 and OmdInvoice.objects.count() == 0


def test_the_command_dry_run_stores_no_invoices(tmp_path: Path, db):
    path = tmp_path / "omd.xlsx"
    path.write_bytes(export(GOOD))
    out = StringIO()
    call_command("import_omd", str(path), "--dry-run", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "created=2 updated=0 unchanged=0 rejected=0 voided=0 reverted=0"
    assert OmdInvoice.objects.count() == 0


def test_tasks_are_idempotent(admin_user):
    from customers.omd.service import omd_import_confirm, omd_import_create

    omd_import = omd_import_create(source=io.BytesIO(export(GOOD)), file_name="omd.xlsx", by=admin_user)
    assert tasks.omd_validate(omd_import.pk) == "previewed"
    assert tasks.omd_validate(omd_import.pk) == "previewed"  # a repeated delivery changes nothing
    omd_import_confirm(omd_import=OmdImport.objects.get(pk=omd_import.pk), by=admin_user)
    assert tasks.omd_apply(omd_import.pk) == "done"
    assert tasks.omd_apply(omd_import.pk) == "done"
    assert OmdInvoice.objects.count() == 2
    assert OmdInvoice.history.count() == 2


def test_row_errors_carry_the_row_as_an_integer_in_the_api_and_its_schema(
    admin_user, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        pk = api.post("/api/omd-imports/", {"file": SimpleUploadedFile("omd.xlsx", export([*GOOD, BAD]))}).json()["id"]

    errors = api.get(f"/api/omd-imports/{pk}/").json()["row_errors"]
    assert {error["row"] for error in errors} == {6} and all(type(error["row"]) is int for error in errors)
    schema = SchemaGenerator(patterns=_omd_import_routes()).get_schema(request=None, public=True)
    schema = schema["components"]["schemas"]
    items = schema["OmdImport"]["properties"]["row_errors"]["items"]
    row_error = schema[items["$ref"].rsplit("/", 1)[-1]]
    assert row_error["properties"]["row"]["type"] == "integer"
    assert {name: row_error["properties"][name]["type"] for name in ("column", "value", "reason")} == dict.fromkeys(
        ("column", "value", "reason"), "string"
    )


def _omd_import_routes():
    # The import endpoints alone, as /api/schema/ describes them (the whole schema is tested in dealership_cs).
    from rest_framework.routers import SimpleRouter

    from customers.api.omd import OmdImportViewSet

    router = SimpleRouter()
    router.register("api/omd-imports", OmdImportViewSet, basename="omdimport")
    return router.urls


def test_who_may_see_and_run_the_imports_is_the_role_tables_to_say(client, manager_user, monkeypatch):
    from customers.omd.service import omd_import_create
    from dealership_cs.permissions import ROLE_PERMISSIONS, VIEW, Role, sync_role_permissions

    omd_import = omd_import_create(source=io.BytesIO(export(GOOD)), file_name="omd.xlsx")
    client.force_login(manager_user)
    api = APIClient()
    api.force_authenticate(manager_user)
    assert client.get(omd_import.get_absolute_url()).status_code == 403
    assert not OmdImport.objects.visible_to(manager_user).exists()

    # One line of the table lets managers read the imports: pages, API and visible_to follow it.
    monkeypatch.setitem(ROLE_PERMISSIONS[Role.MANAGER], "customers.omdimport", VIEW)
    sync_role_permissions()
    manager = type(manager_user).objects.get(pk=manager_user.pk)  # permissions are cached per user object
    api.force_authenticate(manager)

    assert client.get("/customers/omd/").status_code == 200
    assert 'data-testid="progress"' in client.get(omd_import.get_absolute_url()).content.decode()
    assert [row["id"] for row in api.get("/api/omd-imports/").json()["results"]] == [omd_import.pk]
    assert list(OmdImport.objects.visible_to(manager)) == [omd_import]
    # Reading is not changing: the table gives no add or change.
    assert upload(client, export(GOOD)).status_code == 403
    assert client.post(f"/customers/omd/{omd_import.pk}/cancel/").status_code == 403
    assert api.post(f"/api/omd-imports/{omd_import.pk}/cancel/").status_code == 403
    assert OmdImport.objects.get(pk=omd_import.pk).status == OmdImport.Status.QUEUED


def test_a_stuck_import_says_so_and_an_administrator_cancels_it_on_the_page_and_the_api(
    client, admin_user, settings, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    settings.OMD_IMPORT_STALE_SECONDS = 120
    client.force_login(admin_user)
    api = APIClient()
    api.force_authenticate(admin_user)
    stuck = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            upload(client, export(GOOD))
        omd_import = OmdImport.objects.latest("pk")
        # What a worker killed while importing leaves: the import claimed, its heartbeat stopped.
        OmdImport.objects.filter(pk=omd_import.pk).update(
            status=OmdImport.Status.IMPORTING,
            confirmed_at=timezone.now(),
            heartbeat_at=timezone.now() - timedelta(minutes=10),
        )
        stuck.append(omd_import.pk)

    html = client.get(f"/customers/omd/{stuck[0]}/").content.decode()
    assert 'data-testid="stuck"' in html and 'data-testid="cancel"' in html
    assert api.get(f"/api/omd-imports/{stuck[0]}/").json()["stuck"] is True

    client.post(f"/customers/omd/{stuck[0]}/cancel/")
    response = api.post(f"/api/omd-imports/{stuck[1]}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert set(OmdImport.objects.filter(pk__in=stuck).values_list("status", flat=True)) == {"cancelled"}
    assert OmdInvoice.objects.count() == 0


def test_an_import_whose_worker_is_alive_cannot_be_cancelled(client, admin_user, settings):
    from customers.omd.service import omd_import_create

    settings.OMD_IMPORT_STALE_SECONDS = 120
    omd_import = omd_import_create(source=io.BytesIO(export(GOOD)), file_name="omd.xlsx")
    OmdImport.objects.filter(pk=omd_import.pk).update(status=OmdImport.Status.VALIDATING, heartbeat_at=timezone.now())
    client.force_login(admin_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    html = client.get(omd_import.get_absolute_url()).content.decode()
    response = client.post(f"/customers/omd/{omd_import.pk}/cancel/", follow=True)

    assert 'data-testid="stuck"' not in html and 'data-testid="cancel"' not in html
    assert "Only an import that waits" in response.content.decode()
    assert OmdImport.objects.get(pk=omd_import.pk).status == OmdImport.Status.VALIDATING
