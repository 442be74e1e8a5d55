"""Periods, score values and the services' refusals: the one set of rules forms, API and import share."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from surveys.models import OfficialScore, Program
from surveys.periods import ANNUAL, Period, PeriodKind, parse_period
from surveys.services import score_save
from surveys.validators import (
    clean_score_values,
    normalise_code,
    parse_dealers,
    parse_percent,
    parse_rank,
    parse_sample,
    parse_score,
)


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in their English source form."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("2010-Q1", PeriodKind.QUARTER, (2010, 1)),
        ("2010q4", PeriodKind.QUARTER, (2010, 4)),
        ("2010年第三季度", PeriodKind.QUARTER, (2010, 3)),
        ("２０１０－Ｑ２", PeriodKind.QUARTER, (2010, 2)),
        ("2010-02", PeriodKind.MONTH, (2010, 2)),
        ("2010/2", PeriodKind.MONTH, (2010, 2)),
        ("2010年12月", PeriodKind.MONTH, (2010, 12)),
        ("2010-H2", PeriodKind.HALF, (2010, 2)),
        ("2010年上半年", PeriodKind.HALF, (2010, 1)),
        ("2010", PeriodKind.MONTH, (2010, ANNUAL)),
        (2010.0, PeriodKind.QUARTER, (2010, ANNUAL)),
        ("2010", PeriodKind.YEAR, (2010, 1)),
        (datetime.datetime(2010, 3, 1), PeriodKind.MONTH, (2010, 3)),
    ],
)
def test_periods_are_read_in_the_forms_people_write(text, kind, expected):
    period = parse_period(text, kind)
    assert (period.year, period.index) == expected


@pytest.mark.parametrize(
    ("text", "kind", "fragment"),
    [
        ("2010-02", PeriodKind.QUARTER, "calendar"),
        ("2010-Q1", PeriodKind.MONTH, "calendar"),
        ("2010-13", PeriodKind.MONTH, "not a period"),
        ("Q1", PeriodKind.QUARTER, "not a period"),
        ("1999-Q1", PeriodKind.QUARTER, "between 2000 and 2100"),
        (datetime.date(2010, 3, 1), PeriodKind.QUARTER, "calendar"),
    ],
)
def test_periods_outside_the_calendar_are_refused_with_the_accepted_forms(text, kind, fragment):
    with pytest.raises(ValidationError) as caught:
        parse_period(text, kind)
    message = " ".join(caught.value.messages)
    assert fragment in message
    if fragment != "between 2000 and 2100":
        assert "2010" in message or "2000" in message


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("2000-Q1", PeriodKind.QUARTER, (2000, 1)),  # the first year allowed
        ("2100-12", PeriodKind.MONTH, (2100, 12)),  # the last year allowed
        ("2100", PeriodKind.YEAR, (2100, 1)),
        (datetime.date(2000, 1, 31), PeriodKind.MONTH, (2000, 1)),
        ("2010-Q4", PeriodKind.QUARTER, (2010, 4)),  # the last period of each calendar
        ("2010年第四季度", PeriodKind.QUARTER, (2010, 4)),
        ("2010年4季度", PeriodKind.QUARTER, (2010, 4)),
        ("2010-12", PeriodKind.MONTH, (2010, 12)),
        ("2010年下半年", PeriodKind.HALF, (2010, 2)),
        ("2011-01", PeriodKind.MONTH, (2011, 1)),  # and the first of the next year
        ("2011-Q1", PeriodKind.QUARTER, (2011, 1)),
        ("2010-1", PeriodKind.MONTH, (2010, 1)),  # leading zeros optional
        ("2010.01", PeriodKind.MONTH, (2010, 1)),
        ("2010年01月", PeriodKind.MONTH, (2010, 1)),
        ("２０１０年１２月", PeriodKind.MONTH, (2010, 12)),  # full width
        (" ２０１０ｑ４ ", PeriodKind.QUARTER, (2010, 4)),
        ("２０１０年度", PeriodKind.QUARTER, (2010, ANNUAL)),
        (2010, PeriodKind.MONTH, (2010, ANNUAL)),
    ],
)
def test_the_calendars_edges_are_periods(text, kind, expected):
    period = parse_period(text, kind)
    assert (period.year, period.index, period.kind) == (*expected, kind)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("1999-12", PeriodKind.MONTH),
        ("2101-01", PeriodKind.MONTH),
        ("2101", PeriodKind.YEAR),
        ("1999", PeriodKind.QUARTER),
        (datetime.date(2101, 1, 1), PeriodKind.MONTH),
        (datetime.date(1999, 12, 31), PeriodKind.MONTH),
    ],
)
def test_years_outside_2000_to_2100_are_refused(text, kind):
    with pytest.raises(ValidationError) as caught:
        parse_period(text, kind)
    assert caught.value.code == "period_year"
    assert "between 2000 and 2100" in " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2010-00", PeriodKind.MONTH),
        ("2010-13", PeriodKind.MONTH),
        ("2010-Q0", PeriodKind.QUARTER),
        ("2010-Q5", PeriodKind.QUARTER),
        ("2010-H3", PeriodKind.HALF),
        ("2010年第五季度", PeriodKind.QUARTER),
    ],
)
def test_period_numbers_beyond_the_calendar_are_not_periods(text, kind):
    with pytest.raises(ValidationError) as caught:
        parse_period(text, kind)
    assert caught.value.code == "period_format"


def test_period_codes_round_trip():
    for kind, index, code in [
        (PeriodKind.MONTH, 2, "2010-02"),
        (PeriodKind.QUARTER, 1, "2010-Q1"),
        (PeriodKind.HALF, 2, "2010-H2"),
        (PeriodKind.QUARTER, ANNUAL, "2010"),
    ]:
        period = Period(2010, index, kind)
        assert period.code == code
        assert parse_period(code, kind) == period


def test_scores_on_the_scale_with_messy_cells():
    assert parse_score("８７４.５", scale_max=D(1000)) == D("874.50")
    assert parse_score(82.4, scale_max=D(100)) == D("82.40")
    assert parse_score("874.5分", scale_max=D(1000)) == D("874.50")
    assert parse_score("1,000", scale_max=D(1000)) == D("1000.00")
    assert parse_score("82.345", scale_max=D(100)) == D("82.35")
    assert parse_score("  ", scale_max=D(100)) is None
    for bad in ("101", "-1", "abc", float("nan")):
        with pytest.raises(ValidationError):
            parse_score(bad, scale_max=D(100))


def test_ranks_are_whole_and_within_the_dealers():
    assert parse_rank(35.0) == 35
    with pytest.raises(ValidationError) as caught:
        parse_rank("35.5")
    assert caught.value.code == "whole_number"
    with pytest.raises(ValidationError):
        parse_rank("0")
    with pytest.raises(ValidationError) as caught:
        clean_score_values({"score": "80", "rank": "40", "dealers": "39"}, scale_max=D(100))
    assert "rank" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        clean_score_values({"regional_avg": "80"}, scale_max=D(100))
    assert "score" in caught.value.message_dict


@pytest.mark.parametrize("kind", [PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR])
def test_a_date_cell_is_a_month_and_refused_by_programs_not_reported_monthly(kind):
    with pytest.raises(ValidationError) as caught:
        parse_period(datetime.date(2010, 3, 1), kind)
    assert caught.value.code == "period_calendar"


def test_scores_exactly_on_the_ends_of_the_scale_are_accepted():
    assert parse_score("0", scale_max=D(100)) == D("0.00")
    assert parse_score(0.0, scale_max=D(1000)) == D("0.00")
    assert parse_score("100", scale_max=D(100)) == D("100.00")
    assert parse_score("1000分", scale_max=D(1000)) == D("1000.00")
    for bad in ("100.01", "-0.01", "1000.5"):
        with pytest.raises(ValidationError) as caught:
            parse_score(bad, scale_max=D(100) if bad != "1000.5" else D(1000))
        assert caught.value.code == "score_scale"


def test_commas_are_read_only_as_thousands_separators():
    assert parse_score("1,000.00", scale_max=D(1000)) == D("1000.00")
    assert parse_dealers("1,234") == 1234
    for bad in ("87,5", "1,0000", "9,99"):
        with pytest.raises(ValidationError) as caught:
            parse_score(bad, scale_max=D(1000))
        assert caught.value.code == "number", bad


def test_a_rank_equal_to_the_number_of_dealers_is_the_last_place_and_accepted():
    values = clean_score_values({"score": "80", "rank": "39", "dealers": "39"}, scale_max=D(100))
    assert (values["rank"], values["dealers"]) == (39, 39)
    assert clean_score_values({"score": "80", "rank": "1", "dealers": "1"}, scale_max=D(100))["rank"] == 1
    with pytest.raises(ValidationError) as caught:
        clean_score_values({"score": "80", "rank": "40", "dealers": "39"}, scale_max=D(100))
    assert "above the number of dealers ranked (39)" in " ".join(caught.value.message_dict["rank"])


def test_whole_number_limits_are_inclusive():
    assert parse_rank("1") == 1 and parse_rank("10000") == 10000
    assert parse_dealers("1") == 1 and parse_dealers("10,000") == 10000
    assert parse_sample("1") == 1 and parse_sample("1000000") == 1_000_000
    assert parse_sample("４１份") == 41 and parse_rank("12名") == 12 and parse_dealers("54家") == 54
    for parse, bad in ((parse_rank, "10001"), (parse_dealers, "0"), (parse_sample, "0"), (parse_sample, "1000001")):
        with pytest.raises(ValidationError) as caught:
            parse(bad)
        assert caught.value.code == "whole_number_range", (parse, bad)


def test_phasing_percentages_are_above_0_and_at_most_200():
    assert parse_percent("200") == D("200.00")
    assert parse_percent("0.01") == D("0.01")
    assert parse_percent("９８.５") == D("98.50")
    assert parse_percent("98.125") == D("98.13")  # half up
    for bad in ("0", "200.01", "-5"):
        with pytest.raises(ValidationError) as caught:
            parse_percent(bad)
        assert caught.value.code == "percent_range"


def test_codes_normalise():
    assert normalise_code(" ssi ") == "SSI"
    assert normalise_code("１１.１２") == "11.12"
    assert normalise_code(11.1) == "11.1"


@pytest.mark.django_db
def test_score_save_refuses_bad_values_and_stores_nothing():
    ssi = Program.objects.get(code="SSI")
    period = ssi.period(2010, 1)
    for values in ({"score": "1001"}, {"score": "800", "rank": "40", "dealers": "39"}, {"score": "x"}):
        with pytest.raises(ValidationError):
            score_save(program=ssi, period=period, values=values)
    with pytest.raises(ValidationError):
        score_save(program=ssi, period=Period(2010, 2, PeriodKind.MONTH), values={"score": "800"})
    assert not OfficialScore.objects.exists()


@pytest.mark.django_db
def test_a_changed_score_keeps_its_history_and_an_unchanged_one_writes_nothing(manager_user):
    ssi = Program.objects.get(code="SSI")
    period = ssi.period(2010, 1)
    row, outcome = score_save(program=ssi, period=period, values={"score": "843", "rank": 35, "dealers": 39})
    assert outcome == "created"
    _row, outcome = score_save(program=ssi, period=period, values={"score": "843.0", "rank": "35", "dealers": 39})
    assert outcome == "unchanged"
    assert row.history.count() == 1
    _row, outcome = score_save(
        program=ssi, period=period, values={"score": "845", "rank": 34, "dealers": 39}, by=manager_user
    )
    assert outcome == "updated"
    history = list(row.history.order_by("history_date"))
    assert [h.score for h in history] == [D("843"), D("845")]
    assert [h.rank for h in history] == [35, 34]
    assert history[-1].updated_by == manager_user
