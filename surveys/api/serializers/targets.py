"""Annual targets with their phasing and item targets."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys.api.serializers.fields import PERIOD_HELP, ProgramCodeField, RawNumberField, TargetPhasingField, figure
from surveys.models import ItemTarget, Program, ScoreItem, Target, TargetPhase
from surveys.periods import YEAR_MAX, YEAR_MIN, period_code, period_indexes
from surveys.selectors import item_by_code, phased_targets
from surveys.validators import normalise_code

# --- Targets ------------------------------------------------------------------------------------


class TargetPhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = TargetPhase
        fields = ["period", "percent"]
        read_only_fields = fields


class PhasedTargetSerializer(serializers.Serializer):
    period = serializers.CharField(help_text=PERIOD_HELP)
    target = figure()


class ItemTargetSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = ItemTarget
        fields = ["item_code", "item_name", "score"]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    program = ProgramCodeField(read_only=True)
    phasing = TargetPhasingField(read_only=True)
    phases = TargetPhaseSerializer(
        many=True, read_only=True, help_text=_("Custom phasing: each period's percentage of the annual target.")
    )
    phased = serializers.SerializerMethodField(help_text=_("Each period's target score after phasing."))
    item_targets = ItemTargetSerializer(many=True, read_only=True)

    class Meta:
        model = Target
        fields = [
            "id",
            "program",
            "year",
            "score",
            "rank",
            "phasing",
            "phases",
            "phased",
            "item_targets",
            "note",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(PhasedTargetSerializer(many=True))
    def get_phased(self, target: Target) -> list[dict]:
        phased = phased_targets(target, target.program)
        rows = [
            {"period": period_code(target.program.period_kind, target.year, index), "target": value}
            for index, value in sorted(phased.items())
        ]
        return PhasedTargetSerializer(rows, many=True).data


class TargetPhaseInputSerializer(serializers.Serializer):
    period = serializers.IntegerField(
        min_value=1, max_value=12, help_text=_("The period's number in the year: quarters 1–4, months 1–12.")
    )
    percent = RawNumberField(required=True, allow_null=False, help_text=_("Percentage of the annual target."))


class ItemTargetInputSerializer(serializers.Serializer):
    item_code = serializers.CharField(help_text=_("The item's code in the catalogue of the target's year."))
    score = RawNumberField(required=True, help_text=_("The item's target score; null removes it."))


class TargetWriteSerializer(serializers.Serializer):
    """A program's annual target. POST for a program and year that already have one is refused.

    ``phases`` (custom phasing) gives every period of the year a percentage of the annual target;
    they must average 100 %. ``item_targets`` is the whole list of item targets: items left out
    lose theirs (on PATCH, leave the key out to keep them).
    """

    program = ProgramCodeField()
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)
    score = RawNumberField(help_text=_("The annual target score, on the program's scale."))
    rank = RawNumberField(help_text=_("The annual target rank."))
    phasing = TargetPhasingField(required=False)
    phases = TargetPhaseInputSerializer(many=True, required=False)
    item_targets = ItemTargetInputSerializer(many=True, required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["program"].required = False
            self.fields["year"].required = False

    def validate(self, attrs: dict) -> dict:
        target: Target | None = self.instance
        program = attrs.get("program") or target.program
        year = attrs.get("year") or target.year
        if target is not None and (program != target.program or year != target.year):
            raise serializers.ValidationError(
                {
                    "year" if program == target.program else "program": [
                        _("A saved target keeps its program and year: delete it and enter the right one instead.")
                    ]
                }
            )
        keep = self.partial and target is not None
        data: dict[str, Any] = {
            "program": program,
            "year": year,
            "score": attrs["score"] if "score" in attrs else (target.score if keep else None),
            "rank": attrs["rank"] if "rank" in attrs else (target.rank if keep else None),
            "phasing": attrs.get("phasing", target.phasing if keep else Target.Phasing.EQUAL),
            "note": attrs["note"] if "note" in attrs else (target.note if keep else ""),
        }
        data["percents"] = self._percents(program, data["phasing"], attrs.get("phases"), target if keep else None)
        data["item_targets"] = self._item_targets(program, year, attrs.get("item_targets"), target)
        return data

    def _percents(self, program: Program, phasing: str, phases: list | None, stored: Target | None) -> dict:
        if phases is None:
            if stored is not None and phasing == Target.Phasing.CUSTOM:
                return {phase.period: phase.percent for phase in stored.phases.all()}
            return {}
        if phases and phasing != Target.Phasing.CUSTOM:
            raise serializers.ValidationError({"phases": [_("Phases are used only with custom phasing.")]})
        indexes = period_indexes(program.period_kind)
        percents: dict[int, object] = {}
        for phase in phases:
            index = phase["period"]
            if index not in indexes:
                raise serializers.ValidationError(
                    {
                        "phases": [
                            _("Period %(period)s is not in the %(program)s calendar (1 to %(last)s).")
                            % {"period": index, "program": program.code, "last": indexes[-1]}
                        ]
                    }
                )
            if index in percents:
                raise serializers.ValidationError(
                    {"phases": [_("Period %(period)s is given twice.") % {"period": index}]}
                )
            percents[index] = phase["percent"]
        return percents

    def _item_targets(self, program: Program, year: int, given: list | None, target: Target | None) -> dict:
        if given is None:
            if target is not None and not self.partial:  # PUT replaces the whole target
                return {row.item: None for row in target.item_targets.select_related("item")}
            return {}
        items: dict[ScoreItem, object] = {}
        for entry in given:
            item = item_by_code(program, year, normalise_code(entry["item_code"]))
            if item is None:
                raise serializers.ValidationError(
                    {
                        "item_targets": [
                            _("“%(code)s” is not an item of the %(program)s catalogue for %(year)s.")
                            % {"code": entry["item_code"], "program": program.code, "year": year}
                        ]
                    }
                )
            if item in items:
                raise serializers.ValidationError(
                    {"item_targets": [_("Item %(code)s is given twice.") % {"code": item.code}]}
                )
            items[item] = entry["score"]
        if target is not None:  # the list is the whole set: items left out lose their target
            for row in target.item_targets.select_related("item"):
                items.setdefault(row.item, None)
        return items
