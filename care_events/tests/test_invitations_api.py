"""Invitations API: invite a segment, list and filter, PATCH reply, check-in and feedback; who is refused."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from callbacks.models import CallbackTask
from care_events.models import Invitation
from care_events.selectors_invitations import Segment
from care_events.services.invitations import activity_invite
from care_events.tests.invitation_fixtures import make_activity
from customers.tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    client = APIClient()
    # The refusals are asserted in English: the language switch's cookie, as a user would set it.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def activity(staff_user):
    return make_activity(staff_user)


def test_inviting_through_the_api_returns_the_counts_and_a_second_time_creates_nothing(api, activity, staff_user):
    VehicleFactory.create_batch(2, model_name="迈腾")
    VehicleFactory(model_name="迈腾", holder=CustomerFactory(do_not_call=True, do_not_call_reason="投诉"))
    api.force_authenticate(staff_user)
    url = f"/api/care-activities/{activity.pk}/invite/"
    response = api.post(url, {"vehicle_model": "迈腾"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json() == {"invited": 2, "already_invited": 0, "do_not_call": 1}
    again = api.post(url, {"vehicle_model": "迈腾"}, format="json")
    assert again.json() == {"invited": 0, "already_invited": 2, "do_not_call": 1}
    assert CallbackTask.objects.filter(kind="invitation").count() == 2


def test_a_segment_matching_nobody_answers_400_with_the_reason(api, activity, staff_user):
    api.force_authenticate(staff_user)
    response = api.post(f"/api/care-activities/{activity.pk}/invite/", {"vehicle_model": "途观"}, format="json")
    assert response.status_code == 400 and "detail" in response.json()
    assert not Invitation.objects.exists()


def test_bad_criteria_answer_400_by_field(api, activity, staff_user):
    api.force_authenticate(staff_user)
    url = f"/api/care-activities/{activity.pk}/invite/"
    response = api.post(url, {"birthday_month": 13, "delivered_from": "yesterday", "colour": "red"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"colour"}
    response = api.post(url, {"birthday_month": 13, "delivered_from": "yesterday"}, format="json")
    assert set(response.json()) == {"birthday_month", "delivered_from"}
    assert api.post("/api/care-activities/999999/invite/", {}, format="json").status_code == 404


@pytest.mark.parametrize(
    "role,status", [("staff", 201), ("admin", 201), ("agent", 403), ("manager", 403), ("norole", 403)]
)
def test_who_may_invite_through_the_api(api, cast, activity, role, status):
    VehicleFactory()
    api.force_authenticate(cast[role])
    assert api.post(f"/api/care-activities/{activity.pk}/invite/", {}, format="json").status_code == status


@pytest.fixture
def invited(activity, staff_user):
    VehicleFactory.create_batch(3)
    activity_invite(activity=activity, segment=Segment(), by=staff_user)
    return list(Invitation.objects.order_by("pk"))


def test_the_list_filters_by_activity_reply_and_attendance(api, invited, staff_user, django_assert_max_num_queries):
    first = invited[0]
    first.activity.status = "running"
    first.activity.save()
    api.force_authenticate(staff_user)
    api.patch(f"/api/invitations/{first.pk}/", {"checked_in": True}, format="json")
    api.patch(f"/api/invitations/{invited[1].pk}/", {"reply": "not_coming"}, format="json")
    with django_assert_max_num_queries(8):
        rows = api.get("/api/invitations/", {"activity": first.activity_id}).json()["results"]
    assert len(rows) == 3
    assert [r["id"] for r in api.get("/api/invitations/", {"attended": "true"}).json()["results"]] == [first.pk]
    assert [r["id"] for r in api.get("/api/invitations/", {"reply": "not_coming"}).json()["results"]] == [invited[1].pk]
    assert len(api.get("/api/invitations/", {"attended": "false"}).json()["results"]) == 2


def test_patch_records_check_in_feedback_and_undo_through_the_services(api, invited, staff_user):
    invitation = invited[0]
    invitation.activity.status = "running"
    invitation.activity.save()
    api.force_authenticate(staff_user)
    url = f"/api/invitations/{invitation.pk}/"
    body = api.patch(url, {"checked_in": True, "satisfaction": 5, "feedback": "很满意"}, format="json").json()
    assert body["attended"] is True and body["satisfaction"] == 5 and body["reply"] == "coming"
    assert api.patch(url, {"satisfaction": 7}, format="json").status_code == 400
    assert api.patch(url, {"reply": "pending"}, format="json").status_code == 400
    assert api.patch(url, {}, format="json").status_code == 400
    body = api.patch(url, {"checked_in": False}, format="json").json()
    assert body["attended"] is False and body["satisfaction"] is None
    response = api.patch(url, {"satisfaction": 4}, format="json")
    assert response.status_code == 400 and "attended" in str(response.json())
    assert api.put(url, {"reply": "coming"}, format="json").status_code == 405
    assert api.delete(url).status_code in (403, 405) and Invitation.objects.filter(pk=invitation.pk).exists()


@pytest.mark.parametrize(
    "role,read,write",
    [("staff", 200, 200), ("admin", 200, 200), ("agent", 200, 403), ("manager", 200, 403), ("norole", 403, 403)],
)
def test_who_may_read_and_change_invitations(api, cast, invited, role, read, write):
    api.force_authenticate(cast[role])
    assert api.get("/api/invitations/").status_code == read
    response = api.patch(f"/api/invitations/{invited[0].pk}/", {"reply": "coming"}, format="json")
    assert response.status_code == (write if read == 200 else 403)
