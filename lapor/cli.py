"""The ``lapor`` command: Lapor's own commands (serve, worker, outbox, demo, user, …) and
every Django management command, with the settings module preset.

Every command reads the same configuration as the server: the environment, then the env file
(``$LAPOR_DATA_DIR/lapor.env`` that ``make run`` writes, or ``LAPOR_ENV_FILE``; see
:mod:`lapor.core.envfile`). A missing or invalid setting is one line on standard error naming
it, and exit status 2, not a traceback (``--traceback`` shows it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import execute_from_command_line

from lapor.core.envfile import EnvFileError, env_file_path, load_env_file


def _where(loaded: Path | None) -> str:
    if loaded is not None:
        return f"configuration read from the environment and {loaded}"
    return (f"configuration read from the environment, no env file at {env_file_path()} "
            "(set LAPOR_DATA_DIR or LAPOR_ENV_FILE)")


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    try:
        loaded = load_env_file()
    except EnvFileError as exc:
        print(f"lapor: {exc}", file=sys.stderr)
        sys.exit(2)
    # Django's settings are lazy: nothing is read until the first attribute below, after the
    # env file has completed the environment.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")

    traceback = "--traceback" in args
    try:
        settings.INSTALLED_APPS  # noqa: B018  (imports the settings: fail here, in one line)
    except ImproperlyConfigured as exc:
        if traceback:
            raise
        print(f"lapor: {exc}; {_where(loaded)}", file=sys.stderr)
        sys.exit(2)
    try:
        execute_from_command_line(["lapor", *args])
    except ImproperlyConfigured as exc:
        if traceback:
            raise
        print(f"lapor: {exc}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
