"""The shared cast of users (one per role, plus one with no role) and service switches.

Every view and API test takes its users from here, so "who must be refused" is always the same
set of people.
"""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group

from dealership_cs.permissions import Role

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 is deliberately slow; tests create many users and need no such protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _make_user(django_user_model, username: str, role: Role | None, **extra):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD, **extra)
    if role is not None:
        user.groups.add(Group.objects.get(name=role.value))
    return user


@pytest.fixture
def staff_user(db, django_user_model):
    """Customer-service staff (客服专员)."""
    return _make_user(django_user_model, "zhang.staff", Role.CS_STAFF, first_name="张", last_name="专员")


@pytest.fixture
def agent_user(db, django_user_model):
    """Callback agent (回访员)."""
    return _make_user(django_user_model, "li.agent", Role.CALLBACK_AGENT, first_name="李", last_name="回访")


@pytest.fixture
def manager_user(db, django_user_model):
    """Customer-service manager (客服经理)."""
    return _make_user(django_user_model, "wang.manager", Role.MANAGER, first_name="王", last_name="经理")


@pytest.fixture
def admin_user(db, django_user_model):
    """System administrator (系统管理员): the admin role, with access to Django's admin site."""
    return _make_user(django_user_model, "zhao.admin", Role.ADMIN, is_staff=True)


@pytest.fixture
def norole_user(db, django_user_model):
    """A login with no role: must see nothing of the app."""
    return _make_user(django_user_model, "nobody", None)


@pytest.fixture
def cast(staff_user, agent_user, manager_user, admin_user, norole_user) -> dict:
    return {
        "staff": staff_user,
        "agent": agent_user,
        "manager": manager_user,
        "admin": admin_user,
        "norole": norole_user,
    }


def _require(var: str, scheme: str) -> None:
    """Skip with a visible reason when a service is not configured; fail instead under CI."""
    value = os.environ.get(var, "")
    if value.startswith(scheme):
        return
    message = f"{var} does not point at {scheme} (set it to run this test)"
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


@pytest.fixture
def requires_postgres():
    _require("DATABASE_URL", "postgres")


@pytest.fixture
def requires_redis():
    _require("REDIS_URL", "redis")
