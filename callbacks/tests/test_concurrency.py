"""Races on PostgreSQL: two agents taking one task, and generation running twice at once."""

from __future__ import annotations

import datetime as dt
from importlib import import_module

import pytest
from django.contrib.auth.models import Group

from callbacks.models import CallbackRule, CallbackTask
from callbacks.services import TaskHeld, callbacks_generate, task_take
from callbacks.services.generation import _generate
from customers.tests.factories import SalesArchiveFactory, VehicleFactory
from dealership_cs.tests.threads import run_together


@pytest.fixture
def seeded(transactional_db):
    """The seeded rules: a transactional test before this one may have emptied the tables."""
    from django.apps import apps

    seed = import_module("callbacks.migrations.0002_seed_rules").seed
    if not CallbackRule.objects.exists():
        seed(apps, None)


@pytest.fixture
def archives(seeded):
    return [SalesArchiveFactory(vehicle=VehicleFactory(delivery_date=dt.date(2011, 8, 1))) for _ in range(20)]


def test_two_agents_taking_the_same_task_at_once_exactly_one_gets_it(requires_postgres, archives, django_user_model):
    callbacks_generate(on=dt.date(2011, 8, 4))
    agents = []
    for name in ("li.race", "chen.race"):
        user = django_user_model.objects.create_user(name, password="x" * 12)
        user.groups.add(Group.objects.get(name="callback_agent"))
        agents.append(user)
    for task in CallbackTask.objects.all()[:10]:
        results = run_together(*(lambda a=a, t=task: task_take(task=t, agent=a) for a in agents))
        won = [r for r in results if isinstance(r, CallbackTask)]
        lost = [r for r in results if isinstance(r, TaskHeld)]
        assert len(won) == 1 and len(lost) == 1, results
        assert lost[0].holder == CallbackTask.objects.get(pk=task.pk).agent == won[0].agent


def test_generation_run_twice_at_once_creates_each_task_once(requires_postgres, archives):
    results = run_together(
        lambda: callbacks_generate(on=dt.date(2011, 8, 4)), lambda: callbacks_generate(on=dt.date(2011, 8, 4))
    )
    assert sorted(r.created for r in results) == [0, 20]
    assert CallbackTask.objects.count() == 20


def test_the_unique_constraint_holds_even_without_the_lock(requires_postgres, archives):
    run_together(lambda: _generate(dt.date(2011, 8, 4)), lambda: _generate(dt.date(2011, 8, 4)))
    assert CallbackTask.objects.count() == 20
    assert CallbackTask.objects.values("archive").distinct().count() == 20
