"""An app above callbacks extends a kind of call: extra fields, its handler in the same transaction, the desk's why."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from callbacks import extensions
from callbacks.models import CallAttempt, CallbackRule, CallbackTask
from callbacks.services import attempt_log
from customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def replies(monkeypatch):
    seen: list = []

    def on_logged(logged, extra):
        if extra.get("reply") == "maybe":
            raise ValidationError({"reply": "Say yes or no."})
        seen.append((logged.task.pk, logged.attempt.outcome, extra))

    monkeypatch.setattr(extensions, "_EXTENSIONS", {})
    extensions.register_extension(
        extensions.KindExtension(
            kind="invitation",
            form_fields=lambda task: {"reply": forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])},
            on_logged=on_logged,
            describe_many=lambda tasks: {t.pk: f"Owner club day for #{t.pk}" for t in tasks},
        )
    )
    return seen


@pytest.fixture
def invitation_task(db):
    today = timezone.localdate()
    return CallbackTask.objects.create(
        kind="invitation",
        rule=CallbackRule.objects.get(kind="invitation"),
        customer=CustomerFactory(),
        event_date=today,
        due_date=today,
        expires_on=today + dt.timedelta(days=7),
    )


def test_the_extension_sees_the_logged_call_and_its_extra_values(replies, invitation_task, agent_user):
    attempt_log(task=invitation_task, agent=agent_user, outcome="confirmed", extra={"reply": "yes"})
    assert replies == [(invitation_task.pk, "confirmed", {"reply": "yes"})]


def test_a_refusal_by_the_extension_stores_nothing(replies, invitation_task, agent_user):
    with pytest.raises(ValidationError):
        attempt_log(task=invitation_task, agent=agent_user, outcome="confirmed", extra={"reply": "maybe"})
    assert not CallAttempt.objects.exists()
    assert CallbackTask.objects.get(pk=invitation_task.pk).attempt_count == 0


def test_the_call_screen_and_the_desk_carry_the_extension(client, replies, invitation_task, agent_user):
    client.force_login(agent_user)
    assert f"Owner club day for #{invitation_task.pk}" in client.get("/callbacks/").content.decode()
    page = client.get(f"/callbacks/tasks/{invitation_task.pk}/").content.decode()
    assert 'data-extra="extra_reply"' in page
    response = client.post(f"/callbacks/tasks/{invitation_task.pk}/", {"outcome": "confirmed", "extra_reply": "no"})
    assert response.status_code == 302 and replies[0][2] == {"reply": "no"}
