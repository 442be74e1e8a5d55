"""The API: session and token auth, role permissions, pagination, filters and the OpenAPI schema."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dealership_cs.models import Staff


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_api_calls_are_refused_without_redirect(api, db):
    response = api.get("/api/staff/")
    assert response.status_code in (401, 403)
    assert response["Content-Type"].startswith("application/json")


def test_token_authentication_works(api, manager_user):
    token = Token.objects.create(user=manager_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/me/")
    assert response.status_code == 200
    assert response.json() == {"username": "wang.manager", "full_name": "王 经理", "roles": ["manager"]}


def test_obtaining_a_token_with_username_and_password(api, agent_user):
    from conftest import PASSWORD

    response = api.post("/api/auth/token/", {"username": "li.agent", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and len(response.json()["token"]) == 40


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_every_role_lists_staff_paginated_with_constant_queries(api, cast, who, django_assert_max_num_queries):
    Staff.objects.bulk_create(
        Staff(name=f"顾问{n}", department=Staff.Department.SALES, employee_number=f"S{n:03}") for n in range(60)
    )
    api.force_authenticate(cast[who])
    with django_assert_max_num_queries(6):
        response = api.get("/api/staff/")
    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 60 and len(body["results"]) == 50 and body["next"]
    assert len(api.get("/api/staff/", {"page": 2}).json()["results"]) == 10


def test_staff_api_filters_with_the_same_filterset_as_the_page(api, staff_user):
    Staff.objects.create(name="刘洋", department=Staff.Department.SALES, employee_number="S001")
    Staff.objects.create(name="周强", department=Staff.Department.SERVICE, employee_number="F001")
    api.force_authenticate(staff_user)
    names = [row["name"] for row in api.get("/api/staff/", {"department": "service"}).json()["results"]]
    assert names == ["周强"]
    names = [row["name"] for row in api.get("/api/staff/", {"q": "刘"}).json()["results"]]
    assert names == ["刘洋"]


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("agent", 403), ("manager", 403), ("norole", 403)])
def test_only_admins_write_staff_through_the_api(api, cast, who, status):
    api.force_authenticate(cast[who])
    response = api.post("/api/staff/", {"name": "刘洋", "department": "sales"}, format="json")
    assert response.status_code == status
    assert Staff.objects.count() == 0


def test_admin_creates_and_updates_staff_through_the_api_with_history(api, admin_user):
    api.force_authenticate(admin_user)
    response = api.post(
        "/api/staff/", {"name": "刘洋", "department": "sales", "employee_number": "S001"}, format="json"
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = api.patch(f"/api/staff/{pk}/", {"phone": "13812345678"}, format="json")
    assert response.status_code == 200
    assert Staff.objects.get(pk=pk).history.count() == 2


def test_api_rejects_a_bad_choice_with_400_and_stores_nothing(api, admin_user):
    api.force_authenticate(admin_user)
    response = api.post("/api/staff/", {"name": "刘洋", "department": "marketing"}, format="json")
    assert response.status_code == 400
    assert "department" in response.json()
    assert Staff.objects.count() == 0


def test_openapi_schema_builds_without_warnings(db):
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", "--format", "openapi-json", stdout=out)
    assert '"/api/staff/"' in out.getvalue()


@pytest.mark.parametrize("path", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_need_a_role_like_the_rest_of_the_api(api, client, cast, path):
    assert api.get(path).status_code == api.get("/api/staff/").status_code == 403  # anonymous
    client.force_login(cast["norole"])
    assert client.get(path).status_code == client.get("/api/staff/").status_code == 403
    for who in ("staff", "agent", "manager", "admin"):
        client.force_login(cast[who])
        assert client.get(path).status_code == 200, who


def test_the_docs_describe_the_api_from_the_sites_own_files(client, staff_user):
    client.force_login(staff_user)
    assert "/api/staff/" in client.get("/api/schema/").content.decode()
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn" not in html.lower()
