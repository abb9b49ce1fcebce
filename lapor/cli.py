"""The ``lapor`` command: Lapor's own commands (serve, worker, outbox, demo, user, …) and
every Django management command, with the settings module preset."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415  (after env)

    execute_from_command_line(["lapor", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
