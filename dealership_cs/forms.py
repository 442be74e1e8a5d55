"""HTML forms of the organisation pages, and the styling base every app's forms use."""

from django import forms

from dealership_cs.models import Staff


class StyledFormMixin:
    """Give widgets Bootstrap classes, and mark invalid fields, without per-form markup."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class StyledForm(StyledFormMixin, forms.Form):
    pass


class StaffForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Staff
        fields = ["name", "department", "position", "employee_number", "phone", "active", "user", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
