"""Django's admin covers every model of our apps and answers for the admin role."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse

from dealership_cs.permissions import OWN_APPS


def own_models():
    for label in OWN_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical"):
                yield model


def test_every_model_of_our_apps_is_registered_in_the_admin():
    missing = [m.__name__ for m in own_models() if m not in admin.site._registry]
    assert missing == []


def test_admin_role_opens_every_changelist(client, admin_user):
    client.force_login(admin_user)
    for model in [*own_models(), User]:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        # The model's own list, with the rows the admin role may see (not a login page or an empty shell).
        changelist = response.context["cl"]
        assert changelist.model is model, url
        assert changelist.result_count == model._default_manager.count(), url
        assert 'id="changelist"' in response.content.decode(), url


@pytest.mark.parametrize("who", ["staff", "agent", "manager"])
def test_other_roles_cannot_enter_the_admin(client, cast, who):
    client.force_login(cast[who])
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
