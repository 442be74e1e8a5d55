"""The scores API: the year summary on DOMAIN.md's 2010 tables, CRUD per role, refusals at the field."""

from __future__ import annotations

import io
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from surveys.models import ANNUAL, ItemScore, ItemTarget, OfficialScore, Program, ScoreItem, Target
from surveys.services import score_save, target_save
from surveys.tests.domain_2010 import load_mot_items_2010, load_ssi_2010

pytestmark = pytest.mark.django_db

Q1 = {"program": "SSI", "period": "2010-Q1", "score": 843, "regional_avg": "878", "rank": 35, "dealers": 39}


@pytest.fixture
def api():
    return APIClient()


def _ssi() -> Program:
    return Program.objects.get(code="SSI")


# --- The summary --------------------------------------------------------------------------------


def test_summary_of_ssi_2010_gives_the_plans_year_to_date_row(api, staff_user):
    load_ssi_2010()
    api.force_authenticate(staff_user)
    response = api.get("/api/scores/summary/", {"program": "SSI", "year": 2010})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["program"] == {
        "code": "SSI",
        "name": body["program"]["name"],
        "headline": "SSI",
        "scale": "1000.00",
        "period_kind": "quarter",
    }
    assert body["year"] == 2010
    assert body["ytd"] == {
        "score": "874.50",
        "method": "plain",
        "regional_avg": "889.85",
        "national_avg": None,
        "rank": "27.50",
        "periods": 4,
        "sample_n": None,
        "target": None,
        "gap_regional": "-15.35",
        "gap_target": None,
    }
    first, second, *_rest, last = body["periods"]
    assert first == {
        "period": "2010-Q1",
        "score": "843.00",
        "regional_avg": "878.00",
        "national_avg": None,
        "gap_regional": "-35.00",
        "rank": 35,
        "dealers": 39,
        "percentile": "0.1053",
        "target": None,
        "gap_target": None,
        "change": None,
        "sample_n": None,
    }
    assert second["change"] == "-13.00"
    assert (last["period"], last["gap_regional"], last["percentile"], last["change"]) == (
        "2010-Q4",
        "55.00",
        "0.7105",
        "91.00",
    )
    assert body["official_year"] is None
    assert body["target"] is None
    assert body["projection"]["status"] == "no_target"
    assert body["projection"]["reachable"] is None


def test_summary_of_mot_2010_gives_the_weak_items_both_ways(api, agent_user):
    load_mot_items_2010()
    api.force_authenticate(agent_user)
    body = api.get("/api/scores/summary/", {"program": "css", "year": "2010"}).json()
    below = [(row["code"], row["gap"]) for row in body["weak_items"]["below_regional"]]
    assert below == [("11.11", "-1.90"), ("9A1", "-0.20"), ("11.13", "-0.10")]
    lowest = [(row["code"], row["score"]) for row in body["weak_items"]["lowest"]]
    assert lowest == [("11.12", "78.60"), ("11.13", "79.30"), ("12B.1", "79.30"), ("11.11", "81.40")]
    first = body["weak_items"]["below_regional"][0]
    assert first["name"] == "接车-交车的时间"
    assert first["regional_avg"] == "83.30" and first["official"] is True


def test_summary_projects_the_average_the_rest_of_the_year_needs(api, manager_user):
    ssi = load_ssi_2010(quarters=(1, 2))
    target_save(program=ssi, year=2010, score="900")
    api.force_authenticate(manager_user)
    body = api.get("/api/scores/summary/", {"program": "SSI", "year": 2010}).json()
    # (900 × 4 − 843 − 830) / 2
    assert body["projection"] == {
        "status": "reachable",
        "reachable": True,
        "required": "963.50",
        "remaining": ["2010-Q3", "2010-Q4"],
        "method": "plain",
        "target": "900.00",
    }
    assert body["target"] == {"score": "900.00", "rank": None, "phasing": "equal", "note": ""}
    assert body["periods"][0]["target"] == "900.00" and body["periods"][0]["gap_target"] == "-57.00"

    target_save(program=ssi, year=2010, score="990")  # (3960 − 1673) / 2 = 1143.5 > 1000
    body = api.get("/api/scores/summary/", {"program": "SSI", "year": 2010}).json()
    assert (body["projection"]["status"], body["projection"]["reachable"]) == ("unreachable", False)
    assert body["projection"]["required"] == "1143.50"


def test_summary_shows_the_official_full_year_result_apart(api, staff_user):
    ssi = load_ssi_2010()
    score_save(program=ssi, period=ssi.period(2010, ANNUAL), values={"score": "874.5", "rank": 28, "dealers": 39})
    api.force_authenticate(staff_user)
    body = api.get("/api/scores/summary/", {"program": "SSI", "year": 2010}).json()
    assert body["official_year"]["period"] == "2010"
    assert body["official_year"]["score"] == "874.50" and body["official_year"]["rank"] == 28
    assert body["ytd"]["periods"] == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": 2010}, "program"),
        ({"program": "NOPE", "year": 2010}, "program"),
        ({"program": "SSI"}, "year"),
        ({"program": "SSI", "year": "twenty-ten"}, "year"),
        ({"program": "SSI", "year": 1899}, "year"),
    ],
)
def test_summary_refuses_a_missing_or_unknown_program_or_a_bad_year(api, staff_user, query, field):
    api.force_authenticate(staff_user)
    response = api.get("/api/scores/summary/", query)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_summary_answers_in_a_handful_of_queries(api, staff_user, django_assert_max_num_queries):
    load_ssi_2010()
    load_mot_items_2010()
    api.force_authenticate(staff_user)
    with django_assert_max_num_queries(14):
        assert api.get("/api/scores/summary/", {"program": "CSS", "year": 2010}).status_code == 200


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["staff", "agent", "manager", "admin"])
def test_every_role_reads_scores_and_the_summary(api, cast, who):
    load_ssi_2010()
    api.force_authenticate(cast[who])
    assert api.get("/api/scores/").json()["count"] == 4
    assert api.get("/api/scores/summary/", {"program": "SSI", "year": 2010}).status_code == 200
    assert api.get("/api/score-targets/").status_code == 200
    assert api.get("/api/item-scores/").status_code == 200
    assert api.get("/api/score-programs/").status_code == 200
    assert api.get("/api/score-items/").status_code == 200


def test_a_login_without_a_role_gets_403_everywhere(api, norole_user):
    load_ssi_2010()
    api.force_authenticate(norole_user)
    for url in (
        "/api/scores/",
        "/api/scores/summary/?program=SSI&year=2010",
        "/api/item-scores/",
        "/api/score-targets/",
        "/api/score-programs/",
        "/api/score-items/",
    ):
        assert api.get(url).status_code == 403, url
    assert api.post("/api/scores/", Q1, format="json").status_code == 403
    assert OfficialScore.objects.count() == 4


@pytest.mark.parametrize("who", ["staff", "agent", "norole"])
def test_staff_and_agents_may_not_write_scores_or_targets(api, cast, who):
    ssi = load_ssi_2010(quarters=(1,))
    row = OfficialScore.objects.get()
    target, _outcome = target_save(program=ssi, year=2010, score="900")
    api.force_authenticate(cast[who])
    assert api.post("/api/scores/", {**Q1, "period": "2010-Q2"}, format="json").status_code == 403
    assert api.patch(f"/api/scores/{row.pk}/", {"score": 1}, format="json").status_code == 403
    assert api.delete(f"/api/scores/{row.pk}/").status_code == 403
    assert (
        api.post("/api/score-targets/", {"program": "SSI", "year": 2011, "score": 960}, format="json").status_code
        == 403
    )
    assert api.delete(f"/api/score-targets/{target.pk}/").status_code == 403
    assert (
        api.post(
            "/api/item-scores/",
            {"program": "CSS", "period": "2010", "item_code": "11.12", "score": 78.6},
            format="json",
        ).status_code
        == 403
    )
    assert OfficialScore.objects.get().score == D("843")
    assert Target.objects.count() == 1 and ItemScore.objects.count() == 0


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_and_admins_create_update_and_delete_scores(api, cast, who):
    api.force_authenticate(cast[who])
    response = api.post("/api/scores/", Q1, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in ("program", "period", "year", "score", "regional_avg", "rank", "dealers")} == {
        "program": "SSI",
        "period": "2010-Q1",
        "year": 2010,
        "score": "843.00",
        "regional_avg": "878.00",
        "rank": 35,
        "dealers": 39,
    }
    assert (body["percentile"], body["gap_regional"], body["source"]) == ("0.1053", "-35.00", "typed")
    row = OfficialScore.objects.get()
    assert (row.period, row.updated_by) == (1, cast[who])

    response = api.put(f"/api/scores/{row.pk}/", {"score": "850", "rank": 30, "dealers": 39}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["regional_avg"] is None  # PUT replaces the whole result
    assert api.get(f"/api/scores/{row.pk}/").json()["score"] == "850.00"

    assert api.delete(f"/api/scores/{row.pk}/").status_code == 204
    assert not OfficialScore.objects.exists()
    assert OfficialScore.history.filter(id=row.pk, history_type="-").exists()


def test_patch_keeps_the_other_values_and_records_history(api, manager_user):
    api.force_authenticate(manager_user)
    pk = api.post("/api/scores/", {**Q1, "sample_n": 120}, format="json").json()["id"]
    response = api.patch(f"/api/scores/{pk}/", {"rank": "30"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["score"], body["regional_avg"], body["rank"], body["dealers"], body["sample_n"]) == (
        "843.00",
        "878.00",
        30,
        39,
        120,
    )
    history = OfficialScore.objects.get(pk=pk).history.order_by("history_date")
    assert [(h.history_type, h.rank) for h in history] == [("+", 35), ("~", 30)]
    assert history.last().history_user == manager_user
    # The merged values are validated: a rank of 40 is above the stored 39 dealers.
    response = api.patch(f"/api/scores/{pk}/", {"rank": 40}, format="json")
    assert response.status_code == 400 and "rank" in response.json()
    assert OfficialScore.objects.get(pk=pk).rank == 30 and history.count() == 2


def test_patch_with_nothing_new_writes_no_history(api, manager_user):
    api.force_authenticate(manager_user)
    pk = api.post("/api/scores/", Q1, format="json").json()["id"]
    assert api.patch(f"/api/scores/{pk}/", {"score": "843.00"}, format="json").status_code == 200
    assert OfficialScore.objects.get(pk=pk).history.count() == 1


# --- Refused at the field, nothing stored -------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"score": 1000.5}, "score"),
        ({"score": "-1"}, "score"),
        ({"score": "eight hundred"}, "score"),
        ({"score": [843]}, "score"),
        ({"score": None}, "score"),
        ({"regional_avg": 1200}, "regional_avg"),
        ({"rank": 40}, "rank"),
        ({"rank": 3.5}, "rank"),
        ({"dealers": 0}, "dealers"),
        ({"sample_n": "many"}, "sample_n"),
        ({"period": "2010-02"}, "period"),
        ({"period": "2010-Q5"}, "period"),
        ({"period": "last spring"}, "period"),
        ({"period": "1850-Q1"}, "period"),
        ({"program": "NOPE"}, "program"),
    ],
)
def test_bad_score_input_is_refused_at_the_field_and_nothing_is_stored(api, manager_user, change, field):
    api.force_authenticate(manager_user)
    response = api.post("/api/scores/", {**Q1, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not OfficialScore.objects.exists()


def test_posting_a_period_that_already_has_a_result_is_refused(api, manager_user):
    api.force_authenticate(manager_user)
    pk = api.post("/api/scores/", Q1, format="json").json()["id"]
    response = api.post("/api/scores/", {**Q1, "score": 900}, format="json")
    assert response.status_code == 400
    message = response.json()["period"][0]
    assert "SSI 2010-Q1" in message and f"/api/scores/{pk}/" in message
    row = OfficialScore.objects.get()
    assert row.score == D("843") and row.history.count() == 1


def test_a_saved_result_keeps_its_program_and_period(api, manager_user):
    api.force_authenticate(manager_user)
    pk = api.post("/api/scores/", Q1, format="json").json()["id"]
    response = api.patch(f"/api/scores/{pk}/", {"period": "2010-Q2"}, format="json")
    assert response.status_code == 400 and "period" in response.json()
    response = api.patch(f"/api/scores/{pk}/", {"program": "CSS"}, format="json")
    assert response.status_code == 400 and "program" in response.json()
    assert api.patch(f"/api/scores/{pk}/", {"period": "2010年第1季度", "score": 844}, format="json").status_code == 200
    assert OfficialScore.objects.get().period == 1


# --- Lists and filters --------------------------------------------------------------------------


def test_score_lists_filter_by_program_year_and_period(api, staff_user, django_assert_max_num_queries):
    load_ssi_2010()
    css = Program.objects.get(code="CSS")
    score_save(program=css, period=css.period(2010, 2), values={"score": "81"})
    score_save(program=css, period=css.period(2011, 2), values={"score": "85"})
    api.force_authenticate(staff_user)
    with django_assert_max_num_queries(6):
        body = api.get("/api/scores/").json()
    assert body["count"] == 6
    assert [r["period"] for r in api.get("/api/scores/", {"program": "ssi"}).json()["results"]] == [
        "2010-Q1",
        "2010-Q2",
        "2010-Q3",
        "2010-Q4",
    ]
    assert [r["period"] for r in api.get("/api/scores/", {"year": 2011}).json()["results"]] == ["2011-02"]
    assert [r["period"] for r in api.get("/api/scores/", {"period": "2010-Q2"}).json()["results"]] == ["2010-Q2"]
    assert [r["program"] for r in api.get("/api/scores/", {"period": "2010-02"}).json()["results"]] == ["CSS"]
    assert api.get("/api/scores/", {"period": "someday"}).status_code == 400
    assert api.get("/api/scores/", {"program": "NOPE"}).status_code == 400


# --- Item scores --------------------------------------------------------------------------------


def test_item_scores_are_written_by_item_code_and_filtered(api, manager_user, staff_user):
    api.force_authenticate(manager_user)
    response = api.post(
        "/api/item-scores/",
        {"program": "CSS", "period": "2010", "item_code": "11.11", "score": "81.4", "regional_avg": 83.3},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["period"], body["item_code"], body["score"], body["gap_regional"]) == (
        "2010",
        "11.11",
        "81.40",
        "-1.90",
    )
    pk = body["id"]
    # PATCH keeps the regional average.
    body = api.patch(f"/api/item-scores/{pk}/", {"score": 82}, format="json").json()
    assert (body["score"], body["regional_avg"]) == ("82.00", "83.30")
    assert ItemScore.objects.get(pk=pk).history.count() == 2
    api.post(
        "/api/item-scores/", {"program": "CSS", "period": "2010-03", "item_code": "8c2", "score": 80}, format="json"
    )

    api.force_authenticate(staff_user)
    codes = lambda query: [r["item_code"] for r in api.get("/api/item-scores/", query).json()["results"]]  # noqa: E731
    assert codes({"program": "CSS"}) == ["11.11", "8C2"]
    assert codes({"item_code": "8c2"}) == ["8C2"]
    assert codes({"period": "2010"}) == ["11.11"]
    assert codes({"year": 2011}) == []

    api.force_authenticate(manager_user)
    assert api.delete(f"/api/item-scores/{pk}/").status_code == 204
    assert ItemScore.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"item_code": "99.9"}, "item_code"),
        ({"item_code": "S1"}, "item_code"),  # an SSI item, not in the CSS catalogue
        ({"score": 101}, "score"),
        ({"regional_avg": "-3"}, "regional_avg"),
        ({"period": "2010-Q1"}, "period"),
        ({"sample_n": 0}, "sample_n"),
    ],
)
def test_bad_item_score_input_is_refused_at_the_field(api, manager_user, change, field):
    api.force_authenticate(manager_user)
    data = {"program": "CSS", "period": "2010-02", "item_code": "11.12", "score": "78.6", **change}
    response = api.post("/api/item-scores/", data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not ItemScore.objects.exists()


def test_posting_an_item_score_that_exists_is_refused(api, manager_user):
    api.force_authenticate(manager_user)
    data = {"program": "CSS", "period": "2010-02", "item_code": "11.12", "score": "78.6"}
    assert api.post("/api/item-scores/", data, format="json").status_code == 201
    response = api.post("/api/item-scores/", {**data, "score": 90}, format="json")
    assert response.status_code == 400 and "item_code" in response.json()
    assert ItemScore.objects.get().score == D("78.6")


# --- Targets ------------------------------------------------------------------------------------

CUSTOM_2011 = {
    "program": "SSI",
    "year": 2011,
    "score": 960,
    "rank": 10,
    "phasing": "custom",
    "phases": [
        {"period": 1, "percent": 96},
        {"period": 2, "percent": "99"},
        {"period": 3, "percent": 101},
        {"period": 4, "percent": 104},
    ],
    "item_targets": [{"item_code": "s1", "score": 950}],
    "note": "2011 plan",
}


def test_a_custom_phased_target_makes_the_round_trip(api, manager_user, staff_user):
    api.force_authenticate(manager_user)
    response = api.post("/api/score-targets/", CUSTOM_2011, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    api.force_authenticate(staff_user)
    body = api.get(f"/api/score-targets/{created['id']}/").json()
    assert body == created
    assert (body["program"], body["year"], body["score"], body["rank"], body["phasing"], body["note"]) == (
        "SSI",
        2011,
        "960.00",
        10,
        "custom",
        "2011 plan",
    )
    assert body["phases"] == [
        {"period": 1, "percent": "96.00"},
        {"period": 2, "percent": "99.00"},
        {"period": 3, "percent": "101.00"},
        {"period": 4, "percent": "104.00"},
    ]
    assert body["phased"] == [
        {"period": "2011-Q1", "target": "921.60"},
        {"period": "2011-Q2", "target": "950.40"},
        {"period": "2011-Q3", "target": "969.60"},
        {"period": "2011-Q4", "target": "998.40"},
    ]
    assert [(row["item_code"], row["score"]) for row in body["item_targets"]] == [("S1", "950.00")]
    assert api.get("/api/score-targets/", {"program": "SSI", "year": 2011}).json()["count"] == 1


def test_patching_a_target_keeps_its_phases_and_item_targets(api, manager_user):
    api.force_authenticate(manager_user)
    pk = api.post("/api/score-targets/", CUSTOM_2011, format="json").json()["id"]
    response = api.patch(f"/api/score-targets/{pk}/", {"rank": 8}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["rank"], body["score"], body["phasing"], len(body["phases"]), body["note"]) == (
        8,
        "960.00",
        "custom",
        4,
        "2011 plan",
    )
    assert [row["item_code"] for row in body["item_targets"]] == ["S1"]
    assert Target.objects.get().history.count() == 2
    # Back to equal phasing: the phases go, every quarter carries the annual target.
    body = api.patch(f"/api/score-targets/{pk}/", {"phasing": "equal"}, format="json").json()
    assert body["phases"] == [] and {row["target"] for row in body["phased"]} == {"960.00"}
    # A PUT without item targets removes them.
    response = api.put(f"/api/score-targets/{pk}/", {"score": 950}, format="json")
    assert response.status_code == 200 and response.json()["item_targets"] == []
    assert not ItemTarget.objects.exists() and response.json()["rank"] is None


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {
                "phases": [
                    {"period": 1, "percent": 96},
                    {"period": 2, "percent": 99},
                    {"period": 3, "percent": 101},
                    {"period": 4, "percent": 105},
                ]
            },
            "phases",
            "2011-Q4",
        ),  # 105 % of 960 is above 1000
        (
            {
                "phases": [
                    {"period": 1, "percent": 90},
                    {"period": 2, "percent": 99},
                    {"period": 3, "percent": 101},
                    {"period": 4, "percent": 104},
                ]
            },
            "phasing",
            "100",
        ),
        (
            {"phases": [{"period": 1, "percent": 96}, {"period": 2, "percent": 99}, {"period": 3, "percent": 101}]},
            "phases",
            "2011-Q4",
        ),
        ({"phases": [{"period": 5, "percent": 100}]}, "phases", "5"),
        ({"phases": [{"period": 1, "percent": 0}]}, "phases", "2011-Q1"),
        ({"item_targets": [{"item_code": "11.12", "score": 90}]}, "item_targets", "11.12"),
        ({"item_targets": [{"item_code": "S1", "score": 1001}]}, "item_targets", "S1"),
        ({"score": 1001}, "score", ""),
        ({"score": None, "rank": None}, "score", ""),
        ({"rank": "first"}, "rank", ""),
        ({"phasing": "weekly"}, "phasing", ""),
        ({"year": 1999}, "year", ""),
    ],
)
def test_bad_target_input_is_refused_at_the_field_and_nothing_is_stored(api, manager_user, change, field, words):
    api.force_authenticate(manager_user)
    response = api.post("/api/score-targets/", {**CUSTOM_2011, **change}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert field in body, body
    assert words in " ".join(str(message) for message in body[field])
    assert not Target.objects.exists()


def test_posting_a_target_for_a_year_that_has_one_is_refused(api, manager_user):
    api.force_authenticate(manager_user)
    pk = api.post("/api/score-targets/", CUSTOM_2011, format="json").json()["id"]
    response = api.post("/api/score-targets/", {"program": "SSI", "year": 2011, "score": 900}, format="json")
    assert response.status_code == 400 and str(pk) in response.json()["year"][0]
    target = Target.objects.get()
    assert target.score == D("960") and target.phases.count() == 4
    assert api.delete(f"/api/score-targets/{pk}/").status_code == 204
    assert not Target.objects.exists()


# --- Programs and the catalogue -----------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("staff", 403), ("agent", 403), ("manager", 403), ("admin", 201)])
def test_only_admins_add_programs(api, cast, who, status):
    api.force_authenticate(cast[who])
    data = {"code": "nps", "name": "Net promoter", "scale_max": 100, "period_kind": "quarter"}
    response = api.post("/api/score-programs/", data, format="json")
    assert response.status_code == status
    assert Program.objects.filter(code="NPS").exists() is (status == 201)


def test_a_programs_calendar_cannot_change_once_it_has_scores(api, admin_user):
    load_ssi_2010(quarters=(1,))
    api.force_authenticate(admin_user)
    pk = _ssi().pk
    response = api.patch(f"/api/score-programs/{pk}/", {"period_kind": "month"}, format="json")
    assert response.status_code == 400 and "period_kind" in response.json()
    assert api.patch(f"/api/score-programs/{pk}/", {"name": "SSI 销售"}, format="json").status_code == 200
    assert _ssi().period_kind == "quarter"


def test_the_catalogue_lists_the_items_that_apply_in_a_year(api, staff_user):
    api.force_authenticate(staff_user)
    latest = ScoreItem.objects.filter(program__code="CSS").order_by("-year").first().year
    body = api.get("/api/score-items/", {"program": "CSS", "year": latest + 3}).json()
    assert body["count"] == ScoreItem.objects.filter(program__code="CSS", year=latest).count() == 8
    assert {row["year"] for row in body["results"]} == {latest}
    codes = [row["code"] for row in api.get("/api/score-items/", {"program": "CSS", "year": 2010}).json()["results"]]
    assert "11.12" in codes and "S1" not in codes


def test_admins_maintain_the_catalogue_and_a_code_is_unique_per_program_and_year(api, admin_user, manager_user):
    api.force_authenticate(manager_user)
    data = {"program": "css", "year": 2012, "code": "13a", "name": "预约方便"}
    assert api.post("/api/score-items/", data, format="json").status_code == 403
    api.force_authenticate(admin_user)
    response = api.post("/api/score-items/", data, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["program"], response.json()["code"]) == ("CSS", "13A")
    response = api.post("/api/score-items/", {**data, "code": "13A"}, format="json")
    assert response.status_code == 400 and "13A" in response.json()["code"][0]
    assert ScoreItem.objects.filter(program__code="CSS", year=2012).count() == 1


def test_the_schema_describes_the_scores_api_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", "--format", "openapi-json", stdout=out)
    schema = out.getvalue()
    for path in ("/api/scores/summary/", "/api/scores/{id}/", "/api/item-scores/", "/api/score-targets/"):
        assert f'"{path}"' in schema
