"""An older OMD export imported again must not silently revert a newer one.

The review's case: import August's export, then the manufacturer's corrected export (ten invoices
changed), then August's first export again. Its rows that equal a version the corrected export
replaced are reverts: held back (left as stored) and counted, listed with the import that made the
newer change, and written only when the administrator confirms with "revert anyway".
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from customers import tasks
from customers.models import OmdImport, OmdInvoice
from customers.omd.selectors import omd_reverted_rows
from customers.omd.service import (
    omd_import_apply,
    omd_import_confirm,
    omd_import_create,
    omd_import_run,
    omd_import_validate,
)
from customers.tests import omd_files as files
from customers.tests.omd_files import invoice, number, red_letter

pytestmark = pytest.mark.django_db
Status = OmdImport.Status
History = OmdInvoice.history.model

AUGUST = date(2011, 8, 20)
CORRECTED = range(1, 11)  # the invoices the corrected export changes


def august_export() -> bytes:
    return files.omd_xlsx([invoice(n, invoice_date=AUGUST) for n in range(1, 13)])[0]


def corrected_export() -> bytes:
    rows = [
        invoice(n, invoice_date=AUGUST, customer_name=f"更正{n}", amount=187800.0) if n in CORRECTED else invoice(n)
        for n in range(1, 13)
    ]
    for row in rows:
        row["invoice_date"] = AUGUST
    return files.omd_xlsx(rows)[0]


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def preview(data: bytes, name: str, by=None) -> OmdImport:
    omd_import = omd_import_create(source=io.BytesIO(data), file_name=name, by=by)
    return omd_import_validate(import_id=omd_import.pk)


def run(data: bytes, name: str, by=None) -> OmdImport:
    return omd_import_run(source=io.BytesIO(data), file_name=name, by=by)


def corrected_values() -> list[tuple]:
    return list(OmdInvoice.objects.order_by("invoice_number").values_list("invoice_number", "customer_name", "amount"))


@pytest.fixture
def corrected(admin_user) -> OmdImport:
    """August's export, then the corrected one: the corrected values are stored."""
    run(august_export(), "omd_2011_08.xlsx", by=admin_user)
    newer = run(corrected_export(), "omd_2011_08_更正.xlsx", by=admin_user)
    assert (newer.updated, newer.reverted) == (10, 0)
    return newer


def test_an_older_export_imported_again_holds_its_reverts_back(admin_user, corrected):
    before, history = corrected_values(), History.objects.count()

    again = preview(august_export(), "omd_2011_08.xlsx", by=admin_user)

    assert (again.status, again.updated, again.reverted, again.unchanged, again.created) == (
        Status.PREVIEWED,
        0,
        10,
        2,
        0,
    )
    held = omd_reverted_rows(again)
    assert [row.invoice_number for row in held] == [number(n) for n in CORRECTED]
    assert {row.newer_import_id for row in held} == {corrected.pk}
    assert ("客户1", "更正1") in {(file, stored) for _label, file, stored in held[0].differences}

    omd_import_confirm(omd_import=again, by=admin_user, enqueue=False)
    done = omd_import_apply(import_id=again.pk)

    assert (done.status, done.updated, done.reverted, done.unchanged) == (Status.DONE, 0, 10, 2)
    assert corrected_values() == before and History.objects.count() == history
    assert set(
        OmdInvoice.objects.filter(invoice_number__in=[number(n) for n in CORRECTED]).values_list("batch", flat=True)
    ) == {corrected.pk}


def test_revert_anyway_writes_them_as_updates(admin_user, corrected):
    again = preview(august_export(), "omd_2011_08.xlsx", by=admin_user)

    omd_import_confirm(omd_import=again, by=admin_user, allow_revert=True, enqueue=False)
    done = omd_import_apply(import_id=again.pk)

    assert (done.status, done.updated, done.reverted, done.allow_revert) == (Status.DONE, 10, 0, True)
    reverted = OmdInvoice.objects.get(invoice_number=number(1))
    assert (reverted.customer_name, reverted.amount, reverted.batch) == ("客户1", Decimal("189800.00"), done)
    assert reverted.history.count() == 3  # created, corrected, reverted: nothing lost


def test_a_newer_change_is_not_a_revert(admin_user):
    run(august_export(), "omd_2011_08.xlsx", by=admin_user)

    newer = preview(corrected_export(), "omd_2011_08_更正.xlsx", by=admin_user)

    assert (newer.updated, newer.reverted) == (10, 0) and omd_reverted_rows(newer) == []


def test_a_held_back_revert_takes_no_part_in_red_letter_pairing(admin_user, corrected):
    # The old export's row 1 says 189,800 (the corrected one says 187,800); a red-letter invoice of
    # -189,800 for the same car pairs with what is stored, which is not 189,800.
    rows = [invoice(n, invoice_date=AUGUST) for n in range(1, 13)]
    rows.append(red_letter(13, voids=1, invoice_date=AUGUST))

    done = run(files.omd_xlsx(rows)[0], "omd_2011_08_红字.xlsx", by=admin_user)

    assert (done.reverted, done.voided, done.created) == (10, 0, 1)
    assert not OmdInvoice.objects.get(invoice_number=number(1)).voided


def test_the_command_holds_reverts_back_and_says_so_on_its_last_line(tmp_path, admin_user, corrected):
    path = tmp_path / "omd_2011_08.xlsx"
    path.write_bytes(august_export())

    out = StringIO()
    with translation.override("en"):  # the messages' English text
        call_command("import_omd", str(path), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[-1] == "created=0 updated=0 unchanged=2 rejected=0 voided=0 reverted=10"
    assert sum(f"import #{corrected.pk}" in line for line in lines) == 10

    out = StringIO()
    call_command("import_omd", str(path), "--allow-revert", stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "created=0 updated=10 unchanged=2 rejected=0 voided=0 reverted=0"
    assert OmdInvoice.objects.get(invoice_number=number(1)).customer_name == "客户1"


@pytest.fixture
def run_tasks_eagerly(monkeypatch):
    monkeypatch.setattr(tasks.omd_validate, "delay", lambda import_id: tasks.omd_validate(import_id))
    monkeypatch.setattr(tasks.omd_apply, "delay", lambda import_id: tasks.omd_apply(import_id))
    monkeypatch.setattr(tasks, "schedule_accuracy_reconcile", lambda: None)


def test_the_page_lists_the_held_back_rows_with_the_newer_import_and_offers_revert_anyway(
    client, admin_user, corrected, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/customers/omd/", {"file": SimpleUploadedFile("omd_2011_08.xlsx", august_export())})
    again = OmdImport.objects.latest("pk")

    html = client.get(again.get_absolute_url()).content.decode()

    assert 'data-testid="reverted-rows"' in html and 'data-testid="allow-revert"' in html
    assert html.count(f'data-newer-import="{corrected.pk}"') == 10
    assert 'data-count="reverted">10<' in html and html.count('data-action="revert"') == 10
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/customers/omd/{again.pk}/confirm/", {"allow_revert": "on"})
    again.refresh_from_db()
    assert (again.status, again.allow_revert, again.updated, again.reverted) == (Status.DONE, True, 10, 0)


def test_the_api_reports_reverts_and_confirms_with_allow_revert(
    admin_user, corrected, run_tasks_eagerly, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        pk = api.post("/api/omd-imports/", {"file": SimpleUploadedFile("omd_2011_08.xlsx", august_export())}).json()[
            "id"
        ]
    body = api.get(f"/api/omd-imports/{pk}/").json()
    assert (body["updated"], body["reverted"]) == (0, 10)
    assert body["reverted_rows"][0] == {"row": 5, "invoice_number": number(1), "newer_import": corrected.pk}

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/omd-imports/{pk}/confirm/", {"allow_revert": True}, format="json")
    assert response.status_code == 202
    body = api.get(f"/api/omd-imports/{pk}/").json()
    assert (body["status"], body["allow_revert"], body["updated"], body["reverted"]) == ("done", True, 10, 0)
