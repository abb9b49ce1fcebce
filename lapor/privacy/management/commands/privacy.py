"""``lapor privacy grant-reveal USERNAME --by NATIONAL_USERNAME`` (and ``revoke-reveal``);
``lapor privacy retention [--dry-run]`` (the UU PDP retention sweep, lapor.privacy.pdp)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.accounts.models import User
from lapor.core.errors import PermissionDenied
from lapor.orgs.actors import actor_for_user
from lapor.privacy.pdp import retention_sweep
from lapor.privacy.services import reveal_grant, reveal_revoke


class Command(BaseCommand):
    help = "Privacy tools: grant or revoke the identity-reveal permission; retention sweep."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("grant-reveal", "Give USERNAME privacy.reveal_identity"),
                           ("revoke-reveal", "Take privacy.reveal_identity from USERNAME")):
            action = sub.add_parser(name, help=text)
            action.add_argument("username")
            action.add_argument("--by", required=True, metavar="NATIONAL_USERNAME",
                                help="The national verifier granting it (recorded in the audit)")
        retention = sub.add_parser(
            "retention", help="Anonymise or purge reports past their retention period (UU PDP)")
        retention.add_argument("--dry-run", action="store_true",
                               help="Only count the reports that are due")
        retention.add_argument("--limit", type=int, default=500)

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        return user

    def _retention(self, *, dry_run: bool, limit: int) -> None:
        if limit < 1:
            raise CommandError("--limit must be at least 1")
        counts = retention_sweep(limit=limit, dry_run=dry_run)
        verb = "would be handled" if dry_run else "handled"
        self.stdout.write(
            f"retention ({counts.mode}): {counts.due} due, {verb}; anonymised "
            f"{counts.anonymised}, purged {counts.purged}, files deleted {counts.files_deleted}"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retention":
            self._retention(dry_run=options["dry_run"], limit=options["limit"])
            return
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
