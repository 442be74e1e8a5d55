"""403, 404 and 500 are translated pages in the site's layout, with the menu and a way back.

Pages are asserted in English (the language cookie) and by data-testid; the 500 page must answer
even when the menu, the database or the template itself fails.
"""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.template import loader

pytestmark = pytest.mark.urls("dealership_cs.tests.error_urls")


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def crashing(english):
    """A client that answers a view's exception with the 500 page, as a real server does."""
    english.raise_request_exception = False
    return english


def page(response) -> str:
    return response.content.decode()


# --- 404 ---------------------------------------------------------------------------------------


def test_a_missing_page_is_a_translated_404_with_the_menu_and_ways_back(english, staff_user):
    english.force_login(staff_user)

    response = english.get("/no-such-page/", HTTP_REFERER="http://testserver/customers/")

    assert response.status_code == 404
    html = page(response)
    assert 'data-testid="error-page" data-status="404"' in html
    assert "Page not found" in html
    assert 'data-testid="main-nav"' in html  # the menu of the user's role
    assert 'href="http://testserver/customers/" data-testid="back"' in html
    assert 'data-testid="home"' in html
    assert '<link rel="icon"' in html


def test_the_404_page_is_chinese_by_default(client, staff_user):
    client.force_login(staff_user)

    html = page(client.get("/no-such-page/"))

    assert 'data-status="404"' in html and "Page not found" not in html
    assert '<html lang="zh-hans">' in html


def test_a_back_link_never_leads_off_the_site(english, staff_user):
    english.force_login(staff_user)

    html = page(english.get("/no-such-page/", HTTP_REFERER="https://evil.example/phish"))

    assert "evil.example" not in html
    assert "data-history-back" in html


def test_an_unknown_api_address_answers_json_404(english, staff_user):
    english.force_login(staff_user)

    response = english.get("/api/no-such-endpoint/")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


# --- 403 ---------------------------------------------------------------------------------------


def test_a_refused_page_is_a_translated_403_with_the_menu(english, agent_user):
    english.force_login(agent_user)

    response = english.get("/system/")  # administrators only

    assert response.status_code == 403
    html = page(response)
    assert 'data-testid="error-page" data-status="403"' in html
    assert "Not allowed" in html
    assert 'data-testid="main-nav"' in html
    assert 'data-testid="home"' in html


def test_a_403_says_the_reason_it_was_given(english, admin_user):
    english.force_login(admin_user)

    response = english.get("/forbidden/")

    assert response.status_code == 403
    assert 'data-testid="reason">A published questionnaire version cannot be changed.<' in page(response)


# --- 500 ---------------------------------------------------------------------------------------


def test_a_failing_view_answers_the_500_page_with_the_menu(crashing, staff_user, settings):
    settings.DEBUG = False
    crashing.force_login(staff_user)

    response = crashing.get("/boom/")

    assert response.status_code == 500
    html = page(response)
    assert 'data-testid="error-page" data-status="500"' in html
    assert "Server error" in html
    assert 'data-testid="main-nav"' in html
    assert 'data-testid="home"' in html
    assert "a bug in a view" not in html  # no traceback or internals


def failing_context_processor(request):
    raise RuntimeError("database unavailable")


def test_the_500_page_still_answers_when_the_menu_cannot_be_built(crashing, staff_user, settings):
    # As when the database is down: building the page's context raises too.
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append(f"{__name__}.failing_context_processor")
    settings.TEMPLATES = templates
    crashing.force_login(staff_user)

    response = crashing.get("/boom/")

    assert response.status_code == 500
    html = page(response)
    assert 'data-status="500"' in html and 'data-testid="home"' in html
    assert 'data-testid="main-nav"' not in html
    assert 'data-testid="language-switch"' not in html  # a form that could not carry its CSRF token


def test_the_500_page_answers_bare_html_when_no_template_can_be_rendered(crashing, staff_user, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template storage unavailable")

    monkeypatch.setattr(loader, "get_template", broken)
    monkeypatch.setattr(loader, "render_to_string", broken)
    crashing.force_login(staff_user)

    response = crashing.get("/boom/")

    assert response.status_code == 500
    assert "Server error" in page(response) and 'href="/"' in page(response)


def test_a_failing_api_view_answers_json_500(crashing, staff_user):
    crashing.force_login(staff_user)

    response = crashing.get("/api/boom/")

    assert response.status_code == 500
    assert response.json() == {"detail": "Server error: it was logged; please try again later."}


# --- The favicon -------------------------------------------------------------------------------


def test_the_favicon_is_served_by_the_app_without_a_login(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an icon resource
    assert "max-age" in response["Cache-Control"]
