"""API serializers of the official scores: they parse and present; every write goes through surveys.services.

Score values are taken raw, a JSON number or text (``843``, ``"890.7"``, ``"1,000"``), and parsed
by surveys.validators inside the services, so the API accepts what the entry form and the import
accept and refuses it with the same messages. A program is named by its code, a period by its
written form (``2010-Q1``, ``2010-02``, ``2010`` for the official full-year result), an item by its
code in the period's catalogue. Figures are rendered as decimal strings with two places
(``"874.50"``); a rank percentile, a fraction from 0 (last) to 1 (first), has four.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from surveys.models import ItemScore, ItemTarget, OfficialScore, Program, ScoreItem, Source, Target, TargetPhase
from surveys.periods import YEAR_MAX, YEAR_MIN, Period, PeriodKind, parse_period, period_code, period_indexes
from surveys.selectors import item_by_code, phased_targets, rank_percentile
from surveys.validators import ITEM_SCORE_FIELDS, SCORE_FIELDS, normalise_code

PERIOD_HELP = _(
    "The period as written in the program's calendar: 2010-02 (monthly), 2010-Q1 (quarterly), 2010-H1 "
    "(half-yearly), or 2010 for the official full-year result."
)
KEY_FIXED = _("A saved row keeps its program and period: delete it and enter the right one instead.")


def _choice_field(component_name: str, choices: type[models.TextChoices]) -> type[serializers.ChoiceField]:
    """A ChoiceField whose enum is its own, explicitly named schema component (no name collisions)."""

    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = component_name.removesuffix("Enum") + "Field"
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema, component_name=component_name)(NamedChoiceField)


ScoreSourceField = _choice_field("ScoreSourceEnum", Source)
TargetPhasingField = _choice_field("TargetPhasingEnum", Target.Phasing)
PeriodKindField = _choice_field("PeriodKindEnum", PeriodKind)


# --- Fields -------------------------------------------------------------------------------------


def figure(decimal_places: int = 2, **kwargs) -> serializers.DecimalField:
    """A read-only computed figure, rendered like the stored ones ("874.50")."""
    return serializers.DecimalField(
        max_digits=None, decimal_places=decimal_places, read_only=True, allow_null=True, **kwargs
    )


class ComputedFigureField(serializers.DecimalField):
    """A figure computed from the whole row (e.g. the gap to the regional average)."""

    def __init__(self, compute: Callable[[Any], Decimal | None], *, decimal_places: int = 2, **kwargs):
        self.compute = compute
        super().__init__(
            max_digits=None, decimal_places=decimal_places, source="*", read_only=True, allow_null=True, **kwargs
        )

    def to_representation(self, instance) -> str | None:
        value = self.compute(instance)
        return None if value is None else super().to_representation(value)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
class RawNumberField(serializers.Field):
    """A number as JSON or text; surveys.validators parses it (scale, whole numbers, ranges)."""

    default_error_messages = {"invalid": _("Give a number, as a JSON number or as text such as “890.7”.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str | int | float:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ProgramCodeField(serializers.SlugRelatedField):
    """A program named by its code; ``ssi`` is ``SSI``."""

    default_error_messages = {"does_not_exist": _("No program has the code “{value}”.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("help_text", _("The program's code, e.g. SSI, CSS, MS_SALES."))
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Program.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Program:
        return super().to_internal_value(normalise_code(data) if isinstance(data, str) else data)


def _django_errors(error: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(get_error_detail(error))


def parse_period_for(program: Program, text: str, *, field: str = "period") -> Period:
    """The period ``text`` names in the program's calendar, or a 400 at ``field``."""
    try:
        period = parse_period(text, program.period_kind)
    except DjangoValidationError as error:
        raise serializers.ValidationError({field: get_error_detail(error)}) from error
    if period is None:
        raise serializers.ValidationError({field: [_("This field may not be blank.")]})
    return period


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


# --- The summary --------------------------------------------------------------------------------


class SummaryQuerySerializer(serializers.Serializer):
    program = ProgramCodeField()
    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX)


class SummaryProgramSerializer(serializers.ModelSerializer):
    scale = serializers.DecimalField(source="scale_max", max_digits=7, decimal_places=2, read_only=True)
    period_kind = PeriodKindField(read_only=True)

    class Meta:
        model = Program
        fields = ["code", "name", "headline", "scale", "period_kind"]
        read_only_fields = fields


class SummaryPeriodSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.code", help_text=PERIOD_HELP)
    score = figure()
    regional_avg = figure()
    national_avg = figure(source="result.national_avg")
    gap_regional = figure()
    rank = serializers.IntegerField(source="result.rank", allow_null=True)
    dealers = serializers.IntegerField(source="result.dealers", allow_null=True)
    percentile = figure(4)
    target = figure(help_text=_("The period's phased target."))
    gap_target = figure()
    change = figure(help_text=_("Change from the previous period (the last period of the year before for the first)."))
    sample_n = serializers.IntegerField(source="result.sample_n", allow_null=True)


class SummaryYearToDateSerializer(serializers.Serializer):
    score = figure()
    method = serializers.CharField(
        allow_null=True, help_text=_("weighted: sample-weighted mean of the periods; plain: plain mean.")
    )
    regional_avg = figure()
    national_avg = figure()
    rank = figure(help_text=_("The mean rank of the periods."))
    periods = serializers.IntegerField(help_text=_("How many periods have results."))
    sample_n = serializers.IntegerField(allow_null=True)
    target = figure()
    gap_regional = figure()
    gap_target = figure()


class SummaryTargetSerializer(serializers.ModelSerializer):
    phasing = TargetPhasingField(read_only=True)

    class Meta:
        model = Target
        fields = ["score", "rank", "phasing", "note"]
        read_only_fields = fields


class SummaryItemSerializer(serializers.Serializer):
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    score = figure()
    regional_avg = figure()
    gap = figure(help_text=_("Dealer score minus the regional average."))
    target = figure()
    official = serializers.BooleanField(help_text=_("The manufacturer's full-year item score, not computed by us."))


class SummaryWeakItemsSerializer(serializers.Serializer):
    below_regional = SummaryItemSerializer(
        source="weak_below_regional", many=True, help_text=_("Items below the regional average, the widest gap first.")
    )
    lowest = SummaryItemSerializer(
        source="lowest_items", many=True, help_text=_("The dealer's own lowest items, the lowest first.")
    )


class SummaryProjectionSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text=_(
            "achieved or missed (the year is complete); secured (met whatever comes), reachable or unreachable "
            "(the average needed is beyond the scale); no_target."
        ),
    )
    reachable = serializers.BooleanField(allow_null=True)
    required = figure(help_text=_("The average the remaining periods need for the year to reach the target."))
    remaining = serializers.ListField(child=serializers.CharField(), help_text=_("The periods still to come."))
    method = serializers.CharField(allow_null=True)
    target = figure()


class ProgramYearSerializer(serializers.Serializer):
    """A program's year as managers read it (surveys.selectors.program_year)."""

    program = SummaryProgramSerializer()
    year = serializers.IntegerField()
    periods = SummaryPeriodSerializer(many=True)
    ytd = SummaryYearToDateSerializer()
    official_year = OfficialScoreSerializer(
        allow_null=True, help_text=_("The manufacturer's own full-year result, when published.")
    )
    target = SummaryTargetSerializer(allow_null=True)
    weak_items = SummaryWeakItemsSerializer(source="*")
    projection = SummaryProjectionSerializer()
