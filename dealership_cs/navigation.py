"""The navigation registry: each app registers its pages once; menus and home pages read it.

An item is shown to a user who holds all its permissions (and, when it names roles, one of
them); an item also appears on the home page of each role it is tagged with, so every role's
home links to that role's work and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from dealership_cs.permissions import Role, has_all_perms, has_any_role, user_roles


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    section: str | Promise
    description: str | Promise = ""
    perms: tuple[str, ...] = ()
    home_roles: tuple[str, ...] = ()
    requires_staff_flag: bool = False  # Django admin needs is_staff
    order: int = 100
    url_kwargs: dict = field(default_factory=dict)

    def url(self) -> str:
        try:
            return reverse(self.url_name, kwargs=self.url_kwargs or None)
        except NoReverseMatch:
            return ""

    def allowed(self, user) -> bool:
        if not has_any_role(user):
            return False
        if self.requires_staff_flag and not user.is_staff:
            return False
        return has_all_perms(user, self.perms)


_REGISTRY: dict[str, NavItem] = {}


def register(*items: NavItem) -> None:
    for item in items:
        _REGISTRY[item.key] = item


def items_for(user) -> list[NavItem]:
    return sorted((i for i in _REGISTRY.values() if i.allowed(user)), key=lambda i: (i.order, i.key))


def home_sections(user) -> list[dict]:
    """One section per role the user holds, with the links to that role's work."""
    roles = list(Role) if user.is_superuser and not user_roles(user) else user_roles(user)
    allowed = items_for(user)
    return [
        {
            "role": role,
            "items": [i for i in allowed if role.value in i.home_roles],
        }
        for role in roles
    ]


# A role whose work is one page lands there after logging in (the agent on the callback desk);
# someone holding several roles keeps the home page that links to each.
_LANDINGS: dict[str, str] = {}


def register_landing(role: str, url_name: str) -> None:
    _LANDINGS[role] = url_name


def landing_for(user) -> str | None:
    """The URL a user with a single role lands on, if that role has one."""
    roles = user_roles(user)
    if user.is_superuser or len(roles) != 1:
        return None
    url_name = _LANDINGS.get(roles[0].value)
    if url_name is None:
        return None
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None
