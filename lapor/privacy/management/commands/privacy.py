"""``lapor privacy grant-reveal USERNAME --by NATIONAL_USERNAME`` (and ``revoke-reveal``)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.accounts.models import User
from lapor.core.errors import PermissionDenied
from lapor.orgs.actors import actor_for_user
from lapor.privacy.services import reveal_grant, reveal_revoke


class Command(BaseCommand):
    help = "Privacy tools: grant or revoke the identity-reveal permission."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("grant-reveal", "Give USERNAME privacy.reveal_identity"),
                           ("revoke-reveal", "Take privacy.reveal_identity from USERNAME")):
            action = sub.add_parser(name, help=text)
            action.add_argument("username")
            action.add_argument("--by", required=True, metavar="NATIONAL_USERNAME",
                                help="The national verifier granting it (recorded in the audit)")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["username"])
        actor = actor_for_user(self._user(options["by"]))
        service = reveal_grant if options["action"] == "grant-reveal" else reveal_revoke
        try:
            changed = service(actor=actor, user=user)
        except PermissionDenied as exc:
            raise CommandError(
                "Only a national verifier may grant or revoke the reveal permission"
            ) from exc
        verb = "granted to" if options["action"] == "grant-reveal" else "revoked from"
        state = "" if changed else " (no change)"
        self.stdout.write(f"privacy.reveal_identity {verb} {user.username}{state}")
