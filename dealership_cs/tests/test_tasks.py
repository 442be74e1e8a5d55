"""Tasks: executed by a real worker through the configured broker, idempotent housekeeping."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from dealership_cs.celery import app as celery_app
from dealership_cs.tasks import housekeeping, ping


@pytest.fixture(scope="module")
def worker_broker(tmp_path_factory):
    """The file-system broker in folders of this module's own, so no other worker steals its tasks.

    Module-scoped: kombu remembers the queues it declared, so the folders must not change
    between the tests that send tasks.
    """
    if str(celery_app.conf.broker_url).startswith("redis"):
        yield  # a Redis run: the configured broker is already a real server of its own
        return
    root = tmp_path_factory.mktemp("broker")
    options = {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "control_folder": str(root / "control"),
        "processed_folder": str(root / "processed"),
        "store_processed": False,
    }
    for folder in ("queue", "control", "processed", "results"):
        (root / folder).mkdir()
    saved = {key: celery_app.conf[key] for key in ("CELERY_BROKER_TRANSPORT_OPTIONS", "CELERY_RESULT_BACKEND")}
    celery_app.conf["CELERY_BROKER_TRANSPORT_OPTIONS"] = options
    celery_app.conf["CELERY_RESULT_BACKEND"] = f"file://{root / 'results'}"
    _forget_connections()
    yield
    celery_app.conf.update(saved)
    _forget_connections()


def _forget_connections() -> None:
    # The app caches its producer pools and result backend; drop them so the next use
    # connects to the folders configured now.
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    # The result backend is cached per thread (celery.app.base.Celery.backend).
    celery_app._local.__dict__.pop("backend", None)


@pytest.fixture
def real_worker():
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


@pytest.mark.worker
def test_a_task_goes_through_the_embedded_broker_to_a_real_worker(transactional_db, worker_broker, real_worker):
    if str(celery_app.conf.broker_url).startswith("redis"):
        pytest.skip("this run is configured for Redis; the Redis worker test covers that broker")
    result = ping.delay("embedded")
    assert result.get(timeout=20)["token"] == "embedded"


@pytest.mark.worker
@pytest.mark.redis
def test_a_task_goes_through_redis_to_a_real_worker(requires_redis, transactional_db, worker_broker, real_worker):
    assert str(celery_app.conf.broker_url).startswith("redis://")
    result = ping.delay("redis")
    assert result.get(timeout=20)["token"] == "redis"


@pytest.mark.worker
def test_the_system_page_enqueues_a_task_that_the_worker_runs(
    transactional_db, client, admin_user, worker_broker, real_worker
):
    client.force_login(admin_user)
    response = client.post("/system/")
    assert response.status_code == 302
    task_url = response["Location"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        html = client.get(task_url).content.decode()
        if "SUCCESS" in html:
            break
        time.sleep(0.2)
    assert 'data-testid="task-state">SUCCESS' in html


def test_housekeeping_is_idempotent_and_removes_only_old_login_records(db):
    from axes.models import AccessLog

    old = AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="t")
    AccessLog.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=120))
    recent = AccessLog.objects.create(username="y", ip_address="10.0.0.2", user_agent="t")
    assert housekeeping() == {"access_logs_deleted": 1}
    assert housekeeping() == {"access_logs_deleted": 0}
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_celery_is_configured_for_json_and_late_acks():
    assert celery_app.conf.task_serializer == "json"
    assert celery_app.conf.accept_content == ["json"]
    assert celery_app.conf.task_acks_late is True
    assert "dealership_cs.housekeeping" in celery_app.tasks
