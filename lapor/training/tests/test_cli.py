"""``lapor training create|account|reset|delete|list``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lapor.audit.models import AuditEntry
from lapor.reports.models import Report
from lapor.training.models import PracticeAccount, TrainingSpace
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("training", *args, stdout=out)
    return out.getvalue()


def test_cli_lifecycle(tree: Tree) -> None:
    out = _run("create", tree.kutim.code, "--reports", "3", "--name", "Bimtek", "--by", "hub")
    space = TrainingSpace.objects.get()
    assert space.code in out
    assert Report.objects.filter(tier=space.root).count() == 3
    out = _run("account", space.code, "Andi Saputra", "--role",
               f"hub_verifier@{space.root.code}", "--by", "hub")
    account = PracticeAccount.objects.get()
    password = out.split("(shown once): ")[1].split()[0]
    assert account.user.check_password(password)
    assert space.code in _run("list")
    assert "3 new practice reports" in _run("reset", space.code, "--by", "hub")
    _run("delete", space.code, "--by", "hub")
    assert not TrainingSpace.objects.exists()
    assert not PracticeAccount.objects.exists()
    assert AuditEntry.objects.filter(action="training.delete", actor_id=tree.users["hub"].pk
                                     ).exists()


@pytest.mark.parametrize("args", [
    ("create", "kutim", "--by", "liaison_pupr"),
    ("create", "kutim", "--reports", "500", "--by", "hub"),
    ("create", "nowhere", "--by", "hub"),
    ("create", "kutim", "--by", "nobody"),
    ("reset", "zzzzzz", "--by", "hub"),
])
def test_cli_refusals_are_clear_and_store_nothing(tree: Tree, args: tuple[str, ...]) -> None:
    with pytest.raises(CommandError):
        _run(*args)
    assert not TrainingSpace.objects.exists()
