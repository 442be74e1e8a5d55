"""The upload form of the repair-order import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dealership_cs.forms import StyledFormMixin


class VisitUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(label=_("Repair-order export (.xlsx, .xls or .csv)"))
    dry_run = forms.BooleanField(label=_("Check only (store nothing)"), required=False, initial=True)
