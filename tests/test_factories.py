"""The test tree made again from its first copy is the tree the services make (tests/factories)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lapor.audit.models import AuditEntry
from lapor.audit.services import audit_verify
from lapor.core import clock
from lapor.orgs.models import RoleAssignment
from tests import factories
from tests.factories import Tree, make_tree


def _shape(tree: Tree) -> dict[str, Any]:
    names = {str(u.pk): u.username for u in tree.users.values()}  # ids differ, names don't
    return {
        "nodes": sorted((n.code, n.kind, n.path.count("/"), n.agency.code if n.agency else "")
                        for n in (tree.root, tree.kutim, tree.pupr, tree.bina_marga,
                                  tree.dinkes, tree.samarinda, tree.samarinda_dishub)),
        "roles": sorted(RoleAssignment.objects.values_list("user__username", "role",
                                                           "node__code")),
        "audit": [(seq, action, names.get(target, target)) for seq, action, target in
                  AuditEntry.objects.order_by("seq").values_list("seq", "action", "target_id")],
        "users": sorted((name, u.username, u.check_password(factories.PASSWORD))
                        for name, u in tree.users.items()),
    }


@pytest.mark.django_db
def test_restored_tree_is_the_built_one_at_the_current_time() -> None:
    sid = transaction.savepoint_create()
    built = _shape(factories.build_tree())
    transaction.savepoint_rollback(sid)
    make_tree()  # the first call in this database keeps the rows (or restores them)
    transaction.savepoint_rollback(sid)
    later = clock.now() + timedelta(days=40)
    with clock.frozen(later), CaptureQueriesContext(connection) as queries:
        tree = make_tree()
    assert len(queries) < 30  # restored from the copy (the services take ~190)
    assert _shape(tree) == built
    assert audit_verify().ok
    # Its times are those of a tree made 40 days on.
    newest = AuditEntry.objects.order_by("-seq").values_list("created_at", flat=True).first()
    assert newest is not None
    assert later - timedelta(minutes=1) <= newest <= later
    # New rows after it get new ids.
    factories.make_user("after_restore", (tree.pupr, "liaison"))
