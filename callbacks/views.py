"""The callback desk's pages: thin views over callbacks.services and callbacks.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from callbacks import exports, services
from callbacks.extensions import describe_tasks, extension_for
from callbacks.filters import CallbackTaskFilter, ComplaintFilter
from callbacks.forms import OUTCOME_KEYS, CallForm, ComplaintAdvanceForm, ComplaintForm, RuleForm, ThresholdForm
from callbacks.models import CallbackRule, CallbackTask, Complaint, Question
from callbacks.selectors import DESK_RELATED, agent_queue, agent_queue_counts, call_context, supervision
from callbacks.selectors.desk import current_version
from customers.models import Customer
from dealership_cs.generic_views import FilteredListView, RecordDetailView
from dealership_cs.spreadsheets.writer import ExportWorkbook, xlsx_response


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class DeskView(PermissionRequiredMixin, View):
    """The agent's home: today's calls, mine first then the pool, by due date."""

    permission_required = "callbacks.view_callbacktask"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(agent_queue(user=request.user), 50).get_page(request.GET.get("page"))
        describe_tasks(list(page.object_list))
        return render(
            request,
            "callbacks/desk.html",
            {
                "page_obj": page,
                "object_list": page.object_list,
                "is_paginated": page.has_other_pages(),
                "counts": agent_queue_counts(user=request.user),
                "can_take": request.user.has_perm("callbacks.change_callbacktask"),
            },
        )


class TaskTakeView(PermissionRequiredMixin, View):
    """Take a pool task: exactly one of two agents clicking at once gets it, the other is told who."""

    permission_required = "callbacks.change_callbacktask"
    raise_exception = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = get_object_or_404(CallbackTask.objects.claimable(request.user), pk=pk)
        try:
            services.task_take(task=task, agent=request.user)
        except services.TaskHeld as held:
            messages.error(request, str(held))
            return redirect("callbacks:desk")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("callbacks:desk")
        return redirect("callbacks:task_call", pk=task.pk)


class TaskReleaseView(PermissionRequiredMixin, View):
    permission_required = "callbacks.change_callbacktask"
    raise_exception = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = get_object_or_404(CallbackTask.objects.visible_to(request.user), pk=pk)
        try:
            services.task_release(task=task, agent=request.user)
            messages.success(request, _("The call went back to the pool."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("callbacks:desk")


@method_decorator(never_cache, name="dispatch")
class TaskCallView(PermissionRequiredMixin, View):
    """One screen to log a call: the outcome, the questionnaire, a note; the customer's history beside it."""

    permission_required = "callbacks.view_callbacktask"
    raise_exception = True

    def _task(self, request, pk: int) -> CallbackTask:
        queryset = CallbackTask.objects.visible_to(request.user).select_related(*DESK_RELATED)
        return get_object_or_404(queryset, pk=pk)

    def _render(self, request, task, form, version, status=200) -> HttpResponse:
        context = call_context(task=task, user=request.user, version=version)
        can_log = request.user.has_perm("callbacks.add_callattempt") and task.is_workable
        can_log = can_log and task.agent_id in (None, request.user.pk)
        return render(
            request,
            "callbacks/task_call.html",
            {"ctx": context, "task": task, "form": form, "can_log": can_log, "outcome_keys": OUTCOME_KEYS},
            status=status,
        )

    @staticmethod
    def _questions(version) -> list:
        return list(version.questions.all()) if version else []

    @staticmethod
    def _extra_fields(task) -> dict:
        extension = extension_for(task.kind)
        return extension.form_fields(task) if extension and extension.form_fields else {}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        task = self._task(request, pk)
        version = current_version(task)
        form = CallForm(questions=self._questions(version), extra_fields=self._extra_fields(task))
        return self._render(request, task, form, version)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("callbacks.add_callattempt"):
            return HttpResponse(status=403)
        task = self._task(request, pk)
        version = current_version(task)
        form = CallForm(request.POST, questions=self._questions(version), extra_fields=self._extra_fields(task))
        if not form.is_valid():
            return self._render(request, task, form, version, status=400)
        data = form.cleaned_data
        try:
            logged = services.attempt_log(
                task=task,
                agent=request.user,
                outcome=data["outcome"],
                answers=form.answers(),
                note=data["note"],
                call_back_at=data.get("call_back_at"),
                open_complaint=data["open_complaint"],
                complaint_text=data["complaint_text"],
                extra=form.extra(),
            )
        except services.TaskHeld as held:
            form.add_error(None, str(held))
            return self._render(request, task, form, version, status=409)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self._render(request, task, form, version, status=400)
        message = _("Call logged: %(outcome)s.") % {"outcome": logged.attempt.get_outcome_display()}
        if logged.complaint:
            message += " " + _("Complaint #%(id)s opened.") % {"id": logged.complaint.pk}
        messages.success(request, message)
        return redirect("callbacks:desk")


class TaskListView(FilteredListView):
    """Every task with its state, for supervisors and staff."""

    model = CallbackTask
    filterset_class = CallbackTaskFilter
    template_name = "callbacks/callbacktask_list.html"
    select_related = ("customer", "vehicle", "agent")


class ComplaintListView(FilteredListView):
    model = Complaint
    filterset_class = ComplaintFilter
    template_name = "callbacks/complaint_list.html"
    select_related = ("customer", "owner")

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset if self.request.GET.get("ordering") else queryset.overdue_first()


class ComplaintDetailView(RecordDetailView):
    model = Complaint
    template_name = "callbacks/complaint_detail.html"
    select_related = ("customer", "vehicle", "owner", "opened_by", "attempt__task")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["advance_form"] = kwargs.get("advance_form") or ComplaintAdvanceForm(complaint=self.object)
        context["followups"] = self.object.followups.select_related("agent")
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not request.user.has_perm("callbacks.change_complaint"):
            return HttpResponse(status=403)
        self.object = self.get_object()
        form = ComplaintAdvanceForm(request.POST, complaint=self.object)
        if form.is_valid():
            try:
                services.complaint_advance(
                    complaint=self.object,
                    status=form.cleaned_data["status"],
                    resolution=form.cleaned_data["resolution"],
                    owner=form.cleaned_data["owner"],
                    by=request.user,
                )
                messages.success(request, _("The complaint was updated."))
                return redirect("callbacks:complaint_detail", pk=pk)
            except ValidationError as exc:
                _form_errors(form, exc)
        return self.render_to_response(self.get_context_data(advance_form=form), status=400)


class ComplaintCreateView(PermissionRequiredMixin, View):
    """Take a complaint for a customer at the desk (walk-in, phone, the manufacturer)."""

    permission_required = "callbacks.add_complaint"
    raise_exception = True

    def _customer(self, request, customer_pk: int) -> Customer:
        return get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)

    def get(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = self._customer(request, customer_pk)
        return render(request, "callbacks/complaint_form.html", {"form": ComplaintForm(), "customer": customer})

    def post(self, request: HttpRequest, customer_pk: int) -> HttpResponse:
        customer = self._customer(request, customer_pk)
        form = ComplaintForm(request.POST)
        if form.is_valid():
            try:
                complaint = services.complaint_open(customer=customer, by=request.user, **form.cleaned_data)
                messages.success(request, _("Complaint #%(id)s opened.") % {"id": complaint.pk})
                return redirect(reverse("callbacks:complaint_detail", args=[complaint.pk]))
            except ValidationError as exc:
                _form_errors(form, exc)
        return render(request, "callbacks/complaint_form.html", {"form": form, "customer": customer}, status=400)


class SupervisionView(PermissionRequiredMixin, View):
    """Supervisors' view of the desk for a year: workload, reach, answers, complaints, shadow score."""

    permission_required = "callbacks.supervise_callbacktask"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
            if not 1990 <= year <= 2100:
                raise ValueError
        except ValueError:
            return HttpResponse(
                _("Enter a year from 1990 to 2100."), status=400, content_type="text/plain; charset=utf-8"
            )
        export = request.GET.get("export")
        if export is not None and export not in exports.SECTIONS:
            return HttpResponse(
                _("Unknown export “%(name)s”.") % {"name": export}, status=400, content_type="text/plain; charset=utf-8"
            )
        data = {
            "agents": supervision.tasks_by_agent(year=year),
            "reach": supervision.reach_by_month(year=year),
            "answers": supervision.answers_by_question(year=year),
            "complaints": supervision.complaint_counts(),
            "shadow": supervision.shadow_scores(year=year),
        }
        if export:
            book = ExportWorkbook()
            getattr(exports, f"{export}_sheet")(book, data[export])
            names = {
                "agents": _("回访任务按回访员"),
                "reach": _("回访接通率"),
                "answers": _("回访问卷答案"),
                "complaints": _("投诉统计"),
                "shadow": _("影子得分"),
            }
            return xlsx_response(book.to_bytes(), f"{names[export]}-{year}")
        context = {
            **data,
            "year": year,
            "years": supervision.years_with_tasks() or [year],
            "statuses": CallbackTask.Status,
            "complaint_statuses": Complaint.Status,
            "months": range(1, 13),
        }
        return render(request, "callbacks/supervision.html", context)


class RulesView(PermissionRequiredMixin, View):
    """The desk's rules and the questions' complaint thresholds; managers and admins change them."""

    permission_required = "callbacks.view_callbackrule"
    raise_exception = True

    def _render(self, request, forms_by_rule=None, threshold_errors=None, status=200) -> HttpResponse:
        rules = list(CallbackRule.objects.select_related("questionnaire").order_by("kind"))
        forms_by_rule = forms_by_rule or {}
        rows = [(rule, forms_by_rule.get(rule.pk) or RuleForm.for_rule(rule)) for rule in rules]
        questions = Question.objects.filter(version__status="in_use").select_related("version__questionnaire")
        return render(
            request,
            "callbacks/rules.html",
            {
                "rows": rows,
                "questions": questions.order_by("version__questionnaire__code", "position"),
                "threshold_errors": threshold_errors or {},
                "can_change_rules": request.user.has_perm("callbacks.change_callbackrule"),
                "can_change_thresholds": request.user.has_perm("callbacks.change_question"),
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self._render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        if "rule" in request.POST:
            if not request.user.has_perm("callbacks.change_callbackrule"):
                return HttpResponse(status=403)
            rule = get_object_or_404(CallbackRule, pk=request.POST.get("rule"))
            form = RuleForm.for_rule(rule, request.POST)
            if form.is_valid():
                try:
                    services.callback_rule_update(rule=rule, by=request.user, **form.service_fields())
                    messages.success(request, _("%(rule)s saved.") % {"rule": rule})
                    return redirect("callbacks:rules")
                except ValidationError as exc:
                    _form_errors(form, exc)
            return self._render(request, forms_by_rule={rule.pk: form}, status=400)
        if not request.user.has_perm("callbacks.change_question"):
            return HttpResponse(status=403)
        question = get_object_or_404(Question.objects.filter(version__status="in_use"), pk=request.POST.get("question"))
        form = ThresholdForm(request.POST)
        if form.is_valid():
            try:
                services.question_threshold_set(
                    question=question, threshold=form.cleaned_data["threshold"], by=request.user
                )
                messages.success(request, _("Threshold of %(code)s saved.") % {"code": question.code})
                return redirect("callbacks:rules")
            except ValidationError as exc:
                return self._render(request, threshold_errors={question.pk: " ".join(exc.messages)}, status=400)
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return self._render(request, threshold_errors={question.pk: errors}, status=400)
