"""``lapor training create|account|reset|delete|list``: the training sandbox from a terminal.

Every write names the trainer with ``--by USERNAME``: the same permission check as the pages
(an admin of the agency) and the same audit entries, with that trainer as the actor.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.accounts.models import User
from lapor.core.errors import ApplicationError, message_for
from lapor.orgs.actors import Actor, actor_for_user
from lapor.orgs.selectors import node_get
from lapor.training import services
from lapor.training.models import TrainingSpace


class Command(BaseCommand):
    help = "Training spaces (Bimtek sandbox): create, practice accounts, reset, delete, list."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a space mirroring an agency")
        create.add_argument("agency", help="Code of the real agency to mirror")
        create.add_argument("--name", default="")
        create.add_argument("--reports", type=int, default=12,
                            help="Practice reports per fill (1-100)")
        account = sub.add_parser("account", help="Create a practice account (password printed "
                                                 "once)")
        account.add_argument("space", help="Space code")
        account.add_argument("trainee_name")
        account.add_argument("--role", action="append", required=True, metavar="ROLE@NODE",
                             help="e.g. hub_verifier@latihan-1a2b3c or "
                                  "liaison@latihan-1a2b3c-kutim-pupr (repeatable)")
        for name, text in (("reset", "Delete the practice reports and fill the space again"),
                           ("delete", "Delete the space with its practice accounts")):
            sub.add_parser(name, help=text).add_argument("space", help="Space code")
        sub.add_parser("list", help="List the spaces")
        for name, action in sub.choices.items():
            if name != "list":
                action.add_argument("--by", required=True, metavar="USERNAME",
                                    help="The trainer (an admin of the agency)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for space in TrainingSpace.objects.select_related("agency", "root"):
                self.stdout.write(f"{space.code}\t{space.agency.code}\t{space.root.code}\t"
                                  f"{space.accounts.count()} accounts\t{space.name}")
            return
        actor = self._trainer(options["by"])
        try:
            if action == "create":
                self._create(actor, options)
            elif action == "account":
                self._account(actor, options)
            elif action == "reset":
                count = services.training_space_reset(actor=actor,
                                                      space=self._space(options["space"]))
                self.stdout.write(f"Reset {options['space']}: {count} new practice reports.")
            else:
                services.training_space_delete(actor=actor, space=self._space(options["space"]))
                self.stdout.write(f"Deleted {options['space']} and its practice accounts.")
        except ApplicationError as exc:
            raise CommandError(f"{message_for(exc.code, 'en')} ({exc.code}"
                               f"{', ' + exc.field if exc.field else ''})") from exc

    def _trainer(self, username: str) -> Actor:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Unknown user {username!r}")
        return actor_for_user(user)

    def _space(self, code: str) -> TrainingSpace:
        space = TrainingSpace.objects.select_related("agency", "root").filter(code=code).first()
        if space is None:
            raise CommandError(f"Unknown training space {code!r}")
        return space

    def _create(self, actor: Actor, options: dict[str, Any]) -> None:
        agency = node_get(options["agency"])
        if agency is None:
            raise CommandError(f"Unknown agency {options['agency']!r}")
        space = services.training_space_create(actor=actor, agency=agency,
                                               name=options["name"],
                                               report_count=options["reports"])
        self.stdout.write(f"Created training space {space.code} ({space.name}): hub "
                          f"{space.root.code}, {space.report_count} practice reports.")

    def _account(self, actor: Actor, options: dict[str, Any]) -> None:
        space = self._space(options["space"])
        roles = []
        for value in options["role"]:
            role, _sep, code = value.partition("@")
            node = node_get(code)
            if node is None:
                raise CommandError(f"Unknown node {code!r}")
            roles.append((node, role))
        created = services.practice_account_create(actor=actor, space=space,
                                                   trainee_name=options["trainee_name"],
                                                   roles=roles)
        self.stdout.write(f"Practice account {created.account.user.username}\n"
                          f"One-time password (shown once): {created.password}\n"
                          "The trainee sets up an authenticator at first sign-in.")
