"""API of the accuracy grade: a month's stored roll-up, and reopening a frozen month (administrators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.models import AccuracyMonth
from reports.selectors import accuracy_month_api, latest_reconciled_month, parse_month
from reports.services import accuracy_month_reopen

ITEM = inline_serializer(
    "AccuracyItemFigures",
    {
        "points": serializers.FloatField(),
        "checked": serializers.IntegerField(),
        "matched": serializers.IntegerField(),
        "rate": serializers.FloatField(allow_null=True),
        "score": serializers.FloatField(allow_null=True),
    },
)
MONTH = inline_serializer(
    "AccuracyMonthFigures",
    {
        "month": serializers.CharField(),
        "frozen": serializers.BooleanField(),
        "items": serializers.DictField(child=ITEM),
        "total": serializers.FloatField(allow_null=True),
        "partial": serializers.BooleanField(),
    },
)


def _error(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)


class AccuracyView(APIView):
    """A month's customer-information accuracy as stored by the nightly reconciliation.

    ``rate`` and ``score`` are null for an item not yet measurable (callback authenticity until
    the callback desk records outcomes); ``total`` is then the sum of the measurable items and
    ``partial`` is true.
    """

    required_perms = ["reports.view_accuracymonth"]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description=_("YYYY-MM; default the latest reconciled month"))],
        responses={
            200: MONTH,
            400: OpenApiResponse(description=_("Malformed month.")),
            404: OpenApiResponse(description=_("Month never reconciled.")),
        },
    )
    def get(self, request):
        text = request.query_params.get("month", "").strip()
        try:
            month = parse_month(text) if text else latest_reconciled_month()
        except ValidationError as exc:
            return _error(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
        if month is None:
            return _error(_("No month has been reconciled yet."), status.HTTP_404_NOT_FOUND)
        data = accuracy_month_api(month)
        if data is None:
            return _error(
                _("%(month)s has not been reconciled yet.") % {"month": month.strftime("%Y-%m")},
                status.HTTP_404_NOT_FOUND,
            )
        return Response(data)


class AccuracyReopenView(APIView):
    """Reopen a frozen month so that the next reconciliation recomputes it (administrators)."""

    required_perms = ["reports.reopen_accuracymonth"]

    @extend_schema(
        request=inline_serializer("AccuracyReopen", {"month": serializers.CharField()}),
        responses={
            200: MONTH,
            400: OpenApiResponse(description=_("Malformed month, or not frozen.")),
            404: OpenApiResponse(description=_("Month never reconciled.")),
        },
    )
    def post(self, request):
        try:
            month = parse_month(str(request.data.get("month", "")))
        except ValidationError as exc:
            return _error(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
        if not AccuracyMonth.objects.filter(month=month).exists():
            return _error(
                _("%(month)s has not been reconciled yet.") % {"month": month.strftime("%Y-%m")},
                status.HTTP_404_NOT_FOUND,
            )
        try:
            accuracy_month_reopen(month=month, by=request.user)
        except ValidationError as exc:
            return _error(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
        return Response(accuracy_month_api(month))
