from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Official scores")

    def ready(self) -> None:
        from dealership_cs.navigation import NavItem, register
        from dealership_cs.permissions import Role

        staff, agent, manager, admin = (r.value for r in (Role.CS_STAFF, Role.CALLBACK_AGENT, Role.MANAGER, Role.ADMIN))
        section = _("Official scores")
        register(
            NavItem(
                key="scores",
                label=_("Scores and targets"),
                url_name="surveys:overview",
                section=section,
                description=_("SSI, CSS/MOT and mystery shopper: results, gaps, rank, year to date, weak items."),
                perms=("surveys.view_officialscore",),
                home_roles=(staff, manager),
                order=400,
            ),
            NavItem(
                key="score_import",
                label=_("Import result sheets"),
                url_name="surveys:import",
                section=section,
                description=_("Load the manufacturer's score and item-score sheets (.xlsx or .csv)."),
                perms=("surveys.add_scoreimport",),
                home_roles=(manager, admin),
                order=410,
            ),
        )
