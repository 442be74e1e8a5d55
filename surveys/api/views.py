"""API of the official scores: programs and catalogues, scores, item scores, targets and a program's year.

Reads go through ``visible_to``; every write of a score, an item score or a target runs a
surveys service, which parses the raw values with surveys.validators. A refusal answers 400 with
the messages by field, and nothing is stored. POST creates; for a row that already exists it
answers 400 and points at the row to change with PUT or PATCH (the import is the upsert).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response

from dealership_cs.api.base import (
    BaseViewSet,
    CreateMixin,
    DestroyMixin,
    UpdateMixin,
    api_validation_error,
)
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


def _exists(request: Request, field: str, what: str, pk: int) -> ValidationError:
    """POST met a row that is already there: 400 at ``field``, pointing at the row to change instead."""
    url = f"{request.path}{pk}/"
    message = _("%(what)s already exists (id %(id)s): change it with PUT or PATCH on %(url)s.")
    return ValidationError({field: [message % {"what": what, "id": pk, "url": url}]})


# --- Programs and the item catalogue ------------------------------------------------------------


class ProgramViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """The score programs. Reference data: everyone reads it, administrators change it (no delete)."""

    queryset = Program.objects.all()
    serializer_class = ProgramSerializer
    filterset_class = ProgramListFilter


class ScoreItemViewSet(CreateMixin, UpdateMixin, BaseViewSet):
    """The item catalogue per program and year. Everyone reads it, administrators change it (no delete)."""

    queryset = ScoreItem.objects.select_related("program")
    serializer_class = ScoreItemSerializer
    filterset_class = ScoreItemFilter


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
class OfficialScoreViewSet(CreateMixin, UpdateMixin, DestroyMixin, BaseViewSet):
    """The manufacturer's official results per program and period (managers and administrators write)."""

    queryset = OfficialScore.objects.select_related("program")
    serializer_class = OfficialScoreSerializer
    write_serializer_class = OfficialScoreWriteSerializer
    filterset_class = OfficialScoreFilter

    def perform_create(self, serializer):
        data = serializer.validated_data
        try:
            serializer.instance = services.score_create(
                program=data["program"], period=data["period"], values=data["values"], by=self.request.user
            )
        except services.AlreadyExists as exists:
            row = exists.row
            raise _exists(self.request, "period", f"{row.program.code} {row.period_code}", row.pk) from None

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance, _outcome = services.score_save(
            program=data["program"], period=data["period"], values=data["values"], by=self.request.user
        )

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
class ItemScoreViewSet(CreateMixin, UpdateMixin, DestroyMixin, BaseViewSet):
    """Item scores per program, period and catalogue item (managers and administrators write)."""

    queryset = ItemScore.objects.select_related("program", "item")
    serializer_class = ItemScoreSerializer
    write_serializer_class = ItemScoreWriteSerializer
    filterset_class = ItemScoreFilter

    def perform_create(self, serializer):
        try:
            serializer.instance = self._save(services.item_score_create, serializer.validated_data)
        except services.AlreadyExists as exists:
            row = exists.row
            what = f"{row.program.code} {row.period_code} {row.item.code}"
            raise _exists(self.request, "item_code", what, row.pk) from None

    def perform_update(self, serializer):
        serializer.instance, _outcome = self._save(services.item_score_save, serializer.validated_data)

    def _save(self, service, data: dict):
        # The API names the item by its code: the service's messages about "item" belong to "item_code".
        try:
            return service(
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

    def perform_destroy(self, instance: ItemScore) -> None:
        services.item_score_delete(item_score=instance)


# --- Targets ------------------------------------------------------------------------------------


@_writes_schema(
    TargetSerializer,
    TargetWriteSerializer,
    create=gettext_lazy("Set a program's annual target. A year that already has one answers 400: use PUT/PATCH."),
)
class TargetViewSet(CreateMixin, UpdateMixin, DestroyMixin, BaseViewSet):
    """Annual targets per program, phased over the year's periods (managers and administrators write)."""

    queryset = Target.objects.select_related("program").prefetch_related("phases", "item_targets__item")
    serializer_class = TargetSerializer
    write_serializer_class = TargetWriteSerializer
    filterset_class = TargetFilter

    def perform_create(self, serializer):
        try:
            serializer.instance = self._save(services.target_create, serializer.validated_data)
        except services.AlreadyExists as exists:
            row = exists.row
            raise _exists(self.request, "year", f"{row.program.code} {row.year}", row.pk) from None

    def perform_update(self, serializer):
        serializer.instance, _outcome = self._save(services.target_save, serializer.validated_data)

    def _save(self, service, data: dict):
        try:
            return service(**data, by=self.request.user)
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

    def perform_destroy(self, instance: Target) -> None:
        services.target_delete(target=instance)
