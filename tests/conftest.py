from __future__ import annotations

import os

import pytest

from tests.factories import Tree, make_tree

# Browser tests drive a live server from the test thread (see STACK-NOTES.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def tree(db: None) -> Tree:
    return make_tree()
