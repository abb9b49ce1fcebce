"""WSGI entry point (granian ``--interface wsgi lapor.config.wsgi:application``).

Reads the env file first (``$LAPOR_DATA_DIR/lapor.env`` or ``LAPOR_ENV_FILE``), like every
``lapor`` command: the server and the command line share one configuration.
"""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

from lapor.core.envfile import EnvFileError, load_env_file

try:
    load_env_file()
except EnvFileError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
application = get_wsgi_application()
