"""Programs and their item catalogues (administrators write them)."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from surveys.api.serializers.fields import PeriodKindField, ProgramCodeField
from surveys.models import ItemScore, OfficialScore, Program, ScoreItem
from surveys.validators import normalise_code

# --- Programs and the item catalogue ------------------------------------------------------------


class _NormalisedCodeMixin:
    """Codes as typed (``nps``, ``８c２``) are normalised before the model's code validators see them."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping) and isinstance(data.get("code"), str):
            data = {**data, "code": normalise_code(data["code"])}
        return super().to_internal_value(data)


class ProgramSerializer(_NormalisedCodeMixin, serializers.ModelSerializer):
    period_kind = PeriodKindField(
        help_text=_("How often the program reports; it cannot change once scores are stored by its periods.")
    )
    periods_per_year = serializers.IntegerField(read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "code",
            "name",
            "headline",
            "scale_max",
            "period_kind",
            "periods_per_year",
            "active",
            "order",
            "description",
        ]

    def validate_period_kind(self, value: str) -> str:
        program = self.instance
        if program is not None and value != program.period_kind:
            if (
                OfficialScore.objects.filter(program=program).exists()
                or ItemScore.objects.filter(program=program).exists()
            ):
                raise serializers.ValidationError(
                    _("Scores are already stored by this program's periods; its calendar cannot change.")
                )
        return value


class ScoreItemSerializer(_NormalisedCodeMixin, serializers.ModelSerializer):
    program = ProgramCodeField()

    class Meta:
        model = ScoreItem
        fields = ["id", "program", "year", "code", "name", "order", "active"]
        validators: list = []  # the unique (program, year, code) is checked in validate(), answered at "code"

    def validate(self, attrs: dict) -> dict:
        item = self.instance
        program = attrs.get("program", item.program if item else None)
        year = attrs.get("year", item.year if item else None)
        code = attrs.get("code", item.code if item else None)
        taken = ScoreItem.objects.filter(program=program, year=year, code=code)
        if item is not None:
            taken = taken.exclude(pk=item.pk)
        if taken.exists():
            raise serializers.ValidationError(
                {
                    "code": [
                        _("The %(program)s catalogue for %(year)s already has an item %(code)s.")
                        % {"program": program.code, "year": year, "code": code}
                    ]
                }
            )
        return attrs
