"""Invitation pages: invite, the list, the check-in desk, feedback, the attendee export, the call screen."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from callbacks.models import CallbackTask
from care_events.models import Invitation, Kpi
from care_events.selectors_invitations import Segment
from care_events.services.invitations import activity_invite, invitation_check_in, invitation_feedback
from care_events.tests.invitation_fixtures import make_activity
from customers.tests.factories import CustomerFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(staff_user):
    return make_activity(staff_user)


@pytest.fixture
def invited(activity, staff_user):
    VehicleFactory(model_name="迈腾", plate="鲁N12345", holder=CustomerFactory(name="王小明", mobile="13900001111"))
    activity_invite(activity=activity, segment=Segment(), by=staff_user)
    return Invitation.objects.select_related("task", "activity").get()


def _running(activity):
    activity.status = "running"
    activity.save()


def test_the_invite_page_previews_then_invites(client, activity, staff_user):
    VehicleFactory.create_batch(2, model_name="迈腾")
    VehicleFactory(model_name="朗逸")
    client.force_login(staff_user)
    url = f"/care/activities/{activity.pk}/invite/"
    page = client.get(url, {"preview": "1", "vehicle_model": "迈腾"})
    assert page.status_code == 200 and page.context["preview"].to_invite == 2
    assert len(page.context["preview"].rows) == 2
    assert not Invitation.objects.exists()  # a preview creates nothing
    response = client.post(url, {"vehicle_model": "迈腾"})
    assert response.status_code == 302 and Invitation.objects.count() == 2
    assert CallbackTask.objects.filter(kind="invitation").count() == 2


def test_the_invite_page_refuses_an_empty_segment_with_a_message(client, activity, staff_user):
    client.cookies["django_language"] = "en"
    client.force_login(staff_user)
    response = client.post(f"/care/activities/{activity.pk}/invite/", {"vehicle_model": "途观"})
    assert response.status_code == 400 and "No customer matches" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_invite_page_names_a_bad_criterion(client, activity, staff_user):
    client.force_login(staff_user)
    response = client.get(
        f"/care/activities/{activity.pk}/invite/",
        {"preview": "1", "delivered_from": "2011-05-01", "delivered_to": "2011-04-01", "no_visit_months": "x"},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"delivered_to", "no_visit_months"}


@pytest.mark.parametrize(
    "role,status", [("staff", 200), ("admin", 200), ("agent", 403), ("manager", 403), ("norole", 403)]
)
def test_who_may_invite(client, cast, activity, role, status):
    client.force_login(cast[role])
    assert client.get(f"/care/activities/{activity.pk}/invite/").status_code == status
    VehicleFactory()
    response = client.post(f"/care/activities/{activity.pk}/invite/", {})
    assert response.status_code == (302 if status == 200 else 403)


@pytest.mark.parametrize(
    "role,status", [("staff", 200), ("agent", 200), ("manager", 200), ("admin", 200), ("norole", 403)]
)
def test_who_may_read_the_invitations(client, cast, invited, role, status):
    client.force_login(cast[role])
    assert client.get(f"/care/activities/{invited.activity_id}/invitations/").status_code == status
    assert client.get(f"/care/activities/{invited.activity_id}/attendees.xlsx").status_code == status


@pytest.mark.parametrize(
    "role,status", [("staff", 200), ("admin", 200), ("agent", 403), ("manager", 403), ("norole", 403)]
)
def test_who_may_run_the_check_in(client, cast, invited, role, status):
    _running(invited.activity)
    client.force_login(cast[role])
    url = f"/care/activities/{invited.activity_id}/checkin/"
    assert client.get(url).status_code == status
    response = client.post(url, {"action": "check_in", "id": invited.pk})
    assert response.status_code == (302 if status == 200 else 403)
    invited.refresh_from_db()
    assert (invited.checked_in_at is not None) == (status == 200)
    assert client.get(f"/care/invitations/{invited.pk}/feedback/").status_code == status


def test_the_invitation_list_shows_counts_and_rows_in_few_queries(
    client, invited, staff_user, django_assert_max_num_queries
):
    VehicleFactory.create_batch(5)
    activity_invite(activity=invited.activity, segment=Segment(), by=staff_user)
    client.force_login(staff_user)
    with django_assert_max_num_queries(15):
        page = client.get(f"/care/activities/{invited.activity_id}/invitations/")
    assert page.context["counts"].invited == 6 and len(page.context["invitations"]) == 6
    assert 'data-testid="count-invited">6<' in page.content.decode()


def test_check_in_by_plate_then_undo_on_the_desk(client, invited, staff_user):
    _running(invited.activity)
    client.force_login(staff_user)
    url = f"/care/activities/{invited.activity_id}/checkin/"
    page = client.get(url, {"q": "12345"})
    assert [i.pk for i in page.context["invited"]] == [invited.pk]
    assert [i.pk for i in client.get(url, {"q": "1111"}).context["invited"]] == [invited.pk]
    assert [i.pk for i in client.get(url, {"q": "王小"}).context["invited"]] == [invited.pk]
    client.post(url, {"action": "check_in", "id": invited.pk})
    invited.refresh_from_db()
    assert invited.checked_in_at is not None
    client.post(url, {"action": "undo", "id": invited.pk})
    invited.refresh_from_db()
    assert invited.checked_in_at is None


def test_a_walk_in_found_by_phone_is_checked_in_at_once(client, invited, staff_user):
    _running(invited.activity)
    stranger = CustomerFactory(name="赵六", mobile="13711112222")
    client.force_login(staff_user)
    url = f"/care/activities/{invited.activity_id}/checkin/"
    page = client.get(url, {"q": "13711112222"})
    assert [c.pk for c in page.context["walk_ins"]] == [stranger.pk] and page.context["invited"] == []
    client.post(url, {"action": "walk_in", "id": stranger.pk})
    walk_in = Invitation.objects.get(customer=stranger)
    assert walk_in.checked_in_at is not None and walk_in.task is None


def test_bad_check_in_posts_are_told_not_crashed(client, invited, staff_user):
    client.force_login(staff_user)
    url = f"/care/activities/{invited.activity_id}/checkin/"
    assert client.post(url, {"action": "check_in", "id": "abc"}).status_code == 302
    assert client.post(url, {"action": "explode", "id": invited.pk}).status_code == 302
    assert client.post(url, {"action": "check_in", "id": "999999"}).status_code == 404
    # The activity is only planned: check-in is refused with a message, nothing stored.
    client.post(url, {"action": "check_in", "id": invited.pk})
    invited.refresh_from_db()
    assert invited.checked_in_at is None


def test_feedback_page_records_satisfaction_and_fills_the_kpis(client, invited, staff_user):
    _running(invited.activity)
    Kpi.objects.create(activity=invited.activity, name="满意度", source="satisfaction", target=90)
    Kpi.objects.create(activity=invited.activity, name="到场人数", source="attendance", target=1)
    Kpi.objects.create(activity=invited.activity, name="到场率", source="attendance_rate", target=80)
    invitation_check_in(invitation=invited, by=staff_user)
    client.force_login(staff_user)
    url = f"/care/invitations/{invited.pk}/feedback/"
    assert client.post(url, {"satisfaction": "9"}).status_code == 400
    assert client.post(url, {"satisfaction": "4", "feedback": "讲解很细"}).status_code == 302
    invited.refresh_from_db()
    assert (invited.satisfaction, invited.feedback) == (4, "讲解很细")
    actual = dict(Kpi.objects.filter(activity=invited.activity).values_list("source", "actual"))
    assert actual == {"satisfaction": 80, "attendance": 1, "attendance_rate": 100}


def test_the_attendee_export_reads_back_cell_by_cell(client, invited, staff_user):
    _running(invited.activity)
    invitation_check_in(invitation=invited, by=staff_user)
    invitation_feedback(invitation=invited, satisfaction=5, feedback="=SUM(A1)", by=staff_user)
    invited.refresh_from_db()
    client.force_login(staff_user)
    response = client.get(f"/care/activities/{invited.activity_id}/attendees.xlsx")
    assert "%E6%B4%BB%E5%8A%A8%E7%AD%BE%E5%88%B0%E5%90%8D%E5%8D%95" in response["Content-Disposition"]  # 活动签到名单
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "手机", "车型", "车牌", "回复", "签到时间", "满意度", "意见", "邀约方式")
    name, phone, model, plate, reply, checked_in, score, note, how = rows[1]
    assert (name, phone, model, plate, score, note, how) == (
        "王小明",
        "13900001111",
        "迈腾",
        "鲁N12345",
        5,
        "'=SUM(A1)",
        "电话邀约",
    )
    assert reply == "参加"
    expected = timezone.localtime(invited.checked_in_at).replace(tzinfo=None)
    assert abs((checked_in - expected).total_seconds()) < 1


def test_the_call_screen_asks_for_the_reply_and_records_it(client, invited, agent_user):
    client.force_login(agent_user)
    page = client.get(f"/callbacks/tasks/{invited.task_id}/").content.decode()
    assert 'data-extra="extra_reply"' in page
    desk = client.get("/callbacks/").content.decode()
    assert f"{invited.activity.name} · {invited.activity.starts_on:%Y-%m-%d}" in desk
    response = client.post(
        f"/callbacks/tasks/{invited.task_id}/", {"outcome": "confirmed", "extra_reply": "not_coming"}
    )
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.reply == "not_coming"


def test_the_customer_page_shows_their_invitations(client, invited, staff_user):
    client.force_login(staff_user)
    page = client.get(f"/customers/{invited.customer_id}/")
    texts = [event.get("text", "") for event in page.context["timeline"] if event["kind"] == "care_invitation"]
    assert texts and invited.activity.name in texts[0]
