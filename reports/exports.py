"""The accuracy page's figures as an .xlsx in the layout of the manufacturer's table (DOMAIN.md).

Written through the project's one export writer, so a consultant's name that looks like a
formula stays text.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from dealership_cs.spreadsheets.writer import ExportWorkbook, Styled
from reports.models import AccuracyItem
from reports.selectors import AccuracyReport, PeriodFigures

WIDTHS = (26, 8, 14, 16, 14, 16, 16, 12, 16, 18, 18, 20)


def accuracy_export_name(month: date) -> str:
    """The download's name (without extension) after what it holds: 客户信息准确率-2011-08, in every language."""
    return _("客户信息准确率-%(month)s") % {"month": f"{month:%Y-%m}"}


def accuracy_workbook(report: AccuracyReport) -> bytes:
    """The month and its year to date in the layout of the manufacturer's table (DOMAIN.md).

    Sheet 1: one row per item and a total row; columns item, points, month score, year-to-date
    score, last year's result, regional average, national average, target, gaps. Sheet 2: per
    consultant. Empty cells where a figure does not exist (an item not yet measurable, nothing
    checked, no published average).
    """
    book = ExportWorkbook()
    sheet = book.sheet(_("Accuracy"), widths=WIDTHS)
    month_label = report.month.strftime("%Y-%m")
    averages = f" ({report.benchmarks.averages_year})" if report.benchmarks.averages_year else ""
    sheet.append([Styled(_("Customer-information accuracy, %(month)s") % {"month": month_label}, bold=True)])
    status = _("frozen") if report.accuracy_month and report.accuracy_month.frozen else _("open")
    sheet.append([_("Status: %(status)s") % {"status": status}])
    sheet.append([])
    header = [
        _("Item"),
        _("Points"),
        _("%(month)s score") % {"month": month_label},
        _("%(year)s year to date") % {"year": report.month.year},
        _("%(year)s result") % {"year": report.month.year - 1},
        _("Regional avg") + averages,
        _("National avg") + averages,
        _("%(year)s target") % {"year": report.month.year},
        _("Gap to target (month)"),
        _("Gap to target (year to date)"),
        _("Gap to regional avg (month)"),
        _("Gap to regional avg (year to date)"),
    ]
    sheet.append([Styled(text, bold=True) for text in header])
    month, ytd = report.figures, report.year_to_date
    if month is None or ytd is None:
        sheet.append([_("This month has not been reconciled yet.")])
    else:
        for figures, year_figures in report.item_rows:
            sheet.append(
                [
                    figures.label,
                    figures.points,
                    Styled(figures.score, fill="red" if figures.below_target else None),
                    Styled(year_figures.score, fill="red" if year_figures.below_target else None),
                    figures.last_year,
                    figures.regional,
                    figures.national,
                    figures.target,
                    figures.gap_to_target,
                    year_figures.gap_to_target,
                    figures.gap_to_regional,
                    year_figures.gap_to_regional,
                ]
            )
        totals = [
            _("Total"),
            month.points,
            month.total,
            ytd.total,
            month.last_year,
            month.regional,
            month.national,
            month.target,
            month.gap_to_target,
            ytd.gap_to_target,
            month.gap_to_regional,
            ytd.gap_to_regional,
        ]
        sheet.append([Styled(value, bold=True) for value in totals])
        for note in _partial_notes(month, ytd):
            sheet.append([note])
    if report.consultants:
        _consultant_sheet(book, report)
    return book.to_bytes()


def _partial_notes(month: PeriodFigures, ytd: PeriodFigures) -> list[str]:
    notes = []
    for label, period in ((_("month"), month), (_("year to date"), ytd)):
        if period.partial:
            missing = "、".join(figures.label for figures in period.missing_items)
            notes.append(
                _("%(period)s: %(items)s not yet measurable; the total covers %(measured)s of %(points)s points.")
                % {
                    "period": label,
                    "items": missing,
                    "measured": _plain(period.measured_points),
                    "points": _plain(period.points),
                }
            )
    return notes


def _plain(value: Decimal) -> str:
    """64.00 → "64", 5.50 → "5.5"."""
    return format(value.normalize(), "f")


def _consultant_sheet(book: ExportWorkbook, report: AccuracyReport) -> None:
    sheet = book.sheet(_("By consultant"), widths=(16,))
    header = [_("Sales consultant")]
    for item in AccuracyItem:
        header += [f"{item.label} {_('checked')}", f"{item.label} {_('matched')}", f"{item.label} {_('score')}"]
    header += [_("Total")]
    sheet.append([_("Per consultant, %(month)s") % {"month": report.month.strftime("%Y-%m")}])
    sheet.append([Styled(text, bold=True) for text in header])
    for consultant in report.consultants:
        figures = consultant.month
        row: list = [consultant.name]
        for item in AccuracyItem.values:
            item_figures = figures.item(item) if figures else None
            row += [item_figures.checked, item_figures.matched, item_figures.score] if item_figures else [0, 0, None]
        row.append(figures.total if figures else None)
        sheet.append(row)
