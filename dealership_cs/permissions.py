"""The one place that decides who may do what.

Four roles, each a Django group whose name is the role's stable code. What each role may do is
the table ``ROLE_PERMISSIONS`` below; ``sync_role_permissions`` makes the groups match it after
every migration, so an app that adds models only extends the table. HTML views check model
permissions (Django's ``PermissionRequiredMixin``), API views use ``RoleModelPermissions``, and
row visibility is each model's ``visible_to(user)`` QuerySet method: a row a user may not see
answers 404, a change the user may not make answers 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import permissions

VIEW = frozenset({"view"})
WRITE = frozenset({"view", "add", "change"})
ALL = frozenset({"view", "add", "change", "delete"})

# Apps whose every model a wildcard ("app.*") covers.
OWN_APPS = ("dealership_cs", "surveys", "customers", "callbacks", "care_events", "reports")


class Role(models.TextChoices):
    """The dealership's roles; the value is the stable code stored as the group's name."""

    CS_STAFF = "cs_staff", _("Customer-service staff")
    CALLBACK_AGENT = "callback_agent", _("Callback agent")
    MANAGER = "manager", pgettext_lazy("role", "Manager")
    ADMIN = "admin", _("Administrator")


# OMD invoices are written only by imports. The imports (their files, previews and error reports)
# are the administrators' work: this table alone says so (the pages, the API and
# OmdImport.visible_to ask for these permissions; the administrators hold them through "customers.*").
OMD_READ_ONLY: dict[str, frozenset[str]] = {
    "customers.omdinvoice": VIEW,
    "customers.omdimport": frozenset(),
    "customers.omdstagedrow": frozenset(),
}

# The score programs and their item catalogues are reference data that administrators maintain.
SCORE_CATALOGUE_READ_ONLY: dict[str, frozenset[str]] = {
    "surveys.program": VIEW,
    "surveys.scoreitem": VIEW,
}

# role -> {"app_label.model" or "app_label.*": actions, or "app_label.codename": None for a
# custom permission}. A specific model entry overrides the app's wildcard.
ROLE_PERMISSIONS: dict[str, dict[str, frozenset[str] | None]] = {
    Role.CS_STAFF: {
        "dealership_cs.staff": VIEW,
        "customers.*": WRITE,
        "customers.merge_customer": None,
        **OMD_READ_ONLY,
        "surveys.*": VIEW,
        "callbacks.*": VIEW,
        # Staff read the callback desk and own the complaints it raises.
        "callbacks.complaint": WRITE,
        "callbacks.supervise_callbacktask": None,
        # Staff plan and run the care activities; an approved budget is revised by a manager.
        "care_events.*": WRITE,
        "care_events.budgetrevision": VIEW,
        "reports.*": VIEW,
    },
    Role.CALLBACK_AGENT: {
        "dealership_cs.staff": VIEW,
        "customers.*": VIEW,
        # Agents propose a phone correction after a wrong-number call; staff apply it.
        "customers.phonecorrection": frozenset({"view", "add"}),
        **OMD_READ_ONLY,
        "surveys.*": VIEW,
        # Agents take tasks, log calls with their answers and open complaints; the rules are not theirs.
        "callbacks.*": VIEW,
        "callbacks.callbacktask": frozenset({"view", "change"}),
        "callbacks.callattempt": frozenset({"view", "add"}),
        "callbacks.answer": frozenset({"view", "add"}),
        "callbacks.complaint": frozenset({"view", "add"}),
        "care_events.*": VIEW,
    },
    Role.MANAGER: {
        "dealership_cs.staff": VIEW,
        "customers.*": VIEW,
        **OMD_READ_ONLY,
        "surveys.*": ALL,
        **SCORE_CATALOGUE_READ_ONLY,
        # Managers read the desk and set its rules, deadlines and the questions' complaint thresholds.
        "callbacks.*": VIEW,
        "callbacks.callbackrule": frozenset({"view", "change"}),
        "callbacks.complaintdeadline": frozenset({"view", "change"}),
        "callbacks.question": frozenset({"view", "change"}),
        "callbacks.supervise_callbacktask": None,
        # Managers read the care plan and approve it (and revise an approved budget, with a reason).
        "care_events.*": VIEW,
        "care_events.approve_careplan": None,
        "care_events.budgetrevision": frozenset({"view", "add"}),
        "reports.*": ALL,
    },
    Role.ADMIN: {
        **{f"{app}.*": ALL for app in OWN_APPS},
        "customers.merge_customer": None,
        "reports.reopen_accuracymonth": None,
        "callbacks.supervise_callbacktask": None,
        "care_events.approve_careplan": None,
        "auth.user": ALL,
        "auth.group": VIEW,
        "authtoken.token": ALL,
        "authtoken.tokenproxy": ALL,
        "axes.accessattempt": ALL,
        "axes.accessfailurelog": ALL,
        "axes.accesslog": VIEW,
    },
}


def _model_actions(table: dict[str, frozenset[str] | None]) -> dict[tuple[str, str], frozenset[str]]:
    """Expand wildcards into (app_label, model_name) -> actions for the installed models."""
    result: dict[tuple[str, str], frozenset[str]] = {}
    installed = {config.label for config in apps.get_app_configs()}
    for key, actions in table.items():
        app_label, _sep, name = key.partition(".")
        if name == "*" and actions is not None and app_label in installed:
            for model in apps.get_app_config(app_label).get_models():
                result.setdefault((app_label, model._meta.model_name), actions)
    for key, actions in table.items():
        app_label, _sep, name = key.partition(".")
        if name != "*" and actions is not None:
            result[(app_label, name)] = actions
    return result


def permissions_for_role(role: str) -> list[Permission]:
    table = ROLE_PERMISSIONS[role]
    wanted: list[Permission] = []
    perms = Permission.objects.select_related("content_type")
    by_key = {(p.content_type.app_label, p.codename): p for p in perms}
    for (app_label, model_name), actions in _model_actions(table).items():
        for action in sorted(actions):
            perm = by_key.get((app_label, f"{action}_{model_name}"))
            if perm is not None:
                wanted.append(perm)
    for key, actions in table.items():
        if actions is None:  # a custom permission named by its codename
            app_label, _sep, codename = key.partition(".")
            if (app_label, codename) in by_key:
                wanted.append(by_key[(app_label, codename)])
    return wanted


@transaction.atomic
def sync_role_permissions() -> dict[str, int]:
    """Make each role's group hold exactly the permissions of ROLE_PERMISSIONS (idempotent)."""
    counts: dict[str, int] = {}
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        perms = permissions_for_role(role.value)
        group.permissions.set(perms)
        counts[role.value] = len(perms)
    return counts


def user_roles(user) -> list[Role]:
    """The user's roles, in the order of ``Role`` (cached on the user object per request)."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_cs_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = [role for role in Role if role.value in names]
        user._cs_roles = cached
    return cached


def has_role(user, *roles: str | Role) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(role in roles for role in user_roles(user))


def has_any_role(user) -> bool:
    return bool(getattr(user, "is_superuser", False) or user_roles(user))


def has_all_perms(user, perms: Iterable[str]) -> bool:
    return all(user.has_perm(perm) for perm in perms)


class RoleModelPermissions(permissions.DjangoModelPermissions):
    """API permission from the same role table: reading needs the model's view permission.

    Views without a queryset (summaries, health of an import) need only a role; they declare
    ``required_perms`` when they need more.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if not has_any_role(user):
            return False
        required = getattr(view, "required_perms", None)
        if required is not None:
            return has_all_perms(user, required)
        if getattr(view, "queryset", None) is None and not hasattr(view, "get_queryset"):
            return True
        return super().has_permission(request, view)
