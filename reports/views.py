"""The accuracy page: the stored roll-up of a month and its year to date, the export, reopen and "reconcile now"."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from dealership_cs.spreadsheets.writer import xlsx_response
from reports.exports import accuracy_export_name, accuracy_workbook
from reports.selectors import (
    accuracy_default_month,
    accuracy_month_known,
    accuracy_months,
    accuracy_open_months,
    accuracy_reopenings,
    accuracy_report,
    parse_month,
    reconcile_request_latest,
)
from reports.services import accuracy_month_reopen, accuracy_reconcile_request

# Reopening and "reconcile now" change figures already reported: administrators only.
ADMIN_PERMISSION = "reports.reopen_accuracymonth"


def _requested_month(request: HttpRequest) -> date:
    """The month asked for (?month=YYYY-MM), else the latest month with figures."""
    text = request.GET.get("month", "").strip()
    if text:
        return parse_month(text)
    return accuracy_default_month(timezone.localdate())


def _plain(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def _back(month: date) -> HttpResponse:
    return redirect(f"{reverse('reports:accuracy')}?month={month:%Y-%m}")


class AccuracyView(PermissionRequiredMixin, View):
    """Each item's score against target, last year and averages, for a month and the year to date, per consultant."""

    permission_required = "reports.view_accuracymonth"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        status = 200
        try:
            month = _requested_month(request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            month, status = accuracy_default_month(timezone.localdate()), 400
        report = accuracy_report(month)
        is_admin = request.user.has_perm(ADMIN_PERMISSION)
        context = {
            "report": report,
            "month_param": month.strftime("%Y-%m"),
            "months": accuracy_months(),
            "can_reopen": is_admin,
            "reopenings": accuracy_reopenings(report.accuracy_month),
            "can_reconcile": is_admin and _may_reconcile(report, month),
            "reconcile_request": reconcile_request_latest(month) if is_admin else None,
            "open_months": accuracy_open_months() if is_admin else [],
        }
        return render(request, "reports/accuracy.html", context, status=status)


def _may_reconcile(report, month: date) -> bool:
    """An open month (not frozen) that has begun."""
    frozen = report.accuracy_month is not None and report.accuracy_month.frozen
    return not frozen and month <= timezone.localdate().replace(day=1)


class AccuracyExportView(PermissionRequiredMixin, View):
    """The page's figures as .xlsx, in the layout of the manufacturer's table."""

    permission_required = "reports.view_accuracymonth"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            month = _requested_month(request)
        except ValidationError as exc:
            return _plain(" ".join(exc.messages), 400)
        report = accuracy_report(month)
        if not report.reconciled:
            return _plain(_("%(month)s has not been reconciled yet.") % {"month": month.strftime("%Y-%m")}, 404)
        return xlsx_response(accuracy_workbook(report), accuracy_export_name(month))


class AccuracyReopenView(PermissionRequiredMixin, View):
    """An administrator reopens a frozen month for the year's days open (recorded with the figures)."""

    permission_required = ADMIN_PERMISSION
    raise_exception = True

    def post(self, request: HttpRequest, month: str) -> HttpResponse:
        try:
            first = parse_month(month)
        except ValidationError as exc:
            return _plain(" ".join(exc.messages), 400)
        if not accuracy_month_known(first):
            raise Http404
        try:
            reopening = accuracy_month_reopen(month=first, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _(
                    "%(month)s is open again until %(until)s: reconciliations recompute it, then the nightly "
                    "run freezes it again."
                )
                % {"month": first.strftime("%Y-%m"), "until": reopening.open_until.isoformat()},
            )
        return _back(first)


class AccuracyReconcileView(PermissionRequiredMixin, View):
    """An administrator's "reconcile now" for an open month (POST), and the request's state (GET, polled)."""

    permission_required = ADMIN_PERMISSION
    raise_exception = True

    def _month(self, month: str) -> date:
        try:
            return parse_month(month)
        except ValidationError:
            raise Http404 from None

    def get(self, request: HttpRequest, month: str) -> HttpResponse:
        first = self._month(month)
        context = {"reconcile_request": reconcile_request_latest(first), "month_param": f"{first:%Y-%m}"}
        return render(request, "reports/includes/reconcile_request.html", context)

    def post(self, request: HttpRequest, month: str) -> HttpResponse:
        try:
            first = parse_month(month)
        except ValidationError as exc:
            return _plain(" ".join(exc.messages), 400)
        try:
            accuracy_reconcile_request(month=first, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(month)s is queued for reconciliation; this page shows when it runs and when it is done.")
                % {"month": first.strftime("%Y-%m")},
            )
        return _back(first)
