"""Views of the project package: home, health, system status and the staff directory.

Views parse, authorise, delegate and respond; writes go through dealership_cs.services.
"""

from __future__ import annotations

import logging
import uuid

from celery.result import AsyncResult
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, ListView

from dealership_cs import services
from dealership_cs.filters import StaffFilter
from dealership_cs.forms import StaffForm
from dealership_cs.health import health_report
from dealership_cs.models import Staff
from dealership_cs.navigation import home_sections, landing_for
from dealership_cs.permissions import Role, has_any_role, has_role
from dealership_cs.selectors import history_rows, staff_records
from dealership_cs.services import StaffHasRecords


def home(request: HttpRequest) -> HttpResponse:
    landing = landing_for(request.user)
    if landing and "home" not in request.GET:
        return redirect(landing)
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
        context["can_delete"] = self.request.user.has_perm("dealership_cs.delete_staff")
        return context


class StaffActiveView(PermissionRequiredMixin, View):
    """Deactivate someone who left (``active=False``) or reactivate them; their records keep naming them."""

    permission_required = "dealership_cs.change_staff"
    raise_exception = True
    active = False

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff = get_object_or_404(Staff.objects.visible_to(request.user), pk=pk)
        try:
            if self.active:
                staff = services.staff_reactivate(staff=staff, by=request.user)
                messages.success(request, _("%(name)s is active again.") % {"name": staff.name})
            else:
                staff = services.staff_deactivate(staff=staff, by=request.user)
                messages.success(request, _("%(name)s was deactivated.") % {"name": staff.name})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect("staff_detail", pk=staff.pk)


@method_decorator(never_cache, name="dispatch")
class StaffDeleteView(PermissionRequiredMixin, View):
    """Delete a mistaken entry; someone whom records name is refused (409) and offered deactivation."""

    permission_required = "dealership_cs.delete_staff"
    raise_exception = True

    def _page(self, request: HttpRequest, staff: Staff, status: int = 200) -> HttpResponse:
        context = {
            "staff": staff,
            "records": staff_records(staff),
            "can_change": request.user.has_perm("dealership_cs.change_staff"),
        }
        return render(request, "dealership_cs/staff_confirm_delete.html", context, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self._page(request, get_object_or_404(Staff.objects.visible_to(request.user), pk=pk))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        staff = get_object_or_404(Staff.objects.visible_to(request.user), pk=pk)
        try:
            services.staff_delete(staff=staff, by=request.user)
        except StaffHasRecords as error:
            messages.error(request, error.message)
            return self._page(request, staff, status=409)
        messages.success(request, _("%(name)s was deleted.") % {"name": staff.name})
        return redirect("staff_list")


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


# --- Error pages and the favicon -----------------------------------------------------------------
# Django calls these for any exception a view lets through (see handler403/404/500 in urls.py):
# translated pages inside the site's layout, with the menu and a way back. Under /api/ they answer
# JSON, as the API does everywhere else.

logger = logging.getLogger(__name__)

_API_PREFIX = "/api/"


def _back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is a page of this site other than this one; else ""."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        here = request.build_absolute_uri()
        allowed = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    except Exception:  # a bad Host header must not turn a 404 into a 500
        return ""
    return referer if referer and allowed and referer != here else ""


def _api_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(_API_PREFIX):
        return _api_error(_("Not found."), 404)
    return render(request, "404.html", {"back_url": _back_url(request)}, status=404)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A PermissionDenied raised with a message (a published questionnaire cannot change) says why.
    reason = str(exception) if exception is not None else ""
    if request.path.startswith(_API_PREFIX):
        return _api_error(reason or _("You do not have permission to perform this action."), 403)
    return render(request, "403.html", {"back_url": _back_url(request), "reason": reason}, status=403)


# The last resort when even the template cannot be rendered: no template, no database, no translation.
_BARE_500 = (
    '<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>500</title>'
    "<h1>服务器出错 · Server error</h1>"
    "<p>错误已记录，请稍后再试。The error was logged; please try again later.</p>"
    '<p><a href="/">返回首页 · Home</a></p></html>'
)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; it must never fail itself, whatever broke the request (the database, a template)."""
    if request.path.startswith(_API_PREFIX):
        return _api_error(_("Server error: it was logged; please try again later."), 500)
    try:
        # The full page: the menu of the user's roles needs the session and the database.
        return render(request, "500.html", {"back_url": _back_url(request)}, status=500)
    except Exception:
        logger.exception("The full 500 page could not be rendered; answering with the minimal one.")
    try:
        # No request, so no context processor, session or database: the layout without the menu.
        html = loader.get_template("500.html").render({"error_minimal": True})
    except Exception:
        logger.exception("The minimal 500 page could not be rendered; answering with bare HTML.")
        html = _BARE_500
    return HttpResponseServerError(html)


_FAVICON: bytes | None = None


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every site whatever the page links to."""
    global _FAVICON
    if _FAVICON is None:
        path = finders.find("favicon.ico")
        if path is None:
            raise Http404
        with open(path, "rb") as icon:
            _FAVICON = icon.read()
    response = HttpResponse(_FAVICON, content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response
