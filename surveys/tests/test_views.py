"""The scores pages: who may see and change what, the 2010 figures as shown, entry, targets, the import."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealership_cs.spreadsheets import SpreadsheetRefused
from surveys.imports import ScoreImportResult, ScoreRowError
from surveys.models import ItemScore, OfficialScore, Program, ScoreImport, Target
from surveys.selectors import catalogue_for
from surveys.services import score_save
from surveys.tests.domain_2010 import load_mot_2010, load_ssi_2010

pytestmark = pytest.mark.django_db


def program(code: str) -> Program:
    return Program.objects.get(code=code)


@pytest.fixture
def ssi_2010():
    return load_ssi_2010()


@pytest.fixture
def css_2010():
    return load_mot_2010(official_year=True)


def english(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def row_html(html: str, attribute: str, value: str) -> str:
    match = re.search(rf'<tr {attribute}="{re.escape(value)}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(0)


def field_errors(html: str) -> dict[str, str]:
    return {name: unescape(text) for name, text in re.findall(r'data-error-for="([^"]+)">([^<]*)<', html)}


def cell(row: str, name: str) -> str:
    match = re.search(rf'data-cell="{name}"[^>]*>(.*?)</td>', row, re.S)
    assert match, f"no cell {name}"
    return re.sub(r"<[^>]+>", " ", match.group(1)).split()[0]


# --- who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"), [("staff", 200), ("agent", 200), ("manager", 200), ("admin", 200), ("norole", 403)]
)
def test_every_role_reads_the_overview_and_the_program_pages(client, cast, ssi_2010, who, status):
    client.force_login(cast[who])
    overview = client.get("/scores/")
    ssi = client.get("/scores/SSI/2010/")
    css = client.get("/scores/CSS/2011/")
    assert [overview.status_code, ssi.status_code, css.status_code] == [status] * 3
    if status == 403:
        for response in (overview, ssi, css):
            assert "958.00" not in response.content.decode() and "data-period" not in response.content.decode()
        return
    # The overview: SSI's latest quarter and year to date, and every program listed.
    html = overview.content.decode()
    assert re.findall(r'<tr data-program="([^"]+)"', html) == ["SSI", "CSS", "MS_SALES", "MS_SERVICE"]
    row = row_html(html, "data-program", "SSI")
    assert cell(row, "latest-score") == "958.00" and cell(row, "ytd") == "874.50"
    # SSI 2010: the four quarters with their scores.
    html = ssi.content.decode()
    assert [cell(row_html(html, "data-period", f"2010-Q{q}"), "score") for q in (1, 2, 3, 4)] == [
        "843.00",
        "830.00",
        "867.00",
        "958.00",
    ]
    # CSS 2011: the twelve months of the calendar, none reported.
    html = css.content.decode()
    months = re.findall(r'<tr data-period="(2011-\d\d)" class="text-body-secondary"', html)
    assert months == [f"2011-{m:02d}" for m in range(1, 13)]


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for url in ["/scores/", "/scores/SSI/2010/", "/scores/SSI/2010/enter/", "/scores/import/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


@pytest.mark.parametrize("who", ["staff", "agent", "norole"])
def test_only_managers_and_admins_enter_scores_set_targets_and_import(client, cast, ssi_2010, who):
    client.force_login(cast[who])
    for url in ["/scores/SSI/2010/enter/", "/scores/SSI/2011/target/", "/scores/import/"]:
        assert client.get(url).status_code == 403, url
    assert client.post("/scores/SSI/2010/enter/?period=2010-Q1", {"score": "900"}).status_code == 403
    assert client.post("/scores/SSI/2011/target/", {"score": "960", "phasing": "equal"}).status_code == 403
    upload = SimpleUploadedFile("scores.csv", b"program,period,score\nSSI,2010-Q1,900\n")
    with mock.patch("surveys.imports.score_import") as score_import:
        assert client.post("/scores/import/", {"file": upload}).status_code == 403
    score_import.assert_not_called()
    assert OfficialScore.objects.get(program__code="SSI", year=2010, period=1).score == Decimal("843.00")
    assert not Target.objects.exists()


@pytest.mark.parametrize("who", ["manager", "admin"])
def test_managers_and_admins_open_the_entry_form_the_target_editor_and_the_import(client, cast, ssi_2010, who):
    client.force_login(cast[who])
    pages = {
        url: client.get(url)
        for url in [
            "/scores/SSI/2010/enter/?period=2010-Q1",
            "/scores/CSS/2010/enter/",
            "/scores/SSI/2011/target/",
            "/scores/CSS/2011/target/",
            "/scores/import/",
        ]
    }
    assert {url: response.status_code for url, response in pages.items()} == dict.fromkeys(pages, 200)
    html = {url: response.content.decode() for url, response in pages.items()}
    ssi_items = [item.code for item in catalogue_for(program("SSI"), 2011)]
    css_items = [item.code for item in catalogue_for(program("CSS"), 2011)]
    # The entry form: the stored Q1 result in its fields, the year's periods to choose, a row per item.
    entry = html["/scores/SSI/2010/enter/?period=2010-Q1"]
    for name, value in [("score", "843.00"), ("regional_avg", "878.00"), ("rank", "35"), ("dealers", "39")]:
        assert re.search(rf'name="{name}" value="{value}"', entry), name
    assert re.search(r'name="national_avg"', entry) and re.search(r'name="sample_n"', entry)
    assert re.findall(r'<option value="([^"]+)"', entry) == ["2010-Q1", "2010-Q2", "2010-Q3", "2010-Q4", "2010"]
    assert '<option value="2010-Q1" selected>' in entry
    assert re.findall(r'<tr data-item="([^"]+)"', entry) == ssi_items
    # A month not entered yet opens empty, with the eight MOT items.
    entry = html["/scores/CSS/2010/enter/"]
    assert '<option value="2010-01" selected>' in entry
    assert re.search(r'name="score"', entry) and not re.search(r'name="score" value=', entry)
    assert re.findall(r'<tr data-item="([^"]+)"', entry) == css_items
    # The target editor: score, rank, phasing, a percentage per period (100 to start), item targets.
    for url, periods, items in [
        ("/scores/SSI/2011/target/", [f"2011-Q{q}" for q in (1, 2, 3, 4)], ssi_items),
        ("/scores/CSS/2011/target/", [f"2011-{m:02d}" for m in range(1, 13)], css_items),
    ]:
        editor = html[url]
        assert re.search(r'name="score"', editor) and re.search(r'name="rank"', editor), url
        assert re.search(r'type="radio" name="phasing" [^>]*value="equal" checked', editor), url
        assert re.search(r'type="radio" name="phasing" [^>]*value="custom"', editor), url
        phases = re.search(r'<table[^>]*data-testid="phases".*?</table>', editor, re.S).group(0)
        assert re.findall(r'<tr data-period="([^"]+)"', phases) == periods, url
        assert re.findall(r'name="percent_(\d+)" value="100"', phases) == [str(i) for i in range(1, len(periods) + 1)]
        targets = re.search(r'<table[^>]*data-testid="item-targets".*?</table>', editor, re.S).group(0)
        assert re.findall(r'<tr data-item="([^"]+)"', targets) == items, url
    # The import: a file upload with the dry-run box and the template to download.
    upload = re.search(r'<form[^>]*data-testid="upload-form".*?</form>', html["/scores/import/"], re.S).group(0)
    assert 'enctype="multipart/form-data"' in upload
    assert re.search(r'type="file" name="file"', upload) and re.search(r'type="checkbox" name="dry_run"', upload)
    assert f'href="{reverse("surveys:import_template")}" data-testid="template-link"' in upload


def test_the_enter_and_target_links_are_shown_only_to_those_who_may_use_them(
    client, staff_user, manager_user, css_2010
):
    html = english(client, staff_user).get("/scores/CSS/2011/").content.decode()
    assert 'data-testid="enter-link"' not in html and 'data-testid="target-link"' not in html
    assert 'data-testid="set-target"' not in html and "No target set for 2011." in html
    html = english(client, manager_user).get("/scores/CSS/2011/").content.decode()
    assert 'data-testid="enter-link"' in html and 'data-testid="target-link"' in html
    assert 'href="/scores/CSS/2011/target/" data-testid="set-target"' in html


def test_unknown_programs_and_years_outside_the_calendar_are_not_found(client, manager_user):
    client.force_login(manager_user)
    for url in [
        "/scores/NOPE/2010/",
        "/scores/NOPE/",
        "/scores/SSI/1999/",
        "/scores/SSI/2101/",
        "/scores/SSI/99999/enter/",
        "/scores/NOPE/2010/target/",
        "/scores/SSI/abc/",
    ]:
        assert client.get(url).status_code == 404, url


def test_a_lower_case_code_finds_the_program_and_the_bare_program_url_opens_its_latest_year(
    client, staff_user, ssi_2010
):
    client.force_login(staff_user)
    assert client.get("/scores/ssi/2010/").status_code == 200
    response = client.get("/scores/SSI/")
    assert response.status_code == 302 and response["Location"] == "/scores/SSI/2010/"


# --- what the pages show ------------------------------------------------------------------------


def test_the_ssi_2010_page_shows_each_quarter_and_the_plain_year_to_date(client, staff_user, ssi_2010):
    html = english(client, staff_user).get("/scores/SSI/2010/").content.decode()
    q1 = row_html(html, "data-period", "2010-Q1")
    assert cell(q1, "score") == "843.00" and cell(q1, "regional") == "878.00"
    assert cell(q1, "gap") == "-35.00" and 'class="text-danger" data-cell="gap"' in q1
    assert cell(q1, "rank") == "35" and "35 / 39" in q1
    assert cell(q1, "percentile") == "10.5%"  # 1 - 34/38
    q4 = row_html(html, "data-period", "2010-Q4")
    assert cell(q4, "gap") == "+55.00" and 'class="text-success" data-cell="gap"' in q4
    assert cell(q4, "change") == "+91.00"
    ytd = re.search(r'<tr [^>]*data-testid="ytd">(.*?)</tr>', html, re.S).group(1)
    assert cell(ytd, "score") == "874.50" and cell(ytd, "regional") == "889.85" and cell(ytd, "rank") == "27.50"
    assert 'data-method="plain"' in ytd and "plain mean" in ytd
    assert 'data-testid="official-year"' not in html
    assert 'data-status="no_target"' in html


def test_the_css_2010_page_shows_the_official_year_apart_and_marks_the_weak_items(
    client, staff_user, css_2010, django_assert_max_num_queries
):
    english(client, staff_user)
    # session, user, roles and permissions; program; target, results, previous year, catalogue (2), item scores;
    # score years (2); programs; navigation
    with django_assert_max_num_queries(20):
        response = client.get("/scores/CSS/2010/")
    html = response.content.decode()
    assert 'data-period="2010-01" class="text-body-secondary"' in html  # no survey in January
    official = re.search(r'<tr data-testid="official-year">(.*?)</tr>', html, re.S).group(1)
    assert "official" in official and cell(official, "score") == "82.20" and cell(official, "gap") == "+0.20"
    assert "22 / 54" in official
    ytd = re.search(r'<tr [^>]*data-testid="ytd">(.*?)</tr>', html, re.S).group(1)
    assert cell(ytd, "score") == "82.61"  # the plain mean of eleven months, not the official 82.2
    items = re.search(r'<table[^>]*data-testid="items".*?</table>', html, re.S).group(0)
    below = set(re.findall(r'<tr data-item="([^"]+)"[^>]*data-below-regional', items))
    lowest = set(re.findall(r'<tr data-item="([^"]+)"[^>]*data-lowest', items))
    assert below == {"11.11", "9A1", "11.13"}
    assert lowest == {"11.12", "11.13", "12B.1", "11.11"}
    eleven_eleven = row_html(items, "data-item", "11.11")
    assert 'data-badge="below-regional"' in eleven_eleven and 'data-badge="lowest"' in eleven_eleven
    assert cell(eleven_eleven, "gap") == "-1.90"
    nine = row_html(items, "data-item", "9A1")
    assert 'data-badge="below-regional"' in nine and 'data-badge="lowest"' not in nine
    assert "data-badge" not in row_html(items, "data-item", "11.1")
    weak = re.search(r'data-testid="weak-below-regional".*?</ol>', html, re.S).group(0)
    assert re.findall(r'<li data-item="([^"]+)"', weak) == ["11.11", "9A1", "11.13"]
    lowest_list = re.search(r'data-testid="lowest-items".*?</ol>', html, re.S).group(0)
    assert re.findall(r'<li data-item="([^"]+)"', lowest_list) == ["11.12", "11.13", "12B.1", "11.11"]


def test_the_overview_shows_each_program_for_the_latest_year_with_results(
    client, agent_user, ssi_2010, css_2010, django_assert_max_num_queries
):
    english(client, agent_user)
    # the session and the user's permissions, the years, then each program's target and periods (no item table)
    with django_assert_max_num_queries(20):
        html = client.get("/scores/").content.decode()
    assert 'Official scores <span class="text-body-secondary">2010</span>' in html
    ssi = row_html(html, "data-program", "SSI")
    assert cell(ssi, "latest-score") == "958.00" and cell(ssi, "latest-gap") == "+55.00"
    assert "12 / 39" in ssi and cell(ssi, "ytd") == "874.50"
    assert 'href="/scores/SSI/2010/"' in ssi
    css = row_html(html, "data-program", "CSS")
    assert cell(css, "latest-score") == "84.50" and "25 / 54" in css
    assert "no results yet" in row_html(html, "data-program", "MS_SALES")


def test_a_bad_year_on_the_overview_is_a_message_not_an_error(client, staff_user, ssi_2010):
    response = english(client, staff_user).get("/scores/", {"year": "20x0"})
    assert response.status_code == 400
    assert "“20x0” is not a year" in response.content.decode()


def test_the_projection_says_what_the_rest_of_the_year_needs(client, staff_user, ssi_2010):
    ssi = program("SSI")
    Target.objects.create(program=ssi, year=2011, score=Decimal("960"), rank=10)
    for quarter, score in ((1, "950"), (2, "960")):
        score_save(program=ssi, period=ssi.period(2011, quarter), values={"score": score})
    html = english(client, staff_user).get("/scores/SSI/2011/").content.decode()
    box = re.search(r'data-testid="projection".*?</div>\s*</div>', html, re.S).group(0)
    assert 'data-status="reachable"' in box and "2011-Q3 – 2011-Q4" in box
    assert re.search(r'data-testid="required">965.00<', box)  # (960 × 4 − 1910) / 2
    assert "Target rank 10" in box
    assert 'data-testid="no-item-scores"' in html and 'data-testid="items"' not in html
    score_save(program=ssi, period=ssi.period(2011, 1), values={"score": "700"})
    html = client.get("/scores/SSI/2011/").content.decode()
    assert 'data-status="unreachable"' in html and 'data-testid="required">1090.00<' in html  # above 1000
    assert "above the scale's maximum of 1000" in html


# --- score entry --------------------------------------------------------------------------------


def _item_fields(css: Program, values: dict[str, tuple[str, str, str]]) -> dict[str, str]:
    items = {item.code: item for item in catalogue_for(css, 2010)}
    data = {}
    for code, (score, regional, sample) in values.items():
        pk = items[code].pk
        data |= {f"item_{pk}_score": score, f"item_{pk}_regional_avg": regional, f"item_{pk}_sample_n": sample}
    return data


def test_a_manager_saves_a_period_with_its_items_and_the_history_keeps_the_change(client, manager_user, css_2010):
    client = english(client, manager_user)
    data = {
        "period": "2010-03",
        "score": "76.8",
        "regional_avg": "82.4",
        "rank": "30",
        "dealers": "54",
        "sample_n": "41",
        **_item_fields(css_2010, {"11.12": ("77.5", "78", "41"), "8C2": ("80", "", "")}),
    }
    response = client.post("/scores/CSS/2010/enter/?period=2010-03", data, follow=True)
    assert response.redirect_chain[-1] == ("/scores/CSS/2010/", 302)
    assert "CSS 2010-03 saved: 2 created, 1 updated" in response.content.decode()
    row = OfficialScore.objects.get(program=css_2010, year=2010, period=3)
    assert (row.score, row.rank, row.sample_n, row.updated_by) == (Decimal("76.80"), 30, 41, manager_user)
    assert [h.score for h in row.history.order_by("history_date")] == [Decimal("74.80"), Decimal("76.80")]
    items = {i.item.code: i for i in ItemScore.objects.filter(program=css_2010, year=2010, period=3)}
    assert set(items) == {"11.12", "8C2"}
    assert items["11.12"].score == Decimal("77.50") and items["8C2"].regional_avg is None
    # The entry page shows the period's history: who changed the score, from what to what.
    html = client.get("/scores/CSS/2010/enter/", {"period": "2010-03"}).content.decode()
    history = re.search(r'data-testid="history".*?</table>', html, re.S).group(0)
    assert "wang.manager" in history
    assert "74.80" in history and "76.80" in history


def test_the_entry_form_opens_with_the_stored_values_and_the_periods_to_choose(client, manager_user, css_2010):
    html = english(client, manager_user).get("/scores/CSS/2010/enter/", {"period": "2010"}).content.decode()
    assert re.search(r'name="score" value="82.20"', html)
    assert re.search(r'name="rank" value="22"', html)
    pk = {i.code: i.pk for i in catalogue_for(css_2010, 2010)}["11.11"]
    assert re.search(rf'name="item_{pk}_score" value="81.40"', html)
    options = re.findall(r'<option value="([^"]+)"', html)
    assert options == [f"2010-{m:02d}" for m in range(1, 13)] + ["2010"]
    assert '<option value="2010" selected>' in html
    # Without a period the form opens at the first month not entered yet.
    html = client.get("/scores/CSS/2010/enter/").content.decode()
    assert '<option value="2010-01" selected>' in html


def test_wrong_values_are_refused_at_their_fields_and_nothing_is_stored(client, manager_user, css_2010):
    client = english(client, manager_user)
    data = {
        "period": "2010-01",
        "score": "101",
        "regional_avg": "80",
        "rank": "60",
        "dealers": "54",
        **_item_fields(css_2010, {"11.12": ("120", "78", ""), "8C2": ("80", "abc", "")}),
    }
    response = client.post("/scores/CSS/2010/enter/?period=2010-01", data)
    assert response.status_code == 400
    html = response.content.decode()
    pk = {i.code: i.pk for i in catalogue_for(css_2010, 2010)}
    errors = field_errors(html)
    assert "outside this program's scale (0 to 100)" in errors["score"]
    assert "outside this program's scale" in errors[f"item_{pk['11.12']}_score"]
    assert "is not a number" in errors[f"item_{pk['8C2']}_regional_avg"]
    assert "Nothing was saved" in html
    assert not OfficialScore.objects.filter(program=css_2010, year=2010, period=1).exists()
    assert not ItemScore.objects.filter(program=css_2010, year=2010, period=1).exists()
    # A rank above the number of dealers ranked, alone.
    data.update(score="80", **_item_fields(css_2010, {"11.12": ("", "", ""), "8C2": ("", "", "")}))
    response = client.post("/scores/CSS/2010/enter/?period=2010-01", data)
    assert response.status_code == 400
    errors = field_errors(response.content.decode())
    assert set(errors) == {"rank"} and "above the number of dealers ranked (54)" in errors["rank"]
    assert not OfficialScore.objects.filter(program=css_2010, year=2010, period=1).exists()


@pytest.mark.parametrize("period", ["2010-Q1", "2011-05", "13", "2010-13"])
def test_a_bad_period_is_a_message_and_a_400(client, manager_user, css_2010, period):
    client = english(client, manager_user)
    response = client.get("/scores/CSS/2010/enter/", {"period": period})
    assert response.status_code == 400
    assert "alert-danger" in response.content.decode()
    response = client.post(f"/scores/CSS/2010/enter/?period={period}", {"period": period, "score": "80"})
    assert response.status_code == 400
    assert not OfficialScore.objects.filter(program=css_2010, year=2010, period=1).exists()


# --- targets ------------------------------------------------------------------------------------


def test_the_target_editor_saves_custom_phasing_and_item_targets(client, manager_user, css_2010):
    client = english(client, manager_user)
    ssi = program("SSI")
    data = {
        "score": "960",
        "rank": "10",
        "phasing": "custom",
        "note": "2011 plan",
        "percent_1": "98",
        "percent_2": "99",
        "percent_3": "101",
        "percent_4": "102",
    }
    response = client.post("/scores/SSI/2011/target/", data)
    assert response.status_code == 302 and response["Location"] == "/scores/SSI/2011/"
    target = Target.objects.get(program=ssi, year=2011)
    assert (target.score, target.rank, target.phasing) == (Decimal("960.00"), 10, "custom")
    assert {p.period: p.percent for p in target.phases.all()} == {1: 98, 2: 99, 3: 101, 4: 102}
    html = client.get("/scores/SSI/2011/").content.decode()
    assert cell(row_html(html, "data-period", "2011-Q1"), "target") == "940.80"
    assert cell(row_html(html, "data-period", "2011-Q4"), "target") == "979.20"
    # The editor opens with what is stored and previews each period's phased target.
    html = client.get("/scores/SSI/2011/target/").content.decode()
    assert re.search(r'name="percent_4" value="102"', html)
    assert re.search(r'data-phase-preview="2">950.40<', html)
    assert "wang.manager" in re.search(r'data-testid="history".*?</table>', html, re.S).group(0)
    # Item targets for the service CSS.
    pk = {i.code: i.pk for i in catalogue_for(css_2010, 2011)}["11.11"]
    response = client.post(
        "/scores/CSS/2011/target/", {"score": "96", "rank": "15", "phasing": "equal", f"item_{pk}": "85"}
    )
    assert response.status_code == 302
    html = client.get("/scores/CSS/2011/").content.decode()
    assert cell(row_html(html, "data-period", "2011-07"), "target") == "96.00"


def test_percentages_that_do_not_average_100_are_refused_and_nothing_is_stored(client, manager_user):
    client = english(client, manager_user)
    data = {
        "score": "960",
        "rank": "10",
        "phasing": "custom",
        "percent_1": "98",
        "percent_2": "99",
        "percent_3": "101",
        "percent_4": "104",
    }
    response = client.post("/scores/SSI/2011/target/", data)
    assert response.status_code == 400
    html = response.content.decode()
    errors = field_errors(html)
    assert "must average 100" in errors["phasing"]
    assert re.search(r'data-phase-preview="4">998.40<', html)  # the preview of what was typed
    assert not Target.objects.exists()
    # A score above the scale and a percentage of 0 are each refused at their field.
    data |= {"percent_4": "0", "score": "1200"}
    response = client.post("/scores/SSI/2011/target/", data)
    errors = field_errors(response.content.decode())
    assert "outside this program's scale" in errors["score"] and "percent_4" in errors
    assert not Target.objects.exists()


# --- import -------------------------------------------------------------------------------------


def _upload(name: str = "2010.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"PK\x03\x04 not really a workbook")


def test_the_import_shows_the_counts_and_the_rejected_rows(client, manager_user, admin_user):
    batch = ScoreImport.objects.create(
        file_name="2010.xlsx",
        sha256="0" * 64,
        uploaded_by=admin_user,
        counts={"created": 12, "updated": 0, "unchanged": 0, "rejected": 1},
        errors=[{"sheet": "scores", "row": 7, "column": "rank", "value": "60", "reason": "above dealers"}],
    )
    result = ScoreImportResult(
        created=12,
        rejected=1,
        batch=batch,
        errors=[
            ScoreRowError(
                sheet="scores",
                row=7,
                column="rank",
                value="60",
                reason="The rank 60 is above the number of dealers ranked (54).",
            ),
        ],
    )
    client = english(client, manager_user)
    with mock.patch("surveys.imports.score_import", return_value=result) as score_import:
        response = client.post("/scores/import/", {"file": _upload(), "dry_run": "on"})
    assert response.status_code == 200
    kwargs = score_import.call_args.kwargs
    assert kwargs["file_name"] == "2010.xlsx" and kwargs["by"] == manager_user and kwargs["dry_run"] is True
    html = response.content.decode()
    assert 'data-count="created">12<' in html and 'data-count="rejected">1<' in html
    assert "checked: nothing was stored" in html
    errors = re.search(r'data-testid="row-errors".*?</table>', html, re.S).group(0)
    assert "<td>scores</td>" in errors and ">7<" in errors and "above the number of dealers ranked (54)" in errors
    assert f'data-import="{batch.pk}"' in html  # the past imports below


def test_a_refused_file_is_an_alert_and_a_400(client, admin_user):
    refused = SpreadsheetRefused("“notes.txt” is not a spreadsheet.", file_name="notes.txt", code="format")
    client = english(client, admin_user)
    with mock.patch("surveys.imports.score_import", side_effect=refused):
        response = client.post("/scores/import/", {"file": _upload("notes.txt")})
    assert response.status_code == 400
    assert re.search(r'data-testid="refused">“notes.txt” is not a spreadsheet.<', response.content.decode())
    response = client.post("/scores/import/", {})
    assert response.status_code == 400  # no file chosen


def test_the_template_downloads_as_a_workbook(client, manager_user, staff_user):
    client.force_login(manager_user)
    response = client.get("/scores/import/template.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    client.force_login(staff_user)
    assert client.get("/scores/import/template.xlsx").status_code == 403
