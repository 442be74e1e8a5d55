"""Managers tune the desk's rules and the complaint thresholds; others read them."""

from __future__ import annotations

import pytest

from callbacks.models import CallbackRule, Question

pytestmark = pytest.mark.django_db


def _rule_post(rule, **values):
    data = {
        "rule": rule.pk,
        f"rule{rule.pk}-due_after_days": rule.due_after_days,
        f"rule{rule.pk}-expires_after_days": rule.expires_after_days,
        f"rule{rule.pk}-max_attempts": rule.max_attempts,
        f"rule{rule.pk}-no_answer_hours": 4,
        f"rule{rule.pk}-busy_hours": 1,
    }
    data.update({f"rule{rule.pk}-{k}": v for k, v in values.items()})
    return data


def test_a_manager_changes_a_rule_with_history(client, manager_user):
    rule = CallbackRule.objects.get(kind="sales")
    client.force_login(manager_user)
    assert 'data-rule="sales"' in client.get("/callbacks/rules/").content.decode()
    response = client.post("/callbacks/rules/", _rule_post(rule, due_after_days=4, no_answer_hours=6))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.due_after_days, rule.retry_delay_hours) == (4, {"no_answer": 6, "busy": 1})
    assert rule.history.first().history_user == manager_user


def test_a_rule_that_expires_before_it_is_due_is_refused(client, manager_user):
    rule = CallbackRule.objects.get(kind="service")
    client.force_login(manager_user)
    response = client.post("/callbacks/rules/", _rule_post(rule, due_after_days=12))
    assert response.status_code == 400
    assert CallbackRule.objects.get(pk=rule.pk).due_after_days == 2


def test_a_manager_sets_a_threshold_and_a_bad_one_is_refused(client, manager_user):
    question = Question.objects.get(version__status="in_use", code="11.11")
    client.force_login(manager_user)
    assert client.post("/callbacks/rules/", {"question": question.pk, "threshold": "5"}).status_code == 302
    assert Question.objects.get(pk=question.pk).complaint_threshold == 5
    assert client.post("/callbacks/rules/", {"question": question.pk, "threshold": "abc"}).status_code == 400
    assert Question.objects.get(pk=question.pk).complaint_threshold == 5


@pytest.mark.parametrize(
    ("role", "view", "change"), [("staff", 200, 403), ("agent", 200, 403), ("manager", 200, 302), ("norole", 403, 403)]
)
def test_who_reads_and_who_changes_the_rules(client, cast, role, view, change):
    rule = CallbackRule.objects.get(kind="sales")
    client.force_login(cast[role])
    assert client.get("/callbacks/rules/").status_code == view
    assert client.post("/callbacks/rules/", _rule_post(rule, max_attempts=5)).status_code == change
