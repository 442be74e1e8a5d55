"""History tables name the kind of change in the department's words, not as a column label."""

from __future__ import annotations

import pytest
from django.utils import translation

from dealership_cs.models import Staff
from dealership_cs.selectors import history_rows

pytestmark = pytest.mark.django_db


def test_a_history_entry_reads_added_or_changed_not_creation_time():
    person = Staff.objects.create(name="刘洋", department=Staff.Department.SALES)
    person.phone = "13812345678"
    person.save()
    with translation.override("zh-hans"):
        changed, added = (str(row["type"]) for row in history_rows(person))
    assert (added, changed) == ("新增", "修改")
    with translation.override("en"):
        assert [str(row["type"]) for row in history_rows(person)] == ["Changed", "Added"]
