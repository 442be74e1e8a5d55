"""Inviting a segment: one invitation and one invitation call per callable customer, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks.models import CallbackRule, CallbackTask, Complaint
from callbacks.services import attempt_log
from care_events.models import Invitation
from care_events.selectors_invitations import Segment, segment_customers, segment_preview
from care_events.services.invitations import (
    activity_invite,
    invitation_check_in,
    invitation_check_in_undo,
    invitation_feedback,
    invitation_reply,
    invitation_walk_in,
)
from care_events.tests.invitation_fixtures import make_activity
from customers.models import ServiceVisit
from customers.tests.factories import CustomerFactory, ServiceVisitFactory, VehicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(staff_user):
    return make_activity(staff_user)


def _ids(activity, **criteria) -> set[int]:
    return set(segment_customers(activity=activity, segment=Segment(**criteria)).values_list("pk", flat=True))


def test_inviting_creates_one_invitation_and_one_invitation_call_each(activity, staff_user):
    cars = [VehicleFactory(model_name="迈腾 1.8T") for _ in range(3)]
    VehicleFactory(model_name="朗逸")
    result = activity_invite(activity=activity, segment=Segment(vehicle_model="迈腾"), by=staff_user)
    assert (result.invited, result.already_invited, result.do_not_call) == (3, 0, 0)
    invitations = Invitation.objects.filter(activity=activity).select_related("task")
    assert {i.customer_id for i in invitations} == {car.holder_id for car in cars}
    for invitation in invitations:
        task = invitation.task
        assert task.kind == "invitation" and task.customer_id == invitation.customer_id
        assert task.vehicle_id == invitation.vehicle_id and invitation.vehicle.model_name == "迈腾 1.8T"
        assert task.rule == CallbackRule.objects.get(kind="invitation")
        assert task.due_date == timezone.localdate() and task.expires_on == timezone.localdate() + dt.timedelta(days=14)
        assert task.status == "open" and invitation.invited_by == staff_user and invitation.reply == "pending"
    assert CallbackTask.objects.filter(kind="invitation").count() == 3


def test_inviting_the_same_segment_twice_creates_nothing_the_second_time(activity, staff_user):
    VehicleFactory.create_batch(2, model_name="迈腾")
    activity_invite(activity=activity, segment=Segment(vehicle_model="迈腾"), by=staff_user)
    VehicleFactory(model_name="迈腾")
    again = activity_invite(activity=activity, segment=Segment(vehicle_model="迈腾"), by=staff_user)
    assert (again.invited, again.already_invited) == (1, 2)
    assert Invitation.objects.filter(activity=activity).count() == 3
    assert CallbackTask.objects.filter(kind="invitation").count() == 3
    assert not Invitation.objects.filter(task__isnull=True).exists()


def test_the_invitation_call_expires_no_later_than_the_activity_starts(staff_user):
    soon = make_activity(staff_user, starts_in_days=3)
    VehicleFactory()
    activity_invite(activity=soon, segment=Segment(), by=staff_user)
    task = CallbackTask.objects.get(kind="invitation")
    assert task.due_date == timezone.localdate() and task.expires_on == soon.starts_on


def test_do_not_call_customers_are_never_invited_and_are_counted(activity, staff_user):
    VehicleFactory(holder=CustomerFactory(do_not_call=True, do_not_call_reason="本人要求"))
    callable_car = VehicleFactory()
    preview = segment_preview(activity=activity, segment=Segment())
    assert (preview.matched, preview.do_not_call, preview.to_invite) == (2, 1, 1)
    assert [row.customer_id for row in preview.rows] == [callable_car.holder_id]
    result = activity_invite(activity=activity, segment=Segment(), by=staff_user)
    assert (result.invited, result.do_not_call) == (1, 1)
    assert list(Invitation.objects.values_list("customer_id", flat=True)) == [callable_car.holder_id]


def test_a_segment_that_matches_nobody_is_refused_and_creates_nothing(activity, staff_user):
    VehicleFactory(model_name="朗逸")
    with pytest.raises(ValidationError, match="No customer matches"):
        activity_invite(activity=activity, segment=Segment(vehicle_model="途观"), by=staff_user)
    assert not Invitation.objects.exists() and not CallbackTask.objects.exists()


@pytest.mark.parametrize("status", ["running", "done", "cancelled"])
def test_only_planned_or_preparing_activities_invite(staff_user, status):
    activity = make_activity(staff_user, status=status)
    VehicleFactory()
    with pytest.raises(ValidationError, match="only planned or preparing"):
        activity_invite(activity=activity, segment=Segment(), by=staff_user)
    assert not Invitation.objects.exists()


def test_an_activity_in_the_past_invites_nobody(staff_user):
    activity = make_activity(staff_user, starts_in_days=-1)
    VehicleFactory()
    with pytest.raises(ValidationError, match="already started"):
        activity_invite(activity=activity, segment=Segment(), by=staff_user)


def test_segment_by_vehicle_model_and_delivery_dates_on_one_and_the_same_car(activity):
    both = VehicleFactory(model_name="迈腾", delivery_date=dt.date(2010, 6, 1)).holder
    VehicleFactory(model_name="迈腾", delivery_date=dt.date(2009, 6, 1))
    split = CustomerFactory()  # a 迈腾 delivered too early and another car in the range
    VehicleFactory(holder=split, model_name="迈腾", delivery_date=dt.date(2008, 1, 1))
    VehicleFactory(holder=split, model_name="朗逸", delivery_date=dt.date(2010, 6, 1))
    assert _ids(
        activity, vehicle_model="迈腾", delivered_from=dt.date(2010, 1, 1), delivered_to=dt.date(2010, 12, 31)
    ) == {both.pk}
    assert _ids(activity, vehicle_model="迈腾", delivered_to=dt.date(2009, 12, 31)) == {
        Invitation._meta.get_field("customer")
        .related_model.objects.get(vehicles__delivery_date=dt.date(2009, 6, 1))
        .pk,
        split.pk,
    }


def test_segment_by_last_service_visit_older_than_n_months_or_never(activity):
    now = timezone.now()
    recent = ServiceVisitFactory(opened_at=now - dt.timedelta(days=30), closed_at=None).vehicle.holder
    old = ServiceVisitFactory(opened_at=now - dt.timedelta(days=300), closed_at=None).vehicle.holder
    never = VehicleFactory().holder
    assert _ids(activity, no_visit_months=6) == {old.pk, never.pk}
    assert _ids(activity, no_visit_months=12) == {never.pk}
    assert recent.pk not in _ids(activity, no_visit_months=1)


def test_segment_by_birthday_month(activity):
    may = CustomerFactory(birthday=dt.date(1980, 5, 20))
    CustomerFactory(birthday=dt.date(1980, 6, 20))
    CustomerFactory(birthday=None)
    assert _ids(activity, birthday_month=5) == {may.pk}


def test_segment_by_attending_or_not_an_earlier_activity_of_a_kind(activity, staff_user):
    earlier = make_activity(staff_user, starts_in_days=-40, status="done", kind="lecture", name="讲座")
    came, stayed_away, uninvited = CustomerFactory(), CustomerFactory(), CustomerFactory()
    Invitation.objects.create(activity=earlier, customer=came, checked_in_at=timezone.now())
    Invitation.objects.create(activity=earlier, customer=stayed_away)
    assert _ids(activity, earlier_kind="lecture", attended_earlier=True) == {came.pk}
    assert _ids(activity, earlier_kind="lecture", attended_earlier=False) == {stayed_away.pk, uninvited.pk}
    assert _ids(activity, earlier_kind="owner_club", attended_earlier=True) == set()


def test_segment_by_open_complaint(activity):
    now = timezone.now()
    common = {"department": "service", "description": "等待时间长", "response_due_at": now, "resolution_due_at": now}
    complaining = CustomerFactory()
    Complaint.objects.create(customer=complaining, status="in_progress", **common)
    resolved = CustomerFactory()
    Complaint.objects.create(customer=resolved, status="resolved", resolved_at=now, resolution="已处理", **common)
    quiet = CustomerFactory()
    assert _ids(activity, has_open_complaint=True) == {complaining.pk}
    assert _ids(activity, has_open_complaint=False) == {resolved.pk, quiet.pk}


def test_the_preview_shows_the_first_rows_with_car_plate_delivery_and_last_visit(activity):
    visit = ServiceVisitFactory(opened_at=timezone.now() - dt.timedelta(days=400), closed_at=None)
    preview = segment_preview(activity=activity, segment=Segment())
    (row,) = preview.rows
    car = visit.vehicle
    assert (row.name, row.mobile, row.vehicle_model, row.plate, row.delivered_on) == (
        car.holder.name,
        car.holder.mobile,
        car.model_name,
        car.plate,
        car.delivery_date,
    )
    assert row.last_visit == visit.opened_at


@pytest.fixture
def invited(activity, staff_user):
    VehicleFactory()
    activity_invite(activity=activity, segment=Segment(), by=staff_user)
    return Invitation.objects.select_related("task").get()


def test_a_reply_on_the_invitation_call_is_recorded_on_the_invitation(invited, agent_user):
    attempt_log(task=invited.task, agent=agent_user, outcome="confirmed", extra={"reply": "coming"})
    invited.refresh_from_db()
    assert invited.reply == "coming" and invited.replied_at is not None


def test_a_confirmed_invitation_call_without_a_reply_is_refused(invited, agent_user):
    with pytest.raises(ValidationError):
        attempt_log(task=invited.task, agent=agent_user, outcome="confirmed", extra={})
    invited.refresh_from_db()
    assert invited.reply == "pending" and not invited.task.attempts.exists()


def test_no_answer_after_the_last_try_makes_the_reply_no_answer(invited, agent_user):
    rule = invited.task.rule
    for attempt in range(rule.max_attempts):
        invited.task.refresh_from_db()
        assert invited.task.is_workable
        attempt_log(task=invited.task, agent=agent_user, outcome="no_answer")
        invited.refresh_from_db()
        expected = "no_answer" if attempt == rule.max_attempts - 1 else "pending"
        assert invited.reply == expected
    assert CallbackTask.objects.get(pk=invited.task_id).status == "unreachable"


def test_a_reply_at_the_desk(invited, staff_user):
    invitation_reply(invitation=invited, reply="not_coming", by=staff_user)
    invited.refresh_from_db()
    assert invited.reply == "not_coming"
    with pytest.raises(ValidationError):
        invitation_reply(invitation=invited, reply="maybe", by=staff_user)


def test_check_in_and_undo(invited, staff_user):
    invited.activity.status = "running"
    invited.activity.save()
    invitation_check_in(invitation=invited, by=staff_user)
    invited.refresh_from_db()
    first = invited.checked_in_at
    assert first is not None and invited.reply == "coming"
    invitation_check_in(invitation=invited, by=staff_user)
    invited.refresh_from_db()
    assert invited.checked_in_at == first
    invitation_check_in_undo(invitation=invited, by=staff_user)
    invited.refresh_from_db()
    assert invited.checked_in_at is None
    with pytest.raises(ValidationError):
        invitation_check_in_undo(invitation=invited, by=staff_user)


def test_check_in_is_refused_before_the_activity_is_prepared(invited, staff_user):
    with pytest.raises(ValidationError):
        invitation_check_in(invitation=invited, by=staff_user)
    invited.refresh_from_db()
    assert invited.checked_in_at is None


def test_a_walk_in_is_invited_and_checked_in_at_once_without_a_call(activity, staff_user):
    activity.status = "running"
    activity.save()
    customer = VehicleFactory().holder
    invitation = invitation_walk_in(activity=activity, customer=customer, by=staff_user)
    assert invitation.task_id is None and invitation.checked_in_at is not None and invitation.reply == "coming"
    again = invitation_walk_in(activity=activity, customer=customer, by=staff_user)
    assert again.pk == invitation.pk and Invitation.objects.count() == 1


def test_feedback_only_from_an_attendee_and_on_a_scale_of_one_to_five(invited, staff_user):
    invited.activity.status = "running"
    invited.activity.save()
    with pytest.raises(ValidationError, match="attended"):
        invitation_feedback(invitation=invited, satisfaction=5, by=staff_user)
    invitation_check_in(invitation=invited, by=staff_user)
    for bad in (0, 6, True):
        with pytest.raises(ValidationError):
            invitation_feedback(invitation=invited, satisfaction=bad, by=staff_user)
    invitation_feedback(invitation=invited, satisfaction=4, feedback=" 很好 ", by=staff_user)
    invited.refresh_from_db()
    assert (invited.satisfaction, invited.feedback) == (4, "很好")


def test_a_visit_of_the_customer_on_anothers_car_or_to_their_own_car_both_count_as_their_last_visit(activity):
    """The customer's own visits and their cars' visits are read apart (each by its index), then the later wins."""
    now = timezone.now()
    owner = VehicleFactory().holder
    lent = ServiceVisitFactory(opened_at=now - dt.timedelta(days=20), closed_at=None)
    ServiceVisit.objects.filter(pk=lent.pk).update(customer=owner)  # brought a friend's car in
    own = ServiceVisitFactory(vehicle=owner.vehicles.get(), opened_at=now - dt.timedelta(days=200), closed_at=None)
    rows = {row.name: row for row in segment_preview(activity=activity, segment=Segment()).rows}
    assert rows[owner.name].last_visit == lent.opened_at != own.opened_at
    # Either kind of visit keeps the customer out of a "no visit for a month" segment.
    assert owner.pk not in _ids(activity, no_visit_months=1)
    ServiceVisit.objects.filter(pk=lent.pk).delete()
    assert owner.pk not in _ids(activity, no_visit_months=12)  # their car's own visit, 200 days ago
    assert owner.pk in _ids(activity, no_visit_months=6)
