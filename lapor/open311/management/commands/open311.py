"""``lapor open311 key add NAME | key list | key revoke ID``: Open311 client API keys."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lapor.core.errors import ApplicationError
from lapor.open311.keys import open311_key_create, open311_key_revoke, open311_keys


class Command(BaseCommand):
    help = "Manage the API keys of Open311 (GeoReport v2) client applications."

    def add_arguments(self, parser: CommandParser) -> None:
        groups = parser.add_subparsers(dest="group", required=True, metavar="{key}")
        key: ArgumentParser = groups.add_parser("key", help="API keys of client applications")
        actions = key.add_subparsers(dest="action", required=True, metavar="{add,list,revoke}")
        add = actions.add_parser("add", help="Create a key; it is printed once, then only "
                                 "its hash is kept.")
        add.add_argument("name", metavar="NAME", help="the client application's name")
        actions.add_parser("list", help="List keys (id, prefix, name, created, revoked).")
        revoke = actions.add_parser("revoke", help="Revoke a key for good.")
        revoke.add_argument("key_id", metavar="ID", type=int, help="the id shown by key list")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "add":
                created = open311_key_create(name=options["name"])
                self.stdout.write(created.raw)
                self.stderr.write(
                    f"Key {created.key.pk} for {created.key.name!r} created. It is shown only "
                    "now: give it to the client (form field api_key)."
                )
            elif action == "list":
                for key in open311_keys():
                    revoked = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}Z" if key.revoked_at \
                        else "active"
                    self.stdout.write(f"{key.pk}\tl311_{key.prefix}…\t{key.name}\t"
                                      f"{key.created_at:%Y-%m-%d %H:%M}Z\t{revoked}")
            elif action == "revoke":
                key = open311_key_revoke(key_id=options["key_id"])
                self.stdout.write(f"Key {key.pk} ({key.name}) is revoked.")
            else:  # argparse only lets known actions through
                raise CommandError(f"unknown action {action!r}")
        except ApplicationError as exc:
            raise CommandError(f"{exc.code} ({exc.field or 'key'})") from exc
