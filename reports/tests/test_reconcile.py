"""The nightly reconciliation: pairing, each kind of discrepancy, re-runs, the staff's work, the lock."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from customers.models import Discrepancy
from reports.models import AccuracyMonth, AccuracyRule, AccuracyScore, ReconcileRun
from reports.tests.helpers import AUGUST, DELIVERED, found, make_archive, make_invoice, paired, run

pytestmark = pytest.mark.django_db


def T(name: str) -> str:
    """The stored value of a discrepancy type (reads like the type it names)."""
    return getattr(Discrepancy.Type, name.upper()).value


# --- pairing -------------------------------------------------------------------------------------


def test_a_matching_archive_and_invoice_make_no_discrepancy():
    archive = make_archive()
    paired(archive)
    result = run()
    assert result.ran and result.months == [AUGUST]
    assert result.found == result.created == 0
    assert not Discrepancy.objects.exists()


def test_an_archive_is_paired_by_invoice_number_before_vin():
    archive = make_archive(number="10000001")
    by_number = paired(archive)
    # Another live invoice for the same car under another number: not this archive's pair, so it is an
    # invoice no archive accounts for.
    other = paired(archive, number="10000002", days_after=2)
    run()
    assert found() == {(T("archive_missing"), None, other.pk)}
    assert not Discrepancy.objects.filter(invoice=by_number).exists()


def test_without_its_number_in_omd_an_archive_is_paired_by_vin_and_the_numbers_differ():
    archive = make_archive(number="10000001")
    invoice = paired(archive, number="10000099")
    run()
    assert found() == {(T("invoice_number_mismatch"), archive.pk, invoice.pk)}
    row = Discrepancy.objects.get()
    assert (row.archive_value, row.omd_value, row.month, row.consultant_id) == (
        "10000001",
        "10000099",
        AUGUST,
        archive.consultant_id,
    )


def test_an_invoice_paired_by_vin_is_checked_on_the_other_items_too():
    archive = make_archive(number="10000001", name="张伟")
    invoice = paired(archive, number="10000099", days_after=6, name="李娜")
    run()
    assert found() == {
        (T(kind), archive.pk, invoice.pk) for kind in ("invoice_number_mismatch", "late_invoice", "name_mismatch")
    }


def test_pairing_by_vin_takes_the_latest_live_invoice_and_never_a_voided_or_red_letter_one():
    archive = make_archive(number="10000001")
    older = paired(archive, number="10000050", days_after=1)
    latest = paired(archive, number="10000051", days_after=2)
    paired(archive, number="10000052", days_after=3, voided=True)
    paired(archive, number="10000053", days_after=4, amount=-archive.invoice_amount, original="10000052")
    run()
    assert (T("invoice_number_mismatch"), archive.pk, latest.pk) in found()
    assert not Discrepancy.objects.filter(archive=archive, invoice=older).exists()


def test_an_archive_with_no_invoice_at_all_is_missing_in_omd_and_shows_its_number():
    archive = make_archive(number="10000001")
    run()
    assert found() == {(T("missing_in_omd"), archive.pk, None)}
    row = Discrepancy.objects.get()
    assert (row.key, row.archive_value, row.omd_value) == (f"missing_in_omd:{archive.pk}:0", "10000001", "")


# --- the deadline ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("days", "late"), [(0, False), (3, False), (4, True), (10, True)])
def test_an_invoice_up_to_three_days_after_delivery_is_timely_and_later_is_late(days, late):
    archive = make_archive()
    invoice = paired(archive, days_after=days)
    run()
    assert found() == ({(T("late_invoice"), archive.pk, invoice.pk)} if late else set())
    if late:
        row = Discrepancy.objects.get()
        assert (row.archive_value, row.omd_value) == (str(DELIVERED), str(DELIVERED + timedelta(days=days)))


def test_the_deadline_follows_the_year_rule():
    AccuracyRule.objects.filter(year=2011).update(deadline_days=5)
    archive = make_archive()
    paired(archive, days_after=5)
    run()
    assert found() == set()


def test_a_year_without_its_own_rule_uses_the_latest_earlier_year_rule():
    # 2010 allows ten days, 2011 three; 2012 has no rule of its own and must take 2011's, not 2010's.
    AccuracyRule.objects.filter(year=2010).update(deadline_days=10)
    assert not AccuracyRule.objects.filter(year=2012).exists()
    archive = make_archive(delivered=date(2012, 3, 10))
    invoice = paired(archive, days_after=5)
    run(today=date(2012, 4, 3))
    assert found() == {(T("late_invoice"), archive.pk, invoice.pk)}


def test_an_archive_without_invoice_is_pending_until_the_deadline_has_passed_then_missing():
    archive = make_archive(delivered=date(2011, 8, 28))
    deadline = date(2011, 8, 31)
    for today in (date(2011, 8, 28), deadline):
        run(today=today)
        assert found() == set(), today
        score = AccuracyScore.objects.get(month__month=AUGUST, consultant=None, item="timeliness")
        assert (score.checked, score.pending) == (0, 1)
    run(today=deadline + timedelta(days=1))
    assert found() == {(T("missing_in_omd"), archive.pk, None)}
    score = AccuracyScore.objects.get(month__month=AUGUST, consultant=None, item="timeliness")
    assert (score.checked, score.matched, score.pending) == (1, 0, 0)


def test_an_invoice_arriving_before_the_deadline_ends_the_wait():
    archive = make_archive(delivered=date(2011, 8, 28))
    paired(archive, days_after=2)
    run(today=date(2011, 8, 30))
    score = AccuracyScore.objects.get(month__month=AUGUST, consultant=None, item="timeliness")
    assert (score.checked, score.matched, score.pending) == (1, 1, 0)


# --- names and amounts -------------------------------------------------------------------------


def test_different_names_are_a_name_mismatch_with_both_names_shown():
    archive = make_archive(name="张伟")
    invoice = paired(archive, name="张韦")
    run()
    assert found() == {(T("name_mismatch"), archive.pk, invoice.pk)}
    row = Discrepancy.objects.get()
    assert (row.archive_value, row.omd_value) == ("张伟", "张韦")


@pytest.mark.parametrize("omd_name", ["张　伟", "张 伟", " 张伟 ", "ＴＯＭ　ＬＥＥ"])
def test_full_width_characters_and_spaces_do_not_make_names_differ(omd_name):
    archive = make_archive(name="Tom Lee" if "Ｔ" in omd_name else "张伟")
    paired(archive, name=omd_name)
    run()
    assert found() == set()


def test_a_different_amount_is_an_amount_mismatch():
    archive = make_archive(amount=Decimal("129800.00"))
    invoice = paired(archive, amount=Decimal("127800.50"))
    run()
    assert found() == {(T("amount_mismatch"), archive.pk, invoice.pk)}
    row = Discrepancy.objects.get()
    assert Decimal(row.archive_value) == Decimal("129800.00")
    assert Decimal(row.omd_value) == Decimal("127800.50")


def test_an_amount_within_the_year_tolerance_matches():
    AccuracyRule.objects.filter(year=2011).update(amount_tolerance=Decimal("1.00"))
    archive = make_archive(amount=Decimal("129800.00"))
    paired(archive, amount=Decimal("129799.00"))
    other = make_archive(amount=Decimal("129800.00"))
    invoice = paired(other, amount=Decimal("129798.99"))
    run()
    assert found() == {(T("amount_mismatch"), other.pk, invoice.pk)}


def test_at_the_default_tolerance_a_single_cent_is_an_amount_mismatch():
    assert AccuracyRule.objects.get(year=2011).amount_tolerance == Decimal("0.00")
    archive = make_archive(amount=Decimal("129800.00"))
    invoice = paired(archive, amount=Decimal("129799.99"))
    run()
    assert found() == {(T("amount_mismatch"), archive.pk, invoice.pk)}
    row = Discrepancy.objects.get()
    assert (row.archive_value, row.omd_value) == ("129800.00", "129799.99")


# Pairs exactly one cent apart: a float comparison flagged the first four and not the last two.
ONE_CENT_APART = [
    ("150000.00", "150000.01"),
    ("150000.01", "150000.00"),
    ("158800.00", "158799.99"),
    ("200000.10", "200000.09"),
    ("99999.99", "100000.00"),
    ("123456.78", "123456.79"),
]


@pytest.mark.parametrize(("archive_amount", "omd_amount"), ONE_CENT_APART)
def test_amounts_exactly_the_tolerance_apart_match(archive_amount, omd_amount):
    AccuracyRule.objects.filter(year=2011).update(amount_tolerance=Decimal("0.01"))
    archive = make_archive(amount=Decimal(archive_amount))
    paired(archive, amount=Decimal(omd_amount))
    run()
    assert found() == set()


@pytest.mark.parametrize(
    ("archive_amount", "omd_amount"),
    [("150000.00", "150000.02"), ("100000.01", "99999.99"), ("123456.78", "123456.80"), ("0.00", "0.02")],
)
def test_amounts_two_cents_apart_are_a_mismatch_at_a_one_cent_tolerance(archive_amount, omd_amount):
    AccuracyRule.objects.filter(year=2011).update(amount_tolerance=Decimal("0.01"))
    archive = make_archive(amount=Decimal(archive_amount))
    invoice = paired(archive, amount=Decimal(omd_amount))
    run()
    assert found() == {(T("amount_mismatch"), archive.pk, invoice.pk)}
    row = Discrepancy.objects.get()
    assert (row.archive_value, row.omd_value) == (archive_amount, omd_amount)


# --- red-letter invoices -----------------------------------------------------------------------


def test_an_archive_pointing_to_a_voided_invoice_is_a_voided_invoice_and_nothing_else():
    archive = make_archive(number="10000001", name="张伟")
    voided = paired(archive, voided=True, name="李娜", days_after=9)
    red = paired(archive, number="10000002", amount=-archive.invoice_amount, original="10000001", days_after=10)
    run()
    assert found() == {(T("voided_invoice"), archive.pk, voided.pk)}
    assert not Discrepancy.objects.filter(invoice=red).exists()


def test_red_letter_rows_and_the_invoices_they_void_are_never_archive_missing():
    make_invoice(number="90000001", invoice_date=date(2011, 8, 12), vin="LSVAU2180N2999990", voided=True)
    make_invoice(
        number="90000002",
        invoice_date=date(2011, 8, 14),
        vin="LSVAU2180N2999990",
        amount=Decimal("-129800.00"),
        original="90000001",
    )
    reissued = make_invoice(number="90000003", invoice_date=date(2011, 8, 14), vin="LSVAU2180N2999990")
    run()
    assert found(type=T("archive_missing")) == {(T("archive_missing"), None, reissued.pk)}


def test_an_invoice_no_archive_accounts_for_is_archive_missing_in_its_invoice_month():
    invoice = make_invoice(number="90000001", invoice_date=date(2011, 7, 30), vin="LSVAU2180N2999990")
    result = run()
    assert result.months == [date(2011, 7, 1)]
    assert found() == {(T("archive_missing"), None, invoice.pk)}
    row = Discrepancy.objects.get()
    assert (row.month, row.consultant, row.omd_value, row.key) == (
        date(2011, 7, 1),
        None,
        "90000001",
        f"archive_missing:0:{invoice.pk}",
    )
    # It is listed for the staff but scores nothing: July has no archive to grade.
    assert AccuracyScore.objects.get(month__month=date(2011, 7, 1), consultant=None, item="timeliness").checked == 0


def test_an_invoice_paired_by_vin_with_an_archive_of_another_month_is_not_archive_missing():
    archive = make_archive(number="10000001", delivered=date(2011, 7, 29))
    invoice = paired(archive, number="10000077", invoice_date=date(2011, 8, 1))
    run()
    assert found() == {(T("invoice_number_mismatch"), archive.pk, invoice.pk)}


# --- re-runs and the staff's work ----------------------------------------------------------------


def _mixed_month():
    archives = [make_archive() for _ in range(6)]
    paired(archives[0], days_after=5)
    paired(archives[1], name="王五")
    paired(archives[2], amount=Decimal("1.00"))
    paired(archives[3], number="10000099")
    paired(archives[4], voided=True)
    make_invoice(number="90000001", invoice_date=date(2011, 8, 20), vin="LSVAU2180N2999990")
    return archives


def test_a_second_run_creates_updates_and_closes_nothing():
    _mixed_month()
    first = run()
    assert (first.found, first.created, first.updated, first.closed) == (7, 7, 0, 0)
    before = list(Discrepancy.objects.order_by("pk").values())
    history = Discrepancy.history.count()
    second = run()
    assert (second.found, second.created, second.updated, second.closed) == (7, 0, 0, 0)
    after = list(Discrepancy.objects.order_by("pk").values())
    assert [{k: v for k, v in row.items() if k != "last_seen_at"} for row in after] == [
        {k: v for k, v in row.items() if k != "last_seen_at"} for row in before
    ]
    assert Discrepancy.history.count() == history


def test_a_rerun_with_nothing_changed_recomputes_nothing_and_says_so(django_assert_max_num_queries):
    _mixed_month()
    assert run().unchanged is False
    scores = list(AccuracyScore.objects.order_by("pk").values_list("pk", "score"))
    # the lock (on SQLite a row: 6 statements), rules, frozen months, data months (2), the two digests,
    # the last run, reconciled_at, the run's own row, savepoints: no statement over the pairs
    with django_assert_max_num_queries(18):
        again = run()
    assert (again.unchanged, again.found, again.created, again.updated, again.closed) == (True, 7, 0, 0, 0)
    assert list(AccuracyScore.objects.order_by("pk").values_list("pk", "score")) == scores
    assert list(ReconcileRun.objects.order_by("pk").values_list("skipped", "found", "created")) == [
        (False, 7, 7),
        (True, 7, 0),
    ]


def _edit_archive(archives):
    archives[0].invoice_amount = Decimal("1.00")
    archives[0].save()


def _edit_vin(archives):
    vehicle = archives[3].vehicle
    vehicle.vin = "LSVAU2180N2999991"
    vehicle.save()


def _edit_invoice(archives):
    from customers.models import OmdInvoice

    OmdInvoice.objects.filter(invoice_number=archives[1].invoice_number).update(
        customer_name_key=archives[1].invoice_name_key
    )


def _delete_invoice(archives):
    from customers.models import OmdInvoice

    OmdInvoice.objects.filter(invoice_number="90000001").delete()


def _edit_rule(archives):
    AccuracyRule.objects.filter(year=2011).update(amount_tolerance=Decimal("5.00"))


def _resolve_by_staff(archives):
    Discrepancy.objects.filter(type=T("late_invoice")).update(status=Discrepancy.Status.RESOLVED)


def _close_by_hand(archives):
    Discrepancy.objects.filter(type=T("late_invoice")).update(status=Discrepancy.Status.CLOSED)


def _delete_scores(archives):
    AccuracyScore.objects.filter(item="name").delete()


@pytest.mark.parametrize(
    "change",
    [
        _edit_archive,
        _edit_vin,
        _edit_invoice,
        _delete_invoice,
        _edit_rule,
        _resolve_by_staff,
        _close_by_hand,
        _delete_scores,
    ],
)
def test_any_change_to_what_a_run_reads_makes_the_next_run_recompute(change):
    archives = _mixed_month()
    run()
    change(archives)
    assert run().unchanged is False
    # and the results are what a recomputation gives: the late invoice is open again if it was closed by hand,
    # every item has its scores
    assert (T("late_invoice"), archives[0].pk, Discrepancy.objects.get(type=T("late_invoice")).invoice_id) in found()
    assert AccuracyScore.objects.filter(month__month=AUGUST, consultant=None).count() == 5


def test_a_run_on_a_later_day_recomputes_when_an_invoicing_deadline_passed_in_between():
    make_archive(delivered=date(2011, 8, 28))  # deadline 31 August
    run(today=date(2011, 8, 29))
    assert run(today=date(2011, 8, 31)).unchanged is True  # nothing can have changed: still pending
    again = run(today=date(2011, 9, 1))
    assert again.unchanged is False and again.created == 1


def test_the_staff_work_on_a_discrepancy_survives_a_rerun(staff_user):
    archives = _mixed_month()
    run()
    row = Discrepancy.objects.get(type=T("late_invoice"))
    row.assignee = archives[0].consultant
    row.note = "顾问已联系开票员"
    row.status = Discrepancy.Status.RESOLVED
    row.resolved_by, row.resolved_at = staff_user, timezone.now()
    row.save()
    result = run()
    assert (result.created, result.updated, result.closed) == (0, 0, 0)
    row.refresh_from_db()
    assert (row.assignee, row.note, row.status, row.resolved_by) == (
        archives[0].consultant,
        "顾问已联系开票员",
        Discrepancy.Status.RESOLVED,
        staff_user,
    )


def test_correcting_the_data_closes_the_discrepancy_and_breaking_it_again_reopens_it():
    archive = make_archive(amount=Decimal("129800.00"))
    invoice = paired(archive, amount=Decimal("128000.00"))
    run()
    row = Discrepancy.objects.get()
    row.note = "等待顾问更正档案"
    row.save()

    archive.invoice_amount = Decimal("128000.00")
    archive.save()
    result = run()
    assert (result.created, result.updated, result.closed) == (0, 0, 1)
    row.refresh_from_db()
    assert row.status == Discrepancy.Status.CLOSED and row.closed_at is not None
    assert found() == set()

    archive.invoice_amount = Decimal("129800.00")
    archive.save()
    result = run()
    assert (result.created, result.updated, result.closed) == (0, 1, 0)
    row.refresh_from_db()
    assert (row.pk, row.status, row.closed_at, row.note) == (row.pk, Discrepancy.Status.OPEN, None, "等待顾问更正档案")
    assert found() == {(T("amount_mismatch"), archive.pk, invoice.pk)}


def test_a_mismatch_that_changes_but_remains_updates_the_row_in_place():
    archive = make_archive(amount=Decimal("129800.00"))
    invoice = paired(archive, amount=Decimal("128000.00"))
    run()
    invoice.amount = Decimal("127000.00")
    invoice.save()
    result = run()
    assert (result.created, result.updated, result.closed) == (0, 1, 0)
    assert Decimal(Discrepancy.objects.get().omd_value) == Decimal("127000.00")


def test_moving_an_archive_to_another_consultant_moves_its_discrepancy():
    archive = make_archive()
    paired(archive, days_after=8)
    run()
    other = make_archive().consultant
    archive.consultant = other
    archive.save()
    assert run().updated == 1
    assert Discrepancy.objects.get(type=T("late_invoice")).consultant == other


def test_frozen_months_are_left_alone_by_a_run():
    archive = make_archive(delivered=date(2011, 7, 10))
    paired(archive, days_after=7)
    run(today=date(2011, 8, 20), freeze=True)  # reconciles July, freezes it (freeze day 5 August)
    assert AccuracyMonth.objects.get(month=date(2011, 7, 1)).frozen
    archive.invoice_name = "李娜"
    archive.save()
    result = run(today=date(2011, 8, 21), freeze=True)
    assert date(2011, 7, 1) not in result.months
    # The name now differs, but July's list and figures stay as they were frozen.
    assert set(Discrepancy.objects.values_list("type", flat=True)) == {T("late_invoice")}


# --- the lock ------------------------------------------------------------------------------------


def test_a_run_while_another_holds_the_lock_does_nothing(lock_held_elsewhere):
    archive = make_archive()
    paired(archive, days_after=9)
    result = run()
    assert result.ran is False and result.months == [] and result.created == 0
    assert not Discrepancy.objects.exists()
    assert not AccuracyMonth.objects.exists()
