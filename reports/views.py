"""The accuracy page: the stored roll-up of a month and its year to date, the export, the reopen button."""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from reports.exports import accuracy_workbook
from reports.models import AccuracyMonth
from reports.selectors import accuracy_months, accuracy_report, latest_reconciled_month, parse_month
from reports.services import accuracy_month_reopen

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _requested_month(request: HttpRequest) -> date:
    """The month asked for (?month=YYYY-MM), else the latest reconciled one, else this month."""
    text = request.GET.get("month", "").strip()
    if text:
        return parse_month(text)
    return latest_reconciled_month() or timezone.localdate().replace(day=1)


class AccuracyView(PermissionRequiredMixin, View):
    """Each item's score against target and averages, for a month and the year to date, and per consultant."""

    permission_required = "reports.view_accuracymonth"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        status = 200
        try:
            month = _requested_month(request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            month, status = latest_reconciled_month() or timezone.localdate().replace(day=1), 400
        report = accuracy_report(month)
        context = {
            "report": report,
            "month_param": month.strftime("%Y-%m"),
            "months": accuracy_months(),
            "can_reopen": request.user.has_perm("reports.reopen_accuracymonth"),
        }
        return render(request, "reports/accuracy.html", context, status=status)


class AccuracyExportView(PermissionRequiredMixin, View):
    """The page's figures as .xlsx, in the layout of the manufacturer's table."""

    permission_required = "reports.view_accuracymonth"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            month = _requested_month(request)
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        report = accuracy_report(month)
        if not report.reconciled:
            return HttpResponse(
                _("%(month)s has not been reconciled yet.") % {"month": month.strftime("%Y-%m")},
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        response = HttpResponse(accuracy_workbook(report), content_type=XLSX)
        name = _("accuracy-%(month)s.xlsx") % {"month": month.strftime("%Y-%m")}
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return response


class AccuracyReopenView(PermissionRequiredMixin, View):
    """An administrator reopens a frozen month (recorded in the month's history)."""

    permission_required = "reports.reopen_accuracymonth"
    raise_exception = True

    def post(self, request: HttpRequest, month: str) -> HttpResponse:
        try:
            first = parse_month(month)
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain; charset=utf-8")
        get_object_or_404(AccuracyMonth, month=first)
        try:
            accuracy_month_reopen(month=first, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "%(month)s is open again: the next reconciliation recomputes it, and the nightly run "
                    "freezes it again."
                )
                % {"month": first.strftime("%Y-%m")},
            )
        return redirect(f"{reverse('reports:accuracy')}?month={first:%Y-%m}")
