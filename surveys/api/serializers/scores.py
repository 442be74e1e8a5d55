"""Official scores and item scores: read representations and the write serializers the services back."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from surveys.api.serializers.fields import (
    KEY_FIXED,
    PERIOD_HELP,
    ComputedFigureField,
    ProgramCodeField,
    RawNumberField,
    ScoreSourceField,
    parse_period_for,
)
from surveys.models import ItemScore, OfficialScore
from surveys.selectors import item_by_code, rank_percentile
from surveys.validators import ITEM_SCORE_FIELDS, SCORE_FIELDS, normalise_code

# --- Official scores ----------------------------------------------------------------------------


def _gap_regional(row) -> Decimal | None:
    return None if row.regional_avg is None else row.score - row.regional_avg


class OfficialScoreSerializer(serializers.ModelSerializer):
    program = ProgramCodeField(read_only=True)
    period = serializers.CharField(source="period_code", read_only=True, help_text=PERIOD_HELP)
    percentile = ComputedFigureField(
        lambda row: rank_percentile(row.rank, row.dealers),
        decimal_places=4,
        help_text=_("Rank percentile 1 − (rank − 1)/(dealers − 1): 1 for the first dealer, 0 for the last."),
    )
    gap_regional = ComputedFigureField(_gap_regional, help_text=_("Dealer score minus the regional average."))
    source = ScoreSourceField(read_only=True)

    class Meta:
        model = OfficialScore
        fields = [
            "id",
            "program",
            "period",
            "year",
            "score",
            "regional_avg",
            "national_avg",
            "rank",
            "dealers",
            "sample_n",
            "percentile",
            "gap_regional",
            "source",
            "updated_at",
        ]
        read_only_fields = fields


class _PeriodResultWriteSerializer(serializers.Serializer):
    """Program and period name the row; on a change they may be repeated but not changed.

    ``validated_data`` is ``{"program", "period", "values"}``, ``values`` the raw figures for the
    service; on PATCH the stored figures fill in what the request leaves out.
    """

    value_fields: tuple[str, ...] = ()

    program = ProgramCodeField()
    period = serializers.CharField(help_text=PERIOD_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["program"].required = False
            self.fields["period"].required = False

    def validate(self, attrs: dict) -> dict:
        row = self.instance
        program = attrs.get("program") or row.program
        if row is not None and program != row.program:
            raise serializers.ValidationError({"program": [KEY_FIXED]})
        period = parse_period_for(program, attrs["period"]) if "period" in attrs else row.period_obj
        if row is not None and period != row.period_obj:
            raise serializers.ValidationError({"period": [KEY_FIXED]})
        values = {name: getattr(row, name) for name in self.value_fields} if self.partial and row else {}
        values.update({name: attrs[name] for name in self.value_fields if name in attrs})
        return {"program": program, "period": period, "values": values}


class OfficialScoreWriteSerializer(_PeriodResultWriteSerializer):
    """A period's official result. POST for a period that already has one is refused: change it with PUT/PATCH."""

    value_fields = SCORE_FIELDS

    score = RawNumberField(help_text=_("The dealer's score, on the program's scale. Required."))
    regional_avg = RawNumberField(help_text=_("The regional average, on the program's scale."))
    national_avg = RawNumberField(help_text=_("The national average, on the program's scale."))
    rank = RawNumberField(help_text=_("The dealer's rank; at most the number of dealers ranked."))
    dealers = RawNumberField(help_text=_("How many dealers were ranked in the period."))
    sample_n = RawNumberField(help_text=_("The number of surveys behind the score."))


# --- Item scores --------------------------------------------------------------------------------


class ItemScoreSerializer(serializers.ModelSerializer):
    program = ProgramCodeField(read_only=True)
    period = serializers.CharField(source="period_code", read_only=True, help_text=PERIOD_HELP)
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    gap_regional = ComputedFigureField(_gap_regional, help_text=_("Dealer score minus the regional average."))
    source = ScoreSourceField(read_only=True)

    class Meta:
        model = ItemScore
        fields = [
            "id",
            "program",
            "period",
            "year",
            "item_code",
            "item_name",
            "score",
            "regional_avg",
            "gap_regional",
            "sample_n",
            "source",
            "updated_at",
        ]
        read_only_fields = fields


class ItemScoreWriteSerializer(_PeriodResultWriteSerializer):
    """One item's score in a period. POST for an item and period that already have one is refused."""

    value_fields = ITEM_SCORE_FIELDS

    item_code = serializers.CharField(help_text=_("The item's code in the catalogue of the period's year, e.g. 11.12."))
    score = RawNumberField(help_text=_("The dealer's item score, on the program's scale. Required."))
    regional_avg = RawNumberField(help_text=_("The regional average, on the program's scale."))
    sample_n = RawNumberField(help_text=_("The number of surveys behind the score."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["item_code"].required = False

    def validate(self, attrs: dict) -> dict:
        data = super().validate(attrs)
        row = self.instance
        if "item_code" not in attrs:
            data["item"] = row.item
            return data
        program, period = data["program"], data["period"]
        item = item_by_code(program, period.year, normalise_code(attrs["item_code"]))
        if item is None:
            raise serializers.ValidationError(
                {
                    "item_code": [
                        _("“%(code)s” is not an item of the %(program)s catalogue for %(year)s.")
                        % {"code": attrs["item_code"], "program": program.code, "year": period.year}
                    ]
                }
            )
        if row is not None and item != row.item:
            raise serializers.ValidationError({"item_code": [KEY_FIXED]})
        data["item"] = item
        return data
