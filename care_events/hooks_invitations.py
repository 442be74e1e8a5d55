"""How invitations plug into the layers below: the callback desk's invitation calls and the customer's timeline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


def _reply_field(task) -> dict[str, forms.Field]:
    from care_events.models import Invitation

    choices = [("", "—"), (Invitation.Reply.COMING, _("Coming")), (Invitation.Reply.NOT_COMING, _("Not coming"))]
    return {"reply": forms.ChoiceField(label=_("Reply to the invitation"), choices=choices, required=False)}


def register_invitation_hooks() -> None:
    from callbacks.extensions import KindExtension, register_extension
    from care_events.selectors_invitations import customer_invitation_events, invitation_call_reasons
    from care_events.services.invitations import invitation_reply_from_call
    from customers.selectors import register_timeline_source

    register_extension(
        KindExtension(
            kind="invitation",
            form_fields=_reply_field,
            on_logged=invitation_reply_from_call,
            describe_many=invitation_call_reasons,
        )
    )
    register_timeline_source(customer_invitation_events)
