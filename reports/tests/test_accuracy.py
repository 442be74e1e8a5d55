"""The monthly roll-up: hand-computed scores, per consultant, year to date, freezing and reopening."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers.tests.factories import StaffFactory
from reports.models import AccuracyMonth, AccuracyReopening, AccuracyRule, AccuracyScore
from reports.selectors import accuracy_report
from reports.services import accuracy_month_reopen
from reports.tests.helpers import AUGUST, make_archive, make_invoice, paired, run

pytestmark = pytest.mark.django_db
JULY = date(2011, 7, 1)


def dealer(item: str, month: date = AUGUST) -> AccuracyScore:
    return AccuracyScore.objects.get(month__month=month, consultant=None, item=item)


def figures(item: str, month: date = AUGUST, consultant=None) -> tuple:
    score = AccuracyScore.objects.get(month__month=month, consultant=consultant, item=item)
    return score.checked, score.matched, score.failed, score.rate, score.score


def test_twenty_archives_one_late_score_38_for_timeliness():
    archives = [make_archive() for _ in range(20)]
    for archive in archives[1:]:
        paired(archive)
    paired(archives[0], days_after=4)
    run()
    assert figures("timeliness") == (20, 19, 1, Decimal("0.950000"), Decimal("38.00"))
    assert figures("name") == (20, 20, 0, Decimal("1.000000"), Decimal("12.00"))
    assert figures("amount")[-1] == figures("invoice_number")[-1] == Decimal("6.00")
    month = AccuracyMonth.objects.get(month=AUGUST)
    # The callback item cannot be measured yet: the total is the other four, and says it is partial.
    assert (month.total, month.partial) == (Decimal("62.00"), True)
    assert figures("callback") == (0, 0, 0, None, None)


def _mixed_month():
    """Eight archives checked (and one pending), by two consultants, as computed by hand below."""
    liu, chen = StaffFactory(name="刘洋"), StaffFactory(name="陈静")
    a = [make_archive(consultant=liu if n < 4 else chen) for n in range(8)]
    paired(a[0], days_after=5)  # late: fails timeliness
    paired(a[1], name="王五")  # fails name
    paired(a[2], name="王五", amount=Decimal("1000.00"))  # fails name and amount
    # a[3]: nothing in OMD (fails all four)
    paired(a[4], voided=True)  # voided invoice: fails all four
    paired(a[5], number="10000099")  # paired by VIN: fails the invoice number
    paired(a[6])
    paired(a[7])
    make_archive(consultant=chen, delivered=date(2011, 8, 31))  # no invoice yet, deadline 3 September: pending
    return liu, chen


def test_a_mixed_month_computed_by_hand():
    liu, chen = _mixed_month()
    run()
    # checked 8; timeliness fails a0 a3 a4 → 5/8; name a1 a2 a3 a4 → 4/8; amount a2 a3 a4 → 5/8;
    # invoice number a3 a4 a5 → 5/8.
    assert figures("timeliness") == (8, 5, 3, Decimal("0.625000"), Decimal("25.00"))
    assert figures("name") == (8, 4, 4, Decimal("0.500000"), Decimal("6.00"))
    assert figures("amount") == (8, 5, 3, Decimal("0.625000"), Decimal("3.75"))
    assert figures("invoice_number") == (8, 5, 3, Decimal("0.625000"), Decimal("3.75"))
    assert dealer("timeliness").pending == 1
    month = AccuracyMonth.objects.get(month=AUGUST)
    assert (month.total, month.partial) == (Decimal("38.50"), True)


def test_per_consultant_figures():
    liu, chen = _mixed_month()
    run()
    # 刘洋: a0–a3. timeliness a0 a3 → 2/4 → 20; name a1 a2 a3 → 1/4 → 3; amount a2 a3 → 2/4 → 3; number a3 → 3/4 → 4.5.
    assert [figures(item, consultant=liu)[-1] for item in ("timeliness", "name", "amount", "invoice_number")] == [
        Decimal("20.00"),
        Decimal("3.00"),
        Decimal("3.00"),
        Decimal("4.50"),
    ]
    # 陈静: a4–a7 (and the pending one). a4 fails all; a5 the number → 30, 9, 4.5, 3.
    assert [figures(item, consultant=chen)[-1] for item in ("timeliness", "name", "amount", "invoice_number")] == [
        Decimal("30.00"),
        Decimal("9.00"),
        Decimal("4.50"),
        Decimal("3.00"),
    ]
    assert AccuracyScore.objects.get(month__month=AUGUST, consultant=chen, item="timeliness").pending == 1
    report = accuracy_report(AUGUST)
    assert [(c.name, c.month.total) for c in report.consultants] == [
        ("刘洋", Decimal("30.50")),
        ("陈静", Decimal("46.50")),
    ]


def test_the_total_adds_the_unrounded_item_scores_and_rounds_once():
    archives = [make_archive() for _ in range(7)]
    paired(archives[0], amount=Decimal("1.00"))  # amount: 6 × 6/7 = 5.142857…
    paired(archives[1], number="10000099")  # invoice number: 6 × 6/7 = 5.142857…
    for archive in archives[2:]:
        paired(archive)
    run()
    assert dealer("amount").score == dealer("invoice_number").score == Decimal("5.14")
    # 40 + 12 + 5.142857 + 5.142857 = 62.2857 → 62.29, where the rounded scores would add up to 62.28.
    assert AccuracyMonth.objects.get(month=AUGUST).total == Decimal("62.29")
    # The report (page, export) adds its own unrounded item scores too, not the rounded ones.
    report = accuracy_report(AUGUST)
    assert report.figures.item("amount").score == Decimal("5.14")
    assert report.figures.total == report.year_to_date.total == Decimal("62.29")


def test_a_month_with_nothing_checked_has_no_total_rather_than_zero():
    make_archive(delivered=date(2011, 8, 31))  # no invoice yet, deadline 3 September: pending
    run(today=date(2011, 9, 1))
    month = AccuracyMonth.objects.get(month=AUGUST)
    assert (month.total, month.partial) == (None, True)
    assert dealer("timeliness").pending == 1 and dealer("timeliness").score is None
    assert accuracy_report(AUGUST).figures.total is None


def test_the_year_to_date_adds_the_months_counts_before_scoring():
    for _ in range(4):
        paired(make_archive(delivered=date(2011, 7, 12)))
    _mixed_month()
    run()
    report = accuracy_report(AUGUST)
    ytd = report.year_to_date
    # timeliness: (4 + 5) / (4 + 8) → 40 × 0.75 = 30; a mean of the months' scores would say 32.5.
    assert (ytd.item("timeliness").checked, ytd.item("timeliness").matched, ytd.item("timeliness").score) == (
        12,
        9,
        Decimal("30.00"),
    )
    assert ytd.item("name").score == Decimal("8.00")  # 12 × 8/12
    assert ytd.total == Decimal("30.00") + Decimal("8.00") + Decimal("4.50") + Decimal("4.50")
    assert report.ytd_months == [JULY, AUGUST]
    assert accuracy_report(JULY).year_to_date.item("timeliness").score == Decimal("40.00")


def test_targets_and_averages_come_from_the_year_rule_and_mark_the_items_below_target():
    archives = [make_archive() for _ in range(20)]
    for archive in archives[1:]:
        paired(archive)
    paired(archives[0], days_after=4)
    run()
    report = accuracy_report(AUGUST)
    timeliness = report.figures.item("timeliness")
    # 2011's target 38.5; the latest published averages are 2010's (regional 38, national 38.1).
    assert (timeliness.target, timeliness.regional, timeliness.national) == (
        Decimal("38.5"),
        Decimal("38"),
        Decimal("38.1"),
    )
    assert report.benchmarks.averages_year == 2010
    assert (timeliness.gap_to_target, timeliness.gap_to_regional, timeliness.below_target) == (
        Decimal("-0.50"),
        Decimal("0.00"),
        True,
    )
    assert report.figures.item("name").below_target is False
    assert report.figures.partial and report.figures.gap_to_target is None


def test_an_item_exactly_on_its_target_is_not_below_it():
    # Amount: 6 × 11/12 = 5.50 against 2011's target 5.5.
    archives = [make_archive() for _ in range(12)]
    paired(archives[0], amount=Decimal("1.00"))
    for archive in archives[1:]:
        paired(archive)
    run()
    amount = accuracy_report(AUGUST).figures.item("amount")
    assert (amount.score, amount.target) == (Decimal("5.50"), Decimal("5.5"))
    assert amount.gap_to_target == Decimal("0.00") and amount.below_target is False
    assert accuracy_report(AUGUST).year_to_date.item("amount").below_target is False


# --- freezing ------------------------------------------------------------------------------------


def _july_archive():
    """A July archive whose invoice came six days late."""
    archive = make_archive(delivered=date(2011, 7, 10))
    archive.late_invoice = paired(archive, days_after=6)
    return archive


def test_a_month_freezes_on_its_freeze_day_once_it_has_been_reconciled():
    _july_archive()
    result = run(today=date(2011, 8, 4), freeze=True)
    assert result.frozen == [] and not AccuracyMonth.objects.get(month=JULY).frozen
    result = run(today=date(2011, 8, 5), freeze=True)
    assert result.frozen == [JULY]
    month = AccuracyMonth.objects.get(month=JULY)
    assert month.frozen and month.frozen_at is not None


def test_importing_history_reconciles_and_freezes_old_months_in_one_run():
    _july_archive()
    result = run(today=date(2012, 3, 1), freeze=True)
    assert result.months == [JULY] and result.frozen == [JULY]
    assert dealer("timeliness", JULY).score == Decimal("0.00")


def test_the_freeze_day_follows_the_year_rule():
    AccuracyRule.objects.filter(year=2011).update(freeze_day=10)
    _july_archive()
    assert run(today=date(2011, 8, 9), freeze=True).frozen == []
    assert run(today=date(2011, 8, 10), freeze=True).frozen == [JULY]


def test_a_frozen_month_keeps_its_figures_whatever_changes():
    archive = _july_archive()
    run(today=date(2011, 8, 20), freeze=True)
    before = list(AccuracyScore.objects.filter(month__month=JULY).values_list("item", "checked", "matched", "score"))
    total = AccuracyMonth.objects.get(month=JULY).total
    paired(make_archive(delivered=date(2011, 7, 20)))
    archive.invoice_name = "李娜"
    archive.save()
    run(today=date(2011, 8, 21), freeze=True)
    after = list(AccuracyScore.objects.filter(month__month=JULY).values_list("item", "checked", "matched", "score"))
    assert after == before and AccuracyMonth.objects.get(month=JULY).total == total


def test_reconciling_a_frozen_month_by_hand_is_refused(english):
    _july_archive()
    run(today=date(2011, 8, 20), freeze=True)
    with pytest.raises(ValidationError, match="2011-07 is frozen"):
        run(today=date(2011, 8, 21), month=JULY)


def test_a_reopened_month_can_be_reconciled_again_and_the_reopening_is_recorded(admin_user):
    archive = _july_archive()
    run(today=date(2011, 8, 20), freeze=True)
    history = AccuracyMonth.objects.get(month=JULY).history.count()
    reopening = accuracy_month_reopen(month=JULY, by=admin_user, today=date(2011, 8, 20))
    month = reopening.month
    assert (month.frozen, month.reopened_by, reopening.reopened_by) == (False, admin_user, admin_user)
    records = AccuracyMonth.objects.get(month=JULY).history.order_by("-history_date")
    assert records.count() == history + 1 and records[0].history_user == admin_user
    assert records[0].frozen is False and records[1].frozen is True

    # OMD's corrected export moves the invoice date within the deadline.
    archive.late_invoice.invoice_date = archive.delivery_date + timedelta(days=1)
    archive.late_invoice.save()
    result = run(today=date(2011, 8, 21), month=JULY)
    assert result.months == [JULY] and result.frozen == []
    assert dealer("timeliness", JULY).score == Decimal("40.00")
    assert not AccuracyMonth.objects.get(month=JULY).frozen


def test_a_reopened_month_stays_open_seven_days_then_the_nightly_run_freezes_it_with_what_changed(admin_user):
    archive = _july_archive()
    run(today=date(2011, 8, 20), freeze=True)
    assert AccuracyRule.objects.get(year=2011).reopen_days == 7
    reopening = accuracy_month_reopen(month=JULY, by=admin_user, today=date(2011, 8, 20))
    assert reopening.open_until == date(2011, 8, 27) and reopening.is_open
    archive.late_invoice.invoice_date = archive.delivery_date + timedelta(days=1)
    archive.late_invoice.save()
    # The nightly runs of the seven days reconcile the month and leave it open for more corrections.
    for day in range(21, 27):
        assert run(today=date(2011, 8, day), freeze=True).frozen == [], day
    assert dealer("timeliness", JULY).score == Decimal("40.00")
    assert run(today=date(2011, 8, 27), freeze=True).frozen == [JULY]
    month = AccuracyMonth.objects.get(month=JULY)
    reopening.refresh_from_db()
    assert month.frozen and reopening.refrozen_at == month.frozen_at and not reopening.is_open
    # What changed in between: timeliness 0 → 40 (total 24 → 64), the late invoice gone.
    assert reopening.before["items"]["timeliness"] == {"checked": 1, "matched": 0, "score": "0.00"}
    assert reopening.after["items"]["timeliness"] == {"checked": 1, "matched": 1, "score": "40.00"}
    assert (reopening.before["total"], reopening.after["total"]) == ("24.00", "64.00")
    assert (reopening.before["discrepancies"], reopening.after["discrepancies"]) == ({"late_invoice": 1}, {})
    # Frozen again: the next runs leave it alone, and it can be reopened again.
    assert JULY not in run(today=date(2011, 8, 28), freeze=True).months
    again = accuracy_month_reopen(month=JULY, by=admin_user, today=date(2011, 9, 1))
    assert again.pk != reopening.pk and again.before == reopening.after


def test_the_days_a_reopened_month_stays_open_follow_the_year_rule(admin_user):
    AccuracyRule.objects.filter(year=2011).update(reopen_days=2)
    _july_archive()
    run(today=date(2011, 8, 20), freeze=True)
    accuracy_month_reopen(month=JULY, by=admin_user, today=date(2011, 8, 20))
    assert run(today=date(2011, 8, 21), freeze=True).frozen == []
    assert run(today=date(2011, 8, 22), freeze=True).frozen == [JULY]


def test_a_month_is_reopened_once_at_a_time(admin_user):
    _july_archive()
    run(today=date(2011, 8, 20), freeze=True)
    reopening = accuracy_month_reopen(month=JULY, by=admin_user, today=date(2011, 8, 20))
    with pytest.raises(IntegrityError), transaction.atomic():
        AccuracyReopening.objects.create(
            month=reopening.month, reopened_at=reopening.reopened_at, open_until=date(2011, 9, 1), before={}
        )


def test_reopening_a_month_that_is_not_frozen_is_refused(admin_user, english):
    _july_archive()
    run(today=date(2011, 8, 1))
    with pytest.raises(ValidationError, match="not frozen"):
        accuracy_month_reopen(month=JULY, by=admin_user)


def test_the_nightly_runs_leave_the_month_history_to_people():
    _july_archive()
    run(today=date(2011, 8, 1))
    run(today=date(2011, 8, 2))
    run(today=date(2011, 8, 3))
    assert AccuracyMonth.objects.get(month=JULY).history.count() == 1  # created; no row per run


def test_a_year_without_rule_uses_the_nearest_year_rule():
    archive = make_archive(delivered=date(2009, 5, 10))
    paired(archive, days_after=2)
    make_invoice(number="90000001", invoice_date=date(2012, 2, 1), vin="LSVAU2180N2999990")
    result = run(today=date(2012, 3, 1))
    assert result.months == [date(2009, 5, 1), date(2012, 2, 1)]
    assert dealer("timeliness", date(2009, 5, 1)).score == Decimal("40.00")


# --- last year's result ----------------------------------------------------------------------------


def test_the_2011_rules_carry_the_2010_result_and_the_report_shows_it():
    rule = AccuracyRule.objects.get(year=2011)
    assert [rule.last_year(item) for item in ("timeliness", "name", "amount", "invoice_number", "callback")] == [
        Decimal("38"),
        Decimal("11"),
        Decimal("5"),
        Decimal("5"),
        Decimal("36"),
    ]
    # The plan gives no 2009 result.
    assert AccuracyRule.objects.get(year=2010).last_year("timeliness") is None
    paired(make_archive())
    run()
    report = accuracy_report(AUGUST)
    assert report.figures.item("name").last_year == Decimal("11")
    assert report.figures.last_year == report.year_to_date.last_year == Decimal("95")
    # A year without rules of its own has no last year's result (it is not 2011's "last year").
    paired(make_archive(delivered=date(2012, 3, 10)))
    run(today=date(2012, 4, 1))
    assert accuracy_report(date(2012, 3, 1)).figures.last_year is None
