"""WSGI entry point for `vetrisys serve` and any WSGI server (gunicorn, waitress)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vetrisys.config.settings")

application = get_wsgi_application()
