"""Questionnaire versions: a version in use never changes; answers keep the version asked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from callbacks.models import Answer, CallbackTask, Question, Questionnaire, QuestionnaireVersion
from callbacks.services import attempt_log, callbacks_generate, questionnaire_draft, questionnaire_publish
from customers.tests.factories import SalesArchiveFactory, VehicleFactory

pytestmark = pytest.mark.django_db


def test_a_new_version_supersedes_the_old_and_earlier_answers_keep_the_version_asked(agent_user):
    for _ in range(2):
        SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=dt.date(2011, 8, 1)))
    callbacks_generate(on=dt.date(2011, 8, 4))
    first_task, second_task = CallbackTask.objects.order_by("pk")
    sales = Questionnaire.objects.get(code="sales")
    v1 = sales.versions.get(status="in_use")
    attempt_log(task=first_task, agent=agent_user, outcome="confirmed", answers={"S1": 4})

    draft = questionnaire_draft(questionnaire=sales)
    assert (draft.number, draft.status) == (2, "draft")
    assert list(draft.questions.values_list("code", flat=True)) == list(v1.questions.values_list("code", flat=True))
    draft.questions.filter(code="S3").delete()
    Question.objects.create(version=draft, code="S7", text="您对新车质量满意吗？", scale="scale5", position=70)
    questionnaire_publish(version=draft)

    v1.refresh_from_db()
    assert v1.status == "superseded" and sales.versions.get(status="in_use") == draft
    with pytest.raises(ValidationError):
        attempt_log(task=second_task, agent=agent_user, outcome="confirmed", answers={"S3": 5})
    attempt_log(task=second_task, agent=agent_user, outcome="confirmed", answers={"S7": 5, "S1": 3})
    asked = {(a.question.code, a.question.version.number) for a in Answer.objects.select_related("question__version")}
    assert asked == {("S1", 1), ("S7", 2), ("S1", 2)}


def test_only_a_draft_with_questions_is_published_and_only_one_draft_at_a_time():
    sales = Questionnaire.objects.get(code="sales")
    in_use = sales.versions.get(status="in_use")
    with pytest.raises(ValidationError):
        questionnaire_publish(version=in_use)
    draft = questionnaire_draft(questionnaire=sales)
    with pytest.raises(ValidationError):
        questionnaire_draft(questionnaire=sales)
    draft.questions.all().delete()
    with pytest.raises(ValidationError):
        questionnaire_publish(version=draft)
    assert QuestionnaireVersion.objects.get(pk=in_use.pk).status == "in_use"


def test_the_admin_refuses_to_change_a_published_version(client, admin_user):
    version = QuestionnaireVersion.objects.get(questionnaire__code="sales", status="in_use")
    client.force_login(admin_user)
    page = client.get(f"/admin/callbacks/questionnaireversion/{version.pk}/change/")
    assert page.status_code == 200
    # The inline offers no editable question rows on a published version.
    assert 'name="questions-0-text"' not in page.content.decode()
