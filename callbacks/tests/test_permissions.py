"""Who may do what at the callback desk (ROLE_PERMISSIONS)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

CASES = [
    # permission, staff, agent, manager, admin
    ("callbacks.view_callbacktask", True, True, True, True),
    ("callbacks.change_callbacktask", False, True, False, True),
    ("callbacks.add_callattempt", False, True, False, True),
    ("callbacks.add_complaint", True, True, False, True),
    ("callbacks.change_complaint", True, False, False, True),
    ("callbacks.change_callbackrule", False, False, True, True),
    ("callbacks.change_question", False, False, True, True),
    ("callbacks.add_question", False, False, False, True),
    ("callbacks.change_questionnaireversion", False, False, False, True),
]


@pytest.mark.parametrize(("perm", "staff", "agent", "manager", "admin"), CASES)
def test_each_role_holds_exactly_its_callback_permissions(cast, perm, staff, agent, manager, admin):
    expected = {"staff": staff, "agent": agent, "manager": manager, "admin": admin, "norole": False}
    assert {name: user.has_perm(perm) for name, user in cast.items()} == expected
