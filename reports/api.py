"""API of the accuracy grade: a month's stored roll-up, and reopening a frozen month (administrators)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from dealership_cs.api.base import BaseAPIView
from reports.selectors import (
    accuracy_default_month,
    accuracy_month_api,
    accuracy_month_known,
    latest_reconciled_month,
    parse_month,
)
from reports.services import accuracy_month_reopen

# One serializer class for an item's figures, instantiated for each month shape (a field instance
# binds to one parent; two classes of the same name would be two schema components).
_ITEM = type(
    inline_serializer(
        "AccuracyItemFigures",
        {
            "points": serializers.FloatField(),
            "checked": serializers.IntegerField(),
            "matched": serializers.IntegerField(),
            "rate": serializers.FloatField(allow_null=True),
            "score": serializers.FloatField(allow_null=True),
        },
    )
)


def _month_fields() -> dict:
    return {
        "month": serializers.CharField(),
        "frozen": serializers.BooleanField(),
        "items": serializers.DictField(child=_ITEM()),
        "total": serializers.FloatField(allow_null=True),
        "partial": serializers.BooleanField(),
    }


MONTH = inline_serializer("AccuracyMonthFigures", _month_fields())
REOPENED = inline_serializer("AccuracyMonthReopened", {**_month_fields(), "open_until": serializers.DateField()})


def _error(message: str, code: int) -> Response:
    return Response({"detail": message}, status=code)


class AccuracyView(BaseAPIView):
    """A month's customer-information accuracy as stored by the nightly reconciliation.

    ``rate`` and ``score`` are null for an item not yet measurable (callback authenticity until
    the callback desk records outcomes); ``total`` is then the sum of the measurable items and
    ``partial`` is true. A month with nothing checked has a null ``total``. Without ``month``: the
    latest month with figures (archives checked or pending), never an empty one.
    """

    required_perms = ["reports.view_accuracymonth"]

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description=_("YYYY-MM; default the latest month with figures"))],
        responses={
            200: MONTH,
            400: OpenApiResponse(description=_("Malformed month.")),
            404: OpenApiResponse(description=_("Month never reconciled.")),
        },
    )
    def get(self, request):
        text = request.query_params.get("month", "").strip()
        try:
            month = parse_month(text) if text else accuracy_default_month(timezone.localdate())
        except ValidationError as exc:
            return _error(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
        data = accuracy_month_api(month)
        if data is None and not text and latest_reconciled_month() is None:
            return _error(_("No month has been reconciled yet."), status.HTTP_404_NOT_FOUND)
        if data is None:
            return _error(
                _("%(month)s has not been reconciled yet.") % {"month": month.strftime("%Y-%m")},
                status.HTTP_404_NOT_FOUND,
            )
        return Response(data)


class AccuracyReopenView(BaseAPIView):
    """Reopen a frozen month for the year's days open (``open_until``: the nightly run on that day freezes it again).

    Administrators only.
    """

    required_perms = ["reports.reopen_accuracymonth"]

    @extend_schema(
        request=inline_serializer("AccuracyReopen", {"month": serializers.CharField()}),
        responses={
            200: REOPENED,
            400: OpenApiResponse(description=_("Malformed month, or not frozen.")),
            404: OpenApiResponse(description=_("Month never reconciled.")),
        },
    )
    def post(self, request):
        try:
            month = parse_month(str(request.data.get("month", "")))
        except ValidationError as exc:
            return _error(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
        if not accuracy_month_known(month):
            return _error(
                _("%(month)s has not been reconciled yet.") % {"month": month.strftime("%Y-%m")},
                status.HTTP_404_NOT_FOUND,
            )
        try:
            reopening = accuracy_month_reopen(month=month, by=request.user)
        except ValidationError as exc:
            return _error(" ".join(exc.messages), status.HTTP_400_BAD_REQUEST)
        return Response({**accuracy_month_api(month), "open_until": reopening.open_until.isoformat()})
