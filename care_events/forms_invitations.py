"""The invitation segment's form, shared by the invite page and the API, and the feedback form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from care_events.models import CareActivity
from care_events.selectors_invitations import Segment

YES_NO = [("", _("Either")), ("yes", _("Yes")), ("no", _("No"))]
ATTENDANCE = [("", _("Either")), ("attended", _("Attended")), ("not_attended", _("Did not attend"))]


class SegmentForm(forms.Form):
    vehicle_model = forms.CharField(label=_("Vehicle model contains"), required=False, max_length=100)
    delivered_from = forms.DateField(
        label=_("Delivered from"), required=False, widget=forms.DateInput({"type": "date"})
    )
    delivered_to = forms.DateField(label=_("Delivered to"), required=False, widget=forms.DateInput({"type": "date"}))
    no_visit_months = forms.IntegerField(
        label=_("No service visit for (months)"), required=False, min_value=1, max_value=240
    )
    birthday_month = forms.TypedChoiceField(
        label=_("Birthday month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—")] + [(m, str(m)) for m in range(1, 13)],
    )
    earlier_kind = forms.ChoiceField(
        label=_("Earlier activity of kind"), required=False, choices=[("", "—"), *CareActivity.Kind.choices]
    )
    earlier_attendance = forms.ChoiceField(label=_("At that earlier activity"), required=False, choices=ATTENDANCE)
    open_complaint = forms.ChoiceField(label=_("Has an open complaint"), required=False, choices=YES_NO)

    def clean(self):
        data = super().clean()
        start, end = data.get("delivered_from"), data.get("delivered_to")
        if start and end and end < start:
            self.add_error("delivered_to", _("The delivery range ends before it starts."))
        if bool(data.get("earlier_kind")) != bool(data.get("earlier_attendance")):
            self.add_error(
                "earlier_attendance", _("Choose both the earlier activity's kind and whether they attended it.")
            )
        return data

    def segment(self) -> Segment:
        data = self.cleaned_data
        attendance = data.get("earlier_attendance")
        complaint = data.get("open_complaint")
        return Segment(
            vehicle_model=(data.get("vehicle_model") or "").strip(),
            delivered_from=data.get("delivered_from"),
            delivered_to=data.get("delivered_to"),
            no_visit_months=data.get("no_visit_months"),
            birthday_month=data.get("birthday_month"),
            earlier_kind=data.get("earlier_kind") or "",
            attended_earlier={"attended": True, "not_attended": False}.get(attendance),
            has_open_complaint={"yes": True, "no": False}.get(complaint),
        )


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied were you with the activity? (1–5)"),
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2, "class": "form-control"})
    )
