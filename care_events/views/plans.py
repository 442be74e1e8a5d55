"""The care plan's pages: thin views over care_events.services and care_events.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache

from care_events import exports, forms
from care_events.models import CareActivity, CarePlan, CostLine, Kpi, StaffAssignment, TimeNode
from care_events.selectors import activity_view, plan_list, plan_timeline, plan_view
from care_events.selectors_invitations import invitation_counts
from care_events.services import activities as activity_services
from care_events.services import plans as plan_services
from dealership_cs.selectors import history_rows


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _plan(request, year: int) -> CarePlan:
    return get_object_or_404(
        CarePlan.objects.visible_to(request.user).select_related("owner", "approved_by"), year=year
    )


def _activity(request, pk: int) -> CareActivity:
    return get_object_or_404(CareActivity.objects.visible_to(request.user).select_related("plan"), pk=pk)


class PlanListView(PermissionRequiredMixin, View):
    """Every year's plan with its status, budget, planned budget and actual cost."""

    permission_required = "care_events.view_careplan"
    raise_exception = True

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "care_events/careplan_list.html", {"plans": plan_list(user=request.user)})


@method_decorator(never_cache, name="dispatch")
class PlanFormView(PermissionRequiredMixin, View):
    """Create a year's plan, or edit its title, owner and (until approved) budget."""

    raise_exception = True

    def get_permission_required(self):
        return ["care_events.change_careplan" if "year" in self.kwargs else "care_events.add_careplan"]

    def _render(self, form, plan, status=200):
        return render(self.request, "care_events/careplan_form.html", {"form": form, "object": plan}, status=status)

    def get(self, request: HttpRequest, year: int | None = None) -> HttpResponse:
        plan = _plan(request, year) if year else None
        return self._render(forms.PlanForm(instance=plan, initial=None if plan else {"owner": request.user}), plan)

    def post(self, request: HttpRequest, year: int | None = None) -> HttpResponse:
        plan = _plan(request, year) if year else None
        form = forms.PlanForm(request.POST, instance=plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if plan is None:
                    plan = plan_services.plan_create(
                        year=data["year"],
                        title=data["title"],
                        total_budget=data["total_budget"],
                        owner=data["owner"],
                        by=request.user,
                    )
                else:
                    fields = {"title": data["title"], "owner": data["owner"]}
                    if not plan.budget_locked:
                        fields["total_budget"] = data["total_budget"]
                    plan = plan_services.plan_update(plan=plan, by=request.user, **fields)
                messages.success(request, _("The plan was saved."))
                return redirect(plan.get_absolute_url())
            except ValidationError as exc:
                _form_errors(form, exc)
        return self._render(form, plan if plan and plan.pk else None, status=400)


class PlanDetailView(PermissionRequiredMixin, View):
    """The year's plan as a table in the plan's nine columns, with its totals."""

    permission_required = "care_events.view_careplan"
    raise_exception = True
    template_name = "care_events/careplan_detail.html"

    def context(self, request, year: int) -> dict:
        plan = _plan(request, year)
        view = plan_view(plan=plan)
        return {
            "plan": plan,
            "view": view,
            "totals": view.totals,
            "revisions": list(plan.revisions.select_related("activity", "revised_by")),
            "history": history_rows(plan),
        }

    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        return render(request, self.template_name, self.context(request, year))


class PlanTimelineView(PlanDetailView):
    """The year's activities and time nodes as bars across the months (HTML and CSS, no script)."""

    template_name = "care_events/careplan_timeline.html"

    def context(self, request, year: int) -> dict:
        context = super().context(request, year)
        context["timeline"] = plan_timeline(context["view"])
        return context


class PlanActionView(PermissionRequiredMixin, View):
    """Submit, send back, approve or close a plan (POST)."""

    raise_exception = True
    ACTIONS = {
        "submit": (
            plan_services.plan_submit,
            "care_events.change_careplan",
            gettext_lazy("The plan was submitted for approval."),
        ),
        "return": (
            plan_services.plan_return,
            "care_events.approve_careplan",
            gettext_lazy("The plan was sent back to draft."),
        ),
        "approve": (plan_services.plan_approve, "care_events.approve_careplan", gettext_lazy("The plan was approved.")),
        "close": (plan_services.plan_close, "care_events.approve_careplan", gettext_lazy("The plan was closed.")),
    }

    def get_permission_required(self):
        action = self.ACTIONS.get(self.kwargs["action"])
        if action is None:
            raise Http404
        return [action[1]]

    def post(self, request: HttpRequest, year: int, action: str) -> HttpResponse:
        plan = _plan(request, year)
        service, _perm, done = self.ACTIONS[action]
        try:
            service(plan=plan, by=request.user)
            messages.success(request, done)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        return redirect(plan.get_absolute_url())


@method_decorator(never_cache, name="dispatch")
class PlanReviseView(PermissionRequiredMixin, View):
    """Revise an approved plan's budget or an activity's, with a reason."""

    permission_required = "care_events.add_budgetrevision"
    raise_exception = True

    def _render(self, form, plan, status=200):
        return render(self.request, "care_events/budgetrevision_form.html", {"form": form, "plan": plan}, status=status)

    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        plan = _plan(request, year)
        return self._render(forms.RevisionForm(plan=plan), plan)

    def post(self, request: HttpRequest, year: int) -> HttpResponse:
        plan = _plan(request, year)
        form = forms.RevisionForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                plan_services.plan_budget_revise(plan=plan, by=request.user, **form.cleaned_data)
                messages.success(request, _("The budget was revised."))
                return redirect(plan.get_absolute_url())
            except ValidationError as exc:
                _form_errors(form, exc)
        return self._render(form, plan, status=400)


class PlanExportView(PermissionRequiredMixin, View):
    """The plan as .xlsx in its nine columns."""

    permission_required = "care_events.view_careplan"
    raise_exception = True

    def get(self, request: HttpRequest, year: int) -> HttpResponse:
        plan = _plan(request, year)
        return exports.plan_response(plan_view(plan=plan))


@method_decorator(never_cache, name="dispatch")
class ActivityFormView(PermissionRequiredMixin, View):
    """Add an activity to a plan, or edit one: the plan's nine columns, kind, dates."""

    raise_exception = True

    def get_permission_required(self):
        return ["care_events.change_careactivity" if "pk" in self.kwargs else "care_events.add_careactivity"]

    def _objects(self, request, year, pk):
        if pk is not None:
            activity = _activity(request, pk)
            return activity.plan, activity
        return _plan(request, year), None

    def _render(self, form, plan, activity, status=200):
        context = {"form": form, "plan": plan, "object": activity}
        return render(self.request, "care_events/careactivity_form.html", context, status=status)

    def get(self, request: HttpRequest, year: int | None = None, pk: int | None = None) -> HttpResponse:
        plan, activity = self._objects(request, year, pk)
        initial = None if activity else {"starts_on": None}
        return self._render(forms.ActivityForm(instance=activity, plan=plan, initial=initial), plan, activity)

    def post(self, request: HttpRequest, year: int | None = None, pk: int | None = None) -> HttpResponse:
        plan, activity = self._objects(request, year, pk)
        form = forms.ActivityForm(request.POST, instance=activity, plan=plan)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in form.fields if not form.fields[name].disabled}
            try:
                if activity is None:
                    activity = activity_services.activity_create(plan=plan, by=request.user, **fields)
                else:
                    activity = activity_services.activity_update(activity=activity, by=request.user, **fields)
                messages.success(request, _("The activity was saved."))
                return redirect(activity.get_absolute_url())
            except ValidationError as exc:
                _form_errors(form, exc)
        return self._render(form, plan, activity if activity and activity.pk else None, status=400)


class ActivityDetailView(PermissionRequiredMixin, View):
    """An activity: nodes (overdue flagged), staff, KPIs with achievement, budget against actual, invitations."""

    permission_required = "care_events.view_careactivity"
    raise_exception = True

    def render_page(self, request, activity, status=200, **forms_in_error) -> HttpResponse:
        can_change = request.user.has_perm("care_events.change_careactivity") and (
            activity.plan.status != CarePlan.Status.CLOSED
        )
        context = {
            "activity": activity,
            "plan": activity.plan,
            "row": activity_view(activity=activity),
            "can_change": can_change,
            "next_statuses": [
                (value, CareActivity.Status(value).label) for value in CareActivity.TRANSITIONS[activity.status]
            ],
            "node_form": forms_in_error.get("node") or forms.NodeForm(prefix="node"),
            "staff_form": forms_in_error.get("staff") or forms.StaffForm(prefix="staff"),
            "cost_form": forms_in_error.get("cost") or forms.CostForm(prefix="cost"),
            "kpi_form": forms_in_error.get("kpi") or forms.KpiForm(prefix="kpi"),
            "errors": forms_in_error.get("errors", []),
            "history": history_rows(activity),
            "invitation_counts": invitation_counts(activity),
        }
        return render(request, "care_events/careactivity_detail.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, _activity(request, pk))


class ActivityPartView(ActivityDetailView):
    """POSTs that change a part of an activity: its status, a node, staff, a cost line, a KPI."""

    FORMS = {"node": forms.NodeForm, "staff": forms.StaffForm, "cost": forms.CostForm, "kpi": forms.KpiForm}

    def get_permission_required(self):
        return ["care_events.change_careactivity"]

    def get(self, request: HttpRequest, pk: int, part: str, item: int | None = None) -> HttpResponse:
        return redirect("care_events:activity_detail", pk=pk)

    def post(self, request: HttpRequest, pk: int, part: str, item: int | None = None) -> HttpResponse:
        activity = _activity(request, pk)
        if part in self.FORMS:
            form = self.FORMS[part](request.POST, prefix=part)
            if not form.is_valid():
                return self.render_page(request, activity, status=400, **{part: form})
            try:
                self._add(part, activity, form.cleaned_data, request.user)
            except ValidationError as exc:
                _form_errors(form, exc)
                return self.render_page(request, activity, status=400, **{part: form})
            return redirect(activity.get_absolute_url() + f"#{part}s")
        try:
            self._change(part, activity, item, request)
        except ValidationError as exc:
            return self.render_page(request, activity, status=400, errors=exc.messages)
        return redirect(activity.get_absolute_url())

    @staticmethod
    def _add(part: str, activity: CareActivity, data: dict, by) -> None:
        if part == "node":
            activity_services.node_add(activity=activity, by=by, **data)
        elif part == "staff":
            activity_services.staff_assign(activity=activity, by=by, **data)
        elif part == "cost":
            activity_services.cost_add(activity=activity, by=by, **data)
        else:
            activity_services.kpi_add(activity=activity, by=by, **data)

    @staticmethod
    def _change(part: str, activity: CareActivity, item: int | None, request) -> None:
        by = request.user
        if part == "status":
            form = forms.StatusForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose a status."))
            activity_services.activity_status_set(activity=activity, status=form.cleaned_data["status"], by=by)
        elif part in ("node-done", "node-undo"):
            node = get_object_or_404(TimeNode, pk=item, activity=activity)
            activity_services.node_mark_done(node=node, by=by, done=part == "node-done")
        elif part == "node-delete":
            activity_services.node_delete(node=get_object_or_404(TimeNode, pk=item, activity=activity), by=by)
        elif part == "staff-delete":
            assignment = get_object_or_404(StaffAssignment, pk=item, activity=activity)
            activity_services.staff_unassign(assignment=assignment, by=by)
        elif part == "cost-delete":
            activity_services.cost_delete(line=get_object_or_404(CostLine, pk=item, activity=activity), by=by)
        elif part == "kpi-actual":
            kpi = get_object_or_404(Kpi, pk=item, activity=activity)
            form = forms.KpiActualForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("The actual must be a number."))
            activity_services.kpi_actual_set(kpi=kpi, actual=form.cleaned_data["actual"], by=by)
        else:
            raise Http404
