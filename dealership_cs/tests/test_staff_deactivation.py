"""Staff who have records are deactivated, not deleted: 409 with the reason, page actions, choice lists."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from customers.forms import ArchiveEditForm, ArchiveEntryForm, VisitForm
from customers.models import Discrepancy, SalesArchive
from customers.reconciliation.desk import discrepancy_assign
from customers.tests.factories import SalesArchiveFactory, ServiceVisitFactory, StaffFactory
from customers.views.discrepancies import AssignForm
from dealership_cs import services
from dealership_cs.models import Staff
from dealership_cs.selectors import staff_records


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def liu(db):
    """A sales consultant who handed in an archive, then left."""
    return StaffFactory(name="刘洋")


@pytest.fixture
def liu_archive(liu):
    return SalesArchiveFactory(consultant=liu)


def choices(field) -> set[int]:
    return {pk for pk in field.queryset.values_list("pk", flat=True)}


# --- Deleting ------------------------------------------------------------------------------------


def test_deleting_someone_records_name_answers_409_with_the_records_and_deletes_nothing(api, admin_user, liu_archive):
    liu = liu_archive.consultant
    api.force_authenticate(admin_user)
    response = api.delete(f"/api/staff/{liu.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "staff_has_records" and "刘洋" in body["detail"]
    archives = next(record for record in body["records"] if record["model"] == "customers.salesarchive")
    assert archives["count"] == 1
    assert Staff.objects.filter(pk=liu.pk).exists()
    assert SalesArchive.objects.get(pk=liu_archive.pk).consultant_id == liu.pk


def test_the_records_found_are_every_kind_that_names_the_person(liu_archive):
    liu = liu_archive.consultant
    ServiceVisitFactory(advisor=liu)
    moment = liu_archive.submitted_at
    Discrepancy.objects.create(
        type=Discrepancy.Type.MISSING_IN_OMD,
        month=date(2011, 3, 1),
        archive=liu_archive,
        consultant=liu,
        assignee=liu,
        first_seen_at=moment,
        last_seen_at=moment,
    )
    counts = {record.model: record.count for record in staff_records(liu)}
    # One discrepancy naming them twice is one record; their history counts as one kind.
    assert counts == {
        "customers.discrepancy": 1,
        "customers.salesarchive": 1,
        "customers.servicevisit": 1,
        "history": 3,
    }
    assert staff_records(StaffFactory(name="王芳")) == []


def test_someone_only_history_names_cannot_be_deleted_either(liu_archive):
    liu = liu_archive.consultant
    liu_archive._history_user = None
    liu_archive.consultant = StaffFactory(name="陈静")
    liu_archive.save()
    # No archive names 刘洋 any more, but the archive's history does: deleting would leave it naming nobody.
    assert not SalesArchive.objects.filter(consultant=liu).exists()
    assert [record.model for record in staff_records(liu)] == ["history"]
    with pytest.raises(services.StaffHasRecords):
        services.staff_delete(staff=liu)
    assert Staff.objects.filter(pk=liu.pk).exists()


def test_someone_no_record_names_is_deleted(api, admin_user, liu):
    api.force_authenticate(admin_user)
    assert api.delete(f"/api/staff/{liu.pk}/").status_code == 204
    assert not Staff.objects.filter(pk=liu.pk).exists()


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "norole"])
def test_only_admins_delete_deactivate_or_reactivate_through_the_api(api, cast, who, liu):
    api.force_authenticate(cast[who])
    assert api.delete(f"/api/staff/{liu.pk}/").status_code == 403
    assert api.post(f"/api/staff/{liu.pk}/deactivate/").status_code == 403
    liu.refresh_from_db()
    assert liu.active


def test_deactivating_and_reactivating_through_the_api_keeps_the_history(api, admin_user, liu_archive):
    liu = liu_archive.consultant
    api.force_authenticate(admin_user)
    response = api.post(f"/api/staff/{liu.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["active"] is False
    again = api.post(f"/api/staff/{liu.pk}/deactivate/")
    assert again.status_code == 400 and "刘洋" in again.json()["detail"]
    response = api.post(f"/api/staff/{liu.pk}/reactivate/")
    assert response.status_code == 200 and response.json()["active"] is True
    history = list(liu.history.order_by("history_date", "history_id"))
    assert [record.active for record in history] == [True, False, True]
    assert [record.history_user_id for record in history[1:]] == [admin_user.pk, admin_user.pk]
    # The archive still names them, and shows them.
    assert api.get(f"/api/archives/{liu_archive.pk}/").json()["consultant"] == {"id": liu.pk, "name": "刘洋"}


# --- The pages -----------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_page_deactivates_and_reactivates(english, admin_user, liu):
    english.force_login(admin_user)
    page = english.get(f"/staff/{liu.pk}/").content.decode()
    assert 'data-testid="deactivate"' in page and 'data-testid="reactivate"' not in page
    response = english.post(f"/staff/{liu.pk}/deactivate/", follow=True)
    liu.refresh_from_db()
    assert not liu.active
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    page = response.content.decode()
    assert 'data-testid="reactivate"' in page and "Inactive" in page
    english.post(f"/staff/{liu.pk}/reactivate/")
    liu.refresh_from_db()
    assert liu.active


def test_the_delete_page_lists_the_records_and_offers_deactivation_instead(english, admin_user, liu_archive):
    liu = liu_archive.consultant
    english.force_login(admin_user)
    page = english.get(f"/staff/{liu.pk}/delete/").content.decode()
    assert 'data-model="customers.salesarchive" data-count="1"' in page
    assert 'data-testid="deactivate"' in page and 'data-testid="confirm-delete"' not in page
    response = english.post(f"/staff/{liu.pk}/delete/")
    assert response.status_code == 409 and "cannot be deleted" in response.content.decode()
    assert Staff.objects.filter(pk=liu.pk).exists()


def test_the_delete_page_deletes_someone_no_record_names(english, admin_user, liu):
    english.force_login(admin_user)
    assert 'data-testid="confirm-delete"' in english.get(f"/staff/{liu.pk}/delete/").content.decode()
    response = english.post(f"/staff/{liu.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert not Staff.objects.filter(pk=liu.pk).exists()


@pytest.mark.parametrize("who", ["staff", "agent", "manager"])
def test_other_roles_get_no_staff_actions(client, cast, who, liu):
    client.force_login(cast[who])
    page = client.get(f"/staff/{liu.pk}/").content.decode()
    assert 'data-testid="deactivate"' not in page and 'data-testid="delete"' not in page
    assert client.post(f"/staff/{liu.pk}/deactivate/").status_code == 403
    assert client.get(f"/staff/{liu.pk}/delete/").status_code == 403
    assert client.post(f"/staff/{liu.pk}/delete/").status_code == 403
    liu.refresh_from_db()
    assert liu.active


# --- Choice lists --------------------------------------------------------------------------------


def test_a_deactivated_person_leaves_every_choice_list(admin_user, liu):
    advisor = StaffFactory(name="周强", position=Staff.Position.SERVICE_ADVISOR)
    chen = StaffFactory(name="陈静")
    services.staff_deactivate(staff=liu, by=admin_user)
    services.staff_deactivate(staff=advisor, by=admin_user)
    assert choices(ArchiveEntryForm().fields["consultant"]) == {chen.pk}
    assert choices(ArchiveEditForm().fields["consultant"]) == {chen.pk}
    assert choices(VisitForm().fields["advisor"]) == set()
    assert liu.pk not in choices(AssignForm().fields["assignee"])


def test_a_record_being_edited_keeps_showing_its_inactive_person(admin_user, liu_archive):
    liu = liu_archive.consultant
    advisor = StaffFactory(name="周强", position=Staff.Position.SERVICE_ADVISOR)
    visit = ServiceVisitFactory(advisor=advisor)
    services.staff_deactivate(staff=liu, by=admin_user)
    services.staff_deactivate(staff=advisor, by=admin_user)
    assert liu.pk in choices(ArchiveEditForm(instance=liu_archive).fields["consultant"])
    assert advisor.pk in choices(VisitForm(instance=visit).fields["advisor"])


def test_the_api_refuses_an_inactive_person_anew_but_keeps_the_current_one(api, admin_user, liu_archive):
    liu = liu_archive.consultant
    other = SalesArchiveFactory()
    services.staff_deactivate(staff=liu, by=admin_user)
    api.force_authenticate(admin_user)
    refused = api.patch(f"/api/archives/{other.pk}/", {"consultant": liu.pk}, format="json")
    assert refused.status_code == 400 and "刘洋" in refused.json()["consultant"][0]
    kept = api.patch(f"/api/archives/{liu_archive.pk}/", {"consultant": liu.pk}, format="json")
    assert kept.status_code == 200 and kept.json()["consultant"]["id"] == liu.pk


def test_an_inactive_person_cannot_be_assigned_a_discrepancy(admin_user, liu_archive):
    liu = liu_archive.consultant
    moment = liu_archive.submitted_at
    discrepancy = Discrepancy.objects.create(
        type=Discrepancy.Type.MISSING_IN_OMD,
        month=date(2011, 3, 1),
        archive=liu_archive,
        first_seen_at=moment,
        last_seen_at=moment,
    )
    services.staff_deactivate(staff=liu, by=admin_user)
    with pytest.raises(ValidationError):
        discrepancy_assign(discrepancy=discrepancy, assignee=liu, by=admin_user)
