"""Template context shared by every page: the navigation and the user's roles."""

from dealership_cs.navigation import items_for
from dealership_cs.permissions import user_roles


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_roles": []}
    return {"nav_items": items_for(user), "current_roles": user_roles(user)}
