"""Trainees for the sandbox tests: practice accounts made by the real service, signed in
with a known password and authenticator so the workspace and API helpers can log them in."""

from __future__ import annotations

from lapor.accounts.models import User
from lapor.accounts.two_factor import totp_set
from lapor.orgs.actors import Actor, actor_for_user
from lapor.orgs.models import OrgNode, Role
from lapor.reports.models import Report
from lapor.training.models import TrainingSpace
from lapor.training.services import practice_account_create
from tests.factories import PASSWORD, TOTP_KEY, Tree


def mirror(space: TrainingSpace, code: str) -> OrgNode:
    """The space's copy of the real node ``code``."""
    return OrgNode.objects.get(code=f"latihan-{space.code}-{code}")


def trainee(tree: Tree, space: TrainingSpace, *roles: tuple[OrgNode, str],
            email: str = "") -> User:
    """A practice account with ``roles``, its password set to the factories' one (tests only)
    and an authenticator, so tests sign it in like any staff member."""
    user = practice_account_create(actor=tree.actor("hub"), space=space, trainee_name="Peserta",
                                   roles=list(roles)).account.user
    user.set_password(PASSWORD)
    user.email = email
    user.save(update_fields=["password", "email"])
    totp_set(user=user, key_hex=TOTP_KEY)
    return user


def verifier(tree: Tree, space: TrainingSpace) -> tuple[User, Actor]:
    user = trainee(tree, space, (space.root, Role.HUB_VERIFIER))
    return user, actor_for_user(user)


def practice_reports(space: TrainingSpace) -> list[Report]:
    return list(Report.objects.filter(tier=space.root).order_by("submitted_at", "id"))
