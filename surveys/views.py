"""The scores pages: the programs overview, a program's year, score entry, the target editor, the import.

Every role reads the scores; managers and administrators enter them, set targets and import
result sheets (model permissions, see ``dealership_cs.permissions``). Views parse, authorise,
call a selector or a service and respond; an unknown program or a year outside the calendar is
a 404, a bad period in the query string a message and a 400.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from dealership_cs.selectors import history_rows
from dealership_cs.spreadsheets import SpreadsheetRefused
from dealership_cs.spreadsheets.held import EXPIRED_DOWNLOAD, held_download, hold_download
from dealership_cs.spreadsheets.writer import xlsx_response
from surveys import imports
from surveys.forms import PeriodScoreForm, ScoreUploadForm, TargetForm
from surveys.models import ANNUAL, Program
from surveys.periods import YEAR_MAX, YEAR_MIN, Period, parse_period, period_indexes
from surveys.selectors import (
    active_programs,
    catalogue_for,
    entered_periods,
    latest_year,
    overview_years,
    period_result,
    period_scores,
    program_for,
    program_year,
    recent_score_imports,
    score_years,
    scores_overview,
    target_for,
)
from surveys.services import period_scores_save, target_save

VIEW_PERMS = ("surveys.view_officialscore",)
ENTRY_PERMS = (
    "surveys.add_officialscore",
    "surveys.change_officialscore",
    "surveys.add_itemscore",
    "surveys.change_itemscore",
    "surveys.delete_itemscore",
)
TARGET_PERMS = ("surveys.add_target", "surveys.change_target")
IMPORT_PERMS = ("surveys.add_scoreimport",)
RECENT_IMPORTS = 20


def _program(request: HttpRequest, code: str) -> Program:
    program = program_for(request.user, code)
    if program is None:
        raise Http404(_("There is no program %(code)s.") % {"code": code})
    return program


def _check_year(year: int) -> int:
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise Http404(_("There are no scores for the year %(year)s.") % {"year": year})
    return year


def _program_url(program: Program, year: int) -> str:
    return reverse("surveys:program_year", args=[program.code, year])


def _abilities(user) -> dict[str, bool]:
    return {
        "can_enter": user.has_perms(ENTRY_PERMS),
        "can_target": user.has_perms(TARGET_PERMS),
        "can_import": user.has_perms(IMPORT_PERMS),
    }


class ScoresPermissionMixin(PermissionRequiredMixin):
    permission_required = VIEW_PERMS
    raise_exception = True


# --- reading --------------------------------------------------------------------------------------


class OverviewView(ScoresPermissionMixin, View):
    """Every active program's latest result, gap, rank, year to date and target for one year."""

    def get(self, request: HttpRequest) -> HttpResponse:
        years, latest = overview_years()
        default = latest or timezone.localdate().year
        year, status = default, 200
        text = request.GET.get("year", "").strip()
        if text:
            try:
                year = int(text)
                _check_year(year)
            except (ValueError, Http404):
                messages.error(
                    request,
                    _("“%(value)s” is not a year between %(min)s and %(max)s; showing %(year)s.")
                    % {"value": text, "min": YEAR_MIN, "max": YEAR_MAX, "year": default},
                )
                year, status = default, 400
        cards = scores_overview(active_programs(request.user), year)
        context = {
            "year": year,
            "years": sorted(set(years) | {year}, reverse=True),
            "cards": cards,
            **_abilities(request.user),
        }
        return render(request, "surveys/overview.html", context, status=status)


class ProgramLatestView(ScoresPermissionMixin, View):
    """/scores/SSI/ opens the program's latest year with results (else this year)."""

    def get(self, request: HttpRequest, code: str) -> HttpResponse:
        program = _program(request, code)
        return redirect(_program_url(program, latest_year(program) or timezone.localdate().year))


class ProgramYearView(ScoresPermissionMixin, View):
    """A program's year: the periods, the year to date, the projection, the items and the weak ones."""

    def get(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        program = _program(request, code)
        _check_year(year)
        summary = program_year(program, year)
        this_year = timezone.localdate().year
        years = set(score_years(program)) | {year} | ({this_year} if YEAR_MIN <= this_year <= YEAR_MAX else set())
        programs = active_programs(request.user)
        if program not in programs:
            programs.append(program)
        context = {
            "program": program,
            "year": year,
            "summary": summary,
            "years": sorted(years, reverse=True),
            "programs": programs,
            "previous_year": year - 1 if year > YEAR_MIN else None,
            "next_year": year + 1 if year < YEAR_MAX else None,
            **_abilities(request.user),
        }
        return render(request, "surveys/program_year.html", context)


# --- score entry --------------------------------------------------------------------------------


def _year_periods(program: Program, year: int) -> list[Period]:
    """The year's regular periods, then the official full-year result when the program has several."""
    periods = [program.period(year, index) for index in period_indexes(program.period_kind)]
    if program.periods_per_year > 1:
        periods.append(program.period(year, ANNUAL))
    return periods


def _requested_period(program: Program, year: int, text: str) -> Period:
    period = parse_period(text, program.period_kind)
    if period is None:
        raise ValidationError(_("Choose a period."))
    if period.year != year:
        raise ValidationError(
            _("“%(value)s” is not a period of %(year)s.") % {"value": text, "year": year}, code="period_year"
        )
    return period


def _first_missing_period(program: Program, year: int, entered: set[int]) -> Period:
    """The first regular period not entered yet: where typing usually continues."""
    indexes = period_indexes(program.period_kind)
    index = next((index for index in indexes if index not in entered), indexes[-1])
    return program.period(year, index)


@method_decorator(never_cache, name="dispatch")
class ScoreEntryView(PermissionRequiredMixin, View):
    """One period's official result and its item scores, typed in by a manager."""

    permission_required = ENTRY_PERMS
    raise_exception = True

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.status = 200

    def _period(self, request: HttpRequest, program: Program, year: int, entered: set[int]) -> Period:
        text = request.GET.get("period", "").strip()
        if text:
            try:
                return _requested_period(program, year, text)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                self.status = 400
        return _first_missing_period(program, year, entered)

    def _render(self, request, program, year, period, form, entered, status=None) -> HttpResponse:
        stored = period_result(program, period)
        context = {
            "object": stored,
            "history": history_rows(stored) if stored else None,
            "program": program,
            "year": year,
            "period": period,
            "form": form,
            "periods": [(p, p.index in entered) for p in _year_periods(program, year)],
            "program_url": _program_url(program, year),
        }
        return render(request, "surveys/score_entry.html", context, status=status or self.status)

    def _context(self, request: HttpRequest, code: str, year: int):
        program = _program(request, code)
        _check_year(year)
        return program, entered_periods(program, year), catalogue_for(program, year)

    def get(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        program, entered, items = self._context(request, code, year)
        period = self._period(request, program, year, entered)
        stored, item_scores = period_scores(program, period)
        form = PeriodScoreForm(program=program, items=items, initial=PeriodScoreForm.initial_from(stored, item_scores))
        return self._render(request, program, year, period, form, entered)

    def post(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        program, entered, items = self._context(request, code, year)
        text = request.POST.get("period", "").strip() or request.GET.get("period", "").strip()
        try:
            period = _requested_period(program, year, text)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            form = PeriodScoreForm(request.POST, program=program, items=items)
            period = _first_missing_period(program, year, entered)
            return self._render(request, program, year, period, form, entered, status=400)
        form = PeriodScoreForm(request.POST, program=program, items=items)
        if not form.is_valid():
            return self._render(request, program, year, period, form, entered, status=400)
        try:
            counts = period_scores_save(
                program=program,
                period=period,
                values=form.score_values(),
                item_values=form.item_values(),
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self._render(request, program, year, period, form, entered, status=400)
        messages.success(
            request,
            _(
                "%(program)s %(period)s saved: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(removed)s removed."
            )
            % {"program": program.code, "period": period.code, **counts},
        )
        return redirect(_program_url(program, year))


# --- targets --------------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class TargetEditView(PermissionRequiredMixin, View):
    """A program's annual target, its phasing over the year's periods and the optional item targets."""

    permission_required = TARGET_PERMS
    raise_exception = True

    def _context(self, request: HttpRequest, code: str, year: int):
        program = _program(request, code)
        _check_year(year)
        periods = [program.period(year, index) for index in period_indexes(program.period_kind)]
        return program, periods, catalogue_for(program, year), target_for(program, year)

    def _render(self, request, program, year, form, target, status=200) -> HttpResponse:
        context = {
            "program": program,
            "year": year,
            "form": form,
            "target": target,
            "object": target,
            "history": history_rows(target) if target else None,
            "program_url": _program_url(program, year),
        }
        return render(request, "surveys/target_form.html", context, status=status)

    def get(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        program, periods, items, target = self._context(request, code, year)
        form = TargetForm(
            program=program, periods=periods, items=items, initial=TargetForm.initial_from(target, periods)
        )
        return self._render(request, program, year, form, target)

    def post(self, request: HttpRequest, code: str, year: int) -> HttpResponse:
        program, periods, items, target = self._context(request, code, year)
        form = TargetForm(request.POST, program=program, periods=periods, items=items)
        if not form.is_valid():
            return self._render(request, program, year, form, target, status=400)
        data = form.cleaned_data
        try:
            saved, outcome = target_save(
                program=program,
                year=year,
                score=data["score"],
                rank=data["rank"],
                phasing=data["phasing"],
                percents=form.percent_values(),
                item_targets=form.item_target_values(),
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self._render(request, program, year, form, target, status=400)
        if outcome == "unchanged":
            messages.info(
                request, _("The %(year)s target of %(program)s is unchanged.") % {"year": year, "program": program.code}
            )
        else:
            messages.success(
                request, _("The %(year)s target of %(program)s is saved.") % {"year": year, "program": program.code}
            )
        return redirect(_program_url(program, saved.year))


# --- import ---------------------------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class ScoreImportView(PermissionRequiredMixin, View):
    """Upload a result sheet; it is read and stored in the request (the manufacturer's sheets are small)."""

    permission_required = IMPORT_PERMS
    raise_exception = True

    def _render(self, request, form, status=200, **extra) -> HttpResponse:
        recent = recent_score_imports(request.user, RECENT_IMPORTS)
        context = {"form": form, "imports": recent, **extra}
        return render(request, "surveys/scoreimport.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request, ScoreUploadForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScoreUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form, status=400)
        upload = form.cleaned_data["file"]
        dry_run = form.cleaned_data["dry_run"]
        try:
            result = imports.score_import(source=upload, file_name=upload.name, by=request.user, dry_run=dry_run)
        except SpreadsheetRefused as exc:
            return self._render(request, form, status=400, refused=exc.message)
        errors_token = None
        if result.rejected:
            stem = imports.error_workbook_name(upload.name)
            errors_token = hold_download(user=request.user, data=result.error_workbook(), stem=stem)
        return self._render(
            request, ScoreUploadForm(), result=result, dry_run=dry_run, file_name=upload.name, errors_token=errors_token
        )


class ScoreImportErrorsView(PermissionRequiredMixin, View):
    """The rejected rows of one's own recent upload, as a workbook to fix and upload again."""

    permission_required = IMPORT_PERMS
    raise_exception = True

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        held = held_download(user=request.user, token=token)
        if held is None:
            messages.error(request, EXPIRED_DOWNLOAD)
            return redirect("surveys:import")
        data, stem = held
        return xlsx_response(data, stem)


class ScoreTemplateView(PermissionRequiredMixin, View):
    """The blank result-sheet template (score sheet and item sheet) to fill in and import."""

    permission_required = IMPORT_PERMS
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        from surveys.imports.template import TEMPLATE_NAME, score_template_workbook

        return xlsx_response(score_template_workbook(), TEMPLATE_NAME)
