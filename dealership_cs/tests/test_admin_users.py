"""The admin role manages users and roles in Django's admin, never above its own rights.

Only a superuser may grant or remove superuser status, or change, delete or set the password of a
superuser; the admin role can hand out only roles and individual permissions it holds itself.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from rest_framework.authtoken.models import Token

from conftest import PASSWORD
from dealership_cs.permissions import Role


def permission(label: str) -> Permission:
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def change_url(user) -> str:
    return reverse("admin:auth_user_change", args=[user.pk])


def form_data(user, **changes) -> dict:
    """What Django's user change form posts for ``user`` as it stands, with ``changes`` applied."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "user_permissions": [str(pk) for pk in user.user_permissions.values_list("pk", flat=True)],
    }
    if user.is_active:
        data["is_active"] = "on"
    if user.is_staff:
        data["is_staff"] = "on"
    if user.is_superuser:
        data["is_superuser"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin_client(client, admin_user, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)
    return client


@pytest.fixture
def root(db, django_user_model):
    return django_user_model.objects.create_superuser(username="root", password=PASSWORD, email="root@example.com")


@pytest.fixture
def root_client(client, root, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(root)
    return client


# --- superuser status ---------------------------------------------------------------------------


def test_the_admin_role_cannot_make_a_user_superuser(admin_client, staff_user):
    response = admin_client.post(change_url(staff_user), form_data(staff_user, first_name="小张", is_superuser="on"))

    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.first_name == "小张"  # the rest of the form was saved
    assert staff_user.is_superuser is False


def test_the_admin_role_cannot_make_itself_superuser(admin_client, admin_user):
    admin_client.post(change_url(admin_user), form_data(admin_user, is_superuser="on"))

    admin_user.refresh_from_db()
    assert admin_user.is_superuser is False


def test_the_admin_role_sees_superuser_status_only_as_text(admin_client, staff_user):
    form = admin_client.get(change_url(staff_user)).context["adminform"].form

    assert "is_superuser" not in form.fields
    assert "is_staff" in form.fields


def test_a_superuser_can_grant_and_remove_superuser_status(root_client, staff_user):
    root_client.post(change_url(staff_user), form_data(staff_user, is_superuser="on"))
    staff_user.refresh_from_db()
    assert staff_user.is_superuser is True

    root_client.post(change_url(staff_user), form_data(staff_user, is_superuser=None))
    staff_user.refresh_from_db()
    assert staff_user.is_superuser is False


# --- superusers are out of the admin role's reach -----------------------------------------------


def test_the_admin_role_cannot_edit_a_superuser(admin_client, root):
    response = admin_client.post(change_url(root), form_data(root, is_superuser=None, is_staff=None, email="x@x.cn"))

    assert response.status_code == 403
    root.refresh_from_db()
    assert (root.is_superuser, root.is_staff, root.email) == (True, True, "root@example.com")


def test_the_admin_role_sees_a_superuser_read_only(admin_client, root):
    response = admin_client.get(change_url(root))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert set(response.context["adminform"].form.fields) == {"password"}  # Django's read-only hash


def test_the_admin_role_cannot_change_a_superusers_password(admin_client, root):
    url = reverse("admin:auth_user_password_change", args=[root.pk])
    response = admin_client.post(url, {"password1": "Taken-Over-2011", "password2": "Taken-Over-2011"})

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_the_admin_role_cannot_delete_a_superuser(admin_client, root, django_user_model):
    response = admin_client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"})

    assert response.status_code == 403
    assert django_user_model.objects.filter(pk=root.pk).exists()


def test_the_admin_role_cannot_delete_a_superuser_in_a_batch(admin_client, root, staff_user, django_user_model):
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk, staff_user.pk], "post": "yes"},
    )

    assert response.status_code == 403
    assert django_user_model.objects.filter(pk__in=[root.pk, staff_user.pk]).count() == 2


def test_a_superuser_can_edit_another_superuser(root_client, django_user_model):
    other = django_user_model.objects.create_superuser(username="root2", password=PASSWORD)

    root_client.post(change_url(other), form_data(other, email="root2@example.com"))

    other.refresh_from_db()
    assert other.email == "root2@example.com"


# --- roles and individual permissions within the editor's own rights ---------------------------


def test_the_admin_role_cannot_grant_a_permission_it_does_not_hold(admin_client, staff_user, admin_user):
    beyond = permission("auth.change_group")
    assert not admin_user.has_perm("auth.change_group")

    response = admin_client.post(change_url(staff_user), form_data(staff_user, user_permissions=[str(beyond.pk)]))

    assert response.status_code == 200
    assert "user_permissions" in response.context["adminform"].form.errors
    assert not staff_user.user_permissions.exists()


def test_the_admin_role_cannot_grant_itself_a_permission_beyond_its_rights(admin_client, admin_user):
    beyond = permission("admin.delete_logentry")

    admin_client.post(change_url(admin_user), form_data(admin_user, user_permissions=[str(beyond.pk)]))

    assert not admin_user.user_permissions.exists()


def test_the_admin_role_is_offered_only_the_permissions_it_holds(admin_client, staff_user, admin_user):
    field = admin_client.get(change_url(staff_user)).context["adminform"].form.fields["user_permissions"]
    offered = {f"{p.content_type.app_label}.{p.codename}" for p in field.queryset}

    assert offered == admin_user.get_all_permissions()


def test_the_admin_role_cannot_give_a_group_that_holds_more_than_it_does(admin_client, staff_user):
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(permission("auth.change_group"))

    response = admin_client.post(change_url(staff_user), form_data(staff_user, groups=[str(auditors.pk)]))

    assert "groups" in response.context["adminform"].form.errors
    assert list(staff_user.groups.values_list("name", flat=True)) == [Role.CS_STAFF.value]


def test_permissions_beyond_the_editors_reach_are_kept_when_the_admin_role_saves(admin_client, staff_user):
    # A superuser granted these; the admin role's form does not offer them and must not strip them.
    beyond = permission("auth.change_group")
    staff_user.user_permissions.add(beyond)
    auditors = Group.objects.create(name="auditors")
    auditors.permissions.add(beyond)
    staff_user.groups.add(auditors)

    # The form offers neither, so the browser posts only what it shows.
    cs_staff = Group.objects.get(name=Role.CS_STAFF.value)
    admin_client.post(
        change_url(staff_user), form_data(staff_user, first_name="小张", groups=[str(cs_staff.pk)], user_permissions=[])
    )

    staff_user.refresh_from_db()
    assert staff_user.first_name == "小张"
    assert list(staff_user.user_permissions.all()) == [beyond]
    assert set(staff_user.groups.values_list("name", flat=True)) == {Role.CS_STAFF.value, "auditors"}


# --- what the admin role still does ------------------------------------------------------------


def test_the_admin_role_adds_a_user_and_gives_them_a_role(admin_client, django_user_model):
    response = admin_client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "sun.agent",
            "usable_password": "true",
            "password1": "Sun-Agent-2011",
            "password2": "Sun-Agent-2011",
        },
    )
    assert response.status_code == 302
    new = django_user_model.objects.get(username="sun.agent")
    agents = Group.objects.get(name=Role.CALLBACK_AGENT.value)
    view_customer = permission("customers.view_customer")

    response = admin_client.post(
        change_url(new),
        form_data(
            new, first_name="孙", is_staff="on", groups=[str(agents.pk)], user_permissions=[str(view_customer.pk)]
        ),
    )

    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.first_name, new.is_staff, new.is_superuser) == ("孙", True, False)
    assert list(new.groups.all()) == [agents]
    assert list(new.user_permissions.all()) == [view_customer]


def test_the_admin_role_can_make_another_user_an_administrator(admin_client, staff_user):
    admins = Group.objects.get(name=Role.ADMIN.value)

    admin_client.post(change_url(staff_user), form_data(staff_user, groups=[str(admins.pk)], is_staff="on"))

    assert list(staff_user.groups.all()) == [admins]


def test_the_admin_role_changes_an_ordinary_users_password(admin_client, staff_user):
    url = reverse("admin:auth_user_password_change", args=[staff_user.pk])
    response = admin_client.post(
        url, {"usable_password": "true", "password1": "New-Staff-2011", "password2": "New-Staff-2011"}
    )

    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("New-Staff-2011")


def test_the_admin_role_deletes_an_ordinary_user(admin_client, norole_user, django_user_model):
    response = admin_client.post(reverse("admin:auth_user_delete", args=[norole_user.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not django_user_model.objects.filter(pk=norole_user.pk).exists()


# --- API tokens: a superuser's token would let the admin role act as the superuser -------------


def test_the_admin_role_cannot_make_a_token_for_a_superuser(admin_client, root):
    response = admin_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": root.pk})

    assert "user" in response.context["adminform"].form.errors
    assert not Token.objects.filter(user=root).exists()


def test_the_admin_role_does_not_see_a_superusers_token(admin_client, root, staff_user):
    hidden = Token.objects.create(user=root)
    shown = Token.objects.create(user=staff_user)

    response = admin_client.get(reverse("admin:authtoken_tokenproxy_changelist"))

    assert [token.key for token in response.context["cl"].result_list] == [shown.key]
    assert hidden.key not in response.content.decode()


def test_the_admin_role_makes_a_token_for_an_ordinary_user(admin_client, staff_user):
    admin_client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": staff_user.pk})

    assert Token.objects.filter(user=staff_user).exists()
