"""One action per user action: assign, note, resolve and reopen are one service, ``discrepancy_work``,
that the desk's pages and the API both call; atomic, on the locked row, guarded by its state."""

from __future__ import annotations

from datetime import date
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from customers.models import Discrepancy
from customers.reconciliation import desk
from customers.reconciliation.desk import discrepancy_work
from customers.tests.factories import SalesArchiveFactory, StaffFactory

S = Discrepancy.Status


@pytest.fixture
def liu(db):
    return StaffFactory(name="刘洋")


@pytest.fixture
def missing(liu) -> Discrepancy:
    """An archive OMD lacks, as the nightly run writes it (no history yet)."""
    archive = SalesArchiveFactory(consultant=liu)
    moment = timezone.now()
    Discrepancy.objects.bulk_create(
        [
            Discrepancy(
                type=Discrepancy.Type.MISSING_IN_OMD,
                month=date(2011, 3, 1),
                archive=archive,
                consultant=liu,
                first_seen_at=moment,
                last_seen_at=moment,
            )
        ]
    )
    return Discrepancy.objects.get()


@pytest.fixture
def api(staff_user):
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=staff_user.pk))
    return client


def test_assigning_noting_and_resolving_at_once_is_one_history_entry(staff_user, liu, missing):
    work = discrepancy_work(discrepancy=missing, by=staff_user, assignee=liu, note="  OMD 补录中 ", resolve=True)
    assert (work.assignee, work.note, work.status, work.resolved_by) == (liu, "OMD 补录中", S.RESOLVED, staff_user)
    found, action = missing.history.order_by("history_date", "history_id")
    assert found.history_user is None and found.status == S.OPEN and found.assignee_id is None
    assert action.history_user == staff_user
    assert (action.assignee_id, action.note, action.status) == (liu.pk, "OMD 补录中", S.RESOLVED)


def test_a_refused_part_leaves_the_other_parts_undone(staff_user, liu, missing):
    Discrepancy.objects.filter(pk=missing.pk).update(status=S.CLOSED, closed_at=timezone.now())
    with pytest.raises(ValidationError):
        discrepancy_work(discrepancy=missing, by=staff_user, assignee=liu, note="待核对", resolve=True)
    missing.refresh_from_db()
    assert (missing.assignee, missing.note, missing.status) == (None, "", S.CLOSED)
    assert missing.history.count() == 0


def test_resolving_and_reopening_at_once_is_refused(staff_user, missing):
    with pytest.raises(ValidationError):
        discrepancy_work(discrepancy=missing, by=staff_user, resolve=True, reopen=True)
    missing.refresh_from_db()
    assert missing.status == S.OPEN and missing.history.count() == 0


def test_each_state_change_is_guarded_by_the_state_it_expects(staff_user, missing):
    with pytest.raises(ValidationError) as refused:
        discrepancy_work(discrepancy=missing, by=staff_user, reopen=True)
    assert refused.value.code == "not_resolved"
    discrepancy_work(discrepancy=missing, by=staff_user, resolve=True)
    with pytest.raises(ValidationError) as refused:
        discrepancy_work(discrepancy=missing, by=staff_user, resolve=True)
    assert refused.value.code == "resolved"
    reopened = discrepancy_work(discrepancy=missing, by=staff_user, reopen=True)
    assert (reopened.status, reopened.resolved_by, reopened.resolved_at) == (S.OPEN, None, None)


def test_nothing_new_writes_nothing(staff_user, missing):
    discrepancy_work(discrepancy=missing, by=staff_user, assignee=None, note="")
    assert missing.history.count() == 0


def test_a_patch_of_assignee_note_and_status_is_one_action(api, staff_user, liu, missing):
    with mock.patch("customers.api.discrepancies.discrepancy_work", wraps=discrepancy_work) as work:
        response = api.patch(
            f"/api/discrepancies/{missing.pk}/",
            {"assignee": liu.pk, "note": "OMD 补录中", "status": "resolved"},
            format="json",
        )
    assert response.status_code == 200, response.json()
    assert work.call_count == 1
    assert work.call_args.kwargs | {"discrepancy": None} == {
        "discrepancy": None,
        "by": staff_user,
        "assignee": liu,
        "note": "OMD 补录中",
        "resolve": True,
        "reopen": False,
    }
    assert missing.history.count() == 2  # as found, then this one action


def test_the_api_refuses_resolving_what_is_already_resolved(api, missing):
    assert api.patch(f"/api/discrepancies/{missing.pk}/", {"status": "resolved"}, format="json").status_code == 200
    again = api.patch(f"/api/discrepancies/{missing.pk}/", {"status": "resolved", "note": "x"}, format="json")
    assert again.status_code == 400 and again.json()["detail"]
    missing.refresh_from_db()
    assert missing.note == ""


@pytest.mark.parametrize(
    ("action", "posted", "expected"),
    [
        ("assign", {"assignee": "liu"}, {"assignee": "liu"}),
        ("note", {"note": " 待核对 "}, {"note": "待核对", "resolve": False}),
        ("resolve", {"note": "已更正"}, {"note": "已更正", "resolve": True}),
        ("resolve", {}, {"note": None, "resolve": True}),
    ],
)
def test_each_page_action_is_one_call_of_the_same_service(client, staff_user, liu, missing, action, posted, expected):
    client.force_login(staff_user)
    data = {key: (liu.pk if value == "liu" else value) for key, value in posted.items()}
    with mock.patch("customers.views.discrepancies.discrepancy_work", wraps=discrepancy_work) as work:
        response = client.post(f"/customers/discrepancies/{missing.pk}/{action}/", data)
    assert response.status_code == 302
    assert work.call_count == 1
    called = work.call_args.kwargs
    assert called["by"] == staff_user and called["discrepancy"].pk == missing.pk
    assert {key: called[key] for key in expected} == {
        key: (liu if value == "liu" else value) for key, value in expected.items()
    }


def test_the_lists_resolve_button_keeps_the_stored_note(client, staff_user, missing):
    discrepancy_work(discrepancy=missing, by=staff_user, note="销售部未交档案")
    client.force_login(staff_user)
    client.post(f"/customers/discrepancies/{missing.pk}/resolve/", {"next": "/customers/discrepancies/"})
    missing.refresh_from_db()
    assert missing.status == S.RESOLVED and missing.note == "销售部未交档案"


def test_the_page_reopens_through_the_same_service(client, staff_user, missing):
    discrepancy_work(discrepancy=missing, by=staff_user, resolve=True)
    client.force_login(staff_user)
    with mock.patch("customers.views.discrepancies.discrepancy_work", wraps=discrepancy_work) as work:
        client.post(f"/customers/discrepancies/{missing.pk}/reopen/")
    assert work.call_args.kwargs["reopen"] is True
    missing.refresh_from_db()
    assert missing.status == S.OPEN


def test_the_work_locks_the_row_it_changes(requires_postgres, staff_user, missing):
    with CaptureQueriesContext(connection) as queries:
        discrepancy_work(discrepancy=missing, by=staff_user, note="x")
    locking = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locking and '"customers_discrepancy"' in locking[0]


def test_the_four_single_step_services_are_the_one_action(staff_user, liu, missing):
    with mock.patch.object(desk, "discrepancy_work", wraps=discrepancy_work) as work:
        desk.discrepancy_assign(discrepancy=missing, assignee=liu, by=staff_user)
        desk.discrepancy_note(discrepancy=missing, note="x", by=staff_user)
        desk.discrepancy_resolve(discrepancy=missing, by=staff_user)
        desk.discrepancy_reopen(discrepancy=missing, by=staff_user)
    assert work.call_count == 4
