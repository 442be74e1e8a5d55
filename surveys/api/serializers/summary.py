"""The program-year summary (``/api/scores/summary/``), read-only."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from surveys.api.serializers.fields import PERIOD_HELP, PeriodKindField, ProgramCodeField, TargetPhasingField, figure
from surveys.api.serializers.scores import OfficialScoreSerializer
from surveys.models import Program, Target
from surveys.periods import YEAR_MAX, YEAR_MIN

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
