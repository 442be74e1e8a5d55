"""Serializer fields every app's API shares: named choice enums and related rows the caller may pick."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def choice_field(component_name: str, choices: type[models.TextChoices]) -> type[serializers.ChoiceField]:
    """A ChoiceField of a model's choices whose enum is its own, explicitly named schema component.

    Several models call their choice sets "kind", "status" or "source"; left to itself the schema
    generator would give them colliding names.
    """

    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    NamedChoiceField.__name__ = NamedChoiceField.__qualname__ = component_name.removesuffix("Enum") + "Field"
    schema = {"type": "string", "enum": list(choices.values)}
    return extend_schema_field(schema, component_name=component_name)(NamedChoiceField)


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """The id of a row the caller may see: the model's ``visible_to(user)`` decides, as for the lists."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return queryset.visible_to(request.user)


class ChoosableStaffField(VisibleRelatedField):
    """A staff member to name on a record: active people only, as in the pages' choice lists.

    A record being changed may keep the person it already names even after they were
    deactivated (sending the record back unchanged must not fail); choosing someone inactive
    anew is refused with a message saying so.
    """

    default_error_messages = {"inactive": _("{name} is no longer active: choose someone who is.")}

    def get_queryset(self):
        return super().get_queryset().choosable(keep=self._current_pk())

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError:
            try:
                person = VisibleRelatedField.get_queryset(self).filter(pk=data, active=False).first()
            except (TypeError, ValueError):
                person = None
            if person is not None:
                self.fail("inactive", name=person.name)
            raise

    def _current_pk(self) -> int | None:
        instance = getattr(self.parent, "instance", None)
        if instance is None or isinstance(instance, list | tuple | models.QuerySet):
            return None
        return getattr(instance, f"{self.source}_id", None)
