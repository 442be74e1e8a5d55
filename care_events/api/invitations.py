"""Invitations API: invite a segment (``/api/care-activities/{id}/invite/``), list, filter and update invitations.

Every write runs the same service as the pages: a segment is read by the page's form, a reply,
check-in and feedback go through ``care_events.services.invitations``.
"""

from __future__ import annotations

import django_filters
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from care_events.forms_invitations import SegmentForm
from care_events.models import CareActivity, Invitation
from care_events.services import invitations as services
from dealership_cs.api.base import BaseAPIView, BaseViewSet, UpdateMixin

REFUSED = OpenApiResponse(description=_("Refused: the reason by field, or “detail”."))


class InvitationFilter(django_filters.FilterSet):
    attended = django_filters.BooleanFilter(field_name="checked_in_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Invitation
        fields = ["activity", "reply", "customer"]


class InvitationSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    attended = serializers.BooleanField(read_only=True)
    task_status = serializers.CharField(source="task.status", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "activity",
            "customer",
            "customer_name",
            "vehicle",
            "task",
            "task_status",
            "invited_at",
            "invited_by",
            "reply",
            "replied_at",
            "attended",
            "checked_in_at",
            "satisfaction",
            "feedback",
        ]
        read_only_fields = fields


class InvitationUpdateSerializer(serializers.Serializer):
    reply = serializers.ChoiceField(
        choices=[c for c in Invitation.Reply.choices if c[0] != Invitation.Reply.PENDING], required=False
    )
    checked_in = serializers.BooleanField(required=False, help_text="true checks in, false undoes the check-in.")
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    feedback = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvitationViewSet(UpdateMixin, BaseViewSet):
    """Invitations with reply, attendance and feedback; PATCH records a reply, a check-in (or its undo), feedback."""

    queryset = Invitation.objects.select_related("customer", "task")
    serializer_class = InvitationSerializer
    write_serializer_class = InvitationUpdateSerializer
    filterset_class = InvitationFilter
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(request=InvitationUpdateSerializer, responses={200: InvitationSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @transaction.atomic
    def perform_update(self, serializer):
        invitation, data, by = serializer.instance, serializer.validated_data, self.request.user
        if not data:
            raise ValidationError({"detail": _("Send a reply, checked_in, satisfaction or feedback.")})
        if "reply" in data:
            invitation = services.invitation_reply(invitation=invitation, reply=data["reply"], by=by)
        if data.get("checked_in") is True:
            invitation = services.invitation_check_in(invitation=invitation, by=by)
        elif data.get("checked_in") is False:
            invitation = services.invitation_check_in_undo(invitation=invitation, by=by)
        if "satisfaction" in data or "feedback" in data:
            invitation = services.invitation_feedback(
                invitation=invitation,
                satisfaction=data.get("satisfaction", invitation.satisfaction),
                feedback=data.get("feedback", invitation.feedback),
                by=by,
            )
        serializer.instance = Invitation.objects.select_related("customer", "task").get(pk=invitation.pk)


INVITED = inline_serializer(
    "InviteResult",
    {
        "invited": serializers.IntegerField(),
        "already_invited": serializers.IntegerField(),
        "do_not_call": serializers.IntegerField(),
    },
)


class ActivityInviteView(BaseAPIView):
    """Invite a segment to an activity: the criteria in, the counts out (invited, already invited, do-not-call)."""

    required_perms = ["care_events.add_invitation"]

    @extend_schema(
        request=inline_serializer(
            "Segment",
            {
                "vehicle_model": serializers.CharField(required=False),
                "delivered_from": serializers.DateField(required=False),
                "delivered_to": serializers.DateField(required=False),
                "no_visit_months": serializers.IntegerField(required=False),
                "birthday_month": serializers.IntegerField(required=False),
                "earlier_kind": serializers.CharField(
                    required=False, help_text="An activity kind: " + ", ".join(CareActivity.Kind.values)
                ),
                "earlier_attendance": serializers.ChoiceField(choices=["attended", "not_attended"], required=False),
                "open_complaint": serializers.ChoiceField(choices=["yes", "no"], required=False),
            },
        ),
        responses={201: INVITED, 400: REFUSED, 404: OpenApiResponse(description=_("No such activity."))},
    )
    def post(self, request, pk: int):
        activity = get_object_or_404(CareActivity.objects.visible_to(request.user), pk=pk)
        data = request.data if hasattr(request.data, "get") else {}
        form = SegmentForm(data={k: v for k, v in data.items() if v is not None})
        unknown = set(data) - set(form.fields)
        if unknown:
            raise ValidationError({name: [_("Not a segment criterion.")] for name in sorted(unknown)})
        if not form.is_valid():
            raise ValidationError({field: list(errors) for field, errors in form.errors.items()})
        result = services.activity_invite(activity=activity, segment=form.segment(), by=request.user)
        body = {"invited": result.invited, "already_invited": result.already_invited, "do_not_call": result.do_not_call}
        return Response(body, status=status.HTTP_201_CREATED)
