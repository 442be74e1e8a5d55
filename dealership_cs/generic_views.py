"""Base views every app's pages share: a filtered list, a record page with history, a form that calls a service.

They keep the page views thin: parse, authorise (model permissions, then ``visible_to`` for
rows: 403 for a forbidden action, 404 for an invisible row), delegate to a service, respond.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from dealership_cs.selectors import history_rows


class FilteredListView(PermissionRequiredMixin, ListView):
    """A list with a django-filter FilterSet (the same one the API uses), sorting and pagination."""

    raise_exception = True
    filterset_class = None
    paginate_by = 50
    select_related: tuple[str, ...] = ()

    def get_permission_required(self):
        return [f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"]

    def get_queryset(self):
        base = self.model.objects.visible_to(self.request.user).select_related(*self.select_related)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=base, request=self.request)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return base.none()
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context["filter"] = self.filterset
        context["can_add"] = self.request.user.has_perm(f"{meta.app_label}.add_{meta.model_name}")
        return context


class RecordDetailView(PermissionRequiredMixin, DetailView):
    """A record's page with its change history."""

    raise_exception = True
    select_related: tuple[str, ...] = ()

    def get_permission_required(self):
        return [f"{self.model._meta.app_label}.view_{self.model._meta.model_name}"]

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(*self.select_related)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context["history"] = history_rows(self.object)
        context["can_change"] = self.request.user.has_perm(f"{meta.app_label}.change_{meta.model_name}")
        return context


@method_decorator(never_cache, name="dispatch")
class ServiceFormView(PermissionRequiredMixin, View):
    """Create (no pk in the URL) or edit a record through a service.

    Subclasses set ``model``, ``form_class``, ``template_name`` and implement ``perform(form, obj)``
    calling the service and returning the saved object. A service's ValidationError lands on the
    form's fields; ``duplicates_exception`` (if set) re-renders the form with the candidates and
    a "save anyway" confirmation.
    """

    raise_exception = True
    model = None
    form_class = None
    template_name = ""
    duplicates_exception: type[Exception] | None = None
    success_message = ""

    def get_permission_required(self):
        action = "change" if "pk" in self.kwargs else "add"
        return [f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"]

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.model.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_form(self, obj, data=None):
        if self._is_model_form():
            return self.form_class(data, instance=obj, initial=self.get_initial() if obj is None else None)
        return self.form_class(data, initial=self.get_initial())

    def _is_model_form(self) -> bool:
        return hasattr(self.form_class, "_meta") and getattr(self.form_class._meta, "model", None) is not None

    def get_initial(self) -> dict:
        return {}

    def perform(self, form, obj):
        raise NotImplementedError

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def render_form(self, form, obj, status: int = 200, **extra) -> HttpResponse:
        if "confirm_duplicates" in form.fields and not extra.get("candidates"):
            # "Save anyway" only makes sense once the candidates have been shown.
            form.fields["confirm_duplicates"].widget = forms.HiddenInput()
        context = {"form": form, "object": obj, "model_name": self.model._meta.verbose_name, **extra}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object()
        return self.render_form(self.get_form(obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object()
        form = self.get_form(obj, request.POST)
        if not form.is_valid():
            return self.render_form(form, obj, status=400)
        try:
            saved = self.perform(form, obj)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.render_form(form, obj, status=400)
        except Exception as exc:
            if self.duplicates_exception and isinstance(exc, self.duplicates_exception):
                return self.render_form(form, obj, status=409, candidates=exc.candidates)
            raise
        if self.success_message:
            messages.success(request, self.success_message % {"name": str(saved)})
        return redirect(self.success_url(saved))
