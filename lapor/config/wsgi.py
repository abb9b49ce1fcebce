"""WSGI entry point (granian ``--interface wsgi lapor.config.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
application = get_wsgi_application()
