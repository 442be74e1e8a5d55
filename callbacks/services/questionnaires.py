"""Questionnaire versions: a version in use is never changed; a new draft is copied from it, edited,
and published, which supersedes the old one. Answers always point to the version that was asked."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from callbacks.models import Question, Questionnaire, QuestionnaireVersion


@transaction.atomic
def questionnaire_draft(*, questionnaire: Questionnaire, by=None) -> QuestionnaireVersion:
    """A new draft version holding a copy of the questions in use (or of the latest version)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.versions.filter(status=QuestionnaireVersion.Status.DRAFT).exists():
        raise ValidationError(_("%(name)s already has a draft: edit it or publish it.") % {"name": questionnaire})
    source = (
        questionnaire.versions.filter(status=QuestionnaireVersion.Status.IN_USE).first()
        or questionnaire.versions.order_by("-number").first()
    )
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    draft = QuestionnaireVersion(questionnaire=questionnaire, number=number)
    draft._history_user = by
    draft.save()
    if source is not None:
        Question.objects.bulk_create(
            Question(
                version=draft,
                code=q.code,
                text=q.text,
                scale=q.scale,
                complaint_threshold=q.complaint_threshold,
                position=q.position,
            )
            for q in source.questions.all()
        )
    return draft


@transaction.atomic
def questionnaire_publish(*, version: QuestionnaireVersion, by=None) -> QuestionnaireVersion:
    """Put a draft in use; the version in use until now is superseded (kept, with its answers)."""
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != QuestionnaireVersion.Status.DRAFT:
        raise ValidationError(_("Only a draft can be published; %(version)s is not one.") % {"version": version})
    if not version.questions.exists():
        raise ValidationError(_("A questionnaire version needs at least one question."))
    now = timezone.now()
    for old in QuestionnaireVersion.objects.select_for_update().filter(
        questionnaire_id=version.questionnaire_id, status=QuestionnaireVersion.Status.IN_USE
    ):
        old.status = QuestionnaireVersion.Status.SUPERSEDED
        old._history_user = by
        old.save(update_fields=["status"])
    version.status, version.published_at = QuestionnaireVersion.Status.IN_USE, now
    version._history_user = by
    version.save(update_fields=["status", "published_at"])
    return version


def question_threshold_set(*, question: Question, threshold, by=None) -> Question:
    """Managers tune when an answer opens a complaint; the question's wording and scale stay as asked."""
    question.complaint_threshold = threshold
    question._history_user = by
    question.full_clean()
    question.save(update_fields=["complaint_threshold"])
    return question
