from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareEventsConfig(AppConfig):
    name = "care_events"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from care_events.hooks_invitations import register_invitation_hooks

        register_invitation_hooks()
