"""Roles: four groups with stable codes, permissions from the one role table."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.utils import translation

from dealership_cs.permissions import Role, has_role, sync_role_permissions, user_roles


def perms_of(code: str) -> set[str]:
    group = Group.objects.get(name=code)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_four_roles_exist_after_migrate_with_stable_codes(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"cs_staff", "callback_agent", "manager", "admin"}


def test_role_names_are_translated():
    with translation.override("zh-hans"):
        assert str(Role.CALLBACK_AGENT.label) == "回访员"
        assert str(Role.CS_STAFF.label) == "客服专员"
    with translation.override("en"):
        assert str(Role.MANAGER.label) == "Manager"


def test_each_role_holds_the_permissions_of_the_table(db):
    assert "dealership_cs.view_staff" in perms_of("cs_staff")
    assert "dealership_cs.add_staff" not in perms_of("cs_staff")
    assert "dealership_cs.change_staff" not in perms_of("manager")
    assert {"dealership_cs.add_staff", "dealership_cs.change_staff", "auth.change_user"} <= perms_of("admin")
    assert "auth.change_user" not in perms_of("manager")


def test_sync_is_idempotent_and_repairs_drift(db):
    group = Group.objects.get(name="manager")
    group.permissions.clear()
    first = sync_role_permissions()
    assert perms_of("manager")
    assert sync_role_permissions() == first


def test_user_roles_and_has_role(cast):
    assert user_roles(cast["agent"]) == [Role.CALLBACK_AGENT]
    assert has_role(cast["admin"], Role.ADMIN)
    assert not has_role(cast["staff"], Role.ADMIN, Role.MANAGER)
    assert user_roles(cast["norole"]) == []
