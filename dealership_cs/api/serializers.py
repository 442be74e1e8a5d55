"""API serializers of the organisation."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dealership_cs.models import Staff
from dealership_cs.permissions import user_roles


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = Staff
        fields = [
            "id",
            "name",
            "department",
            "position",
            "employee_number",
            "phone",
            "active",
            "user",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())

    def to_representation(self, user):
        return {
            "username": user.get_username(),
            "full_name": user.get_full_name(),
            "roles": [role.value for role in user_roles(user)],
        }


class RecordCountSerializer(serializers.Serializer):
    model = serializers.CharField(help_text=_("app_label.model, or “history” for other records' change history"))
    label = serializers.CharField()
    count = serializers.IntegerField()


class StaffRecordsConflictSerializer(serializers.Serializer):
    """The 409 answer to deleting someone whom records name."""

    detail = serializers.CharField()
    code = serializers.CharField()
    records = RecordCountSerializer(many=True)
