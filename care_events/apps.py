from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareEventsConfig(AppConfig):
    name = "care_events"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from care_events.hooks_invitations import register_invitation_hooks

        register_invitation_hooks()
        self._register_navigation()

    @staticmethod
    def _register_navigation() -> None:
        from dealership_cs.navigation import NavItem, register
        from dealership_cs.permissions import Role

        staff, agent, manager, admin = (r.value for r in (Role.CS_STAFF, Role.CALLBACK_AGENT, Role.MANAGER, Role.ADMIN))
        register(
            NavItem(
                key="care_plans",
                label=_("Customer care plans"),
                url_name="care_events:plan_list",
                section=_("Customer care"),
                description=_("The year's care plan: activities, time nodes, staff, budget against actual, KPIs."),
                perms=("care_events.view_careplan",),
                home_roles=(staff, manager, admin),
                order=300,
            ),
        )
