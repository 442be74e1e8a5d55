"""HTML forms of the scores pages: a period's scores, a year's target, a result-sheet upload.

Values stay text until ``surveys.validators`` (the same parsers the import and the API use)
reads them, so "83.9分" or full-width digits are accepted here exactly as in a spreadsheet.
The forms only check; the services write.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dealership_cs.forms import StyledFormMixin
from surveys.models import ItemScore, OfficialScore, Program, ScoreItem, Target
from surveys.periods import Period
from surveys.selectors import q2
from surveys.validators import (
    ITEM_SCORE_FIELDS,
    SCORE_FIELDS,
    clean_item_score_values,
    clean_score_values,
    parse_percent,
    parse_score,
)

_INPUT = "form-control form-control-sm text-end"


def _number_field(label, *, decimal: bool = True) -> forms.CharField:
    mode = "decimal" if decimal else "numeric"
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": mode, "autocomplete": "off", "class": "text-end"}),
    )


def _text(value: object) -> str:
    return "" if value is None else str(value)


class ServiceErrorsMixin:
    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        for name in self.errors:  # Bootstrap shows a field as wrong by its class
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError (keyed by field) on the form's fields; the rest on top."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            self.add_error(name if name in self.fields else None, errors)


class PeriodScoreForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    """One period's official result and every catalogue item's score, in one form."""

    score = _number_field(_("Dealer score"))
    regional_avg = _number_field(_("Regional average"))
    national_avg = _number_field(_("National average"))
    rank = _number_field(_("Rank"), decimal=False)
    dealers = _number_field(_("Dealers ranked"), decimal=False)
    sample_n = _number_field(_("Sample size"), decimal=False)

    def __init__(self, *args, program: Program, items: list[ScoreItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.items = items
        labels = {"score": _("Dealer"), "regional_avg": _("Regional"), "sample_n": _("Sample")}
        for item in items:
            for name in ITEM_SCORE_FIELDS:
                field = _number_field(labels[name], decimal=name != "sample_n")
                field.widget.attrs.update({"class": _INPUT, "aria-label": f"{item.code} {labels[name]}"})
                self.fields[self.item_field(item, name)] = field

    @staticmethod
    def item_field(item: ScoreItem, name: str) -> str:
        return f"item_{item.pk}_{name}"

    @classmethod
    def initial_from(cls, score: OfficialScore | None, item_scores: list[ItemScore]) -> dict[str, str]:
        """The stored values, written the way a person would type them."""
        initial = {name: _text(getattr(score, name)) for name in SCORE_FIELDS} if score else {}
        for row in item_scores:
            for name in ITEM_SCORE_FIELDS:
                initial[f"item_{row.item_id}_{name}"] = _text(getattr(row, name))
        return initial

    def clean(self):
        data = super().clean()
        # The same validators the service runs, here so that every wrong field is shown at once.
        raw = self.score_values()
        if raw is not None:
            self._add_errors(lambda: clean_score_values(raw, scale_max=self.program.scale_max), "{}")
        for item, values in self.item_values().items():
            if any(values.values()):
                self._add_errors(
                    lambda values=values: clean_item_score_values(values, scale_max=self.program.scale_max),
                    f"item_{item.pk}_{{}}",
                )
        return data

    def _add_errors(self, check, pattern: str) -> None:
        try:
            check()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = pattern.format(name)
                self.add_error(field if field in self.fields else None, messages)

    def score_values(self) -> dict[str, str] | None:
        """The period's score fields as typed, or None when all are empty (the score is left alone)."""
        raw = {name: (self.cleaned_data.get(name) or "").strip() for name in SCORE_FIELDS}
        return raw if any(raw.values()) else None

    def item_values(self) -> dict[ScoreItem, dict[str, str]]:
        return {
            item: {
                name: (self.cleaned_data.get(self.item_field(item, name)) or "").strip() for name in ITEM_SCORE_FIELDS
            }
            for item in self.items
        }

    def score_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in SCORE_FIELDS]

    def item_rows(self) -> list[tuple[ScoreItem, list[forms.BoundField]]]:
        """Each catalogue item with its three bound fields, for the item table."""
        return [(item, [self[self.item_field(item, name)] for name in ITEM_SCORE_FIELDS]) for item in self.items]


class TargetForm(ServiceErrorsMixin, StyledFormMixin, forms.Form):
    """A year's target: score and rank, the phasing over the periods, optional item targets."""

    score = _number_field(_("Target score"))
    rank = _number_field(_("Target rank"), decimal=False)
    phasing = forms.ChoiceField(
        label=_("Phasing"), choices=Target.Phasing.choices, widget=forms.RadioSelect, initial=Target.Phasing.EQUAL
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, program: Program, periods: list[Period], items: list[ScoreItem], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        self.periods = periods
        self.items = items
        self.fields["phasing"].widget.attrs = {"class": "form-check-input"}
        self.fields["score"].widget.attrs["data-target-score"] = ""
        for period in periods:
            field = _number_field(period.label)
            field.widget.attrs.update({"class": _INPUT, "data-phase-percent": period.index})
            self.fields[f"percent_{period.index}"] = field
        for item in items:
            field = _number_field(f"{item.code} {item.name}")
            field.widget.attrs.update({"class": _INPUT})
            self.fields[f"item_{item.pk}"] = field

    @classmethod
    def initial_from(cls, target: Target | None, periods: list[Period]) -> dict[str, str]:
        if target is None:
            return {"phasing": Target.Phasing.EQUAL, **{f"percent_{p.index}": "100" for p in periods}}
        percents = {phase.period: phase.percent for phase in target.phases.all()}
        initial = {
            "score": _text(target.score),
            "rank": _text(target.rank),
            "phasing": target.phasing,
            "note": target.note,
        }
        for period in periods:
            initial[f"percent_{period.index}"] = format(percents.get(period.index, Decimal(100)).normalize(), "f")
        for item_target in target.item_targets.all():
            initial[f"item_{item_target.item_id}"] = _text(item_target.score)
        return initial

    def _current(self, name: str) -> str:
        value = self[name].value()
        return "" if value is None else str(value)

    def phase_rows(self) -> list[dict]:
        """Each period with its percentage field and the phased target it gives (the preview)."""
        try:
            annual = parse_score(self._current("score"), scale_max=self.program.scale_max)
        except ValidationError:
            annual = None
        custom = self._current("phasing") == Target.Phasing.CUSTOM
        rows = []
        for period in self.periods:
            name = f"percent_{period.index}"
            try:
                percent = parse_percent(self._current(name))
            except ValidationError:
                percent = None
            phased = None
            if annual is not None:
                phased = q2(annual * percent / 100) if custom and percent is not None else None if custom else annual
            rows.append({"period": period, "field": self[name], "phased": phased})
        return rows

    def percent_values(self) -> dict[int, str]:
        return {period.index: self.cleaned_data.get(f"percent_{period.index}", "") for period in self.periods}

    def item_target_values(self) -> dict[ScoreItem, str]:
        return {item: self.cleaned_data.get(f"item_{item.pk}", "") for item in self.items}

    def item_rows(self) -> list[tuple[ScoreItem, forms.BoundField]]:
        return [(item, self[f"item_{item.pk}"]) for item in self.items]


class ScoreUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Result sheet (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only (store nothing)"), required=False)
