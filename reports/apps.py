from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from customers.omd.frozen import register_frozen_months
        from dealership_cs.navigation import NavItem, register
        from dealership_cs.permissions import Role

        # The OMD import reports the rows it brings into frozen months (customers cannot import reports).
        register_frozen_months(_frozen_months)

        staff, manager, admin = (r.value for r in (Role.CS_STAFF, Role.MANAGER, Role.ADMIN))
        register(
            NavItem(
                key="accuracy",
                label=_("Customer-information accuracy"),
                url_name="reports:accuracy",
                section=_("Reports"),
                description=_("The month's accuracy score against the targets and the regional average."),
                perms=("reports.view_accuracymonth",),
                home_roles=(staff, manager),
                order=500,
            ),
        )


def _frozen_months():
    from reports.models import AccuracyMonth

    return AccuracyMonth.objects.filter(frozen=True).values_list("month", flat=True)
