"""/healthz: public, JSON, 200 when the database and the broker answer, 503 naming the failing part."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from dealership_cs.celery import app as celery_app


def test_healthz_is_public_and_ok(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": {"ok": True}, "broker": {"ok": True}}}


def test_healthz_is_503_naming_the_broker_when_it_is_unreachable(client, db, monkeypatch):
    # Port 1 on loopback: nothing listens there, the connection is refused at once.
    monkeypatch.setitem(celery_app.conf, "CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"] == {"ok": False, "error": "unreachable"}
    assert body["checks"]["database"] == {"ok": True}


def test_healthz_is_503_when_the_embedded_broker_folder_is_gone(client, db, monkeypatch, tmp_path):
    missing = str(tmp_path / "gone")
    monkeypatch.setitem(celery_app.conf, "CELERY_BROKER_URL", "filesystem://")
    monkeypatch.setitem(
        celery_app.conf,
        "CELERY_BROKER_TRANSPORT_OPTIONS",
        {"data_folder_in": missing, "data_folder_out": missing, "control_folder": missing},
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_healthz_is_503_naming_the_database_when_it_fails(client, db, monkeypatch):
    from dealership_cs import health

    def unreachable():
        raise OperationalError("could not connect to server at 10.1.2.3")

    monkeypatch.setattr(health, "_select_one", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == {"ok": False, "error": "unreachable"}
    assert "10.1.2.3" not in response.content.decode()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_healthz_only_answers_get(client, db, method):
    assert getattr(client, method)("/healthz").status_code == 405
