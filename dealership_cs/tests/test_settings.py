"""Settings come from the environment; bad values stop start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from dealership_cs.env import env_bool, env_database, env_int, env_list, env_redis_url

ROOT = Path(__file__).resolve().parents[2]
PROD_SECRET = "k3j4h5g6f7d8s9a0-qwertyuiopASDFGHJKL-zxcvbnm1234567890-!@#$%^&*()"


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    base.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True, timeout=120
    )


def test_env_int_rejects_non_integer_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match="SESSION_COOKIE_AGE='eight hours' is not an integer"):
        env_int("SESSION_COOKIE_AGE", 10, environ={"SESSION_COOKIE_AGE": "eight hours"})


def test_env_int_enforces_minimum_and_uses_default_when_unset():
    assert env_int("X", 7, environ={}) == 7
    with pytest.raises(ImproperlyConfigured, match="X=0 is below the minimum of 1"):
        env_int("X", 7, minimum=1, environ={"X": "0"})


def test_env_bool_accepts_usual_spellings_and_refuses_others():
    assert env_bool("DEBUG", False, environ={"DEBUG": "yes"}) is True
    assert env_bool("DEBUG", True, environ={"DEBUG": "0"}) is False
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env_bool("DEBUG", True, environ={"DEBUG": "maybe"})


def test_env_list_splits_on_commas():
    assert env_list("ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": "cs.example.cn, 10.0.0.5 ,"}) == [
        "cs.example.cn",
        "10.0.0.5",
    ]


def test_database_url_parses_postgres_and_refuses_garbage():
    config = env_database("DATABASE_URL", "", environ={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test"})
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert config["NAME"] == "test" and config["PORT"] == 5432
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": "not a url at all"})
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL names an unsupported database"):
        env_database("DATABASE_URL", "", environ={"DATABASE_URL": "mysql://root@localhost/x"})


def test_redis_url_must_be_a_redis_url_with_numeric_port():
    assert env_redis_url("REDIS_URL", environ={"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert env_redis_url("REDIS_URL", environ={}) == ""
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env_redis_url("REDIS_URL", environ={"REDIS_URL": "http://127.0.0.1:6379"})
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env_redis_url("REDIS_URL", environ={"REDIS_URL": "redis://127.0.0.1:port/0"})


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"DATABASE_URL": "postgres//broken"}, "DATABASE_URL"),
        ({"SESSION_COOKIE_AGE": "8h"}, "SESSION_COOKIE_AGE"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "0"}, "SECRET_KEY must be set"),
        ({"SPREADSHEET_MAX_MB": "fifty"}, "SPREADSHEET_MAX_MB"),
    ],
)
def test_start_up_stops_with_a_message_naming_the_bad_variable(env, needle):
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_check_passes_with_production_like_environment(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DEBUG": "0",
            "SECRET_KEY": PROD_SECRET,
            "ALLOWED_HOSTS": "cs.dealer.example.cn",
            "CSRF_TRUSTED_ORIGINS": "https://cs.dealer.example.cn",
            "DATA_DIR": str(tmp_path),
        },
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_time_zone_language_and_celery_defaults(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans", "en"]
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_ACKS_LATE is True
    assert settings.CELERY_BROKER_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT
    nightly = settings.CELERY_BEAT_SCHEDULE["housekeeping-nightly"]["schedule"]
    assert nightly.hour == {2} and nightly.minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
