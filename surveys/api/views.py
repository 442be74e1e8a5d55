"""API of the official scores: programs and catalogues, scores, item scores, targets and a program's year.

Reads go through ``visible_to``; every write of a score, an item score or a target runs a
surveys service, which parses the raw values with surveys.validators. A refusal answers 400 with
the messages by field, and nothing is stored. POST creates; for a row that already exists it
answers 400 and points at the row to change with PUT or PATCH (the import is the upsert).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.settings import api_settings

from surveys import selectors, services
from surveys.api.serializers import (
    ItemScoreSerializer,
    ItemScoreWriteSerializer,
    OfficialScoreSerializer,
    OfficialScoreWriteSerializer,
    ProgramSerializer,
    ProgramYearSerializer,
    ScoreItemSerializer,
    SummaryQuerySerializer,
    TargetSerializer,
    TargetWriteSerializer,
)
from surveys.filters import ItemScoreFilter, OfficialScoreFilter, ProgramListFilter, ScoreItemFilter, TargetFilter
from surveys.models import ItemScore, OfficialScore, Program, ScoreItem, Target
from surveys.periods import period_code

INVALID = OpenApiResponse(description=gettext_lazy("Invalid data, or the row already exists: the messages by field."))
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]


def api_validation_error(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as a 400: by field when it names fields, else one ``detail`` message."""
    if hasattr(error, "error_dict"):
        detail = get_error_detail(error)
        non_field = api_settings.NON_FIELD_ERRORS_KEY
        return ValidationError({non_field if key == NON_FIELD_ERRORS else key: value for key, value in detail.items()})
    return ValidationError({"detail": " ".join(error.messages)})


def _writes_schema(read, write, *, create: str):
    errors = {400: INVALID}
    return extend_schema_view(
        create=extend_schema(request=write, responses={201: read, **errors}, description=create),
        update=extend_schema(request=write, responses={200: read, **errors}),
        partial_update=extend_schema(
            request=write,
            responses={200: read, **errors},
            description=gettext_lazy("Change some values; the stored ones fill in the rest before validation."),
        ),
    )


class _SurveysViewSet(viewsets.ModelViewSet):
    """Reads with ``serializer_class``; writes parse with ``write_serializer_class`` and call ``save()``."""

    filter_backends = [DjangoFilterBackend]
    write_serializer_class: type | None = None

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update") and self.write_serializer_class is not None:
            return self.write_serializer_class
        return self.serializer_class

    def respond(self, instance, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.serializer_class(instance, context=self.get_serializer_context()).data, status=status_code)

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = api_validation_error(exc)
        return super().handle_exception(exc)

    def save(self, data: dict):
        """Run the service on validated data; returns (row, outcome)."""
        raise NotImplementedError

    def exists_error(self, row) -> ValidationError:
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # The services upsert; checking their outcome inside the transaction refuses an existing
        # row even when another request created it a moment ago, and rolls back what was written.
        with transaction.atomic():
            row, outcome = self.save(serializer.validated_data)
            if outcome != services.CREATED:
                raise self.exists_error(row)
        return self.respond(row, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        row, _outcome = self.save(serializer.validated_data)
        return self.respond(row)

    def _exists(self, field: str, what: str, pk: int) -> ValidationError:
        return ValidationError(
            {
                field: [
                    _("%(what)s already exists (id %(id)s): change it with PUT or PATCH on %(url)s.")
                    % {"what": what, "id": pk, "url": f"{self.request.path}{pk}/"}
                ]
            }
        )


# --- Programs and the item catalogue ------------------------------------------------------------


class ProgramViewSet(viewsets.ModelViewSet):
    """The score programs. Reference data: everyone reads it, administrators change it (no delete)."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramListFilter
    filter_backends = [DjangoFilterBackend]
    http_method_names = NO_DELETE
    queryset = Program.objects.all()

    def get_queryset(self):
        return Program.objects.visible_to(self.request.user)


class ScoreItemViewSet(viewsets.ModelViewSet):
    """The item catalogue per program and year. Everyone reads it, administrators change it (no delete)."""

    serializer_class = ScoreItemSerializer
    filterset_class = ScoreItemFilter
    filter_backends = [DjangoFilterBackend]
    http_method_names = NO_DELETE
    queryset = ScoreItem.objects.all()

    def get_queryset(self):
        return ScoreItem.objects.visible_to(self.request.user).select_related("program")


# --- Official scores ----------------------------------------------------------------------------

SUMMARY_DESCRIPTION = gettext_lazy(
    "A program's year as managers read it: each period's score with the gaps to the regional average and to "
    "the phased target, rank percentile and change; the year to date (sample-weighted when every period has "
    "a sample size, else the plain mean); the weak items both ways; and the average the remaining periods "
    "need to reach the annual target."
)


@_writes_schema(
    OfficialScoreSerializer,
    OfficialScoreWriteSerializer,
    create=gettext_lazy("Enter a period's official result. A period that already has one answers 400: use PUT/PATCH."),
)
class OfficialScoreViewSet(_SurveysViewSet):
    """The manufacturer's official results per program and period (managers and administrators write)."""

    serializer_class = OfficialScoreSerializer
    write_serializer_class = OfficialScoreWriteSerializer
    filterset_class = OfficialScoreFilter
    queryset = OfficialScore.objects.all()

    def get_queryset(self):
        return OfficialScore.objects.visible_to(self.request.user).select_related("program")

    def save(self, data: dict):
        return services.score_save(
            program=data["program"], period=data["period"], values=data["values"], by=self.request.user
        )

    def exists_error(self, row: OfficialScore) -> ValidationError:
        return self._exists("period", f"{row.program.code} {row.period_code}", row.pk)

    def perform_destroy(self, instance: OfficialScore) -> None:
        services.score_delete(score=instance)

    @extend_schema(
        parameters=[
            OpenApiParameter("program", str, required=True, description=gettext_lazy("The program's code, e.g. SSI.")),
            OpenApiParameter("year", int, required=True),
        ],
        responses={
            200: ProgramYearSerializer,
            400: OpenApiResponse(description=gettext_lazy("Unknown program or bad year.")),
        },
        description=SUMMARY_DESCRIPTION,
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def summary(self, request):
        query = SummaryQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        summary = selectors.program_year(query.validated_data["program"], query.validated_data["year"])
        return Response(ProgramYearSerializer(summary, context=self.get_serializer_context()).data)


@_writes_schema(
    ItemScoreSerializer,
    ItemScoreWriteSerializer,
    create=gettext_lazy("Enter an item's score for a period. One that already exists answers 400: use PUT/PATCH."),
)
class ItemScoreViewSet(_SurveysViewSet):
    """Item scores per program, period and catalogue item (managers and administrators write)."""

    serializer_class = ItemScoreSerializer
    write_serializer_class = ItemScoreWriteSerializer
    filterset_class = ItemScoreFilter
    queryset = ItemScore.objects.all()

    def get_queryset(self):
        return ItemScore.objects.visible_to(self.request.user).select_related("program", "item")

    def save(self, data: dict):
        try:
            return services.item_score_save(
                program=data["program"],
                period=data["period"],
                item=data["item"],
                values=data["values"],
                by=self.request.user,
            )
        except DjangoValidationError as error:
            if hasattr(error, "error_dict") and "item" in error.error_dict:
                error.error_dict["item_code"] = error.error_dict.pop("item")
            raise

    def exists_error(self, row: ItemScore) -> ValidationError:
        return self._exists("item_code", f"{row.program.code} {row.period_code} {row.item.code}", row.pk)

    def perform_destroy(self, instance: ItemScore) -> None:
        services.item_score_delete(item_score=instance)


# --- Targets ------------------------------------------------------------------------------------


@_writes_schema(
    TargetSerializer,
    TargetWriteSerializer,
    create=gettext_lazy("Set a program's annual target. A year that already has one answers 400: use PUT/PATCH."),
)
class TargetViewSet(_SurveysViewSet):
    """Annual targets per program, phased over the year's periods (managers and administrators write)."""

    serializer_class = TargetSerializer
    write_serializer_class = TargetWriteSerializer
    filterset_class = TargetFilter
    queryset = Target.objects.all()

    def get_queryset(self):
        return (
            Target.objects.visible_to(self.request.user)
            .select_related("program")
            .prefetch_related("phases", "item_targets__item")
        )

    def save(self, data: dict):
        try:
            return services.target_save(**data, by=self.request.user)
        except DjangoValidationError as error:
            raise self._target_errors(error, data) from error

    def _target_errors(self, error: DjangoValidationError, data: dict) -> ValidationError:
        """The service names a period's percentage ``percent_3`` and an item ``item_<pk>``; the API's
        fields are ``phases`` and ``item_targets``, each message saying which period or item it is about.
        """
        if not hasattr(error, "error_dict"):
            return api_validation_error(error)
        program, year = data["program"], data["year"]
        items = {f"item_{item.pk}": item.code for item in data["item_targets"]}
        detail: dict[str, list[str]] = {}
        for key, messages in get_error_detail(error).items():
            if key.startswith("percent_"):
                where = period_code(program.period_kind, year, int(key.removeprefix("percent_")))
                detail.setdefault("phases", []).extend(f"{where}: {message}" for message in messages)
            elif key in items:
                detail.setdefault("item_targets", []).extend(f"{items[key]}: {message}" for message in messages)
            else:
                detail.setdefault(key, []).extend(messages)
        return ValidationError(detail)

    def exists_error(self, row: Target) -> ValidationError:
        return self._exists("year", f"{row.program.code} {row.year}", row.pk)

    def perform_destroy(self, instance: Target) -> None:
        services.target_delete(target=instance)
