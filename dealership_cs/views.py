"""Views of the project package: home, health, system status and the staff directory.

Views parse, authorise, delegate and respond; writes go through dealership_cs.services.
"""

from __future__ import annotations

import uuid

from celery.result import AsyncResult
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from dealership_cs import services
from dealership_cs.filters import StaffFilter
from dealership_cs.forms import StaffForm
from dealership_cs.health import health_report
from dealership_cs.models import Staff
from dealership_cs.navigation import home_sections
from dealership_cs.permissions import Role, has_any_role, has_role
from dealership_cs.selectors import history_rows


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "dealership_cs/home.html",
        {"sections": home_sections(request.user), "has_role": has_any_role(request.user)},
    )


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health_report()
    return JsonResponse(report, status=200 if ok else 503)


class AdminOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not has_role(request.user, Role.ADMIN):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class SystemStatusView(AdminOnlyMixin, View):
    """Health of the database and broker, and a test task sent through the worker."""

    def get(self, request: HttpRequest) -> HttpResponse:
        ok, report = health_report()
        return render(request, "dealership_cs/system_status.html", {"ok": ok, "report": report})

    def post(self, request: HttpRequest) -> HttpResponse:
        from dealership_cs.tasks import ping

        result = ping.delay(uuid.uuid4().hex)
        return redirect("system_task", task_id=result.id)


class SystemTaskView(AdminOnlyMixin, View):
    def get(self, request: HttpRequest, task_id: str) -> HttpResponse:
        try:
            uuid.UUID(task_id)
        except ValueError:
            raise Http404 from None
        result = AsyncResult(task_id)
        context = {"task_id": task_id, "state": result.state, "result": result.result if result.ready() else None}
        template = "includes/task_state.html" if request.htmx else "dealership_cs/system_task.html"
        return render(request, template, context)


class StaffListView(PermissionRequiredMixin, ListView):
    permission_required = "dealership_cs.view_staff"
    raise_exception = True
    template_name = "dealership_cs/staff_list.html"
    paginate_by = 50

    def get_queryset(self):
        base = Staff.objects.visible_to(self.request.user).select_related("user")
        self.filterset = StaffFilter(self.request.GET or None, queryset=base)
        return self.filterset.qs if self.filterset.is_bound else base

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["can_add"] = self.request.user.has_perm("dealership_cs.add_staff")
        return context


class StaffDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "dealership_cs.view_staff"
    raise_exception = True
    template_name = "dealership_cs/staff_detail.html"
    context_object_name = "staff"

    def get_queryset(self):
        return Staff.objects.visible_to(self.request.user).select_related("user")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = history_rows(self.object)
        context["can_change"] = self.request.user.has_perm("dealership_cs.change_staff")
        return context


@method_decorator(never_cache, name="dispatch")
class StaffEditView(PermissionRequiredMixin, View):
    """Create (no pk) or edit a staff record."""

    raise_exception = True

    def get_permission_required(self):
        return ["dealership_cs.change_staff" if "pk" in self.kwargs else "dealership_cs.add_staff"]

    def _object(self) -> Staff | None:
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(Staff.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        staff = self._object()
        return render(request, "dealership_cs/staff_form.html", {"form": StaffForm(instance=staff), "staff": staff})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        staff = self._object()
        form = StaffForm(request.POST, instance=staff)
        if not form.is_valid():
            return render(request, "dealership_cs/staff_form.html", {"form": form, "staff": staff}, status=400)
        if staff is None:
            staff = services.staff_create(**form.cleaned_data)
            messages.success(request, _("Staff member %(name)s was added.") % {"name": staff.name})
        else:
            staff = services.staff_update(staff=staff, **form.cleaned_data)
            messages.success(request, _("Staff member %(name)s was saved.") % {"name": staff.name})
        return redirect("staff_detail", pk=staff.pk)
