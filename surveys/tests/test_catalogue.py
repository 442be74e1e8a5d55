"""Programs and item catalogues: seeded by migration, maintained by administrators only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from surveys.models import Program, ScoreItem
from surveys.selectors import catalogue_for, item_by_code
from surveys.services import catalogue_copy, score_save

pytestmark = pytest.mark.django_db


def test_a_new_database_has_the_programs_and_the_mot_items():
    programs = {p.code: p for p in Program.objects.all()}
    assert set(programs) == {"SSI", "CSS", "MS_SALES", "MS_SERVICE"}
    assert programs["SSI"].scale_max == 1000 and programs["SSI"].period_kind == "quarter"
    assert programs["CSS"].scale_max == 100 and programs["CSS"].period_kind == "month"
    assert programs["CSS"].headline == "MOT"
    mot = [(item.code, item.name) for item in catalogue_for(programs["CSS"], 2010)]
    assert mot[0] == ("8C2", "维修工作解释")
    assert [code for code, _name in mot] == ["8C2", "9A1", "9A6", "11.1", "11.11", "11.12", "11.13", "12B.1"]
    assert len(catalogue_for(programs["SSI"], 2011)) == 6


def test_a_year_without_its_own_catalogue_uses_the_latest_earlier_one():
    css = Program.objects.get(code="CSS")
    assert {item.year for item in catalogue_for(css, 2014)} == {2011}
    assert {item.year for item in catalogue_for(css, 2005)} == {2010}
    assert item_by_code(css, 2014, "12b.1").name == "顾客等候区舒适程度"
    assert item_by_code(css, 2014, "99") is None


def test_copying_items_to_the_next_year_keeps_existing_codes():
    css = Program.objects.get(code="CSS")
    items = ScoreItem.objects.filter(program=css, year=2011)
    assert catalogue_copy(items=items) == 8
    assert catalogue_copy(items=items) == 0
    assert ScoreItem.objects.filter(program=css, year=2012).count() == 8


@pytest.mark.parametrize(("role", "status"), [("admin", 302), ("manager", 403), ("staff", 403)])
def test_only_administrators_edit_programs(client, cast, role, status):
    user = cast[role]
    if role != "admin":
        user.is_staff = True  # even with access to the admin site, the role table decides
        user.save()
    client.force_login(user)
    css = Program.objects.get(code="CSS")
    # Managers and staff may look (read-only); only administrators may save.
    url = reverse("admin:surveys_program_change", args=[css.pk])
    assert client.get(url).status_code == 200
    data = {
        "code": "CSS",
        "name": "renamed",
        "scale_max": "100",
        "period_kind": "month",
        "order": "20",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == status
    css.refresh_from_db()
    assert (css.name == "renamed") == (role == "admin")


def test_a_program_with_scores_cannot_change_its_calendar(client, admin_user):
    ssi = Program.objects.get(code="SSI")
    score_save(program=ssi, period=ssi.period(2010, 1), values={"score": "843"})
    client.force_login(admin_user)
    url = reverse("admin:surveys_program_change", args=[ssi.pk])
    data = {
        "code": "SSI",
        "name": ssi.name,
        "headline": ssi.headline,
        "scale_max": "1000",
        "period_kind": "month",
        "active": "on",
        "order": "10",
        "description": "",
        "items-TOTAL_FORMS": "0",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "period_kind" in response.context["adminform"].form.errors
    ssi.refresh_from_db()
    assert ssi.period_kind == "quarter"
