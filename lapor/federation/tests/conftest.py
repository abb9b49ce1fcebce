"""Fixtures of the federation tests."""

from __future__ import annotations

import pytest

from lapor.federation import hooks


@pytest.fixture
def no_auto_journal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports created by the test are not journalled by the replicator on their own: the
    transport and journal tests write exactly the entries they check. (The mirror tests and
    the live two-instance tests keep the replicator.)"""
    monkeypatch.setattr(hooks, "report_changed", lambda report, event: None)
