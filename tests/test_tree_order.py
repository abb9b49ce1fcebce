"""Lists of units in tree order stay in order when the ids cross a power of ten.

``OrgNode.path`` is a string of ids, so ``ORDER BY path`` puts ``/1/2/1000/`` before
``/1/2/95/``: a regency's units would change places the day their ids grew a digit.
"""

from __future__ import annotations

import pytest

from lapor.orgs.models import NodeKind, OrgNode, tree_order
from lapor.orgs.services import node_create
from lapor.renaksi.services import plan_units
from lapor.reports.models import Report
from lapor.workspace.actions import forward_targets
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def _unit_with_more_digits(parent: OrgNode, than: OrgNode, code: str) -> OrgNode:
    """A unit of ``parent`` whose id has one more digit than ``than``'s (the way a national
    database's ids grow), made as :func:`lapor.demo.seed` makes its nodes."""
    pk = 10 ** len(str(than.pk)) * 10 + than.pk
    return OrgNode.objects.create(id=pk, code=code, name=code, kind=NodeKind.UNIT,
                                  parent=parent, agency=parent.agency,
                                  path=f"{parent.path}{pk}/", depth=parent.depth + 1)


def test_tree_order_sorts_siblings_by_id_as_a_number(tree: Tree) -> None:
    first = node_create(code="dinsos", name="Dinas Sosial", kind=NodeKind.UNIT,
                        parent=tree.kutim)
    later = _unit_with_more_digits(tree.kutim, first, "bappeda")
    child = node_create(code="bappeda-litbang", name="Bidang Litbang", kind=NodeKind.SUBUNIT,
                        parent=later)
    by_text = list(OrgNode.objects.filter(pk__in=[first.pk, later.pk, child.pk])
                   .order_by("path"))
    assert by_text[0] == later  # the bug this guards against: "/…/1…/" < "/…/9…/"

    ordered = tree_order(OrgNode.objects.filter(path__startswith=tree.kutim.path))
    positions = {node.pk: i for i, node in enumerate(ordered)}
    assert ordered[0] == tree.kutim
    assert positions[first.pk] < positions[later.pk] < positions[child.pk]
    assert positions[child.pk] == positions[later.pk] + 1  # a subtree follows its node
    assert later.path_ids == (*tree.kutim.path_ids, later.pk)


def test_unit_lists_keep_creation_order_across_digits(tree: Tree) -> None:
    units_before = plan_units(tree.kutim)
    later = _unit_with_more_digits(tree.kutim, units_before[-1], "bappeda")
    assert plan_units(tree.kutim) == [*units_before, later]

    targets = forward_targets(Report(current_node=tree.kutim))  # what the holder may forward to
    assert later in targets
    assert targets.index(later) > max(targets.index(u) for u in units_before if u in targets)
