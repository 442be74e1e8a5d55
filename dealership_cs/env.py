"""Typed readers for environment variables.

Settings are driven by the environment; a bad value must stop start-up with a message that
names the variable, instead of surfacing later as an obscure error deep inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str = "", *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean; use 1/0, true/false, yes/no or on/off.")


def env_int(
    name: str,
    default: int,
    *,
    minimum: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} is below the minimum of {minimum}.")
    return number


def env_list(name: str, default: list[str], *, environ: Mapping[str, str] | None = None) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> dict:
    """Parse a database URL (sqlite:///path, postgres://user@host:port/db) into Django's form."""
    value = _raw(name, environ) or default
    try:
        config = dj_database_url.parse(value, conn_max_age=0)
    except Exception:  # dj-database-url raises several types for bad URLs
        # The value is not echoed: a database URL may carry a password.
        raise ImproperlyConfigured(
            f"{name} could not be parsed; expected e.g. postgres://user@host:5432/dbname or sqlite:////path/db.sqlite3."
        ) from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{name} names an unsupported database ({engine}); use postgres:// or sqlite://.")
    if engine.endswith("sqlite3") and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no SQLite file.")
    return config


def env_redis_url(name: str, *, environ: Mapping[str, str] | None = None) -> str:
    value = _raw(name, environ) or ""
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name}={value!r} is not a Redis URL; expected redis://host:6379/0.")
    if value.startswith(("redis://", "rediss://")):
        from urllib.parse import urlsplit

        try:
            parts = urlsplit(value)
            _ = parts.port  # raises ValueError on a non-numeric port
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}={value!r} could not be parsed ({exc}).") from None
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name}={value!r} names no host.")
    return value
