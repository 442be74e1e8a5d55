from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareEventsConfig(AppConfig):
    name = "care_events"
    verbose_name = _("Customer care")
