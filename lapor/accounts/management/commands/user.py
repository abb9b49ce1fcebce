"""``lapor user add USERNAME --node CODE --role ROLE`` (password read from standard input)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from lapor.accounts.models import User
from lapor.accounts.two_factor import two_factor_reset
from lapor.audit.services import audit_record
from lapor.core.errors import ApplicationError
from lapor.orgs.models import Role
from lapor.orgs.selectors import node_get
from lapor.orgs.services import role_assign


class Command(BaseCommand):
    help = "Manage staff users."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Create a user (or add a role to one)")
        add.add_argument("username")
        add.add_argument("--node", required=True, help="Organisation node code")
        add.add_argument("--role", required=True, choices=Role.values)
        add.add_argument("--display-name", default="")
        reset = sub.add_parser(
            "reset-2fa", help="Remove a user's authenticator and recovery codes (lost phone): "
                              "the next sign-in sets up a new one")
        reset.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "reset-2fa":
            self._reset_two_factor(options["username"])
            return
        node = node_get(options["node"])
        if node is None:
            raise CommandError(f"Unknown node {options['node']!r}")
        username: str = options["username"]
        with transaction.atomic():
            user = User.objects.filter(username=username).first()
            if user is None:
                password = sys.stdin.readline().rstrip("\n")
                user = User(username=username, display_name=options["display_name"])
                try:
                    validate_password(password, user)
                except ValidationError as exc:
                    raise CommandError("; ".join(exc.messages)) from exc
                user.set_password(password)
                user.save()
                created = True
            else:
                created = False
            try:
                role_assign(user=user, node=node, role=options["role"])
            except ApplicationError as exc:
                raise CommandError(
                    f"Role {options['role']} cannot be held on {node.code} ({node.kind})"
                ) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} {username}: {options['role']} on {node.code}")

    def _reset_two_factor(self, username: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}")
        removed = two_factor_reset(user=user)
        audit_record(action="auth.otp_reset", target_type="user", target_id=user.pk,
                     payload={"devices_removed": removed})
        self.stdout.write(f"Two-factor devices of {username} removed ({removed}); the next "
                          "sign-in sets up a new authenticator.")
