"""The one API base: every viewset derives from ``BaseViewSet``, every other API view from ``BaseAPIView``.

A viewset declares its model's ``queryset`` (with what its serializers need joined), its
serializers (``serializer_class`` to answer, ``write_serializer_class`` to parse a write) and its
``filterset_class``; the base does the rest once for all of them:

- rows: ``get_queryset`` narrows the declared queryset with the model's ``visible_to(user)``, so
  a row rule (say, an agent sees only their own calls) is written once, on the model, and holds
  for every list, record and action (as NetBox's ``BaseViewSet.initial`` applies ``restrict``);
- filters choose the rows a list shows, never the rows one may open or change by id;
- errors: a service's ``ValidationError`` answers 400 by field (or one ``detail``), a
  ``Conflict`` (and a refused delete, ``ProtectedError``) answers 409 with the reason; an app
  registers its own conflict exceptions with ``register_conflict``;
- writes: ``CreateMixin``/``UpdateMixin`` parse with the write serializer, run the viewset's
  ``perform_create``/``perform_update`` (which call a service) and answer with the read serializer.

Leaving out a mixin leaves out its method: a viewset without ``DestroyMixin`` answers DELETE with 405.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from dealership_cs.errors import Conflict

ConflictBody = Callable[[Exception, dict[str, Any]], dict[str, Any]]
_CONFLICTS: dict[type[Exception], ConflictBody] = {}


def register_conflict(exception: type[Exception], body: ConflictBody) -> None:
    """Answer ``exception`` with 409 and ``body(exc, serializer_context)`` in every API view."""
    _CONFLICTS[exception] = body


def api_validation_error(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as a 400: by field when it names fields, else one ``detail`` message."""
    if hasattr(error, "error_dict"):
        detail = get_error_detail(error)
        non_field = api_settings.NON_FIELD_ERRORS_KEY
        return ValidationError({non_field if key == NON_FIELD_ERRORS else key: value for key, value in detail.items()})
    return ValidationError({"detail": " ".join(error.messages)})


def _protected_body(error: ProtectedError | RestrictedError) -> dict[str, Any]:
    objects = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    counts = Counter(str(obj._meta.verbose_name_plural) for obj in objects)
    records = [{"label": label, "count": count} for label, count in sorted(counts.items())]
    listed = "; ".join(f"{record['label']}: {record['count']}" for record in records)
    return {
        "detail": _("This record cannot be deleted: other records still refer to it (%(records)s).")
        % {"records": listed},
        "code": "protected",
        "records": records,
    }


def conflict_body(exc: Exception, context: dict[str, Any]) -> dict[str, Any] | None:
    """The 409 body for an exception that is a conflict with the stored data, else None."""
    for exception, body in _CONFLICTS.items():
        if isinstance(exc, exception):
            return body(exc, context)
    if isinstance(exc, Conflict):
        return {"detail": exc.message, "code": exc.code, **exc.details}
    if isinstance(exc, ProtectedError | RestrictedError):
        # A service should have said why before deleting; this keeps a missed case from answering 500.
        return _protected_body(exc)
    return None


class ErrorTranslationMixin:
    """Services raise Django's exceptions and the project's ``Conflict``; the API answers 400 or 409."""

    def handle_exception(self, exc):
        context = self.get_serializer_context() if hasattr(self, "get_serializer_context") else {}
        body = conflict_body(exc, {"request": self.request, **context})
        if body is not None:
            response = Response(body, status=status.HTTP_409_CONFLICT)
            response.exception = True
            return response
        if isinstance(exc, DjangoValidationError):
            exc = api_validation_error(exc)
        return super().handle_exception(exc)


class BaseAPIView(ErrorTranslationMixin, APIView):
    """An API view without a model (a summary, an action on a month): the same errors as the viewsets."""


class BaseViewSet(ErrorTranslationMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and read the rows of ``queryset`` the caller may see; add the mixins below for writes."""

    # The FilterSet carries its own ``ordering``, exactly as on the page.
    filter_backends = [DjangoFilterBackend]
    write_serializer_class: type | None = None
    # Set per action with @action(required_perms=[...]); replaces the model permissions for that action.
    required_perms: list[str] | None = None

    def get_queryset(self):
        queryset = super().get_queryset()
        if not hasattr(queryset, "visible_to"):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {queryset.model.__name__}'s QuerySet has no visible_to(user)."
            )
        return queryset.visible_to(self.request.user)

    def filter_queryset(self, queryset):
        # The list's filters (say, open ones unless asked otherwise) choose rows to list, not the
        # rows one may open or change by id.
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class is not None:
            return self.write_serializer_class
        return self.serializer_class

    def respond(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        """Answer with ``instance`` as the read serializer shows it."""
        return Response(self.serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)


class CreateMixin(mixins.CreateModelMixin):
    """POST: parse with the write serializer, ``perform_create`` (a service sets ``serializer.instance``), 201."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.respond(serializer.instance, status.HTTP_201_CREATED)


class UpdateMixin(mixins.UpdateModelMixin):
    """PUT and PATCH: parse with the write serializer, ``perform_update``, answer with the read one."""

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.respond(serializer.instance)


class DestroyMixin(mixins.DestroyModelMixin):
    """DELETE: ``perform_destroy`` calls the service that may refuse (409) or remove the row (204)."""
