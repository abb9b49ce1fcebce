"""``lapor intake app add AGENCY NAME [--callback-url URL] | app list | app revoke ID``
and ``lapor intake purge``: integrated applications (docs/intake.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.core.errors import ApplicationError
from lapor.intake.applications import (
    integration_app_create,
    integration_app_revoke,
    integration_apps,
)
from lapor.intake.email_intake import inbound_email_process_waiting
from lapor.intake.integration import idempotency_purge
from lapor.reports.submission_once import submission_replay_purge


class Command(BaseCommand):
    help = "Manage integrated regional applications (tokens, callback URLs)."

    def add_arguments(self, parser: CommandParser) -> None:
        groups = parser.add_subparsers(dest="group", required=True,
                                       metavar="{app,purge,mail-retry}")
        app: ArgumentParser = groups.add_parser("app", help="integrated applications")
        groups.add_parser("purge", help="Delete stored Idempotency-Key answers older than "
                          "LAPOR_INTEGRATION_REPLAY_HOURS (integration API) and "
                          "LAPOR_REPORTS_REPLAY_HOURS (POST /api/v1/reports).")
        groups.add_parser("mail-retry", help="Process inbound e-mail still waiting (its task "
                          "was lost: broker down, worker killed).")
        actions = app.add_subparsers(dest="action", required=True, metavar="{add,list,revoke}")
        add = actions.add_parser("add", help="Create an application; its token (and callback "
                                 "secret) are printed once.")
        add.add_argument("agency", metavar="AGENCY", help="agency code, e.g. kutim")
        add.add_argument("name", metavar="NAME", help="the application's name")
        add.add_argument("--callback-url", default="", help="where status callbacks go")
        actions.add_parser("list", help="List applications.")
        revoke = actions.add_parser("revoke", help="Revoke a token and stop its callbacks.")
        revoke.add_argument("app_id", metavar="ID", type=int, help="the id shown by app list")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["group"] == "purge":
            deleted = idempotency_purge() + submission_replay_purge()
            self.stdout.write(f"{deleted} stored answers deleted.")
            return
        if options["group"] == "mail-retry":
            outcomes = inbound_email_process_waiting()
            self.stdout.write(f"{len(outcomes)} waiting messages processed.")
            return
        action = options["action"]
        try:
            if action == "add":
                created = integration_app_create(agency_code=options["agency"],
                                                 name=options["name"],
                                                 callback_url=options["callback_url"])
                self.stdout.write(f"token={created.token}")
                if created.callback_secret:
                    self.stdout.write(f"callback_secret={created.callback_secret}")
                self.stderr.write(f"Application {created.app.pk} ({created.app.name!r}) "
                                  "created. The token and secret are shown only now.")
            elif action == "list":
                for app in integration_apps():
                    state = (f"revoked {app.revoked_at:%Y-%m-%d %H:%M}Z" if app.revoked_at
                             else "active")
                    url = app.callback.url if app.callback else "-"
                    self.stdout.write(f"{app.pk}\tlapp_{app.prefix}…\t{app.agency.code}\t"
                                      f"{app.name}\t{url}\t{state}")
            elif action == "revoke":
                app = integration_app_revoke(app_id=options["app_id"])
                self.stdout.write(f"Application {app.pk} ({app.name}) is revoked.")
            else:  # argparse lets only known actions through
                raise CommandError(f"unknown action {action!r}")
        except ApplicationError as exc:
            raise CommandError(f"{exc.code} ({exc.field or 'app'})") from exc
