"""The figures managers read, reproduced from DOMAIN.md's 2010 tables and hand-computed cases."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from surveys.models import ANNUAL, OfficialScore, Program, Target
from surveys.selectors import (
    Projection,
    latest_year,
    overview_years,
    phased_targets,
    program_year,
    rank_percentile,
    required_average,
    score_years,
)
from surveys.services import item_score_save, score_save, target_save
from surveys.tests.domain_2010 import load_mot_2010, load_ssi_2010

pytestmark = pytest.mark.django_db


def _program(code: str) -> Program:
    return Program.objects.get(code=code)


def test_ssi_2010_year_to_date_row_is_the_plans():
    summary = program_year(load_ssi_2010(), 2010)
    ytd = summary.ytd
    assert ytd.score == D("874.5")
    assert ytd.regional_avg == D("889.85")
    assert ytd.rank == D("27.5")
    assert ytd.method == "plain"
    assert ytd.periods == 4
    assert ytd.gap_regional == D("-15.35")


def test_ssi_2010_per_quarter_gaps_percentiles_and_changes():
    rows = program_year(load_ssi_2010(), 2010).periods
    assert [row.period.code for row in rows] == ["2010-Q1", "2010-Q2", "2010-Q3", "2010-Q4"]
    assert [row.gap_regional for row in rows] == [D("-35"), D("-60.7"), D("-20.7"), D("55")]
    # 1 − (rank − 1)/(dealers − 1): rank 12 of 39 → 1 − 11/38
    assert rows[3].percentile == D("0.7105")
    assert rows[0].percentile == D("0.1053")
    assert [row.change for row in rows] == [None, D("-13"), D("37"), D("91")]


def test_mot_2010_year_to_date_is_the_plain_mean_of_the_eleven_months():
    summary = program_year(load_mot_2010(items=False), 2010)
    assert summary.ytd.periods == 11
    assert summary.ytd.method == "plain"
    # The plan's 82.2 is sample-weighted by surveys it does not give; the plain mean is 82.61.
    assert summary.ytd.score.quantize(D("0.01")) == D("82.61")
    # The plan prints the regional year as 82.0: the plain mean 81.97 to one decimal.
    assert summary.ytd.regional_avg.quantize(D("0.01")) == D("81.97")
    assert summary.ytd.regional_avg.quantize(D("0.1")) == D("82.0")
    # January had no survey: its row is there, empty, and February has no previous month to compare with.
    assert summary.periods[0].result is None
    assert summary.periods[1].change is None
    assert summary.periods[2].change == D("-6.2")


def test_the_first_period_of_a_year_changes_from_the_last_period_of_the_year_before():
    ssi = load_ssi_2010()
    score_save(program=ssi, period=ssi.period(2011, 1), values={"score": "900"})
    score_save(program=ssi, period=ssi.period(2011, 2), values={"score": "910"})
    rows = program_year(ssi, 2011).periods
    assert [row.change for row in rows] == [D("-58"), D("10"), None, None]  # 2011-Q1 against 2010-Q4's 958
    # Without 2010-Q4 there is nothing to compare 2011-Q1 with (not 2010-Q3, nor 2010-Q1).
    OfficialScore.objects.filter(program=ssi, year=2010, period=4).delete()
    assert program_year(ssi, 2011).periods[0].change is None
    css = load_mot_2010(items=False)
    score_save(program=css, period=css.period(2011, 1), values={"score": "86"})
    assert program_year(css, 2011).periods[0].change == D("1.5")  # against 2010-12's 84.5


def test_the_official_full_year_result_is_kept_apart_from_the_computed_year_to_date():
    css = load_mot_2010(items=False)
    score_save(
        program=css,
        period=css.period(2010, ANNUAL),
        values={"score": "82.2", "regional_avg": "82.0", "rank": 22, "dealers": 54},
    )
    summary = program_year(css, 2010)
    assert summary.official_year.score == D("82.2")
    assert summary.official_year.rank == 22
    assert summary.ytd.periods == 11  # the annual row is not a twelfth month
    assert summary.ytd.score.quantize(D("0.01")) == D("82.61")


def test_weak_items_both_ways_from_the_2010_mot_item_table():
    summary = program_year(load_mot_2010(), 2010)
    below = [(row.item.code, row.gap) for row in summary.weak_below_regional]
    assert below == [("11.11", D("-1.9")), ("9A1", D("-0.2")), ("11.13", D("-0.1"))]
    lowest = [row.item.code for row in summary.lowest_items]
    assert lowest == ["11.12", "11.13", "12B.1", "11.11"]
    # 11.12 equals the regional average: lowest, but not below the region.
    row = next(row for row in summary.items if row.item.code == "11.12")
    assert row.lowest and not row.below_regional
    assert all(row.official for row in summary.items)


def test_of_items_tied_on_the_fourth_lowest_score_the_earlier_in_catalogue_order_is_lowest_and_only_four_are():
    css = _program("CSS")
    catalogue = {item.code: item for item in css.items.filter(year=2011)}
    # Catalogue order 8C2, 9A1, 9A6, 11.1, 11.11, 11.12, 11.13, 12B.1; code order puts 11.13 before 9A1.
    scores = {"8C2": "70", "9A6": "71", "11.1": "72", "9A1": "73", "11.13": "73", "11.11": "80", "11.12": "81"}
    for code, score in scores.items():
        item_score_save(program=css, period=css.period(2011, ANNUAL), item=catalogue[code], values={"score": score})
    summary = program_year(css, 2011)
    assert [row.item.code for row in summary.lowest_items] == ["8C2", "9A6", "11.1", "9A1"]
    tied_later = next(row for row in summary.items if row.item.code == "11.13")
    assert tied_later.score == D("73") and not tied_later.lowest
    assert sum(row.lowest for row in summary.items) == 4


def test_item_year_to_date_from_monthly_item_scores_is_sample_weighted():
    css = _program("CSS")
    item = css.items.get(year=2011, code="11.11")
    for month, score, n in ((1, "80", 10), (2, "90", 30)):
        item_score_save(
            program=css,
            period=css.period(2011, month),
            item=item,
            values={"score": score, "regional_avg": "86", "sample_n": n},
        )
    row = next(row for row in program_year(css, 2011).items if row.item.code == "11.11")
    assert row.score == D("87.5")  # (80×10 + 90×30) / 40
    assert row.method == "weighted"
    assert row.gap == D("1.5")


def test_an_item_with_the_official_full_year_score_shows_it_rather_than_the_months_mean():
    css = _program("CSS")
    item = css.items.get(year=2011, code="11.11")
    for month, score in ((1, "80"), (2, "90")):
        item_score_save(
            program=css, period=css.period(2011, month), item=item, values={"score": score, "regional_avg": "86"}
        )
    item_score_save(
        program=css, period=css.period(2011, ANNUAL), item=item, values={"score": "83.5", "regional_avg": "84"}
    )
    row = next(row for row in program_year(css, 2011).items if row.item.code == "11.11")
    assert (row.score, row.regional_avg, row.official, row.method) == (D("83.5"), D("84"), True, None)


def test_an_items_regional_average_is_the_mean_of_the_months_that_give_one():
    css = _program("CSS")
    item = css.items.get(year=2011, code="11.11")
    for month, regional in ((1, "85"), (2, None), (3, "88")):
        item_score_save(
            program=css, period=css.period(2011, month), item=item, values={"score": "86", "regional_avg": regional}
        )
    row = next(row for row in program_year(css, 2011).items if row.item.code == "11.11")
    assert row.regional_avg == D("86.5")
    assert row.gap == D("-0.5") and row.below_regional


def test_the_year_to_date_rank_is_the_mean_of_the_ranked_periods_only():
    ssi = _program("SSI")
    for quarter, rank in ((1, 10), (2, None), (3, 21)):
        values = {"score": "900", "rank": rank, "dealers": 39 if rank else None}
        score_save(program=ssi, period=ssi.period(2011, quarter), values=values)
    ytd = program_year(ssi, 2011).ytd
    assert ytd.rank == D("15.5")
    assert ytd.periods == 3


def test_sample_weighted_year_to_date_computed_by_hand():
    css = _program("CSS")
    # 80 on 10 surveys, 90 on 30, 85 on 20: (800 + 2700 + 1700) / 60 = 86.6666…
    for month, score, n in ((1, "80", 10), (2, "90", 30), (3, "85", 20)):
        score_save(program=css, period=css.period(2011, month), values={"score": score, "sample_n": n})
    ytd = program_year(css, 2011).ytd
    assert ytd.method == "weighted"
    assert ytd.sample_n == 60
    assert ytd.score.quantize(D("0.0001")) == D("86.6667")
    # One period without a sample size: the plain mean, and it says so.
    score_save(program=css, period=css.period(2011, 4), values={"score": "70"})
    ytd = program_year(css, 2011).ytd
    assert ytd.method == "plain"
    assert ytd.sample_n is None
    assert ytd.score == D("81.25")


def test_rank_percentile_edges():
    assert rank_percentile(1, 39) == D(1)
    assert rank_percentile(39, 39) == D(0)
    assert rank_percentile(1, 1) == D(1)
    assert rank_percentile(None, 39) is None


def test_rank_percentile_is_rounded_half_up_to_four_decimals():
    # 1 − 3/32 = 0.90625 exactly: half up gives 0.9063 (half even would give 0.9062).
    assert rank_percentile(4, 33) == D("0.9063")


def test_overview_years_list_every_year_with_results_or_targets_and_the_latest_with_results():
    ssi = load_ssi_2010()
    score_save(program=ssi, period=ssi.period(2011, 1), values={"score": "900"})
    target_save(program=ssi, year=2012, score="950")
    assert overview_years() == ([2012, 2011, 2010], 2011)
    assert score_years(ssi) == [2012, 2011, 2010]
    assert latest_year(ssi) == 2011


def test_equal_phasing_gives_every_period_the_annual_target():
    ssi = load_ssi_2010()
    target, outcome = target_save(program=ssi, year=2010, score="900", rank="20")
    assert outcome == "created"
    assert phased_targets(target, ssi) == {1: D("900"), 2: D("900"), 3: D("900"), 4: D("900")}
    rows = program_year(ssi, 2010).periods
    assert [row.gap_target for row in rows] == [D("-57"), D("-70"), D("-33"), D("58")]


def test_the_year_to_date_and_the_items_are_compared_with_their_targets():
    css = load_mot_2010()
    item = css.items.get(year=2010, code="11.11")
    target_save(program=css, year=2010, score="85", rank=15, item_targets={item: "85"})
    summary = program_year(css, 2010)
    assert summary.ytd.target == D("85")
    assert summary.ytd.gap_target.quantize(D("0.01")) == D("-2.39")  # 82.61 − 85
    row = next(row for row in summary.items if row.item.code == "11.11")
    assert (row.target, row.gap_target) == (D("85"), D("-3.6"))  # 81.4 − 85
    assert summary.item_targets is True
    assert next(row for row in summary.items if row.item.code == "11.1").target is None


def test_an_item_scored_zero_is_the_lowest():
    css = _program("CSS")
    catalogue = {item.code: item for item in css.items.filter(year=2011)}
    for code, score in (("8C2", "0"), ("9A1", "50"), ("9A6", "60"), ("11.1", "70"), ("11.11", "80")):
        item_score_save(program=css, period=css.period(2011, ANNUAL), item=catalogue[code], values={"score": score})
    lowest = [row.item.code for row in program_year(css, 2011).lowest_items]
    assert lowest == ["8C2", "9A1", "9A6", "11.1"]
    assert not next(row for row in program_year(css, 2011).items if row.item.code == "11.11").lowest


def test_custom_phasing_by_percentages_of_the_annual_target():
    ssi = load_ssi_2010()
    percents = {1: "97", 2: "99", 3: "101", 4: "103"}
    target, _outcome = target_save(
        program=ssi, year=2010, score="900", phasing=Target.Phasing.CUSTOM, percents=percents
    )
    assert phased_targets(target, ssi) == {1: D("873"), 2: D("891"), 3: D("909"), 4: D("927")}
    assert program_year(ssi, 2010).periods[0].gap_target == D("-30")
    # Switching back to equal phasing removes the percentages.
    target, outcome = target_save(program=ssi, year=2010, score="900")
    assert outcome == "updated"
    assert not target.phases.exists()


def test_custom_phasing_must_average_100_percent_and_cover_every_period():
    ssi = _program("SSI")
    with pytest.raises(ValidationError) as caught:
        target_save(
            program=ssi, year=2011, score="960", phasing="custom", percents={1: "90", 2: "95", 3: "100", 4: "100"}
        )
    assert "phasing" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        target_save(program=ssi, year=2011, score="960", phasing="custom", percents={1: "100", 2: "100", 3: "100"})
    assert "percent_4" in caught.value.message_dict
    # 960 × 105 % = 1008 is above the 1000-point scale.
    with pytest.raises(ValidationError) as caught:
        target_save(
            program=ssi, year=2011, score="960", phasing="custom", percents={1: "95", 2: "100", 3: "100", 4: "105"}
        )
    assert "percent_4" in caught.value.message_dict
    assert not Target.objects.exists()


def test_required_average_plain_reachable():
    ssi = _program("SSI")
    for quarter, score in ((1, "940"), (2, "950")):
        score_save(program=ssi, period=ssi.period(2011, quarter), values={"score": score})
    target_save(program=ssi, year=2011, score="960", rank=10)
    projection = program_year(ssi, 2011).projection
    # (960 × 4 − 1890) / 2 = 975
    assert projection.status == Projection.REACHABLE
    assert projection.reachable is True
    assert projection.required == D("975")
    assert [period.code for period in projection.remaining] == ["2011-Q3", "2011-Q4"]


def test_required_average_unreachable_on_the_scale():
    ssi = load_ssi_2010()
    OfficialScore.objects.filter(program=ssi, year=2010, period=4).delete()
    target_save(program=ssi, year=2010, score="900")
    projection = program_year(ssi, 2010).projection
    # 900 × 4 − (843 + 830 + 867) = 1060 > 1000
    assert projection.required == D("1060")
    assert projection.status == Projection.UNREACHABLE
    assert projection.reachable is False


def test_required_average_weighted_by_samples():
    css = _program("CSS")
    # 10 months reported, each 20 surveys at 94: the year needs 96 on 240 surveys.
    for month in range(1, 11):
        score_save(program=css, period=css.period(2011, month), values={"score": "94", "sample_n": 20})
    # One month with 40 surveys at 99 instead: weights matter.
    score_save(program=css, period=css.period(2011, 10), values={"score": "99", "sample_n": 40})
    target_save(program=css, year=2011, score="96", rank=15)
    projection = program_year(css, 2011).projection
    # reported: 9 × 20 × 94 + 40 × 99 = 16920 + 3960 = 20880 on 220 surveys; expected 22 a month for 2 months
    # needed = (96 × (220 + 44) − 20880) / 44 = (25344 − 20880) / 44 = 101.45… > 100
    assert projection.method == "weighted"
    assert projection.required == D("101.45")
    assert projection.status == Projection.UNREACHABLE


def test_a_required_average_of_exactly_the_scale_maximum_is_reachable():
    ssi = _program("SSI")
    for quarter in (1, 2):
        score_save(program=ssi, period=ssi.period(2011, quarter), values={"score": "900"})
    target_save(program=ssi, year=2011, score="950")
    projection = program_year(ssi, 2011).projection
    # (950 × 4 − 1800) / 2 = 1000, the top of the 1000-point scale: hard, but possible.
    assert projection.required == D("1000")
    assert projection.status == Projection.REACHABLE
    assert projection.reachable is True
    # One point more is not.
    target_save(program=ssi, year=2011, score="950.5")
    projection = program_year(ssi, 2011).projection
    assert projection.required == D("1001")
    assert projection.status == Projection.UNREACHABLE


def test_the_required_average_is_rounded_half_up_to_two_decimals():
    css = _program("CSS")
    for month in (1, 2, 3, 4):
        score_save(program=css, period=css.period(2011, month), values={"score": "89.75"})
    target_save(program=css, year=2011, score="90")
    # (90 × 12 − 359) / 8 = 90.125 exactly: half up gives 90.13 (half even would give 90.12).
    assert program_year(css, 2011).projection.required == D("90.13")


def test_a_year_that_needs_nothing_more_is_secured():
    ssi = _program("SSI")
    for quarter in (1, 2, 3):
        score_save(program=ssi, period=ssi.period(2011, quarter), values={"score": "1000"})
    # 750 × 4 − 3000 = 0: even a Q4 of 0 reaches the target.
    target_save(program=ssi, year=2011, score="750")
    projection = program_year(ssi, 2011).projection
    assert projection.required == D("0")
    assert projection.status == Projection.SECURED
    assert projection.reachable is True
    assert [period.code for period in projection.remaining] == ["2011-Q4"]
    target_save(program=ssi, year=2011, score="700")
    projection = program_year(ssi, 2011).projection
    assert projection.required == D("-200")
    assert projection.status == Projection.SECURED
    # A hair above: Q4 must bring something.
    target_save(program=ssi, year=2011, score="750.01")
    assert program_year(ssi, 2011).projection.status == Projection.REACHABLE


def test_a_year_ending_exactly_on_target_is_achieved():
    ssi = load_ssi_2010()
    # (843 + 830 + 867 + 958) / 4 = 874.5 exactly.
    target_save(program=ssi, year=2010, score="874.5")
    projection = program_year(ssi, 2010).projection
    assert projection.status == Projection.ACHIEVED
    assert projection.reachable is True
    target_save(program=ssi, year=2010, score="874.51")
    assert program_year(ssi, 2010).projection.status == Projection.MISSED


def test_a_finished_year_with_sample_sizes_is_judged_on_its_weighted_mean():
    ssi = _program("SSI")
    for quarter, score, n in ((1, "900", 10), (2, "1000", 30), (3, "900", 10), (4, "900", 10)):
        score_save(program=ssi, period=ssi.period(2011, quarter), values={"score": score, "sample_n": n})
    # Weighted: (9000 + 30000 + 9000 + 9000) / 60 = 950; the plain mean would be 925.
    target_save(program=ssi, year=2011, score="950")
    projection = program_year(ssi, 2011).projection
    assert (projection.status, projection.method) == (Projection.ACHIEVED, "weighted")
    target_save(program=ssi, year=2011, score="950.01")
    assert program_year(ssi, 2011).projection.status == Projection.MISSED


def test_a_finished_year_is_achieved_or_missed():
    ssi = load_ssi_2010()
    target_save(program=ssi, year=2010, score="870")
    assert program_year(ssi, 2010).projection.status == Projection.ACHIEVED
    target_save(program=ssi, year=2010, score="880")
    assert program_year(ssi, 2010).projection.status == Projection.MISSED


def test_no_target_no_projection():
    projection = required_average(_program("SSI"), 2012, [], None)
    assert projection.status == Projection.NO_TARGET
    assert projection.reachable is None


def test_program_year_query_count_is_flat(django_assert_max_num_queries):
    css = load_mot_2010()
    target_save(program=css, year=2010, score="85", rank=15)
    with django_assert_max_num_queries(9):
        summary = program_year(css, 2010)
        gaps = {row.item.code: row.gap for row in summary.items}
        percentiles = [row.percentile for row in summary.periods]
        target_gaps = [row.gap_target for row in summary.periods]
    # Everything was read inside the limit: the eight items, the twelve months, the target.
    assert len(gaps) == 8 and gaps["11.11"] == D("-1.9") and gaps["12B.1"] == D("3.2")
    assert percentiles[0] is None and percentiles[11] == D("0.5472")  # December: rank 25 of 54
    assert target_gaps[11] == D("-0.5")  # 84.5 against 85
    assert summary.projection.status == Projection.MISSED
