"""Admin pages: where administrators maintain the score programs and their item catalogues."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from surveys.models import ItemScore, ItemTarget, OfficialScore, Program, ScoreImport, ScoreItem, Target, TargetPhase
from surveys.services import catalogue_copy


class ProgramForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["code", "name", "headline", "scale_max", "period_kind", "active", "order", "description"]

    def clean_period_kind(self):
        kind = self.cleaned_data["period_kind"]
        program = self.instance
        if program.pk and kind != Program.objects.get(pk=program.pk).period_kind:
            if OfficialScore.objects.filter(program=program).exists():
                raise forms.ValidationError(
                    _("Scores are already stored by this program's periods; its calendar cannot change.")
                )
        return kind

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class ScoreItemInline(admin.TabularInline):
    model = ScoreItem
    extra = 0
    fields = ["year", "code", "name", "order", "active"]
    ordering = ["-year", "order", "code"]


@admin.register(Program)
class ProgramAdmin(SimpleHistoryAdmin):
    form = ProgramForm
    list_display = ["code", "name", "headline", "scale_max", "period_kind", "active", "order"]
    list_editable = ["active", "order"]
    inlines = [ScoreItemInline]


@admin.register(ScoreItem)
class ScoreItemAdmin(SimpleHistoryAdmin):
    list_display = ["program", "year", "code", "name", "order", "active"]
    list_filter = ["program", "year", "active"]
    search_fields = ["code", "name"]
    actions = ["copy_to_next_year"]

    @admin.action(description=_("Copy the selected items to the next year's catalogue"))
    def copy_to_next_year(self, request, queryset):
        created = catalogue_copy(items=queryset)
        self.message_user(
            request,
            ngettext("%(count)d item copied.", "%(count)d items copied.", created) % {"count": created},
            messages.SUCCESS,
        )


@admin.register(OfficialScore)
class OfficialScoreAdmin(SimpleHistoryAdmin):
    list_display = ["program", "year", "period", "score", "regional_avg", "rank", "dealers", "sample_n", "source"]
    list_filter = ["program", "year", "source"]
    readonly_fields = ["batch", "updated_by"]


@admin.register(ItemScore)
class ItemScoreAdmin(SimpleHistoryAdmin):
    list_display = ["program", "year", "period", "item", "score", "regional_avg", "sample_n", "source"]
    list_filter = ["program", "year"]
    readonly_fields = ["batch", "updated_by"]


class TargetPhaseInline(admin.TabularInline):
    model = TargetPhase
    extra = 0


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ["program", "year", "score", "rank", "phasing"]
    list_filter = ["program", "year"]
    inlines = [TargetPhaseInline]


@admin.register(TargetPhase)
class TargetPhaseAdmin(SimpleHistoryAdmin):
    list_display = ["target", "period", "percent"]
    list_filter = ["target__program", "target__year"]


@admin.register(ItemTarget)
class ItemTargetAdmin(SimpleHistoryAdmin):
    list_display = ["target", "item", "score"]
    list_filter = ["target__program", "target__year"]


@admin.register(ScoreImport)
class ScoreImportAdmin(admin.ModelAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "counts"]
    readonly_fields = ["file_name", "size", "sha256", "uploaded_by", "uploaded_at", "counts", "errors"]
