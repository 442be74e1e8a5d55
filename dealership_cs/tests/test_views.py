"""Pages of the foundation: login, home per role, navigation, language, lock-out, staff directory."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from conftest import PASSWORD
from dealership_cs.models import Staff

ROLE_OF = {"staff": "cs_staff", "agent": "callback_agent", "manager": "manager", "admin": "admin"}


def nav_keys(html: str) -> set[str]:
    return set(re.findall(r'data-nav="([^"]+)"', html))


def test_anonymous_pages_redirect_to_login(client, db):
    for url in ["/", "/staff/", "/system/", "/password/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next=")


def test_login_page_is_in_chinese_by_default(client, db):
    response = client.get("/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html and "密码" in html


def test_an_english_browser_still_gets_chinese_until_the_user_switches(client, db):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "用户名" in html


def test_language_switch_turns_the_pages_english_and_back(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302 and response["Location"] == "/login/"
    html = client.get("/login/").content.decode()
    assert '<html lang="en">' in html and "Log in" in html and "登录" not in html.split("</nav>")[1]
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/login/"})
    assert "用户名" in client.get("/login/").content.decode()


def test_login_with_right_password_lands_on_home(client, staff_user):
    response = client.post("/login/", {"username": "zhang.staff", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get("/").status_code == 200


def test_repeated_failed_logins_lock_the_account_even_for_the_right_password(client, staff_user, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/login/", {"username": "zhang.staff", "password": "wrong-password"})
    assert response.status_code in (403, 429)
    response = client.post("/login/", {"username": "zhang.staff", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert 'data-testid="locked-out"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_failed_login_below_the_limit_says_so_and_allows_a_retry(client, staff_user):
    response = client.post("/login/", {"username": "zhang.staff", "password": "wrong-password"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    response = client.post("/login/", {"username": "zhang.staff", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_ends_the_session(client, staff_user):
    client.force_login(staff_user)
    response = client.post("/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_session_expires_after_the_configured_age(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_password_change_applies_the_password_validators(client, staff_user):
    client.force_login(staff_user)
    response = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Lantern-Gear-2011", "new_password2": "Lantern-Gear-2011"},
    )
    assert response.status_code == 302
    staff_user.refresh_from_db()
    assert staff_user.check_password("Lantern-Gear-2011")


@pytest.mark.parametrize(
    ("who", "expected_nav"),
    [
        (
            "staff",
            {
                "staff",
                "customers",
                "archive_new",
                "archives",
                "vehicles",
                "visits",
                "data_quality",
                "phone_corrections",
                "ledger_import",
                "visit_import",
                "omd_invoices",
                "discrepancies",
                "accuracy",
                "scores",
                "callback_desk",
                "callback_tasks",
                "callback_supervision",
                "callback_rules",
                "complaints",
                "care_plans",
            },
        ),
        (
            "agent",
            {
                "staff",
                "customers",
                "archives",
                "vehicles",
                "visits",
                "phone_corrections",
                "omd_invoices",
                "discrepancies",
                "scores",
                "callback_desk",
                "callback_tasks",
                "callback_rules",
                "complaints",
                "care_plans",
            },
        ),
        (
            "manager",
            {
                "staff",
                "customers",
                "archives",
                "vehicles",
                "visits",
                "phone_corrections",
                "omd_invoices",
                "discrepancies",
                "accuracy",
                "scores",
                "score_import",
                "callback_desk",
                "callback_tasks",
                "callback_supervision",
                "callback_rules",
                "complaints",
                "care_plans",
            },
        ),
        (
            "admin",
            {
                "staff",
                "system",
                "admin",
                "api_docs",
                "customers",
                "archive_new",
                "archives",
                "vehicles",
                "visits",
                "data_quality",
                "phone_corrections",
                "ledger_import",
                "visit_import",
                "omd_invoices",
                "omd_imports",
                "discrepancies",
                "accuracy",
                "scores",
                "score_import",
                "callback_desk",
                "callback_tasks",
                "callback_supervision",
                "callback_rules",
                "complaints",
                "care_plans",
            },
        ),
        ("norole", set()),
    ],
)
def test_each_role_sees_only_its_navigation(client, cast, who, expected_nav):
    client.force_login(cast[who])
    html = client.get("/?home=1").content.decode()
    assert nav_keys(html) == expected_nav


def test_an_agent_lands_on_the_callback_desk_and_other_roles_on_the_home_page(client, agent_user, staff_user):
    client.force_login(agent_user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/callbacks/"
    client.force_login(staff_user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_each_role_has_a_home_section_with_its_role_name_and_work(client, cast, who):
    client.force_login(cast[who])
    response = client.get("/?home=1")
    html = response.content.decode()
    assert f'data-home-role="{ROLE_OF[who]}"' in html
    assert f'data-role="{ROLE_OF[who]}"' in html  # the current role is shown in the top bar
    assert 'data-home-link="staff"' in html
    assert ('data-home-link="system"' in html) is (who == "admin")
    assert 'data-testid="no-role"' not in html


def test_user_without_role_sees_nothing_of_the_app(client, norole_user):
    client.force_login(norole_user)
    html = client.get("/").content.decode()
    assert 'data-testid="no-role"' in html
    assert "data-home-role" not in html and "data-home-link" not in html
    for url in ["/staff/", "/staff/new/", "/system/"]:
        assert client.get(url).status_code == 403, url
    assert client.get("/api/staff/").status_code == 403
    assert client.get("/api/me/").status_code == 403


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("agent", 403), ("manager", 403), ("admin", 200)])
def test_system_status_is_for_admins_only(client, cast, who, status):
    client.force_login(cast[who])
    assert client.get("/system/").status_code == status


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_every_role_reads_the_staff_directory(client, cast, who, django_assert_max_num_queries):
    for number in range(30):
        Staff.objects.create(name=f"顾问{number}", department=Staff.Department.SALES, employee_number=f"S{number:03}")
    client.force_login(cast[who])
    with django_assert_max_num_queries(12):
        response = client.get("/staff/")
    assert response.status_code == 200
    assert response.content.decode().count('href="/staff/') >= 30


def test_staff_list_filters_by_department_and_search(client, staff_user):
    Staff.objects.create(name="刘洋", department=Staff.Department.SALES, employee_number="S001")
    Staff.objects.create(name="周强", department=Staff.Department.SERVICE, employee_number="F001")
    client.force_login(staff_user)
    html = client.get("/staff/", {"department": "service"}).content.decode()
    assert "周强" in html and "刘洋" not in html
    html = client.get("/staff/", {"q": "S001"}).content.decode()
    assert "刘洋" in html and "周强" not in html


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("agent", 403), ("manager", 403), ("norole", 403)])
def test_only_admins_add_or_edit_staff(client, cast, who, status):
    member = Staff.objects.create(name="刘洋", department=Staff.Department.SALES)
    client.force_login(cast[who])
    assert client.get("/staff/new/").status_code == status
    assert client.post("/staff/new/", {"name": "X", "department": "sales", "position": "other"}).status_code == status
    assert client.post(f"/staff/{member.pk}/edit/", {"name": "Y", "department": "sales"}).status_code == status
    member.refresh_from_db()
    assert member.name == "刘洋"
    assert Staff.objects.count() == 1


def test_admin_adds_a_staff_member_and_the_edit_is_in_the_history(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/staff/new/",
        {
            "name": "刘洋",
            "department": "sales",
            "position": "sales_consultant",
            "employee_number": "S001",
            "active": "on",
        },
    )
    member = Staff.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/{member.pk}/"
    response = client.post(
        f"/staff/{member.pk}/edit/",
        {
            "name": "刘洋",
            "department": "sales",
            "position": "sales_consultant",
            "employee_number": "S009",
            "active": "on",
        },
    )
    assert response.status_code == 302
    html = client.get(f"/staff/{member.pk}/").content.decode()
    assert "S001" in html and "S009" in html  # before and after
    assert "zhao.admin" in html  # who
    assert member.history.count() == 2


def test_staff_form_shows_field_errors_and_stores_nothing(client, admin_user):
    Staff.objects.create(name="刘洋", department=Staff.Department.SALES, employee_number="S001")
    client.force_login(admin_user)
    response = client.post(
        "/staff/new/", {"name": "", "department": "sales", "position": "other", "employee_number": "S001"}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "name" in form.errors
    assert "employee_number" in form.errors or "__all__" in form.errors
    assert Staff.objects.count() == 1


def test_a_staff_member_that_does_not_exist_is_404(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/staff/999999/").status_code == 404
