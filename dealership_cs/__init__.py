"""Project package: settings, URLs, the Celery app, and the shared organisation (staff, roles)."""

from dealership_cs.celery import app as celery_app

__all__ = ["celery_app"]
