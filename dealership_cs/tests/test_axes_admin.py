"""The admin's lock-out section (django-axes, which ships no Chinese) shows in the site's language."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import translation

from dealership_cs.admin import AXES_LABELS

AXES_MODELS = (AccessAttempt, AccessFailureLog, AccessLog)


def english(text) -> str:
    with translation.override("en"):
        return str(text)


def axes_labels() -> set[str]:
    """Every label the admin shows for axes: model names, field names and fieldset titles (as msgids)."""
    labels: set[str] = set()
    for model in AXES_MODELS:
        labels |= {english(model._meta.verbose_name), english(model._meta.verbose_name_plural)}
        fields = [field for field in model._meta.concrete_fields if not isinstance(field, models.AutoField)]
        labels |= {english(field.verbose_name) for field in fields}
        for title, _options in admin.site.get_model_admin(model).fieldsets or ():
            if title is not None:
                labels.add(english(title))
    return labels


def test_the_lock_out_app_is_named_by_a_translatable_label():
    assert english(apps.get_app_config("axes").verbose_name) == "Login lock-out"


def test_every_label_of_the_lock_out_section_is_kept_in_our_catalogue():
    assert axes_labels() - set(AXES_LABELS) == set()


@pytest.mark.django_db
def test_the_admin_index_shows_the_lock_out_section_in_chinese(client, admin_user):
    client.force_login(admin_user)

    page = client.get(reverse("admin:index")).content.decode()

    assert "登录锁定" in page
    assert "登录尝试" in page and "登录日志" in page
    assert "Axes" not in page and "Access attempts" not in page and "Access logs" not in page


@pytest.mark.django_db
def test_the_access_attempt_list_has_chinese_column_names(client, admin_user):
    AccessAttempt.objects.create(
        username="zhao.admin",
        ip_address="10.0.0.8",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=3,
    )
    client.force_login(admin_user)

    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()

    assert "10.0.0.8" in page
    assert "IP 地址" in page and "失败次数" in page
    assert "IP Address" not in page and "Failed Logins" not in page
