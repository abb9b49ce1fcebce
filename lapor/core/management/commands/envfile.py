"""``lapor envfile``: write the env file that the server and every ``lapor`` command read.

``make run`` calls ``lapor envfile --demo --port $PORT`` before it migrates and serves, so a
shell beside it (``lapor open311 key add …``, ``lapor outbox stats``) uses the same data
directory, secret, database, mail directory and site URL as the server
(:mod:`lapor.core.envfile`). Only the variables named here are replaced; other lines of the
file are kept, and a variable set in the environment keeps its value in the file.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from lapor.core.envfile import env_file_path, write_env_file

HEADER = """\
# Lapor configuration, read by `lapor serve`, `lapor worker` and every `lapor` command.
# Written by `lapor envfile` (make run); the variables below are rewritten on each run, other
# lines are kept. The process environment wins over this file."""


class Command(BaseCommand):
    help = "Write the env file ($LAPOR_DATA_DIR/lapor.env or LAPOR_ENV_FILE) read by every command."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--demo", action="store_true",
                            help="The local demo: LAPOR_DEMO_MODE=1, e-mail to files under "
                                 "the data directory")

    def handle(self, *args: Any, **options: Any) -> None:
        values = {"LAPOR_DATA_DIR": str(settings.DATA_DIR), "PORT": str(options["port"])}
        if options["demo"]:
            values["LAPOR_DEMO_MODE"] = "1"
            values["LAPOR_EMAIL_BACKEND"] = os.environ.get("LAPOR_EMAIL_BACKEND", "file")
            if values["LAPOR_EMAIL_BACKEND"] == "file":
                values["LAPOR_EMAIL_FILE_PATH"] = os.environ.get(
                    "LAPOR_EMAIL_FILE_PATH", str(settings.DATA_DIR / "mail"))
        path = env_file_path()
        write_env_file(path, values, header=HEADER)
        self.stdout.write(f"Configuration for the server and every `lapor` command: {path}")
