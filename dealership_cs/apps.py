from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs) -> None:
    # Permissions of apps listed after this one are created later in the same post_migrate
    # round, so create them all first; then the groups can be made to match the role table.
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes

    from dealership_cs.permissions import sync_role_permissions

    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0, using=using)
        create_permissions(app_config, verbosity=0, using=using)
    sync_role_permissions()


def _register_navigation() -> None:
    from dealership_cs.navigation import NavItem, register
    from dealership_cs.permissions import Role

    everyone = tuple(role.value for role in Role)
    register(
        NavItem(
            key="staff",
            label=_("Staff directory"),
            url_name="staff_list",
            section=_("Organisation"),
            description=_("Sales consultants, service advisors and the department's people."),
            perms=("dealership_cs.view_staff",),
            home_roles=everyone,
            order=900,
        ),
        NavItem(
            key="system",
            label=_("System status"),
            url_name="system_status",
            section=_("Administration"),
            description=_("Database and task-queue health; send a test task through the worker."),
            perms=("dealership_cs.add_staff", "auth.change_user"),
            home_roles=(Role.ADMIN.value,),
            order=950,
        ),
        NavItem(
            key="admin",
            label=_("Users, roles and data"),
            url_name="admin:index",
            section=_("Administration"),
            description=_("Manage login users, their roles and every table."),
            perms=("auth.change_user",),
            home_roles=(Role.ADMIN.value,),
            requires_staff_flag=True,
            order=960,
        ),
        NavItem(
            key="api_docs",
            label=_("API documentation"),
            url_name="api-docs",
            section=_("Administration"),
            description=_("The OpenAPI schema and interactive documentation."),
            perms=("auth.change_user",),
            home_roles=(Role.ADMIN.value,),
            order=970,
        ),
    )


class DealershipConfig(AppConfig):
    name = "dealership_cs"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="dealership_cs.sync_roles")
        _register_navigation()
