"""Fixtures of the training sandbox tests: a space of Kutai Timur (the factories' tree)."""

from __future__ import annotations

import pytest

from lapor.training.models import TrainingSpace
from lapor.training.services import training_space_create
from tests.factories import Tree


@pytest.fixture
def space(tree: Tree) -> TrainingSpace:
    """A space mirroring Kutai Timur, created by its hub verifier (its agency admin), with
    six practice reports."""
    return training_space_create(actor=tree.actor("hub"), agency=tree.kutim,
                                 name="Bimtek Oktober", report_count=6)

