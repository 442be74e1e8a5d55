"""WSGI entry point (gunicorn dealership_cs.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dealership_cs.settings")
application = get_wsgi_application()
